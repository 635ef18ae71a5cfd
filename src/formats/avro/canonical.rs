//! Herald's canonical Avro text: compact JSON with a fixed attribute order.
//!
//! Identity must ignore whitespace and JSON key order yet keep every attribute (docs, defaults,
//! aliases, logical types, custom properties), so a reformatted schema is the same schema while a
//! changed default is not. Avro's Parsing Canonical Form drops defaults and docs, which is why it
//! is only good for fingerprints, not for identity.

use std::collections::HashSet;

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
///
/// Without it, names are written as Java Avro's `Schema.toString()` writes them, which is what
/// Confluent's identity is: a named type's short name, with a `namespace` only where it differs
/// from the enclosing one, and a reference to a named type by its short name when it lives in
/// the enclosing namespace (its full name otherwise). So `{"name":"a.b.R"}` and
/// `{"name":"R","namespace":"a.b"}` are one schema, as are `"a.S"` and `"S"` inside `a`.
pub fn canonical_text(schema: &Value, normalize: bool) -> String {
    if normalize {
        return canonical_value(schema, true, None).to_string();
    }
    let mut defined = HashSet::new();
    collect_names(schema, None, &mut defined, 0);
    let resolver = Resolver { defined };
    resolver.value(schema, None, 0).to_string()
}

/// A namespace as Avro means it: an empty one is no namespace.
fn space(ns: Option<&str>) -> Option<&str> {
    ns.filter(|ns| !ns.is_empty())
}

fn full_name(name: &str, namespace: Option<&str>) -> String {
    match space(namespace) {
        Some(ns) if !name.contains('.') => format!("{ns}.{name}"),
        _ => name.to_string(),
    }
}

/// Every named type the schema defines, by full name.
fn collect_names(schema: &Value, namespace: Option<&str>, out: &mut HashSet<String>, depth: usize) {
    if !crate::limits::deeper(depth) {
        return;
    }
    match schema {
        Value::Array(branches) => {
            for b in branches {
                collect_names(b, namespace, out, depth + 1);
            }
        }
        Value::Object(obj) => {
            let kind = obj.get("type").and_then(Value::as_str).unwrap_or_default();
            let mut inner = namespace.map(str::to_string);
            if matches!(kind, "record" | "error" | "enum" | "fixed") {
                inner = effective_namespace(obj, namespace);
                if let Some(name) = obj.get("name").and_then(Value::as_str) {
                    out.insert(full_name(name, inner.as_deref()));
                }
            }
            if !obj.get("type").is_some_and(Value::is_string) {
                if let Some(t) = obj.get("type") {
                    collect_names(t, namespace, out, depth + 1);
                }
            }
            for key in ["items", "values"] {
                if let Some(v) = obj.get(key) {
                    collect_names(v, inner.as_deref(), out, depth + 1);
                }
            }
            for f in obj
                .get("fields")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(t) = f.get("type") {
                    collect_names(t, inner.as_deref(), out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// Writes names relative to the enclosing namespace, as Java Avro does.
struct Resolver {
    defined: HashSet<String>,
}

impl Resolver {
    /// The full name a reference means: inside a namespace a short name is that namespace's
    /// type, unless only a type of that name without namespace exists (Java's fallback).
    fn resolve(&self, name: &str, namespace: Option<&str>) -> String {
        if name.contains('.') {
            return name.to_string();
        }
        let qualified = full_name(name, namespace);
        if !self.defined.contains(&qualified) && self.defined.contains(name) {
            return name.to_string();
        }
        qualified
    }

    /// A full name as written inside `namespace`: short when it lives there.
    fn relative(full: &str, namespace: Option<&str>) -> String {
        match full.rsplit_once('.') {
            Some((ns, short)) if Some(ns) == space(namespace) => short.to_string(),
            _ => full.to_string(),
        }
    }

    fn value(&self, schema: &Value, namespace: Option<&str>, depth: usize) -> Value {
        if !crate::limits::deeper(depth) {
            return schema.clone();
        }
        match schema {
            Value::String(name) if PRIMITIVES.contains(&name.as_str()) => schema.clone(),
            Value::String(name) => {
                Value::String(Self::relative(&self.resolve(name, namespace), namespace))
            }
            Value::Array(branches) => Value::Array(
                branches
                    .iter()
                    .map(|b| self.value(b, namespace, depth + 1))
                    .collect(),
            ),
            Value::Object(obj) => self.object(obj, namespace, depth),
            other => other.clone(),
        }
    }

    fn object(&self, obj: &Map<String, Value>, namespace: Option<&str>, depth: usize) -> Value {
        let kind = obj.get("type").and_then(Value::as_str).unwrap_or_default();
        if obj.len() == 1 && PRIMITIVES.contains(&kind) {
            return Value::String(kind.to_string());
        }
        let named = matches!(kind, "record" | "error" | "enum" | "fixed");
        let own = if named {
            effective_namespace(obj, namespace)
        } else {
            namespace.map(str::to_string)
        };
        let inner = own.as_deref();
        let mut out = Map::new();
        for key in SCHEMA_KEYS
            .iter()
            .copied()
            .chain(sorted_rest(obj, &SCHEMA_KEYS))
        {
            let value = match (key, obj.get(key)) {
                ("namespace", _) if named => {
                    // Written only where it differs from the enclosing one; "" leaves a
                    // namespace for none.
                    if space(inner) == space(namespace) {
                        continue;
                    }
                    Value::String(space(inner).unwrap_or_default().to_string())
                }
                (_, None) => continue,
                ("name", Some(Value::String(name))) if named => Value::String(
                    name.rsplit_once('.')
                        .map_or(name.as_str(), |(_, short)| short)
                        .to_string(),
                ),
                ("type", Some(value)) if !value.is_string() => {
                    self.value(value, namespace, depth + 1)
                }
                ("fields", Some(Value::Array(fields))) => Value::Array(
                    fields
                        .iter()
                        .map(|f| self.field(f, inner, depth + 1))
                        .collect(),
                ),
                ("items" | "values", Some(value)) => self.value(value, inner, depth + 1),
                (_, Some(value)) => value.clone(),
            };
            out.insert(key.to_string(), value);
        }
        Value::Object(out)
    }

    fn field(&self, field: &Value, namespace: Option<&str>, depth: usize) -> Value {
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
                "type" => self.value(value, namespace, depth + 1),
                _ => value.clone(),
            };
            out.insert(key.to_string(), value);
        }
        Value::Object(out)
    }
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

    #[test]
    fn names_are_resolved_as_java_avro_writes_them() {
        let full =
            json!({"type": "record", "name": "a.b.R", "fields": [{"name": "x", "type": "int"}]});
        let split = json!({"type": "record", "name": "R", "namespace": "a.b", "fields": [{"name": "x", "type": "int"}]});
        assert_eq!(canon(full.clone()), canon(split));
        assert_eq!(
            canon(full),
            r#"{"type":"record","name":"R","namespace":"a.b","fields":[{"name":"x","type":"int"}]}"#
        );

        let by_full = json!({"type": "record", "name": "R", "namespace": "a", "fields": [
            {"name": "s", "type": {"type": "fixed", "name": "S", "size": 2}},
            {"name": "t", "type": "a.S"}]});
        let by_short = json!({"type": "record", "name": "R", "namespace": "a", "fields": [
            {"name": "s", "type": {"type": "fixed", "name": "S", "size": 2}},
            {"name": "t", "type": "S"}]});
        assert_eq!(canon(by_full), canon(by_short));

        let repeated = json!({"type": "record", "name": "R", "namespace": "a", "fields": [
            {"name": "n", "type": {"type": "record", "name": "N", "namespace": "a", "fields": []}}]});
        let inherited = json!({"type": "record", "name": "R", "namespace": "a", "fields": [
            {"name": "n", "type": {"type": "record", "name": "N", "fields": []}}]});
        assert_eq!(canon(repeated), canon(inherited));
    }

    #[test]
    fn other_namespaces_stay_distinct() {
        let other = json!({"type": "record", "name": "R", "namespace": "a", "fields": [
            {"name": "n", "type": {"type": "record", "name": "b.N", "fields": []}},
            {"name": "m", "type": "b.N"}]});
        assert_eq!(
            canon(other),
            r#"{"type":"record","name":"R","namespace":"a","fields":[{"name":"n","type":{"type":"record","name":"N","namespace":"b","fields":[]}},{"name":"m","type":"b.N"}]}"#
        );
        // A nested type without namespace inside a namespaced record keeps `"namespace":""`.
        let none = json!({"type": "record", "name": "R", "namespace": "a", "fields": [
            {"name": "n", "type": {"type": "record", "name": "N", "namespace": "", "fields": []}}]});
        assert!(canon(none).contains(r#""name":"N","namespace":"","fields""#));
    }
}
