//! Protobuf: `.proto` text or a base64 `FileDescriptorProto`, compiled by protox with imports
//! from references and the well-known files, re-printed as canonical text, checked by
//! Confluent's diff rules, and payloads read through the JSON mapping.

pub mod canonical;
pub mod compat;
pub mod editions;
pub mod fields;
pub mod framing;
pub mod json;
pub mod names;
pub mod parse;
pub mod reasons;

use base64::Engine;
use prost_reflect::{FileDescriptor, MessageDescriptor};

use crate::error::Result;
use crate::formats::{
    Dependency, Difference, FieldRow, Format, Parsed, ParsedSchema, PayloadError,
};
use crate::model::SchemaType;

#[derive(Debug)]
pub struct ProtobufSchema {
    pub file: FileDescriptor,
    pub canonical: String,
    /// The text as registered, for a file in an edition (see `editions`); other files are
    /// stored as their canonical text.
    pub as_registered: Option<String>,
    /// The name the registered descriptor gave the file.
    pub file_name: Option<String>,
}

impl ProtobufSchema {
    /// The message Confluent's serializers write by default: the file's first.
    pub fn first_message(&self) -> Option<MessageDescriptor> {
        self.file.messages().next()
    }

    /// The file as a serialized `FileDescriptorProto` (custom options included), in base64
    /// (`format=serialized`), named `name`, else as Herald compiles it.
    pub fn serialized(&self, name: Option<&str>) -> String {
        let raw = self.file.encode_to_vec();
        let bytes = parse::renamed(&raw, name.unwrap_or(parse::ROOT_NAME)).unwrap_or(raw);
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }
}

/// Parses and validates a schema with its imports.
pub fn parse(text: &str, deps: &[Dependency], normalize: bool) -> Result<ProtobufSchema> {
    let edition = text
        .contains("edition")
        .then(|| editions::translate(text))
        .flatten();
    let parse::Resolved { file, file_name } =
        parse::resolve(edition.as_ref().map_or(text, |e| &e.proto2), deps)?;
    let names = names::ScopedNames::new(&file);
    let mut canonical = canonical::print(file.file_descriptor_proto(), &names, &names, normalize);
    // What the proto2 reading leaves out is part of the identity all the same.
    let as_registered = edition.map(|e| {
        canonical.push_str(&format!("// edition {}\n", e.edition));
        for feature in &e.features {
            canonical.push_str(&format!("// {feature}\n"));
        }
        text.trim().to_string()
    });
    Ok(ProtobufSchema {
        file,
        canonical,
        as_registered,
        file_name,
    })
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
            Ok(file) => canonical::print(
                file.file_descriptor_proto(),
                &canonical::AsWritten,
                &canonical::AsWritten,
                true,
            ),
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

    fn stored(&self) -> &str {
        self.as_registered.as_deref().unwrap_or(&self.canonical)
    }

    fn differences(&self, writer: &Parsed, reader_is_new: bool) -> Vec<Difference> {
        let Some(writer) = writer.as_any().downcast_ref::<ProtobufSchema>() else {
            return Vec::new();
        };
        // Confluent diffs the original (the writer's schema) into the update (the reader's).
        let top = TopLevelFields::of(self).merge(TopLevelFields::of(writer));
        let pair = reasons::Pair::new(writer, self);
        compat::diff(&writer.file, &self.file)
            .into_iter()
            .map(|change| {
                let message = compat::describe(&change, reader_is_new);
                Difference {
                    reason: pair.reason(&change, reader_is_new, &message),
                    field: top.field(&change),
                    message,
                }
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

    fn field_table(&self) -> Vec<FieldRow> {
        self.first_message()
            .map(|m| fields::field_table(&m))
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

    fn in_format(&self, format: &str, file_name: Option<&str>) -> Option<String> {
        format
            .eq_ignore_ascii_case("serialized")
            .then(|| self.serialized(file_name))
    }

    fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
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
