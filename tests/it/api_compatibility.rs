//! The seven compatibility levels at registration, and the `/compatibility/...` endpoints.

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

fn a() -> Value {
    json!({"name": "a", "type": "string"})
}
fn b_default() -> Value {
    json!({"name": "b", "type": "int", "default": 0})
}
fn b_required() -> Value {
    json!({"name": "b", "type": "int"})
}
fn c_default() -> Value {
    json!({"name": "c", "type": "long", "default": 0})
}
fn c_required() -> Value {
    json!({"name": "c", "type": "long"})
}

fn user(fields: &[Value]) -> Value {
    record("User", Value::Array(fields.to_vec()))
}

async fn with_level(level: &str) -> TestServer {
    let s = TestServer::start().await;
    let (status, body) = s.put("/config", json!({"compatibility": level})).await;
    assert_eq!(status, 200, "{body}");
    s
}

/// Registers each schema in turn under subject `s` at `level`; returns the statuses.
async fn chain(level: &str, schemas: &[Value]) -> Vec<u16> {
    let s = with_level(level).await;
    let mut statuses = Vec::new();
    for schema in schemas {
        statuses.push(s.register("s", schema).await.0);
    }
    statuses
}

#[track_caller]
fn assert_incompatible(resp: (u16, Value)) {
    assert_error(resp, 409, 409);
}

// ---- each level: one passing and one failing registration ----

#[tokio::test]
async fn none_accepts_a_type_change() {
    let s = with_level("NONE").await;
    s.register_ok("s", &user(&[a()])).await;
    s.register_ok("s", &user(&[json!({"name": "a", "type": "int"})]))
        .await;
    s.register_ok("s", &json!("string")).await;
    assert_eq!(s.get("/subjects/s/versions").await.1, json!([1, 2, 3]));
}

#[tokio::test]
async fn backward_accepts_an_added_field_with_a_default() {
    assert_eq!(
        chain("BACKWARD", &[user(&[a()]), user(&[a(), b_default()])]).await,
        [200, 200]
    );
}

#[tokio::test]
async fn backward_rejects_an_added_field_without_a_default() {
    let s = with_level("BACKWARD").await;
    s.register_ok("s", &user(&[a()])).await;
    assert_incompatible(s.register("s", &user(&[a(), b_required()])).await);
    assert_eq!(s.get("/subjects/s/versions").await.1, json!([1]));
}

#[tokio::test]
async fn backward_is_the_default_level() {
    let s = TestServer::start().await;
    s.register_ok("s", &user(&[a()])).await;
    assert_incompatible(s.register("s", &user(&[a(), b_required()])).await);
}

#[tokio::test]
async fn backward_transitive_accepts_defaults_added_over_three_versions() {
    let schemas = [
        user(&[a()]),
        user(&[a(), b_default()]),
        user(&[a(), b_default(), c_default()]),
    ];
    assert_eq!(
        chain("BACKWARD_TRANSITIVE", &schemas).await,
        [200, 200, 200]
    );
}

#[tokio::test]
async fn backward_transitive_rejects_what_only_an_older_version_breaks() {
    // v3 reads v2 data (v2 has b), but not v1 data (v1 lacks b and v3 has no default for it).
    let schemas = [
        user(&[a()]),
        user(&[a(), b_default()]),
        user(&[a(), b_required()]),
    ];
    assert_eq!(chain("BACKWARD", &schemas).await, [200, 200, 200]);
    assert_eq!(
        chain("BACKWARD_TRANSITIVE", &schemas).await,
        [200, 200, 409]
    );
}

#[tokio::test]
async fn forward_accepts_an_added_field_without_a_default() {
    assert_eq!(
        chain("FORWARD", &[user(&[a()]), user(&[a(), b_required()])]).await,
        [200, 200]
    );
}

#[tokio::test]
async fn forward_rejects_removing_a_field_without_a_default() {
    let s = with_level("FORWARD").await;
    s.register_ok("s", &user(&[a(), b_required()])).await;
    assert_incompatible(s.register("s", &user(&[a()])).await);
}

#[tokio::test]
async fn forward_rejects_widening_int_to_long() {
    let s = with_level("FORWARD").await;
    s.register_ok("s", &user(&[json!({"name": "n", "type": "int"})]))
        .await;
    assert_incompatible(
        s.register("s", &user(&[json!({"name": "n", "type": "long"})]))
            .await,
    );
}

#[tokio::test]
async fn backward_accepts_widening_int_to_long() {
    let schemas = [
        user(&[json!({"name": "n", "type": "int"})]),
        user(&[json!({"name": "n", "type": "long"})]),
    ];
    assert_eq!(chain("BACKWARD", &schemas).await, [200, 200]);
}

#[tokio::test]
async fn forward_transitive_accepts_fields_added_over_three_versions() {
    let schemas = [
        user(&[a()]),
        user(&[a(), b_default()]),
        user(&[a(), b_default(), c_required()]),
    ];
    assert_eq!(chain("FORWARD_TRANSITIVE", &schemas).await, [200, 200, 200]);
}

#[tokio::test]
async fn forward_transitive_rejects_what_only_an_older_version_breaks() {
    // v2 can read v3 data (v2's b has a default), v1 cannot (v1's b has none).
    let schemas = [
        user(&[a(), b_required()]),
        user(&[a(), b_default()]),
        user(&[a()]),
    ];
    assert_eq!(chain("FORWARD", &schemas).await, [200, 200, 200]);
    assert_eq!(chain("FORWARD_TRANSITIVE", &schemas).await, [200, 200, 409]);
}

#[tokio::test]
async fn full_accepts_an_added_field_with_a_default() {
    assert_eq!(
        chain("FULL", &[user(&[a()]), user(&[a(), b_default()])]).await,
        [200, 200]
    );
}

#[tokio::test]
async fn full_rejects_an_added_field_without_a_default() {
    let s = with_level("FULL").await;
    s.register_ok("s", &user(&[a()])).await;
    assert_incompatible(s.register("s", &user(&[a(), b_required()])).await);
}

#[tokio::test]
async fn full_rejects_removing_a_field_without_a_default() {
    let s = with_level("FULL").await;
    s.register_ok("s", &user(&[a(), b_required()])).await;
    assert_incompatible(s.register("s", &user(&[a()])).await);
}

#[tokio::test]
async fn full_transitive_accepts_defaults_added_over_three_versions() {
    let schemas = [
        user(&[a()]),
        user(&[a(), b_default()]),
        user(&[a(), b_default(), c_default()]),
    ];
    assert_eq!(chain("FULL_TRANSITIVE", &schemas).await, [200, 200, 200]);
}

#[tokio::test]
async fn full_transitive_rejects_what_only_an_older_version_breaks() {
    let schemas = [
        user(&[a()]),
        user(&[a(), b_default()]),
        user(&[a(), b_required()]),
    ];
    assert_eq!(chain("FULL", &schemas).await, [200, 200, 200]);
    assert_eq!(chain("FULL_TRANSITIVE", &schemas).await, [200, 200, 409]);
}

// ---- the 409 itself ----

#[tokio::test]
async fn the_409_message_names_the_breaking_change() {
    let s = TestServer::start().await;
    s.register_ok("s", &user(&[a()])).await;
    let breaking = user(&[a(), json!({"name": "loyalty_points", "type": "int"})]);
    let (status, body) = s.register("s", &breaking).await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (409, Some(409)),
        "{body}"
    );
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("loyalty_points"), "{message}");
    assert!(
        message.contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{message}"
    );
}

#[tokio::test]
async fn an_identical_schema_is_accepted_even_when_it_would_now_be_incompatible() {
    let s = with_level("NONE").await;
    let old = s.register_ok("s", &user(&[a()])).await;
    s.register_ok("s", &user(&[json!({"name": "a", "type": "int"})]))
        .await;
    s.put("/config", json!({"compatibility": "FULL_TRANSITIVE"}))
        .await;
    assert_eq!(s.register_ok("s", &user(&[a()])).await, old);
}

// ---- which versions take part ----

#[tokio::test]
async fn soft_deleted_versions_are_excluded_from_registration_checks() {
    let s = with_level("NONE").await;
    s.register_ok("s", &user(&[a()])).await;
    s.register_ok("s", &user(&[json!({"name": "a", "type": "int"})]))
        .await;
    s.put("/config", json!({"compatibility": "BACKWARD"})).await;
    let next = user(&[a(), b_default()]);
    assert_incompatible(s.register("s", &next).await);
    assert_eq!(s.delete("/subjects/s/versions/2").await.0, 200);
    s.register_ok("s", &next).await;
}

#[tokio::test]
async fn soft_deleted_versions_are_excluded_from_transitive_checks() {
    let s = with_level("NONE").await;
    s.register_ok("s", &user(&[a()])).await;
    s.register_ok("s", &user(&[a(), b_required()])).await;
    s.put("/config", json!({"compatibility": "BACKWARD_TRANSITIVE"}))
        .await;
    let next = user(&[a(), b_required(), c_default()]);
    assert_incompatible(s.register("s", &next).await);
    assert_eq!(s.delete("/subjects/s/versions/1").await.0, 200);
    s.register_ok("s", &next).await;
}

#[tokio::test]
async fn a_subject_level_overrides_the_global_level() {
    let s = TestServer::start().await;
    s.put("/config/relaxed", json!({"compatibility": "NONE"}))
        .await;
    s.register_ok("relaxed", &user(&[a()])).await;
    s.register_ok("relaxed", &user(&[a(), b_required()])).await;
    s.register_ok("strict", &user(&[a()])).await;
    assert_incompatible(s.register("strict", &user(&[a(), b_required()])).await);
}

#[tokio::test]
async fn a_strict_subject_level_overrides_a_relaxed_global_level() {
    let s = with_level("NONE").await;
    s.put("/config/strict", json!({"compatibility": "BACKWARD"}))
        .await;
    s.register_ok("strict", &user(&[a()])).await;
    assert_incompatible(s.register("strict", &user(&[a(), b_required()])).await);
}

// ---- POST /compatibility/subjects/{s}/versions/{v} ----

async fn check(s: &TestServer, path: &str, schema: &Value) -> (u16, Value) {
    s.post(path, json!({"schema": schema.to_string()})).await
}

#[tokio::test]
async fn checking_against_latest_answers_is_compatible_only() {
    let s = TestServer::start().await;
    s.register_ok("s", &user(&[a()])).await;
    let path = "/compatibility/subjects/s/versions/latest";
    assert_eq!(
        check(&s, path, &user(&[a(), b_default()])).await,
        (200, json!({"is_compatible": true}))
    );
    assert_eq!(
        check(&s, path, &user(&[a(), b_required()])).await,
        (200, json!({"is_compatible": false}))
    );
}

#[tokio::test]
async fn verbose_failure_lists_messages_naming_the_path() {
    let s = TestServer::start().await;
    s.register_ok("s", &user(&[a()])).await;
    let path = "/compatibility/subjects/s/versions/1?verbose=true";
    let (status, body) = check(&s, path, &user(&[a(), b_required()])).await;
    assert_eq!(
        (status, body["is_compatible"].clone()),
        (200, json!(false)),
        "{body}"
    );
    let messages = body["messages"].as_array().expect("messages");
    assert!(!messages.is_empty());
    assert!(
        messages
            .iter()
            .any(|m| m.as_str().unwrap_or_default().contains("/fields/")),
        "{body}"
    );
}

#[tokio::test]
async fn verbose_success_has_an_empty_message_list() {
    let s = TestServer::start().await;
    s.register_ok("s", &user(&[a()])).await;
    let path = "/compatibility/subjects/s/versions/latest?verbose=true";
    let resp = check(&s, path, &user(&[a(), b_default()])).await;
    assert_eq!(resp, (200, json!({"is_compatible": true, "messages": []})));
}

#[tokio::test]
async fn latest_on_an_empty_subject_is_compatible() {
    let s = TestServer::start().await;
    let resp = check(
        &s,
        "/compatibility/subjects/nobody/versions/latest",
        &user(&[a()]),
    )
    .await;
    assert_eq!(resp, (200, json!({"is_compatible": true})));
}

#[tokio::test]
async fn a_missing_numeric_version_is_40402() {
    let s = TestServer::start().await;
    let resp = check(
        &s,
        "/compatibility/subjects/nobody/versions/1",
        &user(&[a()]),
    )
    .await;
    assert_error(resp, 404, 40402);
    s.register_ok("s", &user(&[a()])).await;
    let resp = check(&s, "/compatibility/subjects/s/versions/2", &user(&[a()])).await;
    assert_error(resp, 404, 40402);
}

#[tokio::test]
async fn an_invalid_version_is_42202() {
    let s = TestServer::start().await;
    s.register_ok("s", &user(&[a()])).await;
    let resp = check(&s, "/compatibility/subjects/s/versions/zero", &user(&[a()])).await;
    assert_error(resp, 422, 42202);
}

#[tokio::test]
async fn an_invalid_posted_schema_is_42201() {
    let s = TestServer::start().await;
    s.register_ok("s", &user(&[a()])).await;
    let resp = s
        .post(
            "/compatibility/subjects/s/versions/latest",
            json!({"schema": "{broken"}),
        )
        .await;
    assert_error(resp, 422, 42201);
}

#[tokio::test]
async fn a_named_version_is_checked_alone_whatever_the_transitivity() {
    let s = with_level("BACKWARD_TRANSITIVE").await;
    s.register_ok("s", &user(&[a()])).await;
    s.register_ok("s", &user(&[a(), b_default()])).await;
    let candidate = user(&[a(), b_required()]);
    let on_v2 = check(&s, "/compatibility/subjects/s/versions/2", &candidate).await;
    assert_eq!(on_v2, (200, json!({"is_compatible": true})));
    let on_v1 = check(&s, "/compatibility/subjects/s/versions/1", &candidate).await;
    assert_eq!(on_v1, (200, json!({"is_compatible": false})));
}

#[tokio::test]
async fn none_level_is_always_compatible_at_the_endpoint() {
    let s = TestServer::start().await;
    s.register_ok("s", &user(&[a()])).await;
    s.put("/config/s", json!({"compatibility": "NONE"})).await;
    let resp = check(
        &s,
        "/compatibility/subjects/s/versions/latest",
        &json!("bytes"),
    )
    .await;
    assert_eq!(resp, (200, json!({"is_compatible": true})));
}

// ---- POST /compatibility/subjects/{s}/versions ----

#[tokio::test]
async fn all_versions_check_follows_a_transitive_level() {
    let s = with_level("BACKWARD_TRANSITIVE").await;
    s.register_ok("s", &user(&[a()])).await;
    s.register_ok("s", &user(&[a(), b_default()])).await;
    let candidate = user(&[a(), b_required()]);
    for path in [
        "/compatibility/subjects/s/versions",
        "/compatibility/subjects/s/versions/",
    ] {
        let resp = check(&s, path, &candidate).await;
        assert_eq!(resp, (200, json!({"is_compatible": false})), "{path}");
    }
}

#[tokio::test]
async fn all_versions_check_uses_only_latest_for_a_non_transitive_level() {
    let s = TestServer::start().await;
    s.register_ok("s", &user(&[a()])).await;
    s.register_ok("s", &user(&[a(), b_default()])).await;
    let candidate = user(&[a(), b_required()]);
    for path in [
        "/compatibility/subjects/s/versions",
        "/compatibility/subjects/s/versions/",
    ] {
        let resp = check(&s, path, &candidate).await;
        assert_eq!(resp, (200, json!({"is_compatible": true})), "{path}");
    }
}

#[tokio::test]
async fn all_versions_check_on_an_empty_subject_is_compatible() {
    let s = TestServer::start().await;
    let resp = check(&s, "/compatibility/subjects/nobody/versions", &user(&[a()])).await;
    assert_eq!(resp, (200, json!({"is_compatible": true})));
}

#[tokio::test]
async fn all_versions_check_ignores_soft_deleted_versions() {
    let s = with_level("BACKWARD_TRANSITIVE").await;
    s.register_ok("s", &user(&[a()])).await;
    s.register_ok("s", &user(&[a(), b_default()])).await;
    let candidate = user(&[a(), b_required()]);
    s.delete("/subjects/s/versions/1").await;
    let resp = check(
        &s,
        "/compatibility/subjects/s/versions?verbose=true",
        &candidate,
    )
    .await;
    assert_eq!(resp, (200, json!({"is_compatible": true, "messages": []})));
}

#[tokio::test]
async fn all_versions_verbose_failure_lists_messages() {
    let s = TestServer::start().await;
    s.register_ok("s", &user(&[a()])).await;
    let resp = check(
        &s,
        "/compatibility/subjects/s/versions?verbose=true",
        &user(&[a(), b_required()]),
    )
    .await;
    assert_eq!(resp.1["is_compatible"], json!(false), "{}", resp.1);
    assert!(!resp.1["messages"].as_array().expect("messages").is_empty());
}

#[tokio::test]
async fn an_invalid_posted_schema_with_verbose_is_incompatible_with_a_message() {
    let s = TestServer::start().await;
    s.register_ok("s", &user(&[a()])).await;
    let (status, body) = s
        .post(
            "/compatibility/subjects/s/versions/latest?verbose=true",
            json!({"schema": "{broken"}),
        )
        .await;
    assert_eq!(
        (status, body["is_compatible"].clone()),
        (200, json!(false)),
        "{body}"
    );
    assert!(
        !body["messages"].as_array().expect("messages").is_empty(),
        "{body}"
    );
}
