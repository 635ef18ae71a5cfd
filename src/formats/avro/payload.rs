//! Payload validation against an Avro schema, reading the payload as Avro's JSON encoding.
//!
//! The Avro spec's JSON encoding wraps a non-null union value in an object naming its branch
//! (`{"string": "x"}`) and writes `bytes`/`fixed` as strings of code points 0-255. Hand-written
//! examples mostly leave unions unwrapped, so a bare value is accepted when exactly one way of
//! reading it fits a branch. Every problem is reported with the JSON Pointer of the value it
//! concerns, not only the first.

use apache_avro::schema::{Name, RecordSchema, UnionSchema};
use apache_avro::Schema;
use serde_json::Value;

use crate::formats::PayloadError;

/// Every reason `payload` is not a value of `schema`; empty when it is one.
pub fn validate(schema: &Schema, payload: &Value) -> Vec<PayloadError> {
    let mut ctx = Walk {
        names: Vec::new(),
        errors: Vec::new(),
    };
    ctx.collect_names(schema);
    ctx.check(schema, payload, "");
    ctx.errors
}

struct Walk<'a> {
    /// Named types seen so far, so a `Schema::Ref` (recursion, reuse) finds its definition.
    names: Vec<(&'a Name, &'a Schema)>,
    errors: Vec<PayloadError>,
}

impl<'a> Walk<'a> {
    fn collect_names(&mut self, schema: &'a Schema) {
        match schema {
            Schema::Record(r) => {
                if self.lookup(&r.name).is_some() {
                    return;
                }
                self.names.push((&r.name, schema));
                for f in &r.fields {
                    self.collect_names(&f.schema);
                }
            }
            Schema::Enum(e) => self.names.push((&e.name, schema)),
            Schema::Fixed(f) => self.names.push((&f.name, schema)),
            Schema::Decimal(d) => self.collect_names(&d.inner),
            Schema::Array(a) => self.collect_names(&a.items),
            Schema::Map(m) => self.collect_names(&m.types),
            Schema::Union(u) => u.variants().iter().for_each(|v| self.collect_names(v)),
            _ => {}
        }
    }

    fn lookup(&self, name: &Name) -> Option<&'a Schema> {
        self.names
            .iter()
            .find(|(n, _)| n.name == name.name && n.namespace == name.namespace)
            .map(|(_, s)| *s)
    }

    fn fail(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(PayloadError::new(path, message));
    }

    fn check(&mut self, schema: &'a Schema, value: &Value, path: &str) {
        match schema {
            Schema::Ref { name } => match self.lookup(name) {
                Some(found) => self.check(found, value, path),
                None => self.fail(
                    path,
                    format!("schema names unknown type {}", name.fullname(None)),
                ),
            },
            Schema::Null => {
                if !value.is_null() {
                    self.fail(path, format!("expected null, found {}", kind(value)));
                }
            }
            Schema::Boolean => {
                if !value.is_boolean() {
                    self.fail(path, format!("expected a boolean, found {}", kind(value)));
                }
            }
            Schema::Int | Schema::Date | Schema::TimeMillis => {
                self.integer(value, path, i32::MIN as i64, i32::MAX as i64, "int")
            }
            Schema::Long
            | Schema::TimeMicros
            | Schema::TimestampMillis
            | Schema::TimestampMicros
            | Schema::TimestampNanos
            | Schema::LocalTimestampMillis
            | Schema::LocalTimestampMicros
            | Schema::LocalTimestampNanos => self.integer(value, path, i64::MIN, i64::MAX, "long"),
            Schema::Float | Schema::Double => {
                if !value.is_number() {
                    self.fail(path, format!("expected a number, found {}", kind(value)));
                }
            }
            Schema::String | Schema::Uuid => {
                if !value.is_string() {
                    self.fail(path, format!("expected a string, found {}", kind(value)));
                }
            }
            Schema::Bytes | Schema::BigDecimal => self.bytes(value, path, None),
            Schema::Decimal(d) => match &*d.inner {
                Schema::Fixed(f) => self.bytes(value, path, Some(f.size)),
                _ => self.bytes(value, path, None),
            },
            Schema::Fixed(f) => self.bytes(value, path, Some(f.size)),
            Schema::Duration => self.bytes(value, path, Some(12)),
            Schema::Enum(e) => match value.as_str() {
                Some(symbol) if e.symbols.iter().any(|s| s == symbol) => {}
                Some(symbol) => self.fail(
                    path,
                    format!(
                        "'{symbol}' is not a symbol of enum {} ({})",
                        e.name.fullname(None),
                        e.symbols.join(", ")
                    ),
                ),
                None => self.fail(
                    path,
                    format!("expected an enum symbol (string), found {}", kind(value)),
                ),
            },
            Schema::Array(a) => match value.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.check(&a.items, item, &format!("{path}/{i}"));
                    }
                }
                None => self.fail(path, format!("expected an array, found {}", kind(value))),
            },
            Schema::Map(m) => match value.as_object() {
                Some(entries) => {
                    for (key, item) in entries {
                        self.check(&m.types, item, &child(path, key));
                    }
                }
                None => self.fail(
                    path,
                    format!("expected a map (object), found {}", kind(value)),
                ),
            },
            Schema::Record(r) => self.record(r, value, path),
            Schema::Union(u) => self.union(u, value, path),
        }
    }

    fn integer(&mut self, value: &Value, path: &str, min: i64, max: i64, name: &str) {
        match value.as_i64() {
            Some(n) if n >= min && n <= max => {}
            Some(n) => self.fail(path, format!("{n} is out of range for {name}")),
            None => self.fail(
                path,
                format!("expected an integer ({name}), found {}", kind(value)),
            ),
        }
    }

    fn bytes(&mut self, value: &Value, path: &str, size: Option<usize>) {
        let Some(text) = value.as_str() else {
            self.fail(
                path,
                format!(
                    "expected bytes as a string of code points 0-255, found {}",
                    kind(value)
                ),
            );
            return;
        };
        if let Some(c) = text.chars().find(|c| (*c as u32) > 0xFF) {
            self.fail(
                path,
                format!(
                    "'{c}' is not a byte (Avro's JSON encoding of bytes uses code points 0-255)"
                ),
            );
            return;
        }
        if let Some(size) = size {
            let len = text.chars().count();
            if len != size {
                self.fail(path, format!("expected {size} bytes, found {len}"));
            }
        }
    }

    fn record(&mut self, record: &'a RecordSchema, value: &Value, path: &str) {
        let Some(object) = value.as_object() else {
            self.fail(
                path,
                format!(
                    "expected record {} (an object), found {}",
                    record.name.fullname(None),
                    kind(value)
                ),
            );
            return;
        };
        for field in &record.fields {
            match object.get(&field.name) {
                Some(v) => self.check(&field.schema, v, &child(path, &field.name)),
                None if field.default.is_some() => {}
                None => self.fail(
                    &child(path, &field.name),
                    format!(
                        "required field '{}' is missing (it has no default)",
                        field.name
                    ),
                ),
            }
        }
        for key in object.keys() {
            if !record.fields.iter().any(|f| &f.name == key) {
                self.fail(
                    &child(path, key),
                    format!("record {} has no field '{key}'", record.name.fullname(None)),
                );
            }
        }
    }

    fn union(&mut self, union: &'a UnionSchema, value: &Value, path: &str) {
        let variants = union.variants();
        if value.is_null() {
            if !variants.iter().any(|v| matches!(v, Schema::Null)) {
                self.fail(path, "null is not a branch of this union");
            }
            return;
        }
        // The Avro JSON encoding: `{"<branch name>": value}`.
        if let Some((branch, inner)) = value
            .as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o.iter().next())
        {
            if let Some(schema) = variants.iter().find(|v| self.branch_name(v) == *branch) {
                self.check(schema, inner, &child(path, branch));
                return;
            }
        }
        // A bare value: accepted when some branch takes it.
        let mut fits = false;
        for v in variants {
            let mut trial = Walk {
                names: self.names.clone(),
                errors: Vec::new(),
            };
            trial.check(v, value, path);
            if trial.errors.is_empty() {
                fits = true;
                break;
            }
        }
        if !fits {
            let names: Vec<String> = variants.iter().map(|v| self.branch_name(v)).collect();
            self.fail(
                path,
                format!(
                    "{} matches no branch of the union [{}]",
                    kind(value),
                    names.join(", ")
                ),
            );
        }
    }

    /// The name a branch goes by in the JSON encoding: a named type's full name, else its type.
    fn branch_name(&self, schema: &Schema) -> String {
        match schema {
            Schema::Record(r) => r.name.fullname(None),
            Schema::Enum(e) => e.name.fullname(None),
            Schema::Fixed(f) => f.name.fullname(None),
            Schema::Ref { name } => name.fullname(None),
            Schema::Null => "null".into(),
            Schema::Boolean => "boolean".into(),
            Schema::Int | Schema::Date | Schema::TimeMillis => "int".into(),
            Schema::Float => "float".into(),
            Schema::Double => "double".into(),
            Schema::Bytes | Schema::BigDecimal => "bytes".into(),
            Schema::String | Schema::Uuid => "string".into(),
            Schema::Array(_) => "array".into(),
            Schema::Map(_) => "map".into(),
            Schema::Decimal(d) => self.branch_name(&d.inner),
            Schema::Duration => "fixed".into(),
            Schema::Union(_) => "union".into(),
            _ => "long".into(),
        }
    }
}

/// The JSON Pointer of `key` under `path` (RFC 6901 escapes `~` and `/`).
pub(crate) fn child(path: &str, key: &str) -> String {
    format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors(schema: &str, payload: Value) -> Vec<PayloadError> {
        validate(&Schema::parse_str(schema).unwrap(), &payload)
    }

    const ORDER: &str = r#"{"type":"record","name":"Order","namespace":"shop","fields":[
        {"name":"id","type":"string"},
        {"name":"qty","type":"int"},
        {"name":"note","type":["null","string"],"default":null},
        {"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID"]}},
        {"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[
            {"name":"sku","type":"string"},{"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}}]}}},
        {"name":"next","type":["null","Order"],"default":null}]}"#;

    #[test]
    fn a_valid_payload_has_no_errors_in_either_union_style() {
        let bare = json!({"id":"o1","qty":2,"note":"hi","status":"NEW","lines":[{"sku":"a","price":"\u{0001}\u{00ff}"}]});
        assert_eq!(errors(ORDER, bare), vec![]);
        let wrapped = json!({"id":"o1","qty":2,"note":{"string":"hi"},"status":"PAID","lines":[],
            "next":{"shop.Order":{"id":"o2","qty":1,"status":"NEW","lines":[]}}});
        assert_eq!(errors(ORDER, wrapped), vec![]);
    }

    #[test]
    fn every_error_is_reported_with_its_path() {
        let bad = json!({"id":5,"qty":3000000000i64,"status":"LOST","lines":[{"sku":"a","price":"€"},{"price":"x"}],"extra":true});
        let got = errors(ORDER, bad);
        let paths: Vec<&str> = got.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "/id",
                "/qty",
                "/status",
                "/lines/0/price",
                "/lines/1/sku",
                "/extra"
            ],
            "{got:?}"
        );
        assert!(got[1].message.contains("out of range for int"));
        assert!(got[2].message.contains("'LOST' is not a symbol"));
        assert!(got[4].message.contains("required field 'sku'"));
    }

    #[test]
    fn union_and_recursion_errors_point_inside_the_branch() {
        let bad = json!({"id":"o1","qty":1,"status":"NEW","lines":[],"note":7,
            "next":{"shop.Order":{"id":"o2","qty":"one","status":"NEW","lines":[]}}});
        let got = errors(ORDER, bad);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].path, "/note");
        assert!(got[0].message.contains("matches no branch"));
        assert_eq!(got[1].path, "/next/shop.Order/qty");
    }

    #[test]
    fn fixed_sizes_and_map_keys_are_checked() {
        let schema = r#"{"type":"record","name":"R","fields":[
            {"name":"h","type":{"type":"fixed","name":"H","size":2}},
            {"name":"m","type":{"type":"map","values":"long"}}]}"#;
        let got = errors(schema, json!({"h":"abc","m":{"a/b":1,"c":"x"}}));
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].path, "/h");
        assert_eq!(got[1].path, "/m/c");
        assert_eq!(child("", "a/b~"), "/a~1b~0");
    }
}
