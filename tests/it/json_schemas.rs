//! JSON Schema in the registry: registration and reads with `schemaType: "JSON"`, identity,
//! invalid schemas, references by `$ref` name (chains, missing ones, cycles, delete protection)
//! and payload validation.

use crate::common::*;
use serde_json::{json, Value};

async fn register_json(
    s: &TestServer,
    subject: &str,
    schema: &Value,
    references: Value,
) -> (u16, Value) {
    s.post(
        &format!("/subjects/{subject}/versions"),
        json!({"schemaType": "JSON", "schema": schema.to_string(), "references": references}),
    )
    .await
}

async fn register_text(s: &TestServer, subject: &str, text: &str) -> (u16, Value) {
    s.post(
        &format!("/subjects/{subject}/versions"),
        json!({"schemaType": "JSON", "schema": text}),
    )
    .await
}

fn invalid(status: u16, body: &Value) -> bool {
    status == 422 && body["error_code"] == 42201
}

#[tokio::test]
async fn a_json_schema_registers_reads_back_and_looks_up_with_its_type() {
    let s = TestServer::start().await;
    let schema =
        json!({"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]});
    let (status, body) = register_json(&s, "orders-value", &schema, json!([])).await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_i64().unwrap();

    let (status, version) = s.get("/subjects/orders-value/versions/1").await;
    assert_eq!(status, 200);
    assert_eq!(version["schemaType"], "JSON");
    assert_eq!(version["id"], id);
    // Answered as registered (compact, keys in their order), as Confluent answers it.
    assert_eq!(
        version["schema"],
        r#"{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}"#
    );
    let (_, by_id) = s.get(&format!("/schemas/ids/{id}")).await;
    assert_eq!(by_id["schemaType"], "JSON");
    assert_eq!(by_id["schema"], version["schema"]);

    let (status, found) = s
        .post(
            "/subjects/orders-value",
            json!({"schemaType": "json", "schema": schema.to_string()}),
        )
        .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(
        (found["id"].as_i64(), found["version"].as_i64()),
        (Some(id), Some(1))
    );
    assert_eq!(found["schemaType"], "JSON");

    // The same text as Avro is another schema type: not found under this subject.
    let (status, _) = s
        .post(
            "/subjects/orders-value",
            json!({"schema": json!({"type": "string"}).to_string()}),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn whitespace_and_key_order_do_not_change_the_identity() {
    let s = TestServer::start().await;
    let (_, first) = register_text(
        &s,
        "a-value",
        r#"{"type": "object", "properties": {"b": {"type": "string"}, "a": {"type": "integer"}}}"#,
    )
    .await;
    let (status, second) = register_text(
        &s,
        "a-value",
        "{\n  \"properties\": {\"a\": {\"type\":\"integer\"},\n \"b\": {\"type\":\"string\"}},\n  \"type\": \"object\"\n}",
    )
    .await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(first["id"], second["id"]);
    let (_, versions) = s.get("/subjects/a-value/versions").await;
    assert_eq!(versions, json!([1]));
    // Another subject with the same schema shares the id.
    let (_, other) = register_text(
        &s,
        "b-value",
        r#"{"properties":{"a":{"type":"integer"},"b":{"type":"string"}},"type":"object"}"#,
    )
    .await;
    assert_eq!(other["id"], first["id"]);
}

#[tokio::test]
async fn invalid_json_schemas_are_refused_with_42201() {
    let s = TestServer::start().await;
    let cases: &[(&str, &str, &str)] = &[
        ("not json", r#"{"type": "object""#, "not valid JSON"),
        (
            "not an object",
            r#"[{"type": "string"}]"#,
            "object or a boolean",
        ),
        (
            "unknown type, draft 7 by default",
            r#"{"type": "strin"}"#,
            "draft 7",
        ),
        (
            "draft 4 forbids an empty required list",
            r#"{"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": []}"#,
            "draft 4",
        ),
        (
            "draft 6 needs a number for exclusiveMinimum",
            r#"{"$schema": "http://json-schema.org/draft-06/schema#", "exclusiveMinimum": true}"#,
            "draft 6",
        ),
        (
            "draft 2019-09 minLength must not be negative",
            r#"{"$schema": "https://json-schema.org/draft/2019-09/schema", "minLength": -1}"#,
            "draft 2019-09",
        ),
        (
            "draft 2020-12 prefixItems must be a list",
            r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "prefixItems": {"type": "string"}}"#,
            "draft 2020-12",
        ),
        (
            "unknown meta-schema",
            r#"{"$schema": "https://example.com/my-meta", "type": "string"}"#,
            "unsupported $schema",
        ),
    ];
    for (what, text, expected) in cases {
        let (status, body) = register_text(&s, "bad-value", text).await;
        assert!(invalid(status, &body), "{what}: {status} {body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(expected), "{what}: {message}");
    }
    // The same documents are fine where the draft allows them.
    let (status, body) = register_text(
        &s,
        "ok-value",
        r#"{"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": ["a"]}"#,
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

/// A ← B ← C, each referencing the one before by `$ref` name.
async fn register_chain(s: &TestServer) -> (i64, i64, i64) {
    let a = json!({"type": "object", "properties": {"zip": {"type": "string"}}, "additionalProperties": false});
    let b = json!({"type": "object", "properties": {"street": {"type": "string"}, "address": {"$ref": "a.json"}}});
    let c = json!({"type": "object", "properties": {"customer": {"$ref": "b.json"}}});
    let (_, a_id) = register_json(s, "a", &a, json!([])).await;
    let (status, b_id) = register_json(
        s,
        "b",
        &b,
        json!([{"name": "a.json", "subject": "a", "version": 1}]),
    )
    .await;
    assert_eq!(status, 200, "{b_id}");
    let (status, c_id) = register_json(
        s,
        "c",
        &c,
        json!([{"name": "b.json", "subject": "b", "version": 1}]),
    )
    .await;
    assert_eq!(status, 200, "{c_id}");
    (
        a_id["id"].as_i64().unwrap(),
        b_id["id"].as_i64().unwrap(),
        c_id["id"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn a_reference_chain_registers_resolves_and_is_checked_through_its_leaf() {
    let s = TestServer::start().await;
    let (_, b_id, c_id) = register_chain(&s).await;

    let (_, c) = s.get("/subjects/c/versions/1").await;
    assert_eq!(c["schemaType"], "JSON");
    assert_eq!(
        c["references"],
        json!([{"name": "b.json", "subject": "b", "version": 1}])
    );
    assert_eq!(
        s.get("/subjects/a/versions/1/referencedby").await.1,
        json!([b_id])
    );
    assert_eq!(
        s.get("/subjects/b/versions/1/referencedby").await.1,
        json!([c_id])
    );

    // The leaf changes incompatibly (zip becomes an integer) under NONE in its own subject.
    s.put("/config/a", json!({"compatibility": "NONE"})).await;
    let a2 = json!({"type": "object", "properties": {"zip": {"type": "integer"}}, "additionalProperties": false});
    let (status, _) = register_json(&s, "a", &a2, json!([])).await;
    assert_eq!(status, 200);

    // B unchanged in text but now reading A v2 cannot read what B v1 accepted.
    let b = s.get("/subjects/b/versions/1").await.1["schema"].clone();
    let (status, body) = s
        .post(
            "/compatibility/subjects/b/versions/latest?verbose=true",
            json!({"schemaType": "JSON", "schema": b,
                   "references": [{"name": "a.json", "subject": "a", "version": 2}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["is_compatible"], false, "{body}");
    let messages = body["messages"].to_string();
    assert!(messages.contains("TYPE_CHANGED"), "{messages}");
    assert!(
        messages.contains("#/properties/address/properties/zip"),
        "{messages}"
    );

    // Two levels up: C's new version reads B v2, which reads A v2.
    s.put("/config/b", json!({"compatibility": "NONE"})).await;
    let (status, _) = s
        .post(
            "/subjects/b/versions",
            json!({"schemaType": "JSON", "schema": b,
                   "references": [{"name": "a.json", "subject": "a", "version": 2}]}),
        )
        .await;
    assert_eq!(status, 200);
    let c_text = s.get("/subjects/c/versions/1").await.1["schema"].clone();
    let (status, body) = s
        .post(
            "/subjects/c/versions",
            json!({"schemaType": "JSON", "schema": c_text,
                   "references": [{"name": "b.json", "subject": "b", "version": 2}]}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("#/properties/customer/properties/address/properties/zip"),
        "{body}"
    );
}

#[tokio::test]
async fn a_referenced_version_cannot_be_deleted() {
    let s = TestServer::start().await;
    register_chain(&s).await;
    let (status, body) = s.delete("/subjects/a/versions/1").await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (422, Some(42206)),
        "{body}"
    );
    let (status, body) = s.delete("/subjects/b").await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (422, Some(42206)),
        "{body}"
    );
    // The top of the chain is referenced by nothing.
    assert_eq!(s.delete("/subjects/c/versions/1").await.0, 200);
}

#[tokio::test]
async fn a_ref_that_names_nothing_is_an_invalid_schema_naming_it() {
    let s = TestServer::start().await;
    let schema = json!({"type": "object", "properties": {"home": {"$ref": "address.json"}}});
    let (status, body) = register_json(&s, "customer", &schema, json!([])).await;
    assert!(invalid(status, &body), "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("address.json"),
        "{body}"
    );
    // An internal pointer to nowhere too.
    let schema = json!({"properties": {"home": {"$ref": "#/definitions/nowhere"}}});
    let (status, body) = register_json(&s, "customer", &schema, json!([])).await;
    assert!(invalid(status, &body), "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("#/definitions/nowhere"),
        "{body}"
    );
    // A reference to a subject that does not exist.
    let (status, body) = register_json(
        &s,
        "customer",
        &json!({"$ref": "address.json"}),
        json!([{"name": "address.json", "subject": "address", "version": 1}]),
    )
    .await;
    assert!(invalid(status, &body), "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("address.json"),
        "{body}"
    );
}

#[tokio::test]
async fn a_reference_cycle_is_refused() {
    let s = TestServer::start().await;
    let (status, _) = register_json(&s, "x", &json!({"type": "object"}), json!([])).await;
    assert_eq!(status, 200);
    let (status, body) = register_json(
        &s,
        "y",
        &json!({"type": "object", "properties": {"x": {"$ref": "x.json"}}}),
        json!([{"name": "x.json", "subject": "x", "version": -1}]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // x v2 would reference y, which references x's latest version: x v2 itself.
    let (status, body) = register_json(
        &s,
        "x",
        &json!({"type": "object", "properties": {"y": {"$ref": "y.json"}}}),
        json!([{"name": "y.json", "subject": "y", "version": -1}]),
    )
    .await;
    assert!(invalid(status, &body), "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("cycle"), "{message}");
    assert!(message.contains("'y' version 1"), "{message}");
}

#[tokio::test]
async fn json_is_a_schema_type() {
    let s = TestServer::start().await;
    let (status, body) = s.get("/schemas/types").await;
    assert_eq!(status, 200);
    let types = body.as_array().unwrap();
    assert!(types.contains(&json!("JSON")), "{body}");
    assert!(types.contains(&json!("AVRO")), "{body}");
}

#[test]
fn payload_errors_point_at_every_nested_value_that_fails() {
    use herald::formats::{self, Dependency};
    use herald::model::SchemaType;
    let line = Dependency {
        name: "line.json".into(),
        schema_type: SchemaType::Json,
        schema: r#"{"type":"object","properties":{"sku":{"type":"string"},"qty":{"type":"integer","minimum":1}},"required":["sku","qty"]}"#.into(),
    };
    let order = formats::parse(
        SchemaType::Json,
        r#"{"type":"object","properties":{"id":{"type":"string"},"lines":{"type":"array","items":{"$ref":"line.json"}}},"required":["id"]}"#,
        &[line],
        false,
    )
    .unwrap();
    let ok = json!({"id": "o-1", "lines": [{"sku": "a", "qty": 2}]});
    assert_eq!(formats::validate_payload(&*order, &ok), vec![]);

    let bad = json!({"lines": [{"sku": "a", "qty": 2}, {"sku": 7, "qty": 0}]});
    let errors = formats::validate_payload(&*order, &bad);
    let mut paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(paths, ["", "/lines/1/qty", "/lines/1/sku"], "{errors:?}");
    let root = errors.iter().find(|e| e.path.is_empty()).unwrap();
    assert!(root.message.contains("\"id\""), "{root:?}");
    let qty = errors.iter().find(|e| e.path == "/lines/1/qty").unwrap();
    assert!(qty.message.contains("minimum"), "{qty:?}");
}

#[test]
fn field_names_and_docs_follow_the_schema() {
    use herald::formats;
    use herald::model::SchemaType;
    let parsed = formats::parse(
        SchemaType::Json,
        &json!({"title": "Order", "$ref": "#/definitions/base",
            "allOf": [{"properties": {"total": {"type": "number", "description": "sum"}}}],
            "definitions": {"base": {"properties": {"id": {"type": "string"}, "description": {"type": "string"}}}}})
        .to_string(),
        &[],
        false,
    )
    .unwrap();
    assert_eq!(
        formats::field_names(&*parsed),
        ["id", "description", "total"]
    );
    let documented = formats::parse(
        SchemaType::Json,
        r#"{"properties":{"id":{"type":"string","description":"The id","examples":["a"]}},"$comment":"c"}"#,
        &[],
        false,
    )
    .unwrap();
    let plain = formats::parse(
        SchemaType::Json,
        r#"{"properties":{"id":{"type":"string"}}}"#,
        &[],
        false,
    )
    .unwrap();
    assert_eq!(
        formats::without_docs(&*documented),
        formats::without_docs(&*plain)
    );
    assert_ne!(documented.canonical(), plain.canonical());
}

#[tokio::test]
async fn the_demo_catalog_registers_its_json_schema_events() {
    let catalog = demo_dir();
    let s = TestServer::start_with(|c| c.catalog_dir = Some(catalog)).await;
    for (subject, versions) in [
        ("users.user.created-value", json!([1, 2, 3])),
        ("users.user.updated-value", json!([1])),
        ("notifications.email.sent-value", json!([1])),
    ] {
        assert_eq!(
            s.get(&format!("/subjects/{subject}/versions")).await.1,
            versions,
            "{subject}"
        );
        let (_, latest) = s.get(&format!("/subjects/{subject}/versions/latest")).await;
        assert_eq!(latest["schemaType"], "JSON", "{subject}");
    }
    // Dropping an optional property from the closed model breaks BACKWARD.
    let latest = s
        .get("/subjects/users.user.created-value/versions/latest")
        .await
        .1;
    let mut schema: Value = serde_json::from_str(latest["schema"].as_str().unwrap()).unwrap();
    schema["properties"]
        .as_object_mut()
        .unwrap()
        .remove("locale");
    let (_, body) = s
        .post(
            "/compatibility/subjects/users.user.created-value/versions/latest?verbose=true",
            json!({"schemaType": "JSON", "schema": schema.to_string()}),
        )
        .await;
    assert_eq!(body["is_compatible"], false, "{body}");
    assert!(
        body["messages"]
            .to_string()
            .contains("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"),
        "{body}"
    );

    // Examples are checked against their JSON Schema version, every error with its path.
    let mut event = s.get("/herald/v1/events/users.user.created").await.1;
    let mut broken = event["examples"][0]["payload"].clone();
    broken["email"] = json!(42);
    broken["bogus"] = json!(true);
    event["examples"] = json!([{"name": "broken", "version": "1.2.0", "payload": broken}]);
    let (status, body) = s.put("/herald/v1/events/users.user.created", event).await;
    assert_eq!(status, 422, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("example 'broken'"), "{message}");
    assert!(message.contains("/email"), "{message}");
    assert!(message.contains("bogus"), "{message}");
}

#[tokio::test]
async fn normalize_also_ignores_the_order_of_required_and_type_lists() {
    let s = TestServer::start().await;
    let first = r#"{"type":["string","null"],"minLength":1}"#;
    let second = r#"{"minLength":1,"type":["null","string"]}"#;
    let post = |text: &'static str| {
        s.post(
            "/subjects/n-value/versions?normalize=true",
            json!({"schemaType": "JSON", "schema": text}),
        )
    };
    let (status, a) = post(first).await;
    assert_eq!(status, 200, "{a}");
    let (status, b) = post(second).await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(a["id"], b["id"]);
    // Without normalize the list order is part of the schema.
    let (_, c) = register_text(&s, "plain-value", first).await;
    let (_, d) = register_text(&s, "plain-value", second).await;
    assert_ne!(c["id"], d["id"]);
}

#[tokio::test]
async fn a_ref_to_a_draft_meta_schema_resolves_to_the_bundled_one() {
    let s = TestServer::start().await;
    // A schema that holds schemas, as configuration formats do.
    let schema = json!({
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "settings": {"$ref": "http://json-schema.org/draft-07/schema#"}
        }
    });
    let (status, body) = register_json(&s, "meta-holder", &schema, json!([])).await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_i64().unwrap();
    // The same schema again is the same version.
    let (status, again) = register_json(&s, "meta-holder", &schema, json!([])).await;
    assert_eq!((status, again["id"].as_i64()), (200, Some(id)));
    let (status, body) = s
        .post(
            "/compatibility/subjects/meta-holder/versions/latest",
            json!({"schemaType": "JSON", "schema": schema.to_string()}),
        )
        .await;
    assert_eq!(
        (status, &body["is_compatible"]),
        (200, &json!(true)),
        "{body}"
    );
    // Payloads are checked against the meta-schema: `settings` must be a schema.
    let checked = herald::formats::json::parse(&schema.to_string(), &[], false).unwrap();
    use herald::formats::ParsedSchema;
    assert!(checked
        .validate_payload(&json!({"name": "x", "settings": {"type": "string"}}))
        .is_empty());
    assert!(!checked
        .validate_payload(&json!({"name": "x", "settings": {"type": 12}}))
        .is_empty());
}

#[tokio::test]
async fn json_schema_text_is_answered_as_registered_with_identity_on_the_canonical_form() {
    let s = TestServer::start().await;
    let text = r#"{ "type": "object", "properties": { "z": {"type": "string"}, "a": {"type": "integer"} } }"#;
    let (status, body) = register_text(&s, "ordered", text).await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_i64().unwrap();
    let compact =
        r#"{"type":"object","properties":{"z":{"type":"string"},"a":{"type":"integer"}}}"#;
    let (_, version) = s.get("/subjects/ordered/versions/1").await;
    assert_eq!(version["schema"], compact);
    let (_, by_id) = s.get(&format!("/schemas/ids/{id}")).await;
    assert_eq!(by_id["schema"], compact);

    // The same schema with its keys in another order is still the same schema.
    let reordered =
        r#"{"properties":{"a":{"type":"integer"},"z":{"type":"string"}},"type":"object"}"#;
    let (status, body) = register_text(&s, "ordered", reordered).await;
    assert_eq!((status, body["id"].as_i64()), (200, Some(id)), "{body}");
    assert_eq!(s.get("/subjects/ordered/versions").await, (200, json!([1])));
    let (status, found) = s
        .post(
            "/subjects/ordered",
            json!({"schemaType": "JSON", "schema": reordered}),
        )
        .await;
    assert_eq!((status, found["id"].as_i64()), (200, Some(id)), "{found}");
    let (status, found) = s
        .post(
            "/subjects/ordered?normalize=true",
            json!({"schemaType": "JSON", "schema": reordered}),
        )
        .await;
    assert_eq!((status, found["id"].as_i64()), (200, Some(id)), "{found}");

    // normalize=true stores the normal form.
    let (status, body) = s
        .post(
            "/subjects/normal/versions?normalize=true",
            json!({"schemaType": "JSON", "schema": r#"{"type":"object","required":["b","a"],"properties":{"b":{},"a":{}}}"#}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, version) = s.get("/subjects/normal/versions/1").await;
    assert_eq!(
        version["schema"],
        r#"{"properties":{"a":{},"b":{}},"required":["a","b"],"type":"object"}"#
    );
}
