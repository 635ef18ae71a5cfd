//! IMPORT mode: entering it, registrations with explicit ids and versions, and misuse (42205).

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

fn schema(field_type: &str) -> Value {
    record("User", json!([{"name": "a", "type": field_type}]))
}

async fn importing() -> TestServer {
    let s = TestServer::start().await;
    let resp = s.put("/mode", json!({"mode": "IMPORT"})).await;
    assert_eq!(resp, (200, json!({"mode": "IMPORT"})));
    s
}

async fn import(
    s: &TestServer,
    subject: &str,
    schema: &Value,
    id: i64,
    version: i64,
) -> (u16, Value) {
    s.post(
        &format!("/subjects/{subject}/versions"),
        json!({"schema": schema.to_string(), "id": id, "version": version}),
    )
    .await
}

#[tokio::test]
async fn import_mode_can_be_entered_on_an_empty_registry() {
    let s = importing().await;
    assert_eq!(s.get("/mode").await, (200, json!({"mode": "IMPORT"})));
}

#[tokio::test]
async fn import_mode_with_live_subjects_is_42205() {
    let s = TestServer::start().await;
    s.register_ok("s", &schema("string")).await;
    assert_error(s.put("/mode", json!({"mode": "IMPORT"})).await, 422, 42205);
    assert_eq!(s.get("/mode").await.1, json!({"mode": "READWRITE"}));
}

#[tokio::test]
async fn import_mode_with_live_subjects_is_allowed_with_force() {
    let s = TestServer::start().await;
    s.register_ok("s", &schema("string")).await;
    let resp = s.put("/mode?force=true", json!({"mode": "IMPORT"})).await;
    assert_eq!(resp, (200, json!({"mode": "IMPORT"})));
}

#[tokio::test]
async fn import_mode_is_allowed_when_every_subject_is_soft_deleted() {
    let s = TestServer::start().await;
    s.register_ok("s", &schema("string")).await;
    s.delete("/subjects/s").await;
    assert_eq!(s.put("/mode", json!({"mode": "IMPORT"})).await.0, 200);
}

#[tokio::test]
async fn an_imported_schema_keeps_its_explicit_id_and_version() {
    let s = importing().await;
    let (status, body) = import(&s, "orders-value", &schema("string"), 42, 7).await;
    assert_eq!((status, body), (200, json!({"id": 42})));
    let (status, version) = s.get("/subjects/orders-value/versions/7").await;
    assert_eq!(status, 200, "{version}");
    assert_eq!(
        version,
        json!({"subject": "orders-value", "version": 7, "id": 42, "schema": schema("string").to_string()})
    );
    assert_eq!(s.get("/subjects/orders-value/versions").await.1, json!([7]));
    assert_eq!(
        s.get("/schemas/ids/42").await.1,
        json!({"schema": schema("string").to_string()})
    );
}

#[tokio::test]
async fn import_skips_compatibility_checks() {
    let s = importing().await;
    assert_eq!(import(&s, "s", &schema("string"), 10, 1).await.0, 200);
    assert_eq!(import(&s, "s", &schema("int"), 11, 2).await.0, 200);
    assert_eq!(s.get("/subjects/s/versions").await.1, json!([1, 2]));
}

#[tokio::test]
async fn registering_without_an_id_in_import_mode_is_42205() {
    let s = importing().await;
    assert_error(s.register("s", &schema("string")).await, 422, 42205);
}

#[tokio::test]
async fn an_id_outside_import_mode_is_42205() {
    let s = TestServer::start().await;
    assert_error(import(&s, "s", &schema("string"), 5, 1).await, 422, 42205);
    let body = json!({"schema": schema("string").to_string(), "id": 5});
    assert_error(s.post("/subjects/s/versions", body).await, 422, 42205);
    assert_eq!(s.get("/subjects").await.1, json!([]));
}

#[tokio::test]
async fn an_import_id_bound_to_a_different_schema_is_refused() {
    let s = importing().await;
    assert_eq!(import(&s, "a", &schema("string"), 42, 1).await.0, 200);
    let (status, body) = import(&s, "b", &schema("int"), 42, 1).await;
    // Confluent answers 42205 ("Overwrite new schema with id ... is not permitted"); 42207 is the
    // legacy code for the same refusal.
    assert_eq!(status, 422, "{body}");
    let code = body["error_code"].as_i64();
    assert!(code == Some(42205) || code == Some(42207), "{body}");
    assert_eq!(
        s.get("/schemas/ids/42").await.1["schema"],
        json!(schema("string").to_string())
    );
}

#[tokio::test]
async fn the_same_schema_can_be_imported_under_the_same_id_in_two_subjects() {
    let s = importing().await;
    assert_eq!(import(&s, "a", &schema("string"), 42, 1).await.0, 200);
    assert_eq!(
        import(&s, "b", &schema("string"), 42, 3).await,
        (200, json!({"id": 42}))
    );
    assert_eq!(s.get("/schemas/ids/42/subjects").await.1, json!(["a", "b"]));
}

#[tokio::test]
async fn ids_assigned_after_an_import_never_collide_with_imported_ids() {
    let s = importing().await;
    assert_eq!(import(&s, "s", &schema("string"), 100, 4).await.0, 200);
    assert_eq!(s.put("/mode", json!({"mode": "READWRITE"})).await.0, 200);
    let next = record(
        "User",
        json!([{"name": "a", "type": "string"}, {"name": "b", "type": "int", "default": 0}]),
    );
    let id = s.register_ok("s", &next).await;
    assert!(
        id > 100,
        "new id {id} must not collide with imported id 100"
    );
    let (_, latest) = s.get("/subjects/s/versions/latest").await;
    assert_eq!(latest["version"].as_i64(), Some(5), "{latest}");
}

#[tokio::test]
async fn fetch_max_id_reports_the_highest_imported_id() {
    let s = importing().await;
    import(&s, "s", &schema("string"), 3, 1).await;
    import(&s, "t", &schema("int"), 77, 1).await;
    let (_, body) = s.get("/schemas/ids/3?fetchMaxId=true").await;
    assert_eq!(body["maxId"].as_i64(), Some(77), "{body}");
}

#[tokio::test]
async fn a_subject_in_import_mode_accepts_ids_while_others_stay_readwrite() {
    let s = TestServer::start().await;
    assert_eq!(
        s.put("/mode/imported", json!({"mode": "IMPORT"})).await.0,
        200
    );
    assert_eq!(
        import(&s, "imported", &schema("string"), 9, 2).await,
        (200, json!({"id": 9}))
    );
    assert_error(s.register("imported", &schema("int")).await, 422, 42205);
    assert_error(
        import(&s, "other", &schema("string"), 9, 1).await,
        422,
        42205,
    );
    s.register_ok("other", &schema("int")).await;
}

#[tokio::test]
async fn an_id_past_2_31_minus_1_is_refused_and_nothing_is_written() {
    let s = importing().await;
    for id in [2_147_483_648_i64, 4_294_967_297, i64::MAX] {
        let (status, body) = import(&s, "big", &schema("string"), id, 1).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error_code"], 400, "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains(&id.to_string()) && message.contains("2147483647"),
            "{message}"
        );
    }
    assert_eq!(s.get("/subjects").await.1, json!([]));
    // The highest id itself is fine.
    assert_eq!(
        import(&s, "big", &schema("string"), 2_147_483_647, 1).await,
        (200, json!({"id": 2_147_483_647}))
    );
}

#[tokio::test]
async fn a_zero_or_negative_id_in_import_mode_gets_a_clear_message() {
    let s = importing().await;
    for id in [0, -1, -2_147_483_648] {
        let (status, body) = import(&s, "s", &schema("string"), id, 1).await;
        assert_eq!(
            (status, body["error_code"].as_i64()),
            (422, Some(42205)),
            "{body}"
        );
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("Schema id {id} "))
                && message.contains("between 1 and 2147483647"),
            "{message}"
        );
        assert!(!message.contains("read-write mode"), "{message}");
    }
    assert_eq!(s.get("/subjects").await.1, json!([]));
}

#[tokio::test]
async fn ids_are_never_allocated_past_2_31_minus_1() {
    let s = importing().await;
    assert_eq!(
        import(&s, "top", &schema("string"), 2_147_483_647, 1)
            .await
            .0,
        200
    );
    assert_eq!(s.put("/mode", json!({"mode": "READWRITE"})).await.0, 200);
    let (status, body) = s.register("other", &schema("int")).await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (422, Some(42205)),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("2147483647"),
        "{body}"
    );
    assert_eq!(s.get("/subjects").await.1, json!(["top"]));
    assert_eq!(s.get("/schemas/ids/2147483648").await.0, 404);
    // A schema already stored keeps its id in another subject: no allocation needed.
    assert_eq!(
        s.register("copy", &schema("string")).await,
        (200, json!({"id": 2_147_483_647}))
    );
}
