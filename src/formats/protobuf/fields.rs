//! The field table of a Protobuf schema: the fields of the first message (the one serializers
//! write) under their JSON names, with message-typed fields expanded and types written as in a
//! `.proto` file (`repeated string`, `map<string, int32>`, `enum Status`). The well-known
//! `google.protobuf.*` messages are shown by name and not expanded: their JSON forms are
//! scalars (a timestamp is a string), not the fields they hold.
//!
//! Rows carry no docs: the stored canonical text is printed from a descriptor, which keeps no
//! comments.

use std::collections::HashMap;

use prost_reflect::{Cardinality, FieldDescriptor, Kind, MessageDescriptor};

use crate::formats::FieldRow;
use crate::limits;

pub fn field_table(message: &MessageDescriptor) -> Vec<FieldRow> {
    let mut rows = Vec::new();
    let mut expanded = HashMap::from([(message.full_name().to_string(), String::new())]);
    message_rows(message, "", 0, &mut expanded, &mut rows);
    rows
}

/// Where each message is listed, by full name.
type Expanded = HashMap<String, String>;

/// The message's fields in the order the schema declares them (`fields()` goes by number).
fn declared_fields(message: &MessageDescriptor) -> Vec<FieldDescriptor> {
    message
        .descriptor_proto()
        .field
        .iter()
        .filter_map(|f| message.get_field_by_name(f.name()))
        .collect()
}

fn message_rows(
    message: &MessageDescriptor,
    prefix: &str,
    depth: usize,
    expanded: &mut Expanded,
    rows: &mut Vec<FieldRow>,
) {
    if !limits::deeper(depth) {
        return;
    }
    for field in declared_fields(message) {
        let path = format!("{prefix}{}", field.json_name());
        rows.push(FieldRow {
            path: path.clone(),
            name: field.json_name().to_string(),
            depth,
            type_name: field_type_name(&field),
            default: explicit_default(&field),
            doc: None,
            required: field.cardinality() == Cardinality::Required,
        });
        nested_rows(&field, &path, depth + 1, expanded, rows);
    }
}

/// Expands the message a field holds (a list's items under `path[]`, a map's values under
/// `path{}`) the first time it is met. Messages used by several fields make a graph, which
/// listed as a tree grows exponentially with messages that use the next one twice; where a
/// message comes back (elsewhere, or inside itself), the field's row names where it is listed.
fn nested_rows(
    field: &FieldDescriptor,
    path: &str,
    depth: usize,
    expanded: &mut Expanded,
    rows: &mut Vec<FieldRow>,
) {
    let (message, prefix) = match field.kind() {
        Kind::Message(m) if m.is_map_entry() => {
            match m.map_entry_value_field().kind().as_message() {
                Some(value) => (value.clone(), format!("{path}{{}}.")),
                None => return,
            }
        }
        Kind::Message(m) if field.is_list() => (m, format!("{path}[].")),
        Kind::Message(m) => (m, format!("{path}.")),
        _ => return,
    };
    if is_well_known(&message) {
        return;
    }
    if let Some(first) = expanded.get(message.full_name()) {
        if let Some(row) = rows.last_mut().filter(|_| message.fields().len() > 0) {
            row.doc = Some(if first.is_empty() {
                "Fields as listed at the top level.".to_string()
            } else {
                format!("Fields as listed under '{first}'.")
            });
        }
        return;
    }
    let listed_at = prefix.trim_end_matches('.').to_string();
    expanded.insert(message.full_name().to_string(), listed_at);
    message_rows(&message, &prefix, depth, expanded, rows);
}

pub(crate) fn field_type_name(field: &FieldDescriptor) -> String {
    let base = match field.kind() {
        Kind::Message(m) if m.is_map_entry() => format!(
            "map<{}, {}>",
            kind_name(&m.map_entry_key_field().kind(), field),
            kind_name(&m.map_entry_value_field().kind(), field)
        ),
        kind if field.is_list() => format!("repeated {}", kind_name(&kind, field)),
        kind => kind_name(&kind, field),
    };
    match field.containing_oneof() {
        Some(oneof) if oneof.is_synthetic() => format!("optional {base}"),
        Some(oneof) => format!("{base} (oneof {})", oneof.name()),
        None => base,
    }
}

fn kind_name(kind: &Kind, field: &FieldDescriptor) -> String {
    let package = field.parent_message().package_name();
    match kind {
        Kind::Double => "double".into(),
        Kind::Float => "float".into(),
        Kind::Int32 => "int32".into(),
        Kind::Int64 => "int64".into(),
        Kind::Uint32 => "uint32".into(),
        Kind::Uint64 => "uint64".into(),
        Kind::Sint32 => "sint32".into(),
        Kind::Sint64 => "sint64".into(),
        Kind::Fixed32 => "fixed32".into(),
        Kind::Fixed64 => "fixed64".into(),
        Kind::Sfixed32 => "sfixed32".into(),
        Kind::Sfixed64 => "sfixed64".into(),
        Kind::Bool => "bool".into(),
        Kind::String => "string".into(),
        Kind::Bytes => "bytes".into(),
        Kind::Message(m) => type_name(m.full_name(), package),
        Kind::Enum(e) => format!("enum {}", type_name(e.full_name(), package)),
    }
}

/// A type as the schema would write it: relative to the schema's package, in full otherwise
/// (`google.protobuf.Timestamp`).
fn type_name(full_name: &str, package: &str) -> String {
    if package.is_empty() {
        return full_name.to_string();
    }
    full_name
        .strip_prefix(package)
        .and_then(|rest| rest.strip_prefix('.'))
        .unwrap_or(full_name)
        .to_string()
}

fn is_well_known(message: &MessageDescriptor) -> bool {
    message.package_name() == "google.protobuf"
}

/// A proto2 `[default = ...]` as JSON text: numbers and booleans as they are, anything else
/// (strings, bytes, enum values, `inf`, `nan`) as a JSON string.
fn explicit_default(field: &FieldDescriptor) -> Option<String> {
    let proto = field.field_descriptor_proto();
    let text = proto.default_value.as_deref()?;
    let literal = matches!(
        field.kind(),
        Kind::Double
            | Kind::Float
            | Kind::Int32
            | Kind::Int64
            | Kind::Uint32
            | Kind::Uint64
            | Kind::Sint32
            | Kind::Sint64
            | Kind::Fixed32
            | Kind::Fixed64
            | Kind::Sfixed32
            | Kind::Sfixed64
            | Kind::Bool
    );
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) if literal && (value.is_number() || value.is_boolean()) => {
            Some(value.to_string())
        }
        _ => Some(serde_json::Value::String(text.to_string()).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::protobuf::parse;

    fn rows(text: &str) -> Vec<FieldRow> {
        let schema = parse(text, &[], false).unwrap();
        field_table(&schema.first_message().unwrap())
    }

    #[test]
    fn nested_messages_are_expanded_under_json_names() {
        let rows = rows(
            r#"syntax = "proto3";
            package shop.orders;
            import "google/protobuf/timestamp.proto";
            message OrderPlaced {
              string order_id = 1;
              google.protobuf.Timestamp placed_at = 2;
              Customer customer = 3;
              repeated Line lines = 4;
              map<string, int32> counts = 5;
              map<string, Customer> by_id = 6;
              repeated string tags = 7;
              Status status = 8;
              oneof payment { string card = 9; string voucher = 10; }
              optional string note = 11;
              Tree tree = 12;
              message Line { string sku = 1; int64 quantity = 2; }
              enum Status { STATUS_UNSPECIFIED = 0; PAID = 1; }
            }
            message Customer { string customer_id = 1; Address address = 2; }
            message Address { string city = 1; }
            message Tree { string label = 1; repeated Tree children = 2; }"#,
        );
        let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "orderId",
                "placedAt",
                "customer",
                "customer.customerId",
                "customer.address",
                "customer.address.city",
                "lines",
                "lines[].sku",
                "lines[].quantity",
                "counts",
                "byId",
                "tags",
                "status",
                "card",
                "voucher",
                "note",
                "tree",
                "tree.label",
                "tree.children",
            ]
        );
        let by_path = |p: &str| rows.iter().find(|r| r.path == p).unwrap();
        assert_eq!(by_path("placedAt").type_name, "google.protobuf.Timestamp");
        assert_eq!(by_path("customer").type_name, "Customer");
        assert_eq!(by_path("customer.address.city").depth, 2);
        assert_eq!(by_path("lines").type_name, "repeated OrderPlaced.Line");
        assert_eq!(by_path("lines[].quantity").type_name, "int64");
        assert_eq!(by_path("counts").type_name, "map<string, int32>");
        assert_eq!(by_path("byId").type_name, "map<string, Customer>");
        // A message met again is listed once; the later field names where.
        assert_eq!(
            by_path("byId").doc.as_deref(),
            Some("Fields as listed under 'customer'.")
        );
        assert_eq!(
            by_path("tree.children").doc.as_deref(),
            Some("Fields as listed under 'tree'.")
        );
        assert_eq!(by_path("customer").doc, None);
        assert_eq!(by_path("tags").type_name, "repeated string");
        assert_eq!(by_path("status").type_name, "enum OrderPlaced.Status");
        assert_eq!(by_path("card").type_name, "string (oneof payment)");
        assert_eq!(by_path("note").type_name, "optional string");
        assert_eq!(by_path("tree.children").type_name, "repeated Tree");
        assert!(rows.iter().all(|r| !r.required && r.default.is_none()));
    }

    #[test]
    fn proto2_required_fields_and_explicit_defaults() {
        let rows = rows(
            r#"syntax = "proto2";
            message Reading {
              required string sensor = 1;
              optional int32 count = 2 [default = 5];
              optional string unit = 3 [default = "celsius"];
              optional bool live = 4 [default = true];
              optional Kind kind = 5 [default = AIR];
              optional double limit = 6 [default = inf];
              optional int64 plain = 7;
              enum Kind { AIR = 1; WATER = 2; }
            }"#,
        );
        let summary: Vec<(&str, bool, Option<&str>)> = rows
            .iter()
            .map(|r| (r.path.as_str(), r.required, r.default.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                ("sensor", true, None),
                ("count", false, Some("5")),
                ("unit", false, Some("\"celsius\"")),
                ("live", false, Some("true")),
                ("kind", false, Some("\"AIR\"")),
                ("limit", false, Some("\"inf\"")),
                ("plain", false, None),
            ]
        );
        assert_eq!(rows[4].type_name, "enum Reading.Kind");
    }
}
