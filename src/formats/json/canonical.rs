//! JSON Schema text forms: the canonical text (compact, object keys sorted), the normal form
//! `normalize=true` asks for, and the form without documentation.

use serde_json::{Map, Value};

use super::walk;
use crate::limits;

/// Compact JSON with every object's keys sorted, so whitespace and key order never change an
/// identity.
pub fn canonical_text(value: &Value) -> String {
    sorted(value).to_string()
}

/// The canonical text with the keywords whose order carries no meaning (`required`, `type`
/// lists) sorted and de-duplicated as well.
pub fn normalized_text(value: &Value) -> String {
    let mut value = value.clone();
    walk::visit_mut(&mut value, &mut |schema| {
        for key in ["required", "type"] {
            if let Some(Value::Array(items)) = schema.get_mut(key) {
                if items.iter().all(Value::is_string) {
                    items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                    items.dedup();
                }
            }
        }
    });
    canonical_text(&value)
}

/// Keywords that document a schema without constraining what it accepts.
const DOC_KEYWORDS: &[&str] = &["description", "title", "$comment", "examples"];

/// The canonical text with documentation removed from every schema (a property named
/// `description` stays: only schema keywords are dropped).
pub fn without_docs_text(value: &Value) -> String {
    let mut value = value.clone();
    walk::visit_mut(&mut value, &mut |schema| {
        for key in DOC_KEYWORDS {
            schema.remove(*key);
        }
    });
    canonical_text(&value)
}

fn sorted(value: &Value) -> Value {
    // Past the budget the text is cut short; the budget's owner refuses the schema anyway.
    if !limits::spend(1) {
        return Value::Null;
    }
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&map[k])))
                    .collect::<Map<String, Value>>(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_and_whitespace_do_not_matter() {
        let a: Value = serde_json::from_str(
            r#"{ "type": "object", "properties": { "b": {"type":"string"}, "a": {} } }"#,
        )
        .unwrap();
        let b: Value = serde_json::from_str(
            r#"{"properties":{"a":{},"b":{"type":"string"}},"type":"object"}"#,
        )
        .unwrap();
        assert_eq!(canonical_text(&a), canonical_text(&b));
        assert_eq!(
            canonical_text(&a),
            r#"{"properties":{"a":{},"b":{"type":"string"}},"type":"object"}"#
        );
    }

    #[test]
    fn normal_form_sorts_required_and_type_lists_only_in_schemas() {
        let v = json!({"type": ["string", "null"], "required": ["b", "a", "b"],
                       "enum": [["b", "a"]], "properties": {"x": {"required": ["z", "y"]}}});
        assert_eq!(
            normalized_text(&v),
            r#"{"enum":[["b","a"]],"properties":{"x":{"required":["y","z"]}},"required":["a","b"],"type":["null","string"]}"#
        );
    }

    #[test]
    fn docs_are_dropped_from_schemas_but_not_from_property_names() {
        let v = json!({"title": "T", "description": "d", "properties": {
            "description": {"type": "string", "description": "the text", "examples": ["x"]}}});
        assert_eq!(
            without_docs_text(&v),
            r#"{"properties":{"description":{"type":"string"}}}"#
        );
    }
}
