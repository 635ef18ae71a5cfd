//! `/config` and `/mode`, global and per subject, and what READONLY refuses.

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

// ---- global config ----

#[tokio::test]
async fn the_default_global_level_is_backward() {
    let s = TestServer::start().await;
    assert_eq!(
        s.get("/config").await,
        (200, json!({"compatibilityLevel": "BACKWARD"}))
    );
}

#[tokio::test]
async fn put_config_answers_compatibility_and_get_answers_compatibility_level() {
    let s = TestServer::start().await;
    let put = s.put("/config", json!({"compatibility": "FULL"})).await;
    assert_eq!(put, (200, json!({"compatibility": "FULL"})));
    assert_eq!(
        s.get("/config").await,
        (200, json!({"compatibilityLevel": "FULL"}))
    );
}

#[tokio::test]
async fn every_level_is_accepted() {
    let s = TestServer::start().await;
    for level in [
        "NONE",
        "BACKWARD",
        "BACKWARD_TRANSITIVE",
        "FORWARD",
        "FORWARD_TRANSITIVE",
        "FULL",
        "FULL_TRANSITIVE",
    ] {
        let (status, body) = s.put("/config", json!({"compatibility": level})).await;
        assert_eq!((status, body), (200, json!({"compatibility": level})));
        assert_eq!(
            s.get("/config").await.1,
            json!({"compatibilityLevel": level})
        );
    }
}

#[tokio::test]
async fn level_names_are_case_insensitive_and_stored_upper_case() {
    let s = TestServer::start().await;
    assert_eq!(
        s.put("/config", json!({"compatibility": "forward_transitive"}))
            .await
            .0,
        200
    );
    assert_eq!(
        s.get("/config").await.1,
        json!({"compatibilityLevel": "FORWARD_TRANSITIVE"})
    );
}

#[tokio::test]
async fn an_unknown_level_is_42203() {
    let s = TestServer::start().await;
    assert_error(
        s.put("/config", json!({"compatibility": "SIDEWAYS"})).await,
        422,
        42203,
    );
    assert_error(
        s.put("/config/s", json!({"compatibility": "SIDEWAYS"}))
            .await,
        422,
        42203,
    );
    assert_eq!(
        s.get("/config").await.1,
        json!({"compatibilityLevel": "BACKWARD"})
    );
}

#[tokio::test]
async fn delete_global_config_returns_the_old_level_and_reverts_to_backward() {
    let s = TestServer::start().await;
    s.put("/config", json!({"compatibility": "NONE"})).await;
    assert_eq!(
        s.delete("/config").await,
        (200, json!({"compatibilityLevel": "NONE"}))
    );
    assert_eq!(
        s.get("/config").await.1,
        json!({"compatibilityLevel": "BACKWARD"})
    );
}

// ---- subject config ----

#[tokio::test]
async fn a_subject_without_its_own_level_is_40408() {
    let s = TestServer::start().await;
    s.register_ok("s", &v1()).await;
    assert_error(s.get("/config/s").await, 404, 40408);
}

#[tokio::test]
async fn default_to_global_answers_the_effective_level() {
    let s = TestServer::start().await;
    s.put("/config", json!({"compatibility": "FULL"})).await;
    let resp = s.get("/config/s?defaultToGlobal=true").await;
    assert_eq!(resp, (200, json!({"compatibilityLevel": "FULL"})));
}

#[tokio::test]
async fn a_subject_level_needs_no_existing_subject() {
    let s = TestServer::start().await;
    let put = s
        .put("/config/unborn", json!({"compatibility": "NONE"}))
        .await;
    assert_eq!(put, (200, json!({"compatibility": "NONE"})));
    assert_eq!(
        s.get("/config/unborn").await,
        (200, json!({"compatibilityLevel": "NONE"}))
    );
    assert_eq!(
        s.get("/config").await.1,
        json!({"compatibilityLevel": "BACKWARD"})
    );
}

#[tokio::test]
async fn default_to_global_prefers_the_subject_level() {
    let s = TestServer::start().await;
    s.put("/config/s", json!({"compatibility": "FORWARD"}))
        .await;
    let resp = s.get("/config/s?defaultToGlobal=true").await;
    assert_eq!(resp, (200, json!({"compatibilityLevel": "FORWARD"})));
}

#[tokio::test]
async fn delete_subject_config_returns_the_old_level_and_removes_it() {
    let s = TestServer::start().await;
    s.put("/config/s", json!({"compatibility": "FULL"})).await;
    assert_eq!(
        s.delete("/config/s").await,
        (200, json!({"compatibilityLevel": "FULL"}))
    );
    assert_error(s.get("/config/s").await, 404, 40408);
}

#[tokio::test]
async fn delete_subject_config_when_none_is_set_is_40401() {
    let s = TestServer::start().await;
    assert_error(s.delete("/config/s").await, 404, 40401);
}

// ---- global mode ----

#[tokio::test]
async fn the_default_mode_is_readwrite() {
    let s = TestServer::start().await;
    assert_eq!(s.get("/mode").await, (200, json!({"mode": "READWRITE"})));
}

#[tokio::test]
async fn put_mode_echoes_and_reads_back() {
    let s = TestServer::start().await;
    assert_eq!(
        s.put("/mode", json!({"mode": "READONLY"})).await,
        (200, json!({"mode": "READONLY"}))
    );
    assert_eq!(s.get("/mode").await, (200, json!({"mode": "READONLY"})));
}

#[tokio::test]
async fn an_unknown_mode_is_42204() {
    let s = TestServer::start().await;
    assert_error(
        s.put("/mode", json!({"mode": "SOMETIMES"})).await,
        422,
        42204,
    );
    assert_error(
        s.put("/mode/s", json!({"mode": "SOMETIMES"})).await,
        422,
        42204,
    );
    assert_eq!(s.get("/mode").await.1, json!({"mode": "READWRITE"}));
}

#[tokio::test]
async fn readonly_refuses_registration_with_42205() {
    let s = TestServer::start().await;
    s.put("/mode", json!({"mode": "READONLY"})).await;
    assert_error(s.register("s", &v1()).await, 422, 42205);
    assert_eq!(s.get("/subjects").await.1, json!([]));
}

#[tokio::test]
async fn readonly_override_refuses_registration_with_42205() {
    let s = TestServer::start().await;
    let put = s.put("/mode", json!({"mode": "READONLY_OVERRIDE"})).await;
    assert_eq!(put, (200, json!({"mode": "READONLY_OVERRIDE"})));
    assert_error(s.register("s", &v1()).await, 422, 42205);
}

#[tokio::test]
async fn readonly_refuses_deletes_with_42205() {
    let s = TestServer::start().await;
    s.register_ok("s", &v1()).await;
    s.put("/mode", json!({"mode": "READONLY"})).await;
    assert_error(s.delete("/subjects/s/versions/1").await, 422, 42205);
    assert_error(s.delete("/subjects/s").await, 422, 42205);
    assert_eq!(s.get("/subjects/s/versions").await.1, json!([1]));
}

#[tokio::test]
async fn readonly_refuses_config_updates_with_42205() {
    let s = TestServer::start().await;
    s.put("/mode", json!({"mode": "READONLY"})).await;
    assert_error(
        s.put("/config", json!({"compatibility": "NONE"})).await,
        422,
        42205,
    );
    assert_error(
        s.put("/config/s", json!({"compatibility": "NONE"})).await,
        422,
        42205,
    );
    assert_eq!(
        s.get("/config").await.1,
        json!({"compatibilityLevel": "BACKWARD"})
    );
}

#[tokio::test]
async fn readonly_still_serves_reads_and_lookups() {
    let s = TestServer::start().await;
    let id = s.register_ok("s", &v1()).await;
    s.put("/mode", json!({"mode": "READONLY"})).await;
    assert_eq!(s.get("/subjects/s/versions/latest").await.0, 200);
    assert_eq!(s.get(&format!("/schemas/ids/{id}")).await.0, 200);
    let (status, found) = s
        .post("/subjects/s", json!({"schema": v1().to_string()}))
        .await;
    assert_eq!((status, found["id"].as_i64()), (200, Some(id)), "{found}");
    let compat = s
        .post(
            "/compatibility/subjects/s/versions/latest",
            json!({"schema": v2().to_string()}),
        )
        .await;
    assert_eq!(compat, (200, json!({"is_compatible": true})));
}

#[tokio::test]
async fn mode_changes_are_allowed_while_readonly() {
    let s = TestServer::start().await;
    s.put("/mode", json!({"mode": "READONLY"})).await;
    assert_eq!(s.put("/mode", json!({"mode": "READWRITE"})).await.0, 200);
    s.register_ok("s", &v1()).await;
}

// ---- subject mode ----

#[tokio::test]
async fn a_subject_without_its_own_mode_is_40409() {
    let s = TestServer::start().await;
    assert_error(s.get("/mode/s").await, 404, 40409);
}

#[tokio::test]
async fn subject_mode_default_to_global_answers_the_global_mode() {
    let s = TestServer::start().await;
    assert_eq!(
        s.get("/mode/s?defaultToGlobal=true").await,
        (200, json!({"mode": "READWRITE"}))
    );
}

#[tokio::test]
async fn a_readonly_subject_refuses_writes_only_for_itself() {
    let s = TestServer::start().await;
    let put = s.put("/mode/locked", json!({"mode": "READONLY"})).await;
    assert_eq!(put, (200, json!({"mode": "READONLY"})));
    assert_eq!(
        s.get("/mode/locked").await,
        (200, json!({"mode": "READONLY"}))
    );
    assert_error(s.register("locked", &v1()).await, 422, 42205);
    s.register_ok("open", &v1()).await;
    assert_eq!(s.get("/mode").await.1, json!({"mode": "READWRITE"}));
}

#[tokio::test]
async fn a_readwrite_subject_mode_beats_a_readonly_global_mode() {
    let s = TestServer::start().await;
    s.put("/mode/open", json!({"mode": "READWRITE"})).await;
    s.put("/mode", json!({"mode": "READONLY"})).await;
    s.register_ok("open", &v1()).await;
    assert_error(s.register("other", &v1()).await, 422, 42205);
}

#[tokio::test]
async fn delete_subject_mode_returns_the_old_mode_and_removes_it() {
    let s = TestServer::start().await;
    s.put("/mode/s", json!({"mode": "READONLY"})).await;
    assert_eq!(
        s.delete("/mode/s").await,
        (200, json!({"mode": "READONLY"}))
    );
    assert_error(s.get("/mode/s").await, 404, 40409);
    s.register_ok("s", &v1()).await;
}

#[tokio::test]
async fn delete_subject_mode_when_none_is_set_is_40401() {
    let s = TestServer::start().await;
    assert_error(s.delete("/mode/s").await, 404, 40401);
}
