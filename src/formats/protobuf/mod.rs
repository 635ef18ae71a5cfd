//! Protobuf: `.proto` text or a base64 `FileDescriptorProto`, compiled by protox with imports
//! from references and the well-known files, re-printed as canonical text, checked by
//! Confluent's diff rules, and payloads read through the JSON mapping.

pub mod canonical;
pub mod compat;
pub mod json;
pub mod parse;

use base64::Engine;
use prost_reflect::{DescriptorPool, FileDescriptor, MessageDescriptor};

use crate::error::Result;
use crate::formats::{Dependency, Difference, Format, Parsed, ParsedSchema, PayloadError};
use crate::model::SchemaType;

#[derive(Debug)]
pub struct ProtobufSchema {
    pub file: FileDescriptor,
    pub canonical: String,
}

impl ProtobufSchema {
    /// The message Confluent's serializers write by default: the file's first.
    pub fn first_message(&self) -> Option<MessageDescriptor> {
        self.file.messages().next()
    }

    /// The file as a serialized `FileDescriptorProto`, in base64 (`format=serialized`).
    pub fn serialized(&self) -> String {
        let mut descriptor = self.file.file_descriptor_proto().clone();
        descriptor.source_code_info = None;
        base64::engine::general_purpose::STANDARD.encode(prost::Message::encode_to_vec(&descriptor))
    }
}

/// Parses and validates a schema with its imports.
pub fn parse(text: &str, deps: &[Dependency], normalize: bool) -> Result<ProtobufSchema> {
    let file = parse::resolve(text, deps)?;
    let names = ScopedNames {
        pool: file.parent_pool().clone(),
        package: file.package_name().to_string(),
    };
    let canonical = canonical::print(file.file_descriptor_proto(), &names, normalize);
    Ok(ProtobufSchema { file, canonical })
}

/// Protobuf as a [`Format`].
pub struct ProtobufFormat;

impl Format for ProtobufFormat {
    fn schema_type(&self) -> SchemaType {
        SchemaType::Protobuf
    }

    fn parse(&self, text: &str, deps: &[Dependency], normalize: bool) -> Result<Box<Parsed>> {
        Ok(Box::new(parse(text, deps, normalize)?))
    }

    fn normalized(&self, canonical: &str) -> String {
        // Canonical text already names types as they resolve; only the order changes.
        match protox::file::File::from_source(parse::ROOT_NAME, canonical) {
            Ok(file) => canonical::print(file.file_descriptor_proto(), &canonical::AsWritten, true),
            Err(_) => canonical.to_string(),
        }
    }
}

impl ParsedSchema for ProtobufSchema {
    fn schema_type(&self) -> SchemaType {
        SchemaType::Protobuf
    }

    fn canonical(&self) -> &str {
        &self.canonical
    }

    fn differences(&self, writer: &Parsed, reader_is_new: bool) -> Vec<Difference> {
        let Some(writer) = writer.as_any().downcast_ref::<ProtobufSchema>() else {
            return Vec::new();
        };
        // Confluent diffs the original (the writer's schema) into the update (the reader's).
        let top = TopLevelFields::of(self).merge(TopLevelFields::of(writer));
        compat::diff(&writer.file, &self.file)
            .into_iter()
            .map(|change| Difference {
                message: describe(&change, reader_is_new),
                field: top.field(&change),
            })
            .collect()
    }

    /// The JSON names (`event_id` is `eventId`): payloads, examples and the fields consumers
    /// declare are all written in the JSON mapping, as they are for the other formats.
    fn field_names(&self) -> Vec<String> {
        self.first_message()
            .map(|m| m.fields().map(|f| f.json_name().to_string()).collect())
            .unwrap_or_default()
    }

    fn validate_payload(&self, payload: &serde_json::Value) -> Vec<PayloadError> {
        match self.first_message() {
            Some(message) => json::validate(&message, payload),
            None => vec![PayloadError::new("", "the schema declares no message")],
        }
    }

    fn without_docs(&self) -> String {
        // Comments are not kept in descriptors: the canonical text has none to remove.
        self.canonical.clone()
    }

    fn in_format(&self, format: &str) -> Option<String> {
        format
            .eq_ignore_ascii_case("serialized")
            .then(|| self.serialized())
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Confluent's message for one incompatible difference. In its diff the original is the
/// writer's schema: the old one when the reader is new (BACKWARD), else the new one.
pub fn describe(change: &compat::Change, reader_is_new: bool) -> String {
    use compat::ChangeKind::*;
    let (update, original) = if reader_is_new {
        ("new", "old")
    } else {
        ("old", "new")
    };
    let path = &change.path;
    let detail = if change.detail.is_empty() {
        String::new()
    } else {
        format!(" ({})", change.detail)
    };
    let text = match change.kind {
        PackageChanged => format!("The package of the {update} schema differs from the {original} schema{detail}"),
        MessageRemoved => format!("The message at path '{path}' in the {original} schema is missing in the {update} schema"),
        FieldKindChanged => format!("The kind of the field at path '{path}' in the {update} schema does not match its kind in the {original} schema{detail}"),
        FieldScalarKindChanged => format!("The scalar type of the field at path '{path}' in the {update} schema does not match its type in the {original} schema{detail}"),
        FieldNamedTypeChanged => format!("The message type of the field at path '{path}' in the {update} schema does not match its type in the {original} schema{detail}"),
        FieldNumericLabelChanged => format!("The label of the numeric field at path '{path}' in the {update} schema does not match its label in the {original} schema{detail}"),
        RequiredFieldAdded => format!("The field at path '{path}' is required in the {update} schema and not in the {original} schema"),
        RequiredFieldRemoved => format!("The field at path '{path}' is required in the {original} schema and not in the {update} schema"),
        OneofFieldRemoved => format!("The oneof field at path '{path}' in the {original} schema is missing in the {update} schema{detail}"),
        MultipleFieldsMovedToOneof => format!("Several fields of the {original} schema were moved into a new oneof at path '{path}' in the {update} schema{detail}"),
        FieldMovedToExistingOneof => format!("The field at path '{path}' was moved into an existing oneof in the {update} schema{detail}"),
    };
    format!(
        "{{errorType:\"{}\", description:\"{}\"}}",
        change.kind.as_str(),
        text
    )
}

/// Which top-level field of the first message each message is reached through; a change deep
/// inside names that field when only one leads there.
#[derive(Default)]
struct TopLevelFields {
    first: Option<String>,
    reached: std::collections::HashMap<String, Vec<String>>,
}

impl TopLevelFields {
    fn of(schema: &ProtobufSchema) -> Self {
        let mut out = TopLevelFields::default();
        let Some(first) = schema.first_message() else {
            return out;
        };
        out.first = Some(first.full_name().to_string());
        for field in first.fields() {
            let mut stack: Vec<MessageDescriptor> = message_types(&field);
            let mut seen = std::collections::HashSet::new();
            while let Some(m) = stack.pop() {
                if !seen.insert(m.full_name().to_string()) {
                    continue;
                }
                let names = out.reached.entry(relative_name(&m)).or_default();
                if !names.contains(&field.json_name().to_string()) {
                    names.push(field.json_name().to_string());
                }
                for f in m.fields() {
                    stack.extend(message_types(&f));
                }
            }
        }
        out
    }

    fn merge(mut self, other: TopLevelFields) -> Self {
        if self.first.is_none() {
            self.first = other.first;
        }
        for (message, fields) in other.reached {
            let names = self.reached.entry(message).or_default();
            for f in fields {
                if !names.contains(&f) {
                    names.push(f);
                }
            }
        }
        self
    }

    fn field(&self, change: &compat::Change) -> Option<String> {
        let first = self.first.as_deref()?;
        let first_relative = first.rsplit('.').next().unwrap_or(first);
        if change.message == first_relative || change.message == first {
            return change.field.clone();
        }
        match self.reached.get(&change.message).map(Vec::as_slice) {
            Some([only]) => Some(only.clone()),
            _ => None,
        }
    }
}

fn message_types(field: &prost_reflect::FieldDescriptor) -> Vec<MessageDescriptor> {
    match field.kind() {
        prost_reflect::Kind::Message(m) if m.is_map_entry() => m
            .fields()
            .filter_map(|f| f.kind().as_message().cloned())
            .collect(),
        prost_reflect::Kind::Message(m) => vec![m],
        _ => Vec::new(),
    }
}

fn relative_name(m: &MessageDescriptor) -> String {
    let package = m.package_name();
    m.full_name()
        .strip_prefix(package)
        .and_then(|r| r.strip_prefix('.'))
        .unwrap_or(m.full_name())
        .to_string()
}

/// Type names of the schema's own package written as short as protobuf's scoping rules allow
/// from where they are used; those of other packages in full (with a leading dot only when a
/// nearer name would hide them).
struct ScopedNames {
    pool: DescriptorPool,
    package: String,
}

impl ScopedNames {
    fn is_type(&self, name: &str) -> bool {
        self.pool.get_message_by_name(name).is_some() || self.pool.get_enum_by_name(name).is_some()
    }

    fn is_package(&self, name: &str) -> bool {
        self.pool.files().any(|f| {
            let p = f.package_name();
            p == name || p.strip_prefix(name).is_some_and(|r| r.starts_with('.'))
        })
    }

    /// What `candidate` names when used inside `scope`: protobuf looks its first component up
    /// from the innermost scope outwards and takes the first hit (a type, or for a dotted name
    /// a message or package that can hold the rest).
    fn resolve(&self, candidate: &str, scope: &str) -> Option<String> {
        let (first, dotted) = match candidate.split_once('.') {
            Some((first, _)) => (first, true),
            None => (candidate, false),
        };
        let mut scope = scope;
        loop {
            let probe = if scope.is_empty() {
                first.to_string()
            } else {
                format!("{scope}.{first}")
            };
            let hit = if dotted {
                self.pool.get_message_by_name(&probe).is_some() || self.is_package(&probe)
            } else {
                self.is_type(&probe)
            };
            if hit {
                return Some(if scope.is_empty() {
                    candidate.to_string()
                } else {
                    format!("{scope}.{candidate}")
                });
            }
            if scope.is_empty() {
                return None;
            }
            scope = scope.rsplit_once('.').map_or("", |(outer, _)| outer);
        }
    }
}

impl canonical::TypeNames for ScopedNames {
    fn write(&self, type_name: &str, scope: &str) -> String {
        let Some(full) = type_name.strip_prefix('.') else {
            return type_name.to_string();
        };
        let parts: Vec<&str> = full.split('.').collect();
        let package = self
            .pool
            .get_message_by_name(full)
            .map(|m| m.package_name().to_string())
            .or_else(|| {
                self.pool
                    .get_enum_by_name(full)
                    .map(|e| e.package_name().to_string())
            });
        let shortest = if package.as_deref() == Some(self.package.as_str()) {
            parts.len().saturating_sub(1)
        } else {
            0
        };
        for start in (0..=shortest).rev() {
            let candidate = parts[start..].join(".");
            if self.resolve(&candidate, scope).as_deref() == Some(full) {
                return candidate;
            }
        }
        type_name.to_string()
    }
}
