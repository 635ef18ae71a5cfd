//! Herald's canonical Avro text: compact JSON with a fixed attribute order.
//!
//! Identity must ignore whitespace and JSON key order yet keep every attribute (docs, defaults,
//! aliases, logical types, custom properties), so a reformatted schema is the same schema while a
//! changed default is not. Avro's Parsing Canonical Form drops defaults and docs, which is why it
//! is only good for fingerprints, not for identity.

use serde_json::{Map, Value};

const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// The attribute order Avro's own writer uses; anything else follows, sorted by key.
const SCHEMA_KEYS: [&str; 10] = [
    "type",
    "name",
    "namespace",
    "doc",
    "fields",
    "symbols",
    "items",
    "values",
    "size",
    "default",
];
const FIELD_KEYS: [&str; 6] = ["name", "type", "doc", "default", "order", "aliases"];

/// Compact canonical text of a parsed JSON schema. With `normalize`, names are also fully
/// qualified (namespaces folded in) and aliases sorted, as Confluent's `normalize=true` does.
pub fn canonical_text(schema: &Value, normalize: bool) -> String {
    canonical_value(schema, normalize, None).to_string()
}

fn canonical_value(schema: &Value, normalize: bool, namespace: Option<&str>) -> Value {
    match schema {
        Value::String(name) => Value::String(type_name(name, normalize, namespace)),
        Value::Array(branches) => Value::Array(
            branches
                .iter()
                .map(|b| canonical_value(b, normalize, namespace))
                .collect(),
        ),
        Value::Object(obj) => canonical_object(obj, normalize, namespace),
        other => other.clone(),
    }
}

fn type_name(name: &str, normalize: bool, namespace: Option<&str>) -> String {
    if !normalize || PRIMITIVES.contains(&name) {
        return name.to_string();
    }
    qualify(name, namespace)
}

fn qualify(name: &str, namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) if !name.contains('.') && !ns.is_empty() => format!("{ns}.{name}"),
        _ => name.to_string(),
    }
}

fn canonical_object(obj: &Map<String, Value>, normalize: bool, namespace: Option<&str>) -> Value {
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or_default();
    // `{"type": "int"}` is the same schema as `"int"`.
    if obj.len() == 1 && PRIMITIVES.contains(&kind) {
        return Value::String(kind.to_string());
    }
    let named = matches!(kind, "record" | "error" | "enum" | "fixed");
    let own_namespace = if named {
        effective_namespace(obj, namespace)
    } else {
        namespace.map(str::to_string)
    };
    let inner_ns = own_namespace.as_deref();

    let mut out = Map::new();
    for key in SCHEMA_KEYS
        .iter()
        .copied()
        .chain(sorted_rest(obj, &SCHEMA_KEYS))
    {
        let Some(value) = obj.get(key) else { continue };
        let value = match key {
            "type" if !value.is_string() => canonical_value(value, normalize, namespace),
            "name" if named && normalize => {
                Value::String(qualify(value.as_str().unwrap_or_default(), inner_ns))
            }
            "namespace" if named && normalize => continue,
            "fields" => match value {
                Value::Array(fields) => Value::Array(
                    fields
                        .iter()
                        .map(|f| canonical_field(f, normalize, inner_ns))
                        .collect(),
                ),
                other => other.clone(),
            },
            "items" | "values" => canonical_value(value, normalize, inner_ns),
            "aliases" if normalize => normalized_aliases(value, inner_ns),
            _ => value.clone(),
        };
        out.insert(key.to_string(), value);
    }
    Value::Object(out)
}

fn canonical_field(field: &Value, normalize: bool, namespace: Option<&str>) -> Value {
    let Value::Object(obj) = field else {
        return field.clone();
    };
    let mut out = Map::new();
    for key in FIELD_KEYS
        .iter()
        .copied()
        .chain(sorted_rest(obj, &FIELD_KEYS))
    {
        let Some(value) = obj.get(key) else { continue };
        let value = match key {
            "type" => canonical_value(value, normalize, namespace),
            "aliases" if normalize => sorted_strings(value),
            _ => value.clone(),
        };
        out.insert(key.to_string(), value);
    }
    Value::Object(out)
}

fn effective_namespace(obj: &Map<String, Value>, enclosing: Option<&str>) -> Option<String> {
    let name = obj.get("name").and_then(Value::as_str).unwrap_or_default();
    if let Some((ns, _)) = name.rsplit_once('.') {
        return Some(ns.to_string());
    }
    match obj.get("namespace") {
        Some(Value::String(ns)) => Some(ns.clone()),
        _ => enclosing.map(str::to_string),
    }
}

fn normalized_aliases(value: &Value, namespace: Option<&str>) -> Value {
    match value {
        Value::Array(items) => {
            let mut names: Vec<String> = items
                .iter()
                .filter_map(Value::as_str)
                .map(|a| qualify(a, namespace))
                .collect();
            names.sort();
            names.dedup();
            Value::Array(names.into_iter().map(Value::String).collect())
        }
        other => other.clone(),
    }
}

fn sorted_strings(value: &Value) -> Value {
    match value {
        Value::Array(items) => {
            let mut names: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            names.sort_unstable();
            names.dedup();
            Value::Array(names.into_iter().map(|s| Value::String(s.into())).collect())
        }
        other => other.clone(),
    }
}

fn sorted_rest<'a>(obj: &'a Map<String, Value>, known: &[&str]) -> Vec<&'a str> {
    let mut rest: Vec<&str> = obj
        .keys()
        .map(String::as_str)
        .filter(|k| !known.contains(k))
        .collect();
    rest.sort_unstable();
    rest
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canon(v: Value) -> String {
        canonical_text(&v, false)
    }

    #[test]
    fn key_order_and_whitespace_do_not_matter() {
        let a = json!({"type": "record", "name": "A", "fields": [{"name": "x", "type": "int", "default": 1}]});
        let b: Value = serde_json::from_str(
            r#"{ "fields" : [ { "default": 1, "type": "int", "name": "x" } ], "name": "A", "type": "record" }"#,
        )
        .unwrap();
        assert_eq!(canon(a), canon(b));
    }

    #[test]
    fn attributes_are_kept() {
        let base = json!({"type": "record", "name": "A", "fields": [{"name": "x", "type": "int", "default": 1}]});
        let changed_default = json!({"type": "record", "name": "A", "fields": [{"name": "x", "type": "int", "default": 2}]});
        let with_doc = json!({"type": "record", "name": "A", "doc": "d", "fields": [{"name": "x", "type": "int", "default": 1}]});
        let with_prop = json!({"type": "record", "name": "A", "owner": "t", "fields": [{"name": "x", "type": "int", "default": 1}]});
        let c = canon(base);
        assert_ne!(c, canon(changed_default));
        assert_ne!(c, canon(with_doc));
        assert_ne!(c, canon(with_prop));
    }

    #[test]
    fn primitive_objects_collapse_but_logical_types_stay() {
        assert_eq!(canon(json!({"type": "int"})), r#""int""#);
        assert_eq!(
            canon(json!({"logicalType": "timestamp-millis", "type": "long"})),
            r#"{"type":"long","logicalType":"timestamp-millis"}"#
        );
    }

    #[test]
    fn output_is_ordered_like_avro() {
        let v = json!({"fields": [{"type": "string", "name": "id"}], "namespace": "n", "name": "R", "type": "record"});
        assert_eq!(
            canon(v),
            r#"{"type":"record","name":"R","namespace":"n","fields":[{"name":"id","type":"string"}]}"#
        );
    }

    #[test]
    fn normalize_folds_namespaces_into_full_names() {
        let v = json!({"type": "record", "name": "R", "namespace": "n", "aliases": ["Z", "B"],
            "fields": [{"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A"]}},
                       {"name": "again", "type": "E"}]});
        assert_eq!(
            canonical_text(&v, true),
            r#"{"type":"record","name":"n.R","fields":[{"name":"e","type":{"type":"enum","name":"n.E","symbols":["A"]}},{"name":"again","type":"n.E"}],"aliases":["n.B","n.Z"]}"#
        );
    }
}
