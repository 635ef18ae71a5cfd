//! A registration's metadata and rule set as Confluent completes them: what the request brings
//! (or, when it brings none, what the subject's latest version has), merged over the config's
//! `defaultMetadata`/`defaultRuleSet` and under its `overrideMetadata`/`overrideRuleSet`.

use serde_json::{Map, Value};

/// `wider` then `narrower`: properties and tags by key (the narrower's win), sensitive field
/// names united.
pub fn merge_metadata(wider: Option<&Value>, narrower: Option<&Value>) -> Option<Value> {
    let (wider, narrower) = match (wider, narrower) {
        (None, None) => return None,
        (Some(w), None) => return Some(w.clone()),
        (None, Some(n)) => return Some(n.clone()),
        (Some(w), Some(n)) => (w, n),
    };
    let mut out = Map::new();
    for key in ["tags", "properties"] {
        let mut merged = object(wider.get(key));
        merged.extend(object(narrower.get(key)));
        if !merged.is_empty() {
            out.insert(key.into(), Value::Object(merged));
        }
    }
    let mut sensitive: Vec<Value> = Vec::new();
    for side in [wider, narrower] {
        for name in side
            .get("sensitive")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !sensitive.contains(name) {
                sensitive.push(name.clone());
            }
        }
    }
    if !sensitive.is_empty() {
        out.insert("sensitive".into(), Value::Array(sensitive));
    }
    Some(Value::Object(out))
}

/// `wider` then `narrower`, per rule kind: a narrower rule replaces the wider one of the same
/// name, the others follow in order.
pub fn merge_rule_set(wider: Option<&Value>, narrower: Option<&Value>) -> Option<Value> {
    let (wider, narrower) = match (wider, narrower) {
        (None, None) => return None,
        (Some(w), None) => return Some(w.clone()),
        (None, Some(n)) => return Some(n.clone()),
        (Some(w), Some(n)) => (w, n),
    };
    let mut out = Map::new();
    for key in ["migrationRules", "domainRules", "encodingRules"] {
        let newer: Vec<&Value> = narrower
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .collect();
        let names: Vec<&Value> = newer.iter().filter_map(|r| r.get("name")).collect();
        let mut rules: Vec<Value> = wider
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|r| r.get("name").is_none_or(|n| !names.contains(&n)))
            .cloned()
            .collect();
        rules.extend(newer.into_iter().cloned());
        if !rules.is_empty() {
            out.insert(key.into(), Value::Array(rules));
        }
    }
    Some(Value::Object(out))
}

fn object(value: Option<&Value>) -> Map<String, Value> {
    value
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// The value of metadata property `name`, when set.
pub fn property<'a>(metadata: Option<&'a Value>, name: &str) -> Option<&'a str> {
    metadata?.get("properties")?.get(name)?.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn narrower_properties_and_tags_win_and_sensitive_names_unite() {
        let wider = json!({"properties": {"owner": "a", "tier": "1"}, "tags": {"f": ["X"]}, "sensitive": ["s1"]});
        let narrower = json!({"properties": {"owner": "b"}, "sensitive": ["s2", "s1"]});
        assert_eq!(
            merge_metadata(Some(&wider), Some(&narrower)),
            Some(json!({
                "tags": {"f": ["X"]},
                "properties": {"owner": "b", "tier": "1"},
                "sensitive": ["s1", "s2"],
            }))
        );
        assert_eq!(
            merge_metadata(None, Some(&narrower)),
            Some(narrower.clone())
        );
        assert_eq!(merge_metadata(None, None), None);
    }

    #[test]
    fn a_narrower_rule_replaces_the_wider_one_of_its_name() {
        let wider =
            json!({"domainRules": [{"name": "a", "expr": "1"}, {"name": "b", "expr": "2"}]});
        let narrower =
            json!({"domainRules": [{"name": "b", "expr": "3"}], "migrationRules": [{"name": "m"}]});
        assert_eq!(
            merge_rule_set(Some(&wider), Some(&narrower)),
            Some(json!({
                "migrationRules": [{"name": "m"}],
                "domainRules": [{"name": "a", "expr": "1"}, {"name": "b", "expr": "3"}],
            }))
        );
    }
}
