//! JSON Schema differences as [`Reason`]s. Confluent's checker names a place by a path into the
//! original (the writer's) schema, `#/properties/payment/properties/amount/maxLength`; the same
//! path read in both schemas, `$ref`s and combinations followed, gives what each version has
//! there, and its `properties` and `items` steps give the dotted field.

use serde_json::Value;

use super::diff::Change;
use super::refs::{DocId, Documents, ROOT};
use crate::formats::reason::{subject_of, Direction, Found, Reason, Side};

/// Longest chain of `$ref`s followed in one step, and deepest nesting described.
const MAX_HOPS: usize = 32;
const MAX_DESCRIBED_DEPTH: usize = 3;

/// The reason for one change found diffing `original` (the writer's schema) into `update`
/// (the reader's).
pub fn reason(
    change: &Change,
    original: &Documents,
    update: &Documents,
    reader_is_new: bool,
    message: &str,
) -> Reason {
    let segments = segments(&change.path);
    let field = dotted_field(&segments);
    let describe_at =
        |docs: &Documents| locate(docs, &segments).map(|(doc, v)| describe(docs, doc, v, 0));
    let show_at = |docs: &Documents| locate(docs, &segments).map(|(doc, v)| show(docs, doc, v));
    let name = change.kind.as_str();
    let last = segments.last().map(String::as_str).unwrap_or_default();
    let is_property_or_item = name.contains("PROPERTY") || name.starts_with("ITEM");
    let (o, u, aspect): (Option<String>, Option<String>, Option<String>) =
        if name.starts_with("REQUIRED_ATTRIBUTE") {
            let (o, u) = match name {
                "REQUIRED_ATTRIBUTE_ADDED" => ("optional", "required"),
                "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED" => ("optional", "required with a default"),
                _ => ("required", "optional"),
            };
            (Some(o.into()), Some(u.into()), None)
        } else if name == "SCHEMA_ADDED" || (is_property_or_item && name.contains("_ADDED")) {
            let required = name.starts_with("REQUIRED_PROPERTY");
            let added = describe_at(update).map(|d| {
                if required {
                    format!("{d}, required")
                } else {
                    d
                }
            });
            (None, added, None)
        } else if name == "SCHEMA_REMOVED" || (is_property_or_item && name.contains("_REMOVED")) {
            (describe_at(original), None, None)
        } else if KEYWORDS.contains(&last) {
            (show_at(original), show_at(update), Some(aspect_of(last)))
        } else if segments.len() >= 2 && segments[segments.len() - 2] == "dependencies" {
            (
                show_at(original),
                show_at(update),
                Some("dependency".to_string()),
            )
        } else {
            (
                describe_at(original),
                describe_at(update),
                Some("type".to_string()),
            )
        };
    let (old, new) = if reader_is_new { (o, u) } else { (u, o) };
    Reason::new(Found {
        kind: name.to_string(),
        pointer: change.path.clone(),
        pointer_into: Side::writer(reader_is_new),
        subject: subject_of(field.as_deref()),
        field,
        aspect,
        old,
        new,
        direction: Direction::of(reader_is_new),
        message: message.to_string(),
        change: None,
    })
}

/// The keywords a path ends with when a difference is about the keyword's value.
const KEYWORDS: &[&str] = &[
    "maxLength",
    "minLength",
    "pattern",
    "maximum",
    "minimum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "multipleOf",
    "maxItems",
    "minItems",
    "maxContains",
    "minContains",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "enum",
    "additionalProperties",
    "unevaluatedProperties",
    "additionalItems",
    "unevaluatedItems",
    "propertyNames",
    "contains",
];

fn aspect_of(keyword: &str) -> String {
    match keyword {
        "enum" => "allowed values".into(),
        other => other.into(),
    }
}

/// `#/properties/a~1b/items` → `["properties", "a/b", "items"]`.
fn segments(path: &str) -> Vec<String> {
    path.trim_start_matches('#')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// `properties/lines/items/properties/sku` → `lines[].sku`, as field tables name it.
fn dotted_field(segments: &[String]) -> Option<String> {
    let mut out = String::new();
    let mut i = 0;
    while i < segments.len() {
        match segments[i].as_str() {
            "properties" if i + 1 < segments.len() => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&segments[i + 1]);
                i += 1;
            }
            "items" | "prefixItems" => {
                out.push_str("[]");
                if segments
                    .get(i + 1)
                    .is_some_and(|s| s.parse::<usize>().is_ok())
                {
                    i += 1;
                }
            }
            "additionalProperties" if i + 1 < segments.len() => out.push_str("{}"),
            // Which branch of a combination, or a conditional part: the field stays the same.
            "allOf" | "anyOf" | "oneOf" | "dependencies" => i += 1,
            _ => {}
        }
        i += 1;
    }
    (!out.is_empty()).then_some(out)
}

/// The value a path names in a schema, following `$ref`s and, where a step is not found in a
/// schema itself, the branches of its `allOf`, `anyOf` or `oneOf`.
fn locate<'a>(docs: &'a Documents, segments: &[String]) -> Option<(DocId, &'a Value)> {
    let mut at = (ROOT, docs.root());
    for segment in segments {
        at = step(docs, at, segment, 0)?;
    }
    Some(at)
}

fn step<'a>(
    docs: &'a Documents,
    (doc, value): (DocId, &'a Value),
    segment: &str,
    depth: usize,
) -> Option<(DocId, &'a Value)> {
    if depth > MAX_HOPS {
        return None;
    }
    match value {
        Value::Array(items) => segment
            .parse::<usize>()
            .ok()
            .and_then(|i| items.get(i))
            .map(|v| (doc, v)),
        Value::Object(map) => {
            if let Some(v) = map.get(segment) {
                return Some((doc, v));
            }
            if let Some(Value::String(reference)) = map.get("$ref") {
                if let Some(target) = docs.resolve(doc, reference) {
                    if let Some(found) = step(docs, target, segment, depth + 1) {
                        return Some(found);
                    }
                }
            }
            ["allOf", "anyOf", "oneOf"]
                .iter()
                .filter_map(|k| map.get(*k).and_then(Value::as_array))
                .flatten()
                .find_map(|branch| step(docs, (doc, branch), segment, depth + 1))
        }
        _ => None,
    }
}

/// A keyword's value as written, sub-schemas described.
fn show(docs: &Documents, doc: DocId, value: &Value) -> String {
    match value {
        Value::Object(_) => describe(docs, doc, value, 0),
        other => other.to_string(),
    }
}

/// A schema the way people read types: `integer`, `string (date-time)`, `array<string>`,
/// `null | string`, `one of ["A","B"]`.
fn describe(docs: &Documents, doc: DocId, value: &Value, depth: usize) -> String {
    if depth > MAX_DESCRIBED_DEPTH {
        return "…".into();
    }
    let map = match value {
        Value::Bool(true) => return "any value".into(),
        Value::Bool(false) => return "nothing".into(),
        Value::Object(map) => map,
        other => return other.to_string(),
    };
    if let Some(Value::String(reference)) = map.get("$ref") {
        if let Some((target_doc, target)) = docs.resolve(doc, reference) {
            if !std::ptr::eq(target, value) {
                return describe(docs, target_doc, target, depth + 1);
            }
        }
    }
    if let Some(c) = map.get("const") {
        return format!("the constant {c}");
    }
    if let Some(not) = map.get("not") {
        return format!("anything but {}", describe(docs, doc, not, depth + 1));
    }
    if let Some(e) = map.get("enum") {
        return format!("one of {e}");
    }
    let types: Vec<&str> = match map.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() {
        return types
            .iter()
            .map(|t| match (*t, map.get("items"), map.get("format")) {
                ("array", Some(items @ Value::Object(_)), _) => {
                    format!("array<{}>", describe(docs, doc, items, depth + 1))
                }
                ("string", _, Some(Value::String(format))) => format!("string ({format})"),
                (other, _, _) => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" | ");
    }
    for (keyword, joiner) in [("anyOf", " | "), ("oneOf", " | "), ("allOf", " & ")] {
        if let Some(Value::Array(branches)) = map.get(keyword) {
            return branches
                .iter()
                .map(|b| describe(docs, doc, b, depth + 1))
                .collect::<Vec<_>>()
                .join(joiner);
        }
    }
    if map.contains_key("properties") {
        return "object".into();
    }
    "any value".into()
}

#[cfg(test)]
mod tests {
    use crate::formats::{self, Direction, Reason};
    use serde_json::json;

    fn parse(value: serde_json::Value) -> Box<formats::Parsed> {
        formats::parse(
            crate::model::SchemaType::Json,
            &value.to_string(),
            &[],
            false,
        )
        .unwrap()
    }

    fn reasons(old: serde_json::Value, new: serde_json::Value) -> Vec<Reason> {
        formats::reasons(
            &*parse(new),
            &*parse(old),
            &[Direction::Backward, Direction::Forward],
            "v1",
            "v2",
        )
    }

    fn only(found: &[Reason], kind: &str) -> Reason {
        let matching: Vec<&Reason> = found.iter().filter(|r| r.kind == kind).collect();
        assert_eq!(matching.len(), 1, "{kind} in {found:#?}");
        matching[0].clone()
    }

    fn object(properties: serde_json::Value, required: &[&str]) -> serde_json::Value {
        json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
    }

    #[test]
    fn a_type_change_names_the_nested_field_and_both_types() {
        let old = object(json!({"payment": {"$ref": "#/definitions/Money"}}), &[]);
        let mut old = old;
        old["definitions"] =
            json!({"Money": {"type": "object", "properties": {"amount": {"type": "integer"}}}});
        let mut new = old.clone();
        new["definitions"]["Money"]["properties"]["amount"] =
            json!({"type": "string", "format": "decimal"});
        let found = reasons(old, new);
        let r = only(&found, "TYPE_CHANGED");
        assert_eq!(r.field.as_deref(), Some("payment.amount"));
        assert_eq!(r.pointer, "#/properties/payment/properties/amount");
        assert_eq!(
            (r.old.as_deref(), r.new.as_deref()),
            (Some("integer"), Some("string (decimal)"))
        );
        assert_eq!(r.breaks, [Direction::Backward, Direction::Forward]);
        assert_eq!(r.text, "field `payment.amount` changed type from integer to string (decimal): consumers on v2 cannot read messages written with v1, nor consumers on v1 those written with v2");
    }

    #[test]
    fn bounds_enums_and_patterns_show_both_values() {
        let old = object(
            json!({
                "name": {"type": "string", "maxLength": 20, "pattern": "^[a-z]+$"},
                "status": {"enum": ["NEW", "PAID", "REFUNDED"]},
                "lines": {"type": "array", "items": {"type": "object", "properties": {"qty": {"type": "integer", "minimum": 0}}}}
            }),
            &[],
        );
        let new = object(
            json!({
                "name": {"type": "string", "maxLength": 10, "pattern": "^[a-z]*$"},
                "status": {"enum": ["NEW", "PAID"]},
                "lines": {"type": "array", "items": {"type": "object", "properties": {"qty": {"type": "integer", "minimum": 1}}}}
            }),
            &[],
        );
        let found = reasons(old, new);
        let max = only(&found, "MAX_LENGTH_DECREASED");
        assert_eq!(max.field.as_deref(), Some("name"));
        assert_eq!(
            (max.old.as_deref(), max.new.as_deref()),
            (Some("20"), Some("10"))
        );
        assert_eq!(max.breaks, [Direction::Backward]);
        assert!(
            max.text
                .starts_with("field `name` changed maxLength from 20 to 10: consumers on v2"),
            "{}",
            max.text
        );
        let pattern = only(&found, "PATTERN_CHANGED");
        assert_eq!(
            (pattern.old.as_deref(), pattern.new.as_deref()),
            (Some("\"^[a-z]+$\""), Some("\"^[a-z]*$\""))
        );
        let status = only(&found, "ENUM_ARRAY_NARROWED");
        assert_eq!(status.field.as_deref(), Some("status"));
        assert_eq!(
            (status.old.as_deref(), status.new.as_deref()),
            (
                Some("[\"NEW\",\"PAID\",\"REFUNDED\"]"),
                Some("[\"NEW\",\"PAID\"]")
            )
        );
        assert!(
            status
                .text
                .starts_with("field `status` changed allowed values from"),
            "{}",
            status.text
        );
        let qty = only(&found, "MINIMUM_INCREASED");
        assert_eq!(qty.field.as_deref(), Some("lines[].qty"));
        assert_eq!(
            (qty.old.as_deref(), qty.new.as_deref()),
            (Some("0"), Some("1"))
        );
    }

    #[test]
    fn required_added_and_removed_properties_read_as_such() {
        let old = object(
            json!({"id": {"type": "string"}, "note": {"type": "string"}}),
            &["id"],
        );
        let new = object(
            json!({"id": {"type": "string"}, "note": {"type": "string"}, "qty": {"type": "integer"}}),
            &["id", "note", "qty"],
        );
        let found = reasons(old, new);
        let required = only(&found, "REQUIRED_ATTRIBUTE_ADDED");
        assert_eq!(required.field.as_deref(), Some("note"));
        assert_eq!(
            (required.old.as_deref(), required.new.as_deref()),
            (Some("optional"), Some("required"))
        );
        assert_eq!(required.text, "field `note` changed from optional to required: consumers on v2 cannot read messages written with v1");
        let added = only(&found, "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL");
        assert_eq!(
            (added.old.as_deref(), added.new.as_deref()),
            (None, Some("integer, required"))
        );
        assert!(
            added
                .text
                .starts_with("field `qty` was added as integer, required: consumers on v2"),
            "{}",
            added.text
        );
        // Seen from old readers, the same property is one the closed old schema rejects.
        let removed = only(&found, "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL");
        assert_eq!(removed.field.as_deref(), Some("qty"));
        assert_eq!(removed.breaks, [Direction::Forward]);
        assert_eq!(
            (removed.old.as_deref(), removed.new.as_deref()),
            (None, Some("integer"))
        );
        assert!(removed.text.starts_with("field `qty` was added as integer: consumers on v1 cannot read messages written with v2"), "{}", removed.text);
    }

    /// (kind, old `f`, new `f`, field, what the old version has, what the new one has).
    type Case = (
        &'static str,
        serde_json::Value,
        serde_json::Value,
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
    );

    /// One case per family of incompatible difference, read by new consumers.
    #[test]
    fn every_kind_of_difference_names_its_field_and_both_values() {
        let cases: &[Case] = &[
            (
                "TYPE_CHANGED",
                json!({"type": "integer"}),
                json!({"type": "string"}),
                "f",
                Some("integer"),
                Some("string"),
            ),
            (
                "TYPE_NARROWED",
                json!({"type": "number"}),
                json!({"type": "integer"}),
                "f",
                Some("number"),
                Some("integer"),
            ),
            (
                "MAX_LENGTH_ADDED",
                json!({"type": "string"}),
                json!({"type": "string", "maxLength": 5}),
                "f",
                None,
                Some("5"),
            ),
            (
                "MIN_LENGTH_INCREASED",
                json!({"type": "string", "minLength": 1}),
                json!({"type": "string", "minLength": 2}),
                "f",
                Some("1"),
                Some("2"),
            ),
            (
                "PATTERN_ADDED",
                json!({"type": "string"}),
                json!({"type": "string", "pattern": "^a"}),
                "f",
                None,
                Some("\"^a\""),
            ),
            (
                "MAXIMUM_DECREASED",
                json!({"type": "integer", "maximum": 9}),
                json!({"type": "integer", "maximum": 5}),
                "f",
                Some("9"),
                Some("5"),
            ),
            (
                "EXCLUSIVE_MINIMUM_ADDED",
                json!({"type": "number"}),
                json!({"type": "number", "exclusiveMinimum": 0}),
                "f",
                None,
                Some("0"),
            ),
            (
                "MULTIPLE_OF_EXPANDED",
                json!({"type": "integer", "multipleOf": 2}),
                json!({"type": "integer", "multipleOf": 4}),
                "f",
                Some("2"),
                Some("4"),
            ),
            (
                "MAX_ITEMS_DECREASED",
                json!({"type": "array", "maxItems": 5}),
                json!({"type": "array", "maxItems": 3}),
                "f",
                Some("5"),
                Some("3"),
            ),
            (
                "MIN_ITEMS_ADDED",
                json!({"type": "array"}),
                json!({"type": "array", "minItems": 1}),
                "f",
                None,
                Some("1"),
            ),
            (
                "UNIQUE_ITEMS_ADDED",
                json!({"type": "array"}),
                json!({"type": "array", "uniqueItems": true}),
                "f",
                None,
                Some("true"),
            ),
            (
                "SCHEMA_ADDED",
                json!({"type": "array"}),
                json!({"type": "array", "items": {"type": "string"}}),
                "f[]",
                None,
                Some("string"),
            ),
            (
                "MAX_PROPERTIES_ADDED",
                json!({"type": "object"}),
                json!({"type": "object", "maxProperties": 3}),
                "f",
                None,
                Some("3"),
            ),
            (
                "ADDITIONAL_PROPERTIES_REMOVED",
                json!({"type": "object"}),
                json!({"type": "object", "additionalProperties": false}),
                "f",
                None,
                Some("false"),
            ),
            (
                "ADDITIONAL_PROPERTIES_NARROWED",
                json!({"type": "object"}),
                json!({"type": "object", "additionalProperties": {"type": "string"}}),
                "f",
                None,
                Some("string"),
            ),
            (
                "DEPENDENCY_ARRAY_ADDED",
                json!({"type": "object", "properties": {"a": {}, "b": {}}}),
                json!({"type": "object", "properties": {"a": {}, "b": {}}, "dependencies": {"a": ["b"]}}),
                "f",
                None,
                Some("[\"b\"]"),
            ),
            (
                "ENUM_ARRAY_CHANGED",
                json!({"enum": ["A", "B"]}),
                json!({"enum": ["A", "C"]}),
                "f",
                Some("[\"A\",\"B\"]"),
                Some("[\"A\",\"C\"]"),
            ),
            (
                "SUM_TYPE_NARROWED",
                json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}),
                json!({"anyOf": [{"type": "string"}]}),
                "f",
                Some("string | integer"),
                Some("string"),
            ),
            (
                "COMBINED_TYPE_CHANGED",
                json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}),
                json!({"allOf": [{"type": "string"}, {"minLength": 1}]}),
                "f",
                Some("string | integer"),
                Some("string & any value"),
            ),
            (
                "NOT_TYPE_EXTENDED",
                json!({"not": {"type": "string"}}),
                json!({"not": {"type": ["string", "integer"]}}),
                "f",
                Some("anything but string"),
                Some("anything but string | integer"),
            ),
            (
                "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
                json!({"type": "object"}),
                json!({"type": "object", "properties": {"g": {"type": "string"}}, "required": ["g"]}),
                "f.g",
                None,
                Some("string, required"),
            ),
            (
                "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                json!({"type": "object", "additionalProperties": {"type": "integer"}}),
                json!({"type": "object", "additionalProperties": {"type": "integer"}, "properties": {"g": {"type": "string"}}}),
                "f.g",
                None,
                Some("string"),
            ),
            (
                "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
                json!({"type": "object", "properties": {"g": {"type": "string"}}, "additionalProperties": false}),
                json!({"type": "object", "additionalProperties": false}),
                "f.g",
                Some("string"),
                None,
            ),
            (
                "ITEM_ADDED_TO_OPEN_CONTENT_MODEL",
                json!({"type": "array", "items": [{"type": "string"}]}),
                json!({"type": "array", "items": [{"type": "string"}, {"type": "integer"}]}),
                "f[]",
                None,
                Some("integer"),
            ),
            (
                "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL",
                json!({"type": "array", "items": [{"type": "string"}, {"type": "integer"}], "additionalItems": false}),
                json!({"type": "array", "items": [{"type": "string"}], "additionalItems": false}),
                "f[]",
                Some("integer"),
                None,
            ),
        ];
        let mut wrong = Vec::new();
        for (kind, old_f, new_f, field, old, new) in cases {
            let old_schema = json!({"type": "object", "properties": {"f": old_f}});
            let new_schema = json!({"type": "object", "properties": {"f": new_f}});
            let found = formats::reasons(
                &*parse(new_schema),
                &*parse(old_schema),
                &[Direction::Backward],
                "v1",
                "v2",
            );
            let Some(r) = found.iter().find(|r| r.kind == *kind) else {
                wrong.push(format!(
                    "{kind}: not found in {:?}",
                    found.iter().map(|r| &r.kind).collect::<Vec<_>>()
                ));
                continue;
            };
            let got = (r.field.as_deref(), r.old.as_deref(), r.new.as_deref());
            if got != (Some(*field), *old, *new) {
                wrong.push(format!("{kind}: {got:?}"));
            }
            if !r.text.contains(&format!("`{field}`"))
                || !r
                    .text
                    .ends_with("consumers on v2 cannot read messages written with v1")
            {
                wrong.push(format!("{kind}: {}", r.text));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
