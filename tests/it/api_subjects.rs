//! Subject listing, version reads, raw schema text, `referencedby`, and subject names.

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

fn v1() -> Value {
    record("User", json!([{"name": "a", "type": "string"}]))
}

fn v2() -> Value {
    record(
        "User",
        json!([{"name": "a", "type": "string"}, {"name": "b", "type": "int", "default": 0}]),
    )
}

async fn two_versions() -> (TestServer, i64, i64) {
    let s = TestServer::start().await;
    let id1 = s.register_ok("s", &v1()).await;
    let id2 = s.register_ok("s", &v2()).await;
    (s, id1, id2)
}

async fn text(s: &TestServer, path: &str) -> (u16, String) {
    let resp = s.client.get(s.url(path)).send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

// ---- GET /subjects ----

#[tokio::test]
async fn list_subjects_is_empty_on_a_fresh_registry() {
    let s = TestServer::start().await;
    assert_eq!(s.get("/subjects").await, (200, json!([])));
}

#[tokio::test]
async fn list_subjects_is_sorted() {
    let s = TestServer::start().await;
    s.register_ok("zeta", &v1()).await;
    s.register_ok("alpha", &v1()).await;
    s.register_ok("mid", &v1()).await;
    assert_eq!(
        s.get("/subjects").await,
        (200, json!(["alpha", "mid", "zeta"]))
    );
}

#[tokio::test]
async fn list_subjects_filters_by_subject_prefix() {
    let s = TestServer::start().await;
    s.register_ok("orders-value", &v1()).await;
    s.register_ok("orders-key", &v1()).await;
    s.register_ok("users-value", &v1()).await;
    let (status, body) = s.get("/subjects?subjectPrefix=orders").await;
    assert_eq!((status, body), (200, json!(["orders-key", "orders-value"])));
}

// ---- GET /subjects/{s}/versions ----

#[tokio::test]
async fn list_versions_is_ascending() {
    let (s, _, _) = two_versions().await;
    assert_eq!(s.get("/subjects/s/versions").await, (200, json!([1, 2])));
}

#[tokio::test]
async fn list_versions_of_an_unknown_subject_is_40401() {
    let s = TestServer::start().await;
    assert_error(s.get("/subjects/nope/versions").await, 404, 40401);
}

// ---- GET /subjects/{s}/versions/{v} ----

#[tokio::test]
async fn a_version_reads_back_as_subject_version_id_and_schema() {
    let (s, id1, _) = two_versions().await;
    let (status, body) = s.get("/subjects/s/versions/1").await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"subject": "s", "version": 1, "id": id1, "schema": v1().to_string()})
    );
}

#[tokio::test]
async fn latest_and_minus_one_read_the_highest_version() {
    let (s, _, id2) = two_versions().await;
    for v in ["latest", "-1"] {
        let (status, body) = s.get(&format!("/subjects/s/versions/{v}")).await;
        assert_eq!(status, 200, "{v}: {body}");
        assert_eq!(
            (body["version"].as_i64(), body["id"].as_i64()),
            (Some(2), Some(id2)),
            "{v}"
        );
    }
}

#[tokio::test]
async fn latest_is_case_insensitive() {
    let (s, _, _) = two_versions().await;
    let (status, body) = s.get("/subjects/s/versions/LATEST").await;
    assert_eq!((status, body["version"].as_i64()), (200, Some(2)), "{body}");
}

#[tokio::test]
async fn a_version_of_an_unknown_subject_is_40401() {
    let s = TestServer::start().await;
    assert_error(s.get("/subjects/nope/versions/1").await, 404, 40401);
    assert_error(s.get("/subjects/nope/versions/latest").await, 404, 40401);
}

#[tokio::test]
async fn a_missing_version_of_a_known_subject_is_40402() {
    let (s, _, _) = two_versions().await;
    assert_error(s.get("/subjects/s/versions/3").await, 404, 40402);
}

#[tokio::test]
async fn version_zero_is_42202() {
    let (s, _, _) = two_versions().await;
    assert_error(s.get("/subjects/s/versions/0").await, 422, 42202);
}

#[tokio::test]
async fn version_minus_two_is_42202() {
    let (s, _, _) = two_versions().await;
    assert_error(s.get("/subjects/s/versions/-2").await, 422, 42202);
}

#[tokio::test]
async fn a_non_numeric_version_is_42202() {
    let (s, _, _) = two_versions().await;
    assert_error(s.get("/subjects/s/versions/abc").await, 422, 42202);
}

// ---- GET /subjects/{s}/versions/{v}/schema ----

#[tokio::test]
async fn raw_schema_of_a_version_is_the_unquoted_schema_text() {
    let (s, _, _) = two_versions().await;
    assert_eq!(
        text(&s, "/subjects/s/versions/1/schema").await,
        (200, v1().to_string())
    );
    assert_eq!(
        text(&s, "/subjects/s/versions/latest/schema").await,
        (200, v2().to_string())
    );
}

#[tokio::test]
async fn raw_schema_of_a_missing_version_is_40402() {
    let (s, _, _) = two_versions().await;
    assert_error(s.get("/subjects/s/versions/9/schema").await, 404, 40402);
}

// ---- GET /subjects/{s}/versions/{v}/referencedby ----

#[tokio::test]
async fn referencedby_of_an_unreferenced_version_is_an_empty_list() {
    let (s, _, _) = two_versions().await;
    assert_eq!(
        s.get("/subjects/s/versions/1/referencedby").await,
        (200, json!([]))
    );
}

#[tokio::test]
async fn referencedby_of_an_unknown_subject_is_40401() {
    let s = TestServer::start().await;
    assert_error(
        s.get("/subjects/nope/versions/1/referencedby").await,
        404,
        40401,
    );
}

#[tokio::test]
async fn referencedby_of_a_missing_version_is_40402() {
    let (s, _, _) = two_versions().await;
    assert_error(
        s.get("/subjects/s/versions/7/referencedby").await,
        404,
        40402,
    );
}

// ---- subject names ----

#[tokio::test]
async fn a_percent_encoded_slash_stays_inside_the_subject_name() {
    let s = TestServer::start().await;
    let id = s.register_ok("a%2Fb", &v1()).await;
    assert_eq!(s.get("/subjects").await.1, json!(["a/b"]));
    let (status, body) = s.get("/subjects/a%2Fb/versions/1").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["subject"].as_str(), body["id"].as_i64()),
        (Some("a/b"), Some(id))
    );
}

#[tokio::test]
async fn a_percent_encoded_colon_is_part_of_the_subject_name() {
    let s = TestServer::start().await;
    s.register_ok("team%3Aorders-value", &v1()).await;
    assert_eq!(s.get("/subjects").await.1, json!(["team:orders-value"]));
    let (status, body) = s.get("/subjects/team%3Aorders-value/versions/latest").await;
    assert_eq!(
        (status, body["subject"].clone()),
        (200, json!("team:orders-value")),
        "{body}"
    );
}

#[tokio::test]
async fn a_protobuf_style_path_subject_round_trips() {
    let s = TestServer::start().await;
    s.register_ok("google%2Ftype%2Fdate.proto", &v1()).await;
    let (status, body) = s.get("/subjects/google%2Ftype%2Fdate.proto/versions").await;
    assert_eq!((status, body), (200, json!([1])));
    assert_eq!(
        s.get("/subjects").await.1,
        json!(["google/type/date.proto"])
    );
}

#[tokio::test]
async fn registering_under_the_reserved_global_subject_is_42208() {
    let s = TestServer::start().await;
    assert_error(s.register("__GLOBAL", &v1()).await, 422, 42208);
    assert_eq!(s.get("/subjects").await.1, json!([]));
}

// ---- GET /subjects/{s}/metadata ----

async fn with_metadata(s: &TestServer, subject: &str, schema: &Value, properties: Value) -> i64 {
    let (status, body) = s
        .post(
            &format!("/subjects/{subject}/versions"),
            json!({"schema": schema.to_string(), "metadata": {"properties": properties}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["id"].as_i64().unwrap()
}

#[tokio::test]
async fn metadata_lookup_answers_the_latest_version_holding_every_pair() {
    let s = TestServer::start().await;
    let id1 = with_metadata(&s, "m", &v1(), json!({"app": "a", "major": "1"})).await;
    let id2 = with_metadata(&s, "m", &v2(), json!({"app": "a", "major": "2"})).await;
    let (status, body) = s.get("/subjects/m/metadata?key=app&value=a").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["version"].clone(), body["id"].as_i64()),
        (json!(2), Some(id2))
    );
    assert_eq!(body["subject"], "m");
    assert_eq!(body["metadata"]["properties"]["major"], "2");
    assert!(body["schema"].is_string());

    let (status, body) = s
        .get("/subjects/m/metadata?key=app&key=major&value=a&value=1")
        .await;
    assert_eq!((status, body["id"].as_i64()), (200, Some(id1)), "{body}");
    // Confluent's JavaScript client sends an empty segment.
    let (status, body) = s
        .get("/subjects/m/metadata?deleted=false&&key=major&value=1")
        .await;
    assert_eq!((status, body["version"].clone()), (200, json!(1)), "{body}");
}

#[tokio::test]
async fn metadata_lookup_errors_and_soft_deleted_versions() {
    let s = TestServer::start().await;
    assert_error(
        s.get("/subjects/nope/metadata?key=a&value=b").await,
        404,
        40401,
    );
    with_metadata(&s, "m", &v1(), json!({"major": "1"})).await;
    with_metadata(&s, "m", &v2(), json!({"major": "2"})).await;
    assert_error(
        s.get("/subjects/m/metadata?key=major&value=3").await,
        404,
        40403,
    );
    assert_error(
        s.get("/subjects/m/metadata?key=minor&value=1").await,
        404,
        40403,
    );
    // A schema without metadata never matches a pair.
    s.register_ok("plain", &v1()).await;
    assert_error(
        s.get("/subjects/plain/metadata?key=a&value=b").await,
        404,
        40403,
    );

    assert_eq!(s.delete("/subjects/m/versions/1").await.0, 200);
    assert_error(
        s.get("/subjects/m/metadata?key=major&value=1").await,
        404,
        40403,
    );
    let (status, body) = s
        .get("/subjects/m/metadata?key=major&value=1&deleted=true")
        .await;
    assert_eq!((status, body["version"].clone()), (200, json!(1)), "{body}");
}

// ---- POST /subjects/{s}/versions without a body ----

#[tokio::test]
async fn register_without_a_body_registers_nothing() {
    let s = TestServer::start().await;
    assert_error(s.call("POST", "/subjects/e/versions", None).await, 422, 422);
    s.register_ok("e", &v1()).await;
    assert_error(s.call("POST", "/subjects/e/versions", None).await, 422, 422);
    assert_eq!(s.get("/subjects/e/versions").await, (200, json!([1])));
    // An empty schema still re-registers the latest with new metadata.
    let (status, body) = s
        .post(
            "/subjects/e/versions",
            json!({"schema": "", "metadata": {"properties": {"owner": "x"}}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s.get("/subjects/e/versions").await, (200, json!([1, 2])));
}
