//! The 8.x `guid` of a schema: Confluent's MD5 of the schema text, its references, metadata
//! and rule set, written as a UUID (the 16 digest bytes as they are, no version bits).

use md5::{Digest, Md5};
use serde_json::Value;

use super::SchemaEntry;
use crate::model::Reference;

/// The guid of a stored schema.
pub fn guid(entry: &SchemaEntry) -> String {
    compute(
        &entry.schema,
        &entry.references,
        entry.metadata.as_ref(),
        entry.rule_set.as_ref(),
    )
}

/// Fed in Confluent's order: the schema's UTF-8 text; each reference's name, subject and
/// version (4 bytes, big-endian); a 1 byte then the metadata when there is one; a 1 byte then
/// the rule set when there is one. Maps and sets are walked in key order, as Confluent keeps
/// them sorted.
pub fn compute(
    schema: &str,
    references: &[Reference],
    metadata: Option<&Value>,
    rule_set: Option<&Value>,
) -> String {
    let mut md = Md5::new();
    md.update(schema.as_bytes());
    for r in references {
        md.update(r.name.as_bytes());
        md.update(r.subject.as_bytes());
        md.update(r.version.to_be_bytes());
    }
    if let Some(m) = metadata.filter(|m| !m.is_null()) {
        md.update([1u8]);
        hash_metadata(&mut md, m);
    }
    if let Some(r) = rule_set.filter(|r| !r.is_null()) {
        md.update([1u8]);
        for phase in ["migrationRules", "domainRules", "encodingRules"] {
            for rule in r.get(phase).and_then(Value::as_array).into_iter().flatten() {
                hash_rule(&mut md, rule);
            }
        }
    }
    uuid::Uuid::from_bytes(md.finalize().into())
        .hyphenated()
        .to_string()
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// A JSON object's entries in key order (Confluent's sorted maps).
fn sorted_entries(v: Option<&Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = v
        .and_then(Value::as_object)
        .map(|o| o.iter().collect())
        .unwrap_or_default();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

/// A JSON array of strings in sorted order, duplicates dropped (Confluent's sorted sets).
fn sorted_set(v: Option<&Value>) -> Vec<String> {
    let mut items: Vec<String> = v
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(text)
        .collect();
    items.sort();
    items.dedup();
    items
}

fn hash_metadata(md: &mut Md5, m: &Value) {
    for (path, tags) in sorted_entries(m.get("tags")) {
        md.update(path.as_bytes());
        for tag in sorted_set(Some(tags)) {
            md.update(tag.as_bytes());
        }
    }
    for (key, value) in sorted_entries(m.get("properties")) {
        md.update(key.as_bytes());
        md.update(text(value).unwrap_or_default().as_bytes());
    }
    for s in sorted_set(m.get("sensitive")) {
        md.update(s.as_bytes());
    }
}

fn hash_rule(md: &mut Md5, rule: &Value) {
    for key in ["name", "doc", "kind", "mode", "type"] {
        if let Some(s) = rule.get(key).and_then(text) {
            md.update(s.as_bytes());
        }
    }
    for tag in sorted_set(rule.get("tags")) {
        md.update(tag.as_bytes());
    }
    for (key, value) in sorted_entries(rule.get("params")) {
        md.update(key.as_bytes());
        md.update(text(value).unwrap_or_default().as_bytes());
    }
    for key in ["expr", "onSuccess", "onFailure"] {
        if let Some(s) = rule.get(key).and_then(text) {
            md.update(s.as_bytes());
        }
    }
    if rule.get("disabled").and_then(Value::as_bool) == Some(true) {
        md.update([1u8]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_schema_is_the_md5_of_its_text_as_a_uuid() {
        let digest = Md5::digest(b"\"string\"");
        let expected = uuid::Uuid::from_bytes(digest.into()).to_string();
        assert_eq!(compute("\"string\"", &[], None, None), expected);
        assert_eq!(expected.len(), 36);
    }

    #[test]
    fn references_metadata_and_rules_change_the_guid() {
        let plain = compute("{}", &[], None, None);
        let r = Reference {
            name: "a".into(),
            subject: "s".into(),
            version: 1,
        };
        let with_ref = compute("{}", std::slice::from_ref(&r), None, None);
        assert_ne!(plain, with_ref);
        let m1 = serde_json::json!({"properties": {"b": "2", "a": "1"}});
        let m2 = serde_json::json!({"properties": {"a": "1", "b": "2"}});
        assert_eq!(
            compute("{}", &[], Some(&m1), None),
            compute("{}", &[], Some(&m2), None),
            "property order does not matter"
        );
        assert_ne!(plain, compute("{}", &[], Some(&m1), None));
        let rules = serde_json::json!({"domainRules": [{"name": "r", "kind": "CONDITION"}]});
        assert_ne!(plain, compute("{}", &[], None, Some(&rules)));
    }
}
