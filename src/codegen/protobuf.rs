//! Protobuf messages as the model of their JSON mapping: camelCase JSON names, enums by value
//! name, 64-bit integers and well-known types as the mapping writes them, oneof members and
//! `optional` fields as nullable.

use prost_reflect::{Cardinality, FieldDescriptor, Kind, MessageDescriptor};
use prost_types::source_code_info::Location;

use super::model::{Body, Builder, Field, Logical, Presence, Ty};
use crate::limits;

pub fn build(message: &MessageDescriptor, builder: &mut Builder) -> Option<Ty> {
    message_type(message, builder, 0)
}

fn package(name: &str) -> Vec<String> {
    name.split('.')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The comment written above the element at `path` in the source, when the file kept them.
fn comment(file: &prost_types::FileDescriptorProto, path: &[i32]) -> Option<String> {
    let info = file.source_code_info.as_ref()?;
    let location: &Location = info.location.iter().find(|l| l.path == path)?;
    let text = location.leading_comments.as_deref()?.trim();
    (!text.is_empty()).then(|| {
        text.lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// The name a nested message goes by: its parents' names before its own (`Order.Line` →
/// `OrderLine`), as protoc's plugins name them.
fn simple_name(full_name: &str, package_name: &str) -> String {
    full_name
        .strip_prefix(package_name)
        .unwrap_or(full_name)
        .trim_start_matches('.')
        .replace('.', "_")
}

/// The JSON mapping's form of a well-known type, with a line saying what the text holds.
fn well_known(message: &MessageDescriptor) -> Option<(Ty, &'static str)> {
    let nullable = |t: Ty| t.nullable();
    Some(match message.full_name() {
        "google.protobuf.Timestamp" => (Ty::Logical(Logical::Instant), ""),
        "google.protobuf.Duration" => (Ty::Logical(Logical::Duration), ""),
        "google.protobuf.FieldMask" => (
            Ty::String,
            "Comma-separated camelCase field paths (google.protobuf.FieldMask).",
        ),
        "google.protobuf.Struct" => (
            Ty::Map(Box::new(Ty::Any)),
            "Any JSON object (google.protobuf.Struct).",
        ),
        "google.protobuf.Value" => (Ty::Any, "Any JSON value (google.protobuf.Value)."),
        "google.protobuf.ListValue" => (
            Ty::Array(Box::new(Ty::Any)),
            "Any JSON array (google.protobuf.ListValue).",
        ),
        "google.protobuf.Any" => (
            Ty::Map(Box::new(Ty::Any)),
            "A message with its `@type` URL (google.protobuf.Any).",
        ),
        "google.protobuf.Empty" => (
            Ty::Map(Box::new(Ty::Any)),
            "An empty JSON object (google.protobuf.Empty).",
        ),
        "google.protobuf.StringValue" => (nullable(Ty::String), "google.protobuf.StringValue."),
        "google.protobuf.BytesValue" => (
            nullable(Ty::String),
            "Base64 text (google.protobuf.BytesValue).",
        ),
        "google.protobuf.BoolValue" => (nullable(Ty::Bool), "google.protobuf.BoolValue."),
        "google.protobuf.Int32Value" | "google.protobuf.UInt32Value" => {
            (nullable(Ty::Long), "A 32-bit integer wrapper.")
        }
        "google.protobuf.Int64Value" | "google.protobuf.UInt64Value" => (
            nullable(Ty::Int64),
            "A 64-bit integer wrapper, read from a number or decimal text.",
        ),
        "google.protobuf.FloatValue" | "google.protobuf.DoubleValue" => {
            (nullable(Ty::Double), "A floating-point wrapper.")
        }
        _ => return None,
    })
}

fn message_type(message: &MessageDescriptor, builder: &mut Builder, depth: usize) -> Option<Ty> {
    if !limits::deeper(depth) {
        return None;
    }
    if let Some(i) = builder.find(message.full_name()) {
        return Some(Ty::Named(i));
    }
    let index = builder.reserve(
        message.full_name(),
        package(message.package_name()),
        &simple_name(message.full_name(), message.package_name()),
    );
    let file = message.parent_file_descriptor_proto();
    builder.types[index].doc = comment(file, message.path());
    let mut fields = Vec::new();
    // Declaration order, as the schema reads (`fields()` goes by number).
    let declared: Vec<FieldDescriptor> = message
        .descriptor_proto()
        .field
        .iter()
        .filter_map(|f| message.get_field_by_name(f.name()))
        .collect();
    for field in declared {
        if !limits::spend(1) {
            return None;
        }
        let mut notes: Vec<String> = comment(file, field.path()).into_iter().collect();
        let ty = field_type(&field, builder, depth, &mut notes)?;
        let in_oneof = field.containing_oneof().is_some();
        let presence = if field.is_list() || field.is_map() {
            Presence::Defaulted(None)
        } else if in_oneof {
            notes.push(match field.containing_oneof() {
                Some(o) if !o.is_synthetic() => {
                    format!("Member of oneof `{}`: at most one member is set.", o.name())
                }
                _ => "Optional: null or missing when not set.".to_string(),
            });
            Presence::Optional
        } else if matches!(field.kind(), Kind::Message(_)) {
            Presence::Optional
        } else if field.cardinality() == Cardinality::Required {
            Presence::Required
        } else {
            Presence::Defaulted(None)
        };
        let ty = if matches!(presence, Presence::Optional) {
            ty.nullable()
        } else {
            ty
        };
        fields.push(Field {
            wire: field.json_name().to_string(),
            doc: (!notes.is_empty()).then(|| notes.join("\n")),
            ty,
            presence,
        });
    }
    builder.types[index].body = Body::Record(fields);
    Some(Ty::Named(index))
}

fn field_type(
    field: &FieldDescriptor,
    builder: &mut Builder,
    depth: usize,
    notes: &mut Vec<String>,
) -> Option<Ty> {
    if field.is_map() {
        let Kind::Message(entry) = field.kind() else {
            return Some(Ty::Any);
        };
        let value = entry.map_entry_value_field();
        notes.push("Map keys are JSON object keys (text).".into());
        return Some(Ty::Map(Box::new(kind_type(
            &value.kind(),
            builder,
            depth,
            notes,
        )?)));
    }
    let ty = kind_type(&field.kind(), builder, depth, notes)?;
    Some(if field.is_list() {
        Ty::Array(Box::new(ty))
    } else {
        ty
    })
}

fn kind_type(
    kind: &Kind,
    builder: &mut Builder,
    depth: usize,
    notes: &mut Vec<String>,
) -> Option<Ty> {
    Some(match kind {
        Kind::Double | Kind::Float => Ty::Double,
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 | Kind::Uint32 | Kind::Fixed32 => Ty::Long,
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 | Kind::Uint64 | Kind::Fixed64 => {
            notes.push("64-bit integer: the JSON mapping writes it as decimal text; read from text or a number, written as a number.".into());
            Ty::Int64
        }
        Kind::Bool => Ty::Bool,
        Kind::String => Ty::String,
        Kind::Bytes => {
            notes.push("Bytes as base64 text.".into());
            Ty::String
        }
        Kind::Message(m) => match well_known(m) {
            Some((ty, note)) => {
                if !note.is_empty() {
                    notes.push(note.to_string());
                }
                ty
            }
            None => message_type(m, builder, depth + 1)?,
        },
        Kind::Enum(e) => {
            if let Some(i) = builder.find(e.full_name()) {
                return Some(Ty::Named(i));
            }
            if e.full_name() == "google.protobuf.NullValue" {
                return Some(Ty::Any);
            }
            let index = builder.reserve(
                e.full_name(),
                package(e.package_name()),
                &simple_name(e.full_name(), e.package_name()),
            );
            builder.types[index].doc = comment(e.parent_file_descriptor_proto(), e.path());
            builder.types[index].body =
                Body::Enum(e.values().map(|v| v.name().to_string()).collect());
            Ty::Named(index)
        }
    })
}
