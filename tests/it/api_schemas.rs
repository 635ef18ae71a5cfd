//! Registration identity, `/schemas/...` reads, lookup, and invalid-schema errors.

use crate::common::*;
use serde_json::{json, Value};

#[track_caller]
fn assert_error(resp: (u16, Value), status: u16, code: i64) {
    let (got_status, body) = resp;
    assert_eq!(
        (got_status, body["error_code"].as_i64()),
        (status, Some(code)),
        "body: {body}"
    );
    assert!(body["message"].is_string(), "message missing: {body}");
}

fn user(fields: Value) -> Value {
    record("User", fields)
}

fn v1() -> Value {
    user(json!([{"name": "a", "type": "string"}]))
}

fn v2() -> Value {
    user(json!([{"name": "a", "type": "string"}, {"name": "b", "type": "int", "default": 0}]))
}

async fn text(s: &TestServer, path: &str) -> (u16, String) {
    let resp = s.client.get(s.url(path)).send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

async fn versions(s: &TestServer, subject: &str) -> Value {
    s.get(&format!("/subjects/{subject}/versions")).await.1
}

// ---- registration identity ----

#[tokio::test]
async fn register_answers_200_with_exactly_the_id() {
    let s = TestServer::start().await;
    let (status, body) = s.register("orders-value", &v1()).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"id": 1}));
}

#[tokio::test]
async fn ids_start_at_one_and_each_new_schema_gets_a_new_id() {
    let s = TestServer::start().await;
    let first = s.register_ok("s", &v1()).await;
    let second = s.register_ok("s", &v2()).await;
    assert_eq!(first, 1);
    assert_ne!(first, second);
}

#[tokio::test]
async fn the_same_schema_in_another_subject_reuses_the_global_id() {
    let s = TestServer::start().await;
    let a = s.register_ok("a-value", &v1()).await;
    let b = s.register_ok("b-value", &v1()).await;
    assert_eq!(a, b);
    assert_eq!(versions(&s, "b-value").await, json!([1]));
    let (_, subjects) = s.get(&format!("/schemas/ids/{a}/subjects")).await;
    assert_eq!(subjects, json!(["a-value", "b-value"]));
}

#[tokio::test]
async fn reregistering_the_same_schema_returns_the_same_id_without_a_new_version() {
    let s = TestServer::start().await;
    let first = s.register_ok("s", &v1()).await;
    let again = s.register_ok("s", &v1()).await;
    assert_eq!(first, again);
    assert_eq!(versions(&s, "s").await, json!([1]));
}

#[tokio::test]
async fn reregistering_an_older_version_returns_its_id_and_keeps_latest() {
    let s = TestServer::start().await;
    let old = s.register_ok("s", &v1()).await;
    let new = s.register_ok("s", &v2()).await;
    assert_eq!(s.register_ok("s", &v1()).await, old);
    assert_eq!(versions(&s, "s").await, json!([1, 2]));
    let (_, latest) = s.get("/subjects/s/versions/latest").await;
    assert_eq!(
        (latest["version"].as_i64(), latest["id"].as_i64()),
        (Some(2), Some(new))
    );
}

#[tokio::test]
async fn pretty_printed_and_compact_schemas_get_the_same_id() {
    let s = TestServer::start().await;
    let compact = s.register_ok("s", &v2()).await;
    let pretty = serde_json::to_string_pretty(&v2()).unwrap();
    let (status, body) = s
        .post("/subjects/s/versions", json!({"schema": pretty}))
        .await;
    assert_eq!(
        (status, body["id"].as_i64()),
        (200, Some(compact)),
        "{body}"
    );
    assert_eq!(versions(&s, "s").await, json!([1]));
}

#[tokio::test]
async fn reordered_json_keys_get_the_same_id() {
    let s = TestServer::start().await;
    let id = s.register_ok("s", &v2()).await;
    let reordered = json!({
        "fields": [{"type": "string", "name": "a"}, {"default": 0, "type": "int", "name": "b"}],
        "name": "User",
        "type": "record"
    });
    assert_eq!(s.register_ok("other", &reordered).await, id);
}

#[tokio::test]
async fn a_changed_default_gets_a_new_id_and_version() {
    let s = TestServer::start().await;
    let id = s.register_ok("s", &v2()).await;
    let changed =
        user(json!([{"name": "a", "type": "string"}, {"name": "b", "type": "int", "default": 7}]));
    assert_ne!(s.register_ok("s", &changed).await, id);
    assert_eq!(versions(&s, "s").await, json!([1, 2]));
}

#[tokio::test]
async fn a_changed_doc_gets_a_new_id_and_version() {
    let s = TestServer::start().await;
    let id = s.register_ok("s", &v1()).await;
    let documented = json!({"type": "record", "name": "User", "doc": "A user",
        "fields": [{"name": "a", "type": "string"}]});
    assert_ne!(s.register_ok("s", &documented).await, id);
    assert_eq!(versions(&s, "s").await, json!([1, 2]));
}

// ---- invalid schemas ----

#[tokio::test]
async fn bad_json_in_the_schema_string_is_42201() {
    let s = TestServer::start().await;
    let resp = s
        .post(
            "/subjects/s/versions",
            json!({"schema": "{\"type\": \"record\", "}),
        )
        .await;
    assert_error(resp, 422, 42201);
}

#[tokio::test]
async fn an_unknown_type_name_is_42201() {
    let s = TestServer::start().await;
    let schema = user(json!([{"name": "a", "type": "com.example.Missing"}]));
    assert_error(s.register("s", &schema).await, 422, 42201);
}

#[tokio::test]
async fn an_invalid_default_is_42201() {
    let s = TestServer::start().await;
    let schema = user(json!([{"name": "a", "type": "int", "default": "not a number"}]));
    assert_error(s.register("s", &schema).await, 422, 42201);
}

#[tokio::test]
async fn a_null_default_for_a_string_field_is_42201() {
    let s = TestServer::start().await;
    let schema = user(json!([{"name": "a", "type": "string", "default": null}]));
    assert_error(s.register("s", &schema).await, 422, 42201);
}

#[tokio::test]
async fn an_invalid_schema_type_is_42201() {
    let s = TestServer::start().await;
    let body = json!({"schema": v1().to_string(), "schemaType": "XML"});
    assert_error(s.post("/subjects/s/versions", body).await, 422, 42201);
}

#[tokio::test]
async fn a_missing_schema_field_on_a_fresh_subject_is_42201() {
    let s = TestServer::start().await;
    assert_error(s.post("/subjects/s/versions", json!({})).await, 422, 42201);
    assert_error(s.get("/subjects/s/versions").await, 404, 40401);
}

#[tokio::test]
async fn an_explicit_schema_type_avro_is_accepted() {
    let s = TestServer::start().await;
    let body = json!({"schema": v1().to_string(), "schemaType": "AVRO", "references": []});
    let (status, resp) = s.post("/subjects/s/versions", body).await;
    assert_eq!((status, resp), (200, json!({"id": 1})));
}

// ---- /schemas/ids/{id} ----

#[tokio::test]
async fn schema_by_id_returns_the_canonical_schema_only() {
    let s = TestServer::start().await;
    let pretty = serde_json::to_string_pretty(&v1()).unwrap();
    let (_, reg) = s
        .post("/subjects/s/versions", json!({"schema": pretty}))
        .await;
    let (status, body) = s.get(&format!("/schemas/ids/{}", reg["id"])).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"schema": v1().to_string()}));
}

#[tokio::test]
async fn an_unknown_schema_id_is_40403() {
    let s = TestServer::start().await;
    assert_error(s.get("/schemas/ids/999").await, 404, 40403);
}

#[tokio::test]
async fn raw_schema_by_id_is_the_unquoted_schema_text() {
    let s = TestServer::start().await;
    let id = s.register_ok("s", &v1()).await;
    let (status, body) = text(&s, &format!("/schemas/ids/{id}/schema")).await;
    assert_eq!(status, 200);
    assert_eq!(body, v1().to_string());
}

#[tokio::test]
async fn raw_schema_of_an_unknown_id_is_40403() {
    let s = TestServer::start().await;
    assert_error(s.get("/schemas/ids/999/schema").await, 404, 40403);
}

#[tokio::test]
async fn subjects_of_an_id_hide_soft_deleted_usages_unless_asked() {
    let s = TestServer::start().await;
    let id = s.register_ok("a", &v1()).await;
    s.register_ok("b", &v1()).await;
    assert_eq!(s.delete("/subjects/b").await.0, 200);
    let (status, live) = s.get(&format!("/schemas/ids/{id}/subjects")).await;
    assert_eq!((status, live), (200, json!(["a"])));
    let (_, all) = s
        .get(&format!("/schemas/ids/{id}/subjects?deleted=true"))
        .await;
    assert_eq!(all, json!(["a", "b"]));
}

#[tokio::test]
async fn subjects_of_an_unknown_id_is_40403() {
    let s = TestServer::start().await;
    assert_error(s.get("/schemas/ids/999/subjects").await, 404, 40403);
}

#[tokio::test]
async fn versions_of_an_id_list_subject_version_pairs() {
    let s = TestServer::start().await;
    s.register_ok("a", &v2()).await;
    let id = s.register_ok("a", &v1()).await;
    s.register_ok("b", &v1()).await;
    let (status, body) = s.get(&format!("/schemas/ids/{id}/versions")).await;
    assert_eq!(status, 200);
    let mut pairs = body.as_array().expect("array").clone();
    pairs.sort_by_key(|p| p["subject"].as_str().unwrap_or_default().to_string());
    assert_eq!(
        Value::Array(pairs),
        json!([{"subject": "a", "version": 2}, {"subject": "b", "version": 1}])
    );
}

#[tokio::test]
async fn versions_of_an_unknown_id_is_40403() {
    let s = TestServer::start().await;
    assert_error(s.get("/schemas/ids/999/versions").await, 404, 40403);
}

#[tokio::test]
async fn fetch_max_id_adds_the_highest_id_in_use() {
    let s = TestServer::start().await;
    let first = s.register_ok("s", &v1()).await;
    let second = s.register_ok("s", &v2()).await;
    let (_, body) = s
        .get(&format!("/schemas/ids/{first}?fetchMaxId=true"))
        .await;
    assert_eq!(body["maxId"].as_i64(), Some(second.max(first)), "{body}");
    let (_, plain) = s.get(&format!("/schemas/ids/{first}")).await;
    assert!(plain.get("maxId").is_none(), "{plain}");
}

#[tokio::test]
async fn schema_types_include_avro() {
    let s = TestServer::start().await;
    let (status, body) = s.get("/schemas/types").await;
    assert_eq!(status, 200);
    assert!(
        body.as_array().expect("array").contains(&json!("AVRO")),
        "{body}"
    );
}

// ---- GET /schemas ----

async fn three_versions() -> TestServer {
    let s = TestServer::start().await;
    s.register_ok("a-value", &v1()).await;
    s.register_ok("a-value", &v2()).await;
    s.register_ok(
        "b-value",
        &record("Other", json!([{"name": "x", "type": "long"}])),
    )
    .await;
    s
}

fn subject_versions(list: &Value) -> Vec<(String, i64)> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|e| {
            (
                e["subject"].as_str().unwrap().to_string(),
                e["version"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn sv(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    pairs.iter().map(|(s, v)| (s.to_string(), *v)).collect()
}

#[tokio::test]
async fn list_schemas_returns_every_version_ordered_by_subject_then_version() {
    let s = three_versions().await;
    let (status, body) = s.get("/schemas").await;
    assert_eq!(status, 200);
    assert_eq!(
        subject_versions(&body),
        sv(&[("a-value", 1), ("a-value", 2), ("b-value", 1)])
    );
    assert_eq!(
        body[0],
        json!({"subject": "a-value", "version": 1, "id": 1, "schema": v1().to_string()})
    );
}

#[tokio::test]
async fn list_schemas_filters_by_subject_prefix() {
    let s = three_versions().await;
    let (_, body) = s.get("/schemas?subjectPrefix=b-").await;
    assert_eq!(subject_versions(&body), sv(&[("b-value", 1)]));
}

#[tokio::test]
async fn list_schemas_latest_only_keeps_one_per_subject() {
    let s = three_versions().await;
    let (_, body) = s.get("/schemas?latestOnly=true").await;
    assert_eq!(
        subject_versions(&body),
        sv(&[("a-value", 2), ("b-value", 1)])
    );
}

#[tokio::test]
async fn list_schemas_pages_with_offset_and_limit() {
    let s = three_versions().await;
    let (_, body) = s.get("/schemas?offset=1&limit=1").await;
    assert_eq!(subject_versions(&body), sv(&[("a-value", 2)]));
}

#[tokio::test]
async fn list_schemas_hides_soft_deleted_versions_unless_asked() {
    let s = three_versions().await;
    assert_eq!(s.delete("/subjects/a-value/versions/1").await.0, 200);
    let (_, live) = s.get("/schemas").await;
    assert_eq!(
        subject_versions(&live),
        sv(&[("a-value", 2), ("b-value", 1)])
    );
    let (_, all) = s.get("/schemas?deleted=true").await;
    assert_eq!(
        subject_versions(&all),
        sv(&[("a-value", 1), ("a-value", 2), ("b-value", 1)])
    );
}

// ---- lookup POST /subjects/{s} ----

#[tokio::test]
async fn lookup_returns_subject_id_version_and_schema() {
    let s = TestServer::start().await;
    s.register_ok("s", &v1()).await;
    let id = s.register_ok("s", &v2()).await;
    let pretty = serde_json::to_string_pretty(&v2()).unwrap();
    let (status, body) = s.post("/subjects/s", json!({"schema": pretty})).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"subject": "s", "version": 2, "id": id, "schema": v2().to_string()})
    );
}

#[tokio::test]
async fn lookup_in_an_unknown_subject_is_40401() {
    let s = TestServer::start().await;
    let resp = s
        .post("/subjects/nope", json!({"schema": v1().to_string()}))
        .await;
    assert_error(resp, 404, 40401);
}

#[tokio::test]
async fn lookup_of_a_schema_not_in_the_subject_is_40403() {
    let s = TestServer::start().await;
    s.register_ok("s", &v1()).await;
    s.register_ok("other", &v2()).await;
    let resp = s
        .post("/subjects/s", json!({"schema": v2().to_string()}))
        .await;
    assert_error(resp, 404, 40403);
}

#[tokio::test]
async fn lookup_matches_a_soft_deleted_version_only_with_deleted_true() {
    let s = TestServer::start().await;
    s.register_ok("s", &v1()).await;
    s.register_ok("s", &v2()).await;
    assert_eq!(s.delete("/subjects/s/versions/1").await.0, 200);
    let body = json!({"schema": v1().to_string()});
    assert_error(s.post("/subjects/s", body.clone()).await, 404, 40403);
    let (status, found) = s.post("/subjects/s?deleted=true", body).await;
    assert_eq!(
        (status, found["version"].as_i64()),
        (200, Some(1)),
        "{found}"
    );
}

#[tokio::test]
async fn lookup_of_an_invalid_schema_is_42201() {
    let s = TestServer::start().await;
    s.register_ok("s", &v1()).await;
    let resp = s.post("/subjects/s", json!({"schema": "{not json"})).await;
    assert_error(resp, 422, 42201);
}

#[tokio::test]
async fn an_explicit_version_equal_to_the_next_one_is_accepted() {
    let s = TestServer::start().await;
    s.register_ok("s", &v1()).await;
    let body = json!({"schema": v2().to_string(), "version": 2});
    assert_eq!(s.post("/subjects/s/versions", body).await.0, 200);
    assert_eq!(versions(&s, "s").await, json!([1, 2]));
}

#[tokio::test]
async fn an_explicit_version_that_skips_ahead_is_42201_outside_import() {
    let s = TestServer::start().await;
    s.register_ok("s", &v1()).await;
    let body = json!({"schema": v2().to_string(), "version": 5});
    assert_error(s.post("/subjects/s/versions", body).await, 422, 42201);
    assert_eq!(versions(&s, "s").await, json!([1]));
}

// ---- guid (8.x dialect) ----

async fn v8() -> TestServer {
    TestServer::start_with(|c| c.dialect = herald::serve_settings::Dialect::V8).await
}

fn md5_uuid(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    uuid::Uuid::from_bytes(Md5::digest(bytes).into()).to_string()
}

#[tokio::test]
async fn the_8x_dialect_answers_a_guid_computed_as_confluent_does() {
    let s = v8().await;
    let (status, reg) = s
        .post("/subjects/g/versions", json!({"schema": "\"string\""}))
        .await;
    assert_eq!(status, 200, "{reg}");
    let guid = reg["guid"]
        .as_str()
        .expect("guid on the register answer")
        .to_string();
    // The MD5 of the canonical text, written as a UUID.
    assert_eq!(guid, md5_uuid(b"\"string\""));
    let (_, version) = s.get("/subjects/g/versions/1").await;
    assert_eq!(version["guid"], guid.as_str());
    let (_, by_id) = s.get(&format!("/schemas/ids/{}", reg["id"])).await;
    assert_eq!(by_id["guid"], guid.as_str());

    let (status, by_guid) = s.get(&format!("/schemas/guids/{guid}")).await;
    assert_eq!(status, 200, "{by_guid}");
    assert_eq!(by_guid["schema"], "\"string\"");
    assert_eq!(by_guid["guid"], guid.as_str());
    let (status, ids) = s.get(&format!("/schemas/guids/{guid}/ids")).await;
    assert_eq!(
        (status, ids),
        (200, json!([{"context": ".", "id": reg["id"]}]))
    );

    // Metadata takes part: a different guid for the same text.
    let (_, other) = s
        .post(
            "/subjects/g2/versions",
            json!({"schema": "\"string\"", "metadata": {"properties": {"k": "v"}}}),
        )
        .await;
    assert_ne!(other["guid"], guid.as_str());
    let mut material = b"\"string\"".to_vec();
    material.extend_from_slice(&[1]);
    material.extend_from_slice(b"kv");
    assert_eq!(other["guid"], md5_uuid(&material).as_str());
}

#[tokio::test]
async fn an_unknown_guid_is_40403_and_the_7x_dialect_has_no_guid() {
    let s = v8().await;
    let (status, body) = s
        .get("/schemas/guids/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (404, Some(40403)),
        "{body}"
    );
    let s7 = TestServer::start().await;
    let id = s7.register_ok("g", &json!("string")).await;
    let (_, body) = s7.get(&format!("/schemas/ids/{id}")).await;
    assert!(body.get("guid").is_none(), "{body}");
}

// ---- Avro identity as Confluent has it ----

#[tokio::test]
async fn avro_names_spelled_differently_share_an_id_and_a_version() {
    let s = TestServer::start().await;
    let full = json!({"type": "record", "name": "a.b.R", "fields": [
        {"name": "s", "type": {"type": "fixed", "name": "S", "size": 2}},
        {"name": "t", "type": "a.b.S"},
        {"name": "n", "type": {"type": "record", "name": "N", "namespace": "a.b", "fields": []}}]});
    let split = json!({"type": "record", "name": "R", "namespace": "a.b", "fields": [
        {"name": "s", "type": {"type": "fixed", "name": "S", "size": 2}},
        {"name": "t", "type": "S"},
        {"name": "n", "type": {"type": "record", "name": "N", "fields": []}}]});
    let id = s.register_ok("r", &full).await;
    assert_eq!(s.register_ok("r", &split).await, id);
    assert_eq!(s.get("/subjects/r/versions").await, (200, json!([1])));
    let (status, found) = s
        .post("/subjects/r", json!({"schema": split.to_string()}))
        .await;
    assert_eq!((status, found["id"].as_i64()), (200, Some(id)), "{found}");
}

#[tokio::test]
async fn avro_error_records_decimal_and_uuid_defaults_are_accepted() {
    let s = TestServer::start().await;
    let error = json!({"type": "error", "name": "Failure", "fields": [{"name": "message", "type": "string"}]});
    let (status, body) = s.register("err", &error).await;
    assert_eq!(status, 200, "{body}");
    let (_, stored) = s.get("/subjects/err/versions/1").await;
    assert!(
        stored["schema"]
            .as_str()
            .unwrap()
            .contains(r#""type":"error""#),
        "{stored}"
    );

    let defaults = record(
        "D",
        json!([
            {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2}, "default": "\u{0000}"},
            {"name": "id", "type": {"type": "string", "logicalType": "uuid"}, "default": "not-a-uuid"}
        ]),
    );
    let (status, body) = s.register("defaults", &defaults).await;
    assert_eq!(status, 200, "{body}");
    // The defaults still count for compatibility: adding such a field is backward compatible.
    let base = record("D", json!([]));
    s.register_ok("added", &base).await;
    let (status, body) = s.register("added", &defaults).await;
    assert_eq!(status, 200, "{body}");
}
