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

// ---- the other config fields ----

fn with_metadata(schema: &Value, properties: Value) -> Value {
    json!({"schema": schema.to_string(), "metadata": {"properties": properties}})
}

#[tokio::test]
async fn every_config_field_round_trips_and_merges_over_the_global_one() {
    let s = TestServer::start().await;
    let global = json!({
        "compatibilityGroup": "major",
        "compatibilityPolicy": "lenient",
        "validateFields": true,
        "defaultMetadata": {"properties": {"owner": "platform"}},
    });
    let (status, body) = s.put("/config", global).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["compatibilityPolicy"], "LENIENT",
        "stored upper-case: {body}"
    );
    assert_eq!(body["compatibilityGroup"], "major");

    let own = json!({
        "compatibility": "FULL",
        "alias": "orders-value",
        "validateRules": false,
        "validateNewSchemas": true,
        "overrideMetadata": {"properties": {"tier": "gold"}},
        "defaultRuleSet": {"domainRules": [{"name": "r", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "true"}]},
        "overrideRuleSet": {"migrationRules": []},
        "compatibilityGroup": "edition",
    });
    let (status, body) = s.put("/config/orders", own.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["compatibility"], "FULL");
    assert_eq!(body["overrideMetadata"], own["overrideMetadata"]);

    // Only the subject's own fields without defaultToGlobal, merged field by field with it.
    let (_, body) = s.get("/config/orders").await;
    assert_eq!(body["compatibilityLevel"], "FULL");
    assert_eq!(body["alias"], "orders-value");
    assert_eq!(body["compatibilityGroup"], "edition");
    assert!(body.get("compatibilityPolicy").is_none(), "{body}");
    let (_, body) = s.get("/config/orders?defaultToGlobal=true").await;
    assert_eq!(
        body["compatibilityGroup"], "edition",
        "the subject's value wins"
    );
    assert_eq!(body["compatibilityPolicy"], "LENIENT", "inherited: {body}");
    assert_eq!(body["validateFields"], true);
    assert_eq!(body["defaultMetadata"]["properties"]["owner"], "platform");
    assert_eq!(body["overrideMetadata"]["properties"]["tier"], "gold");

    // An explicit null clears one field and leaves the others.
    let (status, _) = s.put("/config/orders", json!({"alias": null})).await;
    assert_eq!(status, 200);
    let (_, body) = s.get("/config/orders").await;
    assert!(body.get("alias").is_none(), "{body}");
    assert_eq!(body["compatibilityGroup"], "edition");

    // Bad values are refused and change nothing.
    assert_error(
        s.put("/config/orders", json!({"compatibilityPolicy": "LOOSE"}))
            .await,
        422,
        422,
    );
    assert_error(
        s.put("/config/orders", json!({"defaultMetadata": "owner=a"}))
            .await,
        422,
        422,
    );
    assert_error(
        s.put("/config/orders", json!({"validateFields": "yes"}))
            .await,
        422,
        422,
    );
    let (_, body) = s.get("/config/orders").await;
    assert_eq!(body["compatibilityGroup"], "edition");
}

#[tokio::test]
async fn registrations_take_default_and_override_metadata_and_inherit_the_latest() {
    let s = TestServer::start().await;
    let (status, _) = s
        .put(
            "/config/payments",
            json!({
                "defaultMetadata": {"properties": {"owner": "platform", "tier": "bronze"}},
                "overrideMetadata": {"properties": {"tier": "gold"}},
            }),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = s
        .post(
            "/subjects/payments/versions",
            with_metadata(&v1(), json!({"owner": "payments", "major": "1"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, v) = s.get("/subjects/payments/versions/1").await;
    assert_eq!(
        v["metadata"]["properties"],
        json!({"owner": "payments", "tier": "gold", "major": "1"}),
        "the request over the default, the override over both"
    );

    // A version registered without metadata keeps the latest version's.
    let (status, body) = s
        .post(
            "/subjects/payments/versions",
            json!({"schema": v2().to_string()}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, v) = s.get("/subjects/payments/versions/2").await;
    assert_eq!(v["metadata"]["properties"]["major"], "1", "{v}");
    // ... and so does a lookup-free re-registration of the same request.
    let (_, again) = s
        .post(
            "/subjects/payments/versions",
            json!({"schema": v2().to_string()}),
        )
        .await;
    assert_eq!(again["id"], body["id"]);
    let (_, versions) = s.get("/subjects/payments/versions").await;
    assert_eq!(versions, json!([1, 2]));
}

#[tokio::test]
async fn a_compatibility_group_compares_only_versions_with_the_same_value() {
    let s = TestServer::start().await;
    let (status, _) = s
        .put("/config/accounts", json!({"compatibilityGroup": "major"}))
        .await;
    assert_eq!(status, 200);
    let breaking = record("User", json!([{"name": "a", "type": "int"}]));
    s.post(
        "/subjects/accounts/versions",
        with_metadata(&v1(), json!({"major": "1"})),
    )
    .await;
    // A breaking change in a new group passes: nothing in group 2 to compare with.
    let (status, body) = s
        .post(
            "/subjects/accounts/versions",
            with_metadata(&breaking, json!({"major": "2"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // Back in group 1 the change is compared with version 1, and refused.
    let changed = record("User", json!([{"name": "a", "type": "boolean"}]));
    let (status, body) = s
        .post(
            "/subjects/accounts/versions",
            with_metadata(&changed, json!({"major": "1"})),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("oldSchemaVersion: 1"),
        "{body}"
    );
    // The compatibility route compares within the group too.
    let (_, verdict) = s
        .post(
            "/compatibility/subjects/accounts/versions/latest",
            with_metadata(&changed, json!({"major": "2"})),
        )
        .await;
    assert_eq!(
        verdict["is_compatible"], false,
        "latest is in group 2: {verdict}"
    );
    let (_, verdict) = s
        .post(
            "/compatibility/subjects/accounts/versions",
            with_metadata(&breaking, json!({"major": "2"})),
        )
        .await;
    assert_eq!(verdict["is_compatible"], true, "{verdict}");
    let (_, verdict) = s
        .post(
            "/compatibility/subjects/accounts/versions",
            with_metadata(&changed, json!({"major": "1"})),
        )
        .await;
    assert_eq!(verdict["is_compatible"], false, "{verdict}");
}

#[tokio::test]
async fn validate_fields_keeps_reserved_names_out_of_the_schema_and_in_the_list() {
    let s = TestServer::start().await;
    let reserve =
        |schema: &Value, list: &str| with_metadata(schema, json!({"confluent:reserved": list}));
    let email = record("User", json!([{"name": "email", "type": "string"}]));

    // Off by default: a reserved name may still be a field.
    let (status, body) = s
        .post("/subjects/free/versions", reserve(&email, "email"))
        .await;
    assert_eq!(status, 200, "{body}");

    let (status, _) = s
        .put(
            "/config/users",
            json!({"compatibility": "NONE", "validateFields": true}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = s
        .post("/subjects/users/versions", reserve(&email, "phone, email"))
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("conflicts with the reserved field email"),
        "{body}"
    );
    let (status, _) = s.get("/subjects/users/versions").await;
    assert_eq!(status, 404, "nothing was registered");

    let (status, body) = s
        .post("/subjects/users/versions", reserve(&v1(), "phone,email"))
        .await;
    assert_eq!(status, 200, "{body}");
    // Keeping the list (and adding to it) passes; dropping a name does not, even at NONE.
    let (status, body) = s
        .post(
            "/subjects/users/versions",
            reserve(&v2(), "phone, email, fax"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let v3 = record(
        "User",
        json!([{"name": "a", "type": "string"}, {"name": "c", "type": "int", "default": 0}]),
    );
    let (status, body) = s
        .post("/subjects/users/versions", reserve(&v3, "email"))
        .await;
    assert_eq!(status, 409, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("reserved field phone removed"), "{body}");
    assert!(message.contains("reserved field fax removed"), "{body}");
}

#[tokio::test]
async fn the_lenient_policy_accepts_what_strict_refuses_on_open_objects() {
    let s = TestServer::start().await;
    let json_schema = |schema: Value| json!({"schemaType": "JSON", "schema": schema.to_string()});
    let v1 = json!({"type": "object", "properties": {"id": {"type": "string"}}});
    // Backward: the new schema reads old data, where `note` may have held anything.
    let v2 = json!({"type": "object", "properties": {"id": {"type": "string"}, "note": {"type": "string"}}});
    for subject in ["strict", "lenient"] {
        let (status, body) = s
            .post(
                &format!("/subjects/{subject}/versions"),
                json_schema(v1.clone()),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = s
        .post("/subjects/strict/versions", json_schema(v2.clone()))
        .await;
    assert_eq!(status, 409, "STRICT refuses: {body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"),
        "{body}"
    );

    let (status, _) = s
        .put("/config/lenient", json!({"compatibilityPolicy": "LENIENT"}))
        .await;
    assert_eq!(status, 200);
    let (_, verdict) = s
        .post(
            "/compatibility/subjects/lenient/versions/latest?verbose=true",
            json_schema(v2.clone()),
        )
        .await;
    assert_eq!(verdict["is_compatible"], true, "{verdict}");
    let (status, body) = s.post("/subjects/lenient/versions", json_schema(v2)).await;
    assert_eq!(status, 200, "LENIENT accepts: {body}");
    // What LENIENT does not list stays refused: a type change.
    let v3 = json!({"type": "object", "properties": {"id": {"type": "integer"}, "note": {"type": "string"}}});
    let (status, body) = s.post("/subjects/lenient/versions", json_schema(v3)).await;
    assert_eq!(status, 409, "{body}");
}
