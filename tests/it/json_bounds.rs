//! JSON Schema work stays bounded on schemas built to blow it up: definitions that each use the
//! next one twice (a graph that listed as a tree doubles with every level) and unions of
//! thousands of branches. Each check runs under the registry's work budget, which an
//! exponential walk or a comparison of every pair of branches would exhaust.

use crate::common::*;
use herald::formats::{json, ParsedSchema};
use herald::limits;
use serde_json::{json, Value};

/// `d0` … `d{depth}`: each `d{i}` has two properties that both `$ref` `d{i+1}`; the last holds
/// one property of type `leaf`.
fn doubling(depth: usize, leaf: &str) -> Value {
    let mut definitions = serde_json::Map::new();
    for i in 0..depth {
        let next = json!({"$ref": format!("#/definitions/d{}", i + 1)});
        definitions.insert(
            format!("d{i}"),
            json!({"type": "object", "properties": {"left": next, "right": next}}),
        );
    }
    definitions.insert(
        format!("d{depth}"),
        json!({"type": "object", "properties": {"leaf": {"type": leaf}}}),
    );
    json!({"$ref": "#/definitions/d0", "definitions": definitions})
}

fn parse(schema: &Value) -> json::JsonSchema {
    json::parse(&schema.to_string(), &[], false).expect("schema parses")
}

#[test]
fn a_definition_used_twice_at_every_level_is_listed_once_per_level() {
    let schema = doubling(19, "string");
    assert!(schema.to_string().len() < 2_500, "a small schema");
    let rows = limits::bounded(|| Ok(parse(&schema).field_table())).expect("within budget");
    // Two properties per definition down to d18, and d19's leaf.
    assert_eq!(rows.len(), 19 * 2 + 1, "{:?}", rows.len());
    let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        &paths[..4],
        ["left", "left.left", "left.left.left", "left.left.left.left"]
    );
    let deepest = vec!["left"; 19].join(".") + ".leaf";
    assert!(paths.contains(&deepest.as_str()), "{paths:?}");
    // The second property of a definition names where the one they share is listed.
    let right = rows.iter().find(|r| r.path == "right").expect("right");
    assert_eq!(
        right.doc.as_deref(),
        Some("Fields as listed under 'left'."),
        "{right:?}"
    );
    assert_eq!(right.type_name, "d1");
    let inner_right = rows
        .iter()
        .find(|r| r.path == "left.left.right")
        .expect("left.left.right");
    assert_eq!(
        inner_right.doc.as_deref(),
        Some("Fields as listed under 'left.left.left'.")
    );
}

#[test]
fn a_doubling_schema_is_compared_once_per_pair_of_definitions() {
    // 2^24 paths lead to the leaf: compared path by path, far past the work budget.
    let old = parse(&doubling(24, "string"));
    let same = parse(&doubling(24, "string"));
    let differences = limits::bounded(|| Ok(same.differences(&old, true))).expect("within budget");
    assert!(differences.is_empty(), "{differences:?}");

    let changed = parse(&doubling(24, "integer"));
    let differences =
        limits::bounded(|| Ok(changed.differences(&old, true))).expect("within budget");
    assert_eq!(differences.len(), 1, "{differences:?}");
    assert!(
        differences[0].message.contains("TYPE_CHANGED"),
        "{differences:?}"
    );
    assert!(
        differences[0].message.contains(&format!(
            "'#/{}/properties/leaf'",
            vec!["properties/left"; 24].join("/")
        )),
        "{differences:?}"
    );
}

#[tokio::test]
async fn a_doubling_schema_registers_and_is_checked_through_the_api() {
    let s = TestServer::start().await;
    let (status, body) = s
        .post(
            "/subjects/doubling/versions",
            json!({"schemaType": "JSON", "schema": doubling(24, "string").to_string()}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = s
        .post(
            "/compatibility/subjects/doubling/versions/latest",
            json!({"schemaType": "JSON", "schema": doubling(24, "integer").to_string()}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["is_compatible"], false, "{body}");
}

/// A union of `n` event shapes, told apart by `kind`; `change` rewrites branch `i`.
fn union(n: usize, change: impl Fn(usize, &mut Value)) -> Value {
    let branches: Vec<Value> = (0..n)
        .map(|i| {
            let mut branch = json!({
                "type": "object",
                "properties": {"kind": {"const": format!("k{i}")}, format!("v{i}"): {"type": "string"}},
                "required": ["kind"]
            });
            change(i, &mut branch);
            branch
        })
        .collect();
    json!({"anyOf": branches})
}

fn verdict(old: &Value, new: &Value) -> Vec<String> {
    let (old, new) = (parse(old), parse(new));
    limits::bounded(|| Ok(new.differences(&old, true)))
        .expect("within budget")
        .into_iter()
        .map(|d| d.message)
        .collect()
}

#[test]
fn a_union_of_sixteen_hundred_branches_is_matched_without_comparing_every_pair() {
    let old = union(1_600, |_, _| {});
    assert!(old.to_string().len() > 100_000);

    assert!(verdict(&old, &old.clone()).is_empty());

    // Reordered branches still match one to one.
    let mut reversed = old.clone();
    reversed["anyOf"].as_array_mut().unwrap().reverse();
    assert!(verdict(&old, &reversed).is_empty());

    // One more branch: the union accepts more.
    let mut extended = old.clone();
    extended["anyOf"]
        .as_array_mut()
        .unwrap()
        .push(json!({"type": "string"}));
    assert!(verdict(&old, &extended).is_empty());

    // One branch gone: what it accepted is refused now.
    let mut narrowed = old.clone();
    narrowed["anyOf"].as_array_mut().unwrap().remove(800);
    let messages = verdict(&old, &narrowed);
    assert!(
        messages.iter().any(|m| m.contains("SUM_TYPE_NARROWED")),
        "{messages:?}"
    );

    // One branch changed so that no branch of the update accepts what it did.
    let changed = union(1_600, |i, branch| {
        if i == 1_234 {
            branch["properties"]["v1234"] = json!({"type": "integer"});
        }
    });
    let messages = verdict(&old, &changed);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("COMBINED_TYPE_SUBSCHEMAS_CHANGED"),
        "{messages:?}"
    );
}

#[test]
fn references_to_embedded_resources_are_looked_up_not_searched_for() {
    // Thousands of sub-schemas with their own `$id`, each used by a property: finding each
    // target by walking the whole schema would cost the square of its size.
    let n = 3_000;
    let mut definitions = serde_json::Map::new();
    let mut properties = serde_json::Map::new();
    for i in 0..n {
        definitions.insert(
            format!("d{i}"),
            json!({"$id": format!("part-{i}.json"), "type": "string", "maxLength": i + 1}),
        );
        properties.insert(format!("p{i}"), json!({"$ref": format!("part-{i}.json")}));
    }
    let schema = json!({"$id": "https://example.com/parts.json", "type": "object",
                        "properties": properties, "definitions": definitions});
    let mut tighter = schema.clone();
    tighter["definitions"]["d2999"]["maxLength"] = json!(10);
    let (old, new) = (schema.to_string(), tighter.to_string());
    let (rows, differences) = limits::bounded(|| {
        let old = json::parse(&old, &[], false)?;
        let new = json::parse(&new, &[], false)?;
        Ok((new.field_table().len(), new.differences(&old, true)))
    })
    .expect("within budget");
    assert_eq!(rows, n);
    assert_eq!(differences.len(), 1, "{differences:?}");
    assert!(
        differences[0].message.contains("MAX_LENGTH_DECREASED")
            && differences[0]
                .message
                .contains("#/properties/p2999/maxLength"),
        "{differences:?}"
    );
}
