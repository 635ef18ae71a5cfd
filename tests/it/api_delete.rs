//! Soft and permanent deletes of subjects and versions, and what every read shows afterwards.

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

fn schema(n: usize) -> Value {
    // Each extra field has a default, so every schema is BACKWARD-compatible with the previous.
    let mut fields = vec![json!({"name": "a", "type": "string"})];
    for i in 1..n {
        fields.push(json!({"name": format!("f{i}"), "type": "int", "default": 0}));
    }
    record("User", Value::Array(fields))
}

/// A server with subject `s` holding versions 1..=n; returns the server and the ids.
async fn with_versions(n: usize) -> (TestServer, Vec<i64>) {
    let s = TestServer::start().await;
    let mut ids = Vec::new();
    for i in 1..=n {
        ids.push(s.register_ok("s", &schema(i)).await);
    }
    (s, ids)
}

// ---- DELETE /subjects/{s} ----

#[tokio::test]
async fn soft_deleting_a_subject_returns_its_versions_and_hides_it() {
    let (s, _) = with_versions(2).await;
    assert_eq!(s.delete("/subjects/s").await, (200, json!([1, 2])));
    assert_eq!(s.get("/subjects").await.1, json!([]));
    assert_eq!(s.get("/subjects?deleted=true").await.1, json!(["s"]));
}

#[tokio::test]
async fn deleted_only_lists_only_fully_soft_deleted_subjects() {
    let (s, _) = with_versions(1).await;
    s.register_ok("live", &schema(1)).await;
    assert_eq!(s.delete("/subjects/s").await.0, 200);
    assert_eq!(
        s.get("/subjects?deletedOnly=true").await,
        (200, json!(["s"]))
    );
    assert_eq!(
        s.get("/subjects?deleted=true").await.1,
        json!(["live", "s"])
    );
}

#[tokio::test]
async fn soft_deleting_a_subject_twice_is_40404() {
    let (s, _) = with_versions(1).await;
    assert_eq!(s.delete("/subjects/s").await.0, 200);
    assert_error(s.delete("/subjects/s").await, 404, 40404);
}

#[tokio::test]
async fn permanently_deleting_a_live_subject_is_40405() {
    let (s, _) = with_versions(1).await;
    assert_error(s.delete("/subjects/s?permanent=true").await, 404, 40405);
    assert_eq!(s.get("/subjects").await.1, json!(["s"]));
}

#[tokio::test]
async fn permanent_delete_after_soft_delete_removes_the_subject() {
    let (s, _) = with_versions(2).await;
    assert_eq!(s.delete("/subjects/s").await.0, 200);
    assert_eq!(
        s.delete("/subjects/s?permanent=true").await,
        (200, json!([1, 2]))
    );
    assert_eq!(s.get("/subjects?deleted=true").await.1, json!([]));
    assert_error(s.get("/subjects/s/versions?deleted=true").await, 404, 40401);
}

#[tokio::test]
async fn deleting_an_unknown_subject_is_40401() {
    let s = TestServer::start().await;
    assert_error(s.delete("/subjects/nope").await, 404, 40401);
    assert_error(s.delete("/subjects/nope?permanent=true").await, 404, 40401);
}

#[tokio::test]
async fn versions_of_a_soft_deleted_subject_are_40401_unless_deleted_true() {
    let (s, _) = with_versions(2).await;
    assert_eq!(s.delete("/subjects/s").await.0, 200);
    assert_error(s.get("/subjects/s/versions").await, 404, 40401);
    assert_eq!(
        s.get("/subjects/s/versions?deleted=true").await,
        (200, json!([1, 2]))
    );
}

#[tokio::test]
async fn reading_a_version_of_a_soft_deleted_subject_is_40401() {
    let (s, _) = with_versions(1).await;
    assert_eq!(s.delete("/subjects/s").await.0, 200);
    assert_error(s.get("/subjects/s/versions/latest").await, 404, 40401);
    assert_error(s.get("/subjects/s/versions/1").await, 404, 40401);
    let (status, body) = s.get("/subjects/s/versions/1?deleted=true").await;
    assert_eq!((status, body["version"].as_i64()), (200, Some(1)), "{body}");
}

#[tokio::test]
async fn a_soft_deleted_subject_comes_back_with_the_next_version_number() {
    let (s, _) = with_versions(2).await;
    assert_eq!(s.delete("/subjects/s").await.0, 200);
    let id = s.register_ok("s", &schema(3)).await;
    let (_, latest) = s.get("/subjects/s/versions/latest").await;
    assert_eq!(
        (latest["version"].as_i64(), latest["id"].as_i64()),
        (Some(3), Some(id))
    );
    assert_eq!(s.get("/subjects").await.1, json!(["s"]));
    assert_eq!(s.get("/subjects/s/versions").await.1, json!([3]));
}

#[tokio::test]
async fn a_permanently_deleted_subject_starts_again_at_version_one() {
    let (s, _) = with_versions(2).await;
    s.delete("/subjects/s").await;
    assert_eq!(s.delete("/subjects/s?permanent=true").await.0, 200);
    s.register_ok("s", &schema(3)).await;
    assert_eq!(s.get("/subjects/s/versions").await.1, json!([1]));
}

#[tokio::test]
async fn subject_config_survives_soft_delete_and_goes_with_permanent_delete() {
    let (s, _) = with_versions(1).await;
    assert_eq!(
        s.put("/config/s", json!({"compatibility": "FULL"})).await.0,
        200
    );
    s.delete("/subjects/s").await;
    assert_eq!(
        s.get("/config/s").await,
        (200, json!({"compatibilityLevel": "FULL"}))
    );
    assert_eq!(s.delete("/subjects/s?permanent=true").await.0, 200);
    assert_error(s.get("/config/s").await, 404, 40408);
}

#[tokio::test]
async fn subject_mode_survives_soft_delete_and_goes_with_permanent_delete() {
    let (s, _) = with_versions(1).await;
    assert_eq!(s.put("/mode/s", json!({"mode": "READWRITE"})).await.0, 200);
    s.delete("/subjects/s").await;
    assert_eq!(s.get("/mode/s").await, (200, json!({"mode": "READWRITE"})));
    assert_eq!(s.delete("/subjects/s?permanent=true").await.0, 200);
    assert_error(s.get("/mode/s").await, 404, 40409);
}

// ---- DELETE /subjects/{s}/versions/{v} ----

#[tokio::test]
async fn soft_deleting_a_version_returns_its_number_and_hides_it() {
    let (s, _) = with_versions(2).await;
    assert_eq!(s.delete("/subjects/s/versions/1").await, (200, json!(1)));
    assert_eq!(s.get("/subjects/s/versions").await.1, json!([2]));
    assert_eq!(
        s.get("/subjects/s/versions?deleted=true").await.1,
        json!([1, 2])
    );
    assert_eq!(
        s.get("/subjects/s/versions?deletedOnly=true").await.1,
        json!([1])
    );
}

#[tokio::test]
async fn a_soft_deleted_version_reads_only_with_deleted_true() {
    let (s, ids) = with_versions(2).await;
    s.delete("/subjects/s/versions/1").await;
    assert_error(s.get("/subjects/s/versions/1").await, 404, 40402);
    let (status, body) = s.get("/subjects/s/versions/1?deleted=true").await;
    assert_eq!((status, body["id"].as_i64()), (200, Some(ids[0])), "{body}");
}

#[tokio::test]
async fn latest_after_soft_deleting_the_latest_is_the_next_lower_version() {
    let (s, ids) = with_versions(3).await;
    assert_eq!(s.delete("/subjects/s/versions/3").await, (200, json!(3)));
    let (_, latest) = s.get("/subjects/s/versions/latest").await;
    assert_eq!(
        (latest["version"].as_i64(), latest["id"].as_i64()),
        (Some(2), Some(ids[1]))
    );
    // `deleted=true` has no effect on `latest`.
    let (_, latest) = s.get("/subjects/s/versions/latest?deleted=true").await;
    assert_eq!(latest["version"].as_i64(), Some(2));
}

#[tokio::test]
async fn deleting_latest_deletes_the_highest_live_version() {
    let (s, _) = with_versions(2).await;
    assert_eq!(
        s.delete("/subjects/s/versions/latest").await,
        (200, json!(2))
    );
    assert_eq!(s.delete("/subjects/s/versions/-1").await, (200, json!(1)));
}

#[tokio::test]
async fn version_numbers_are_never_reused_after_a_soft_delete() {
    let (s, _) = with_versions(2).await;
    s.delete("/subjects/s/versions/2").await;
    s.register_ok("s", &schema(3)).await;
    assert_eq!(s.get("/subjects/s/versions").await.1, json!([1, 3]));
    assert_eq!(
        s.get("/subjects/s/versions?deleted=true").await.1,
        json!([1, 2, 3])
    );
}

#[tokio::test]
async fn soft_deleting_a_version_twice_is_40406() {
    let (s, _) = with_versions(2).await;
    s.delete("/subjects/s/versions/1").await;
    assert_error(s.delete("/subjects/s/versions/1").await, 404, 40406);
}

#[tokio::test]
async fn permanently_deleting_a_live_version_is_40407() {
    let (s, _) = with_versions(2).await;
    assert_error(
        s.delete("/subjects/s/versions/1?permanent=true").await,
        404,
        40407,
    );
    assert_eq!(s.get("/subjects/s/versions").await.1, json!([1, 2]));
}

#[tokio::test]
async fn permanent_version_delete_after_soft_delete_removes_it() {
    let (s, _) = with_versions(2).await;
    s.delete("/subjects/s/versions/1").await;
    assert_eq!(
        s.delete("/subjects/s/versions/1?permanent=true").await,
        (200, json!(1))
    );
    assert_eq!(
        s.get("/subjects/s/versions?deleted=true").await.1,
        json!([2])
    );
    assert_error(
        s.get("/subjects/s/versions/1?deleted=true").await,
        404,
        40402,
    );
}

#[tokio::test]
async fn deleting_a_version_of_an_unknown_subject_is_40401() {
    let s = TestServer::start().await;
    assert_error(s.delete("/subjects/nope/versions/1").await, 404, 40401);
}

#[tokio::test]
async fn deleting_a_missing_version_is_40402() {
    let (s, _) = with_versions(1).await;
    assert_error(s.delete("/subjects/s/versions/5").await, 404, 40402);
}

#[tokio::test]
async fn deleting_an_invalid_version_is_42202() {
    let (s, _) = with_versions(1).await;
    assert_error(s.delete("/subjects/s/versions/0").await, 422, 42202);
    assert_error(s.delete("/subjects/s/versions/abc").await, 422, 42202);
}

// ---- ids outlive soft deletes ----

#[tokio::test]
async fn an_id_stays_readable_after_its_only_version_is_soft_deleted() {
    let (s, ids) = with_versions(1).await;
    s.delete("/subjects/s").await;
    let (status, body) = s.get(&format!("/schemas/ids/{}", ids[0])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["schema"], json!(schema(1).to_string()));
}

#[tokio::test]
async fn an_id_is_40403_after_permanent_delete_of_its_only_user() {
    let (s, ids) = with_versions(1).await;
    s.delete("/subjects/s").await;
    assert_eq!(s.delete("/subjects/s?permanent=true").await.0, 200);
    assert_error(s.get(&format!("/schemas/ids/{}", ids[0])).await, 404, 40403);
}

#[tokio::test]
async fn an_id_still_used_by_another_subject_survives_permanent_delete() {
    let (s, ids) = with_versions(1).await;
    s.register_ok("other", &schema(1)).await;
    s.delete("/subjects/s").await;
    assert_eq!(s.delete("/subjects/s?permanent=true").await.0, 200);
    assert_eq!(s.get(&format!("/schemas/ids/{}", ids[0])).await.0, 200);
}

#[tokio::test]
async fn deleted_only_versions_of_a_live_subject_is_an_empty_list() {
    let (s, _) = with_versions(2).await;
    assert_eq!(
        s.get("/subjects/s/versions?deletedOnly=true").await,
        (200, json!([]))
    );
}

#[tokio::test]
async fn lookup_in_a_soft_deleted_subject_is_40401() {
    let (s, _) = with_versions(1).await;
    s.delete("/subjects/s").await;
    let resp = s
        .post("/subjects/s", json!({"schema": schema(1).to_string()}))
        .await;
    assert_error(resp, 404, 40401);
}

#[tokio::test]
async fn reregistering_a_soft_deleted_schema_makes_a_new_version_with_the_same_id() {
    let (s, ids) = with_versions(2).await;
    s.delete("/subjects/s/versions/2").await;
    assert_eq!(s.register_ok("s", &schema(2)).await, ids[1]);
    let (_, latest) = s.get("/subjects/s/versions/latest").await;
    assert_eq!(
        (latest["version"].as_i64(), latest["id"].as_i64()),
        (Some(3), Some(ids[1]))
    );
}

#[tokio::test]
async fn ids_are_not_reused_after_a_permanent_delete() {
    let (s, ids) = with_versions(1).await;
    s.delete("/subjects/s").await;
    assert_eq!(s.delete("/subjects/s?permanent=true").await.0, 200);
    let fresh = s
        .register_ok(
            "s",
            &record("Other", json!([{"name": "x", "type": "long"}])),
        )
        .await;
    assert_ne!(fresh, ids[0]);
}
