//! The field table of an Avro schema: every record field at every depth, with its type written
//! the way people read it (`null | string`, `array<OrderLine>`, `string (uuid)`).

use std::collections::HashSet;

use apache_avro::schema::{Name, RecordSchema};
use apache_avro::Schema;

use crate::formats::FieldRow;

pub fn field_table(schema: &Schema) -> Vec<FieldRow> {
    let mut rows = Vec::new();
    let mut expanded = HashSet::new();
    if let Schema::Record(r) = schema {
        expanded.insert(r.name.clone());
        record_rows(r, "", 0, &mut expanded, &mut rows);
    }
    rows
}

fn record_rows(
    record: &RecordSchema,
    prefix: &str,
    depth: usize,
    expanded: &mut HashSet<Name>,
    rows: &mut Vec<FieldRow>,
) {
    if !crate::limits::deeper(depth) {
        return;
    }
    for field in &record.fields {
        if !crate::limits::spend(1) {
            return;
        }
        let path = format!("{prefix}{}", field.name);
        rows.push(FieldRow {
            path: path.clone(),
            name: field.name.clone(),
            depth,
            type_name: type_name(&field.schema),
            default: field.default.as_ref().map(|d| d.to_string()),
            doc: field.doc.clone(),
            // A reader needs the writer to send it exactly when it has no default.
            required: field.default.is_none(),
        });
        nested_rows(&field.schema, &path, depth + 1, expanded, rows);
    }
}

/// Expands the records a field's type holds, each named type once (recursive types stop at
/// their second appearance).
fn nested_rows(
    schema: &Schema,
    path: &str,
    depth: usize,
    expanded: &mut HashSet<Name>,
    rows: &mut Vec<FieldRow>,
) {
    match schema {
        Schema::Record(r) if expanded.insert(r.name.clone()) => {
            record_rows(r, &format!("{path}."), depth, expanded, rows);
            expanded.remove(&r.name);
        }
        Schema::Array(a) => nested_rows(&a.items, &format!("{path}[]"), depth, expanded, rows),
        Schema::Map(m) => nested_rows(&m.types, &format!("{path}{{}}"), depth, expanded, rows),
        Schema::Union(u) => {
            for v in u.variants() {
                nested_rows(v, path, depth, expanded, rows);
            }
        }
        _ => {}
    }
}

pub fn type_name(schema: &Schema) -> String {
    match schema {
        Schema::Null => "null".into(),
        Schema::Boolean => "boolean".into(),
        Schema::Int => "int".into(),
        Schema::Long => "long".into(),
        Schema::Float => "float".into(),
        Schema::Double => "double".into(),
        Schema::Bytes => "bytes".into(),
        Schema::String => "string".into(),
        Schema::Array(a) => format!("array<{}>", type_name(&a.items)),
        Schema::Map(m) => format!("map<{}>", type_name(&m.types)),
        Schema::Union(u) => u
            .variants()
            .iter()
            .map(type_name)
            .collect::<Vec<_>>()
            .join(" | "),
        Schema::Record(r) => r.name.name.clone(),
        Schema::Enum(e) => format!("enum {} {{{}}}", e.name.name, e.symbols.join(", ")),
        Schema::Fixed(f) => format!("fixed {}({})", f.name.name, f.size),
        Schema::Decimal(d) => format!(
            "{} (decimal({}, {}))",
            type_name(&d.inner),
            d.precision,
            d.scale
        ),
        Schema::BigDecimal => "bytes (big-decimal)".into(),
        Schema::Uuid => "string (uuid)".into(),
        Schema::Date => "int (date)".into(),
        Schema::TimeMillis => "int (time-millis)".into(),
        Schema::TimeMicros => "long (time-micros)".into(),
        Schema::TimestampMillis => "long (timestamp-millis)".into(),
        Schema::TimestampMicros => "long (timestamp-micros)".into(),
        Schema::TimestampNanos => "long (timestamp-nanos)".into(),
        Schema::LocalTimestampMillis => "long (local-timestamp-millis)".into(),
        Schema::LocalTimestampMicros => "long (local-timestamp-micros)".into(),
        Schema::LocalTimestampNanos => "long (local-timestamp-nanos)".into(),
        Schema::Duration => "fixed (duration)".into(),
        Schema::Ref { name } => name.name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_records_are_expanded_with_paths() {
        let schema = Schema::parse_str(
            r#"{"type":"record","name":"Order","fields":[
                {"name":"id","type":"string","doc":"The id."},
                {"name":"customer","type":{"type":"record","name":"Customer","fields":[
                    {"name":"customerId","type":"string"},
                    {"name":"address","type":["null",{"type":"record","name":"Address","fields":[
                        {"name":"city","type":"string","default":"Paris"}]}],"default":null}]}},
                {"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[
                    {"name":"sku","type":"string"}]}}},
                {"name":"next","type":["null","Order"],"default":null}]}"#,
        )
        .unwrap();
        let rows = field_table(&schema);
        let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "id",
                "customer",
                "customer.customerId",
                "customer.address",
                "customer.address.city",
                "lines",
                "lines[].sku",
                "next"
            ]
        );
        let city = &rows[4];
        assert_eq!((city.depth, city.required), (2, false));
        assert_eq!(city.default.as_deref(), Some("\"Paris\""));
        assert_eq!(rows[0].doc.as_deref(), Some("The id."));
        assert_eq!(rows[3].type_name, "null | Address");
        assert_eq!(rows[5].type_name, "array<Line>");
        assert_eq!(rows[7].type_name, "null | Order");
    }
}
