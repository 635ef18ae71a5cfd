//! Where a JSON schema holds sub-schemas. Keywords such as `enum`, `const`, `default` and
//! `examples` hold data, not schemas, so every walk that changes or reads schema keywords goes
//! through here instead of through every JSON object.

use serde_json::Value;

use crate::limits;

/// Keywords whose value is one sub-schema.
const SINGLE: &[&str] = &[
    "additionalItems",
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
    "contentSchema",
];

/// Keywords whose value maps names to sub-schemas.
const MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "definitions",
    "$defs",
    "dependentSchemas",
    "dependencies",
];

/// Keywords whose value is a list of sub-schemas.
const LISTS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

fn is_schema(value: &Value) -> bool {
    value.is_object() || value.is_boolean()
}

/// The direct sub-schemas of `schema`, each with its path segment (`properties/name`, `allOf/0`).
pub fn children(schema: &Value) -> Vec<(String, &Value)> {
    let Value::Object(map) = schema else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in map {
        let key = key.as_str();
        if SINGLE.contains(&key) || (key == "items" && is_schema(value)) {
            if is_schema(value) {
                out.push((key.to_string(), value));
            }
        } else if MAPS.contains(&key) {
            if let Value::Object(entries) = value {
                for (name, sub) in entries {
                    // `dependencies` mixes property lists (data) with schemas.
                    if is_schema(sub) {
                        out.push((format!("{key}/{}", escape(name)), sub));
                    }
                }
            }
        } else if LISTS.contains(&key) || key == "items" {
            if let Value::Array(items) = value {
                for (i, sub) in items.iter().enumerate() {
                    if is_schema(sub) {
                        out.push((format!("{key}/{i}"), sub));
                    }
                }
            }
        }
    }
    out
}

/// Calls `f` on `schema` and then on every sub-schema below it, depth first.
pub fn visit<'a>(schema: &'a Value, f: &mut impl FnMut(&'a Value)) {
    if !limits::spend(1) {
        return;
    }
    f(schema);
    for (_, child) in children(schema) {
        visit(child, f);
    }
}

/// Calls `f` on `schema` and every sub-schema below it with its JSON Pointer from `schema`.
pub fn visit_with_pointer<'a>(schema: &'a Value, f: &mut impl FnMut(&'a Value, &str)) {
    fn go<'a>(schema: &'a Value, pointer: &mut String, f: &mut impl FnMut(&'a Value, &str)) {
        if !limits::spend(1) {
            return;
        }
        f(schema, pointer);
        for (segment, child) in children(schema) {
            let len = pointer.len();
            pointer.push('/');
            pointer.push_str(&segment);
            go(child, pointer, f);
            pointer.truncate(len);
        }
    }
    go(schema, &mut String::new(), f);
}

/// Calls `f` on every schema object at or below `schema`, children after their parent.
pub fn visit_mut(schema: &mut Value, f: &mut impl FnMut(&mut serde_json::Map<String, Value>)) {
    let Value::Object(map) = schema else {
        return;
    };
    if !limits::spend(1) {
        return;
    }
    f(map);
    for (key, value) in map.iter_mut() {
        let key = key.as_str();
        if SINGLE.contains(&key) || (key == "items" && value.is_object()) {
            visit_mut(value, f);
        } else if MAPS.contains(&key) {
            if let Value::Object(entries) = value {
                entries.values_mut().for_each(|sub| visit_mut(sub, f));
            }
        } else if LISTS.contains(&key) || key == "items" {
            if let Value::Array(items) = value {
                items.iter_mut().for_each(|sub| visit_mut(sub, f));
            }
        }
    }
}

/// A name as one JSON Pointer segment.
pub fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn data_keywords_are_not_walked() {
        let schema = json!({
            "properties": {"description": {"type": "string"}},
            "enum": [{"$ref": "nowhere.json"}],
            "items": [{"type": "string"}, true],
            "dependencies": {"a": ["b"], "c": {"required": ["d"]}}
        });
        let mut refs = 0;
        visit(&schema, &mut |v| {
            refs += usize::from(v.get("$ref").is_some())
        });
        assert_eq!(refs, 0);
        let paths: Vec<String> = children(&schema).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            paths,
            [
                "properties/description",
                "items/0",
                "items/1",
                "dependencies/c"
            ]
        );
    }
}
