//! The audit trail records who changed what from where, with the value before and after.

use crate::common::*;
use serde_json::{json, Value};

async fn audit(s: &TestServer, query: &str) -> Vec<Value> {
    let (status, body) = s.get(&format!("/herald/v1/audit{query}")).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

#[tokio::test]
async fn every_write_records_its_source_address() {
    let s = TestServer::start().await;
    s.register_ok(
        "a-value",
        &record("A", json!([{"name": "x", "type": "int"}])),
    )
    .await;
    assert_eq!(
        s.put("/config/a-value", json!({"compatibility": "FULL"}))
            .await
            .0,
        200
    );
    assert_eq!(
        s.put("/mode/a-value", json!({"mode": "READONLY"})).await.0,
        200
    );
    assert_eq!(s.delete("/mode/a-value").await.0, 200);
    assert_eq!(s.delete("/config/a-value").await.0, 200);
    assert_eq!(
        s.post("/herald/v1/domains", json!({"name": "orders"}))
            .await
            .0,
        201
    );
    assert_eq!(
        s.post("/herald/v1/tokens", json!({"name": "ci", "role": "writer"}))
            .await
            .0,
        201
    );
    assert_eq!(s.delete("/herald/v1/tokens/ci").await.0, 204);
    assert_eq!(s.delete("/subjects/a-value").await.0, 200);

    let lines = audit(&s, "").await;
    let actions: Vec<&str> = lines
        .iter()
        .map(|l| l["action"].as_str().unwrap())
        .collect();
    for expected in [
        "schema.register",
        "config.update",
        "config.delete",
        "mode.update",
        "mode.delete",
        "catalog.create",
        "token.create",
        "token.delete",
        "subject.delete",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    for line in &lines {
        assert_eq!(line["source"], "127.0.0.1", "{line}");
        assert_eq!(line["actor"], "anonymous", "{line}");
        assert!(line["at"].as_i64().unwrap() > 1_600_000_000_000, "{line}");
    }
    assert_eq!(audit(&s, "?source=127.0.0.1").await.len(), lines.len());
    assert!(audit(&s, "?source=10.0.0.1").await.is_empty());
}

#[tokio::test]
async fn config_mode_and_token_changes_keep_before_and_after() {
    let s = TestServer::start().await;
    s.put("/config/b-value", json!({"compatibility": "FULL"}))
        .await;
    s.put("/config/b-value", json!({"compatibility": "NONE"}))
        .await;
    let updates = audit(&s, "?action=config.update").await;
    // Newest first.
    assert_eq!(updates[0]["before"]["compatibility"], "FULL", "{updates:?}");
    assert_eq!(updates[0]["after"]["compatibility"], "NONE");
    assert_eq!(updates[1]["before"], Value::Null);
    assert_eq!(updates[1]["after"]["compatibility"], "FULL");
    s.delete("/config/b-value").await;
    let deleted = audit(&s, "?action=config.delete").await;
    assert_eq!(deleted[0]["before"]["compatibility"], "NONE");
    assert_eq!(deleted[0]["after"], Value::Null);

    s.put("/mode", json!({"mode": "READONLY"})).await;
    s.put("/mode", json!({"mode": "READWRITE"})).await;
    let modes = audit(&s, "?target=mode/").await;
    assert_eq!(modes[0]["before"], "READONLY", "{modes:?}");
    assert_eq!(modes[0]["after"], "READWRITE");
    assert_eq!(modes[1]["before"], Value::Null);

    s.post("/herald/v1/tokens", json!({"name": "ops", "role": "admin"}))
        .await;
    s.delete("/herald/v1/tokens/ops").await;
    let gone = audit(&s, "?action=token.delete").await;
    assert_eq!(gone[0]["before"]["name"], "ops", "{gone:?}");
    assert_eq!(gone[0]["before"]["role"], "admin");
    assert!(gone[0]["before"].get("hash").is_none());
}

#[tokio::test]
async fn forwarded_for_is_used_only_when_trusted() {
    let untrusting = TestServer::start().await;
    let trusting = TestServer::start_with(|c| c.trust_forwarded_for = true).await;
    for s in [&untrusting, &trusting] {
        let resp = s
            .client
            .put(s.url("/config"))
            .header("content-type", CT)
            .header("x-forwarded-for", "203.0.113.7, 10.0.0.2")
            .body(r#"{"compatibility": "FULL"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    assert_eq!(audit(&untrusting, "").await[0]["source"], "127.0.0.1");
    assert_eq!(audit(&trusting, "").await[0]["source"], "203.0.113.7");
}

/// Runs one statement on the server's database from outside, as an operator (or a fault) might.
async fn execute_on(database_url: &str, sql: &'static str) {
    use sqlx::Connection;
    if database_url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(database_url).await.unwrap();
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    } else {
        let mut conn = sqlx::PgConnection::connect(database_url).await.unwrap();
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
}

#[track_caller]
fn assert_store_error((status, body): (u16, Value)) {
    assert_eq!(status, 500, "{body}");
    assert_eq!(
        body,
        json!({"error_code": 50001, "message": "Error in the backend data store"})
    );
}

#[tokio::test]
async fn no_write_is_acknowledged_without_its_audit_line() {
    let s = TestServer::start().await;
    let v1 = record("A", json!([{"name": "x", "type": "int"}]));
    s.register_ok("a-value", &v1).await;
    s.post("/herald/v1/tokens", json!({"name": "ci", "role": "writer"}))
        .await;
    execute_on(&s.database_url, "DROP TABLE audit_log").await;

    let v2 = record(
        "A",
        json!([{"name": "x", "type": "int"}, {"name": "y", "type": ["null", "int"], "default": null}]),
    );
    assert_store_error(s.register("a-value", &v2).await);
    assert_store_error(s.register("b-value", &v1).await);
    assert_eq!(s.get("/subjects/a-value/versions").await, (200, json!([1])));
    assert_eq!(s.get("/subjects/b-value/versions").await.0, 404);
    // The same schema again needs no write, so it still answers.
    assert_eq!(s.register("a-value", &v1).await.0, 200);

    assert_store_error(
        s.put("/config/a-value", json!({"compatibility": "NONE"}))
            .await,
    );
    assert_eq!(s.get("/config/a-value").await.0, 404);
    assert_store_error(s.put("/mode/a-value", json!({"mode": "READONLY"})).await);
    assert_eq!(s.get("/mode/a-value").await.0, 404);
    assert_store_error(
        s.post("/herald/v1/tokens", json!({"name": "ops", "role": "admin"}))
            .await,
    );
    assert_store_error(s.delete("/herald/v1/tokens/ci").await);
    let (_, tokens) = s.get("/herald/v1/tokens").await;
    let names: Vec<&str> = tokens
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ci"]);
    assert_store_error(s.delete("/subjects/a-value").await);
    assert_eq!(s.get("/subjects/a-value/versions").await, (200, json!([1])));
    assert_store_error(
        s.post("/herald/v1/domains", json!({"name": "orders"}))
            .await,
    );
}

#[tokio::test]
async fn every_acknowledged_write_has_exactly_one_line() {
    let s = TestServer::start().await;
    let v1 = record("A", json!([{"name": "x", "type": "int"}]));
    let v2 = record(
        "A",
        json!([{"name": "x", "type": "int"}, {"name": "y", "type": ["null", "int"], "default": null}]),
    );
    let incompatible = record("A", json!([{"name": "x", "type": "string"}]));
    s.register_ok("s", &v1).await;
    s.register_ok("s", &v1).await; // already there: nothing written
    assert_eq!(s.register("s", &incompatible).await.0, 409);
    let v2_id = s.register_ok("s", &v2).await;

    s.put("/config/s", json!({"compatibility": "FULL"})).await;
    s.put("/config/s", json!({"compatibility": "NONE"})).await;
    assert_eq!(s.delete("/config/s").await.0, 200);
    assert_eq!(s.delete("/config/s").await.0, 404);

    assert_eq!(s.put("/mode/s", json!({"mode": "READONLY"})).await.0, 200);
    assert_eq!(s.register("s", &incompatible).await.0, 422);
    assert_eq!(s.delete("/mode/s").await.0, 200);

    let token = json!({"name": "ci", "role": "writer"});
    assert_eq!(s.post("/herald/v1/tokens", token.clone()).await.0, 201);
    assert_eq!(s.post("/herald/v1/tokens", token).await.0, 409);
    assert_eq!(s.delete("/herald/v1/tokens/ci").await.0, 204);
    assert_eq!(s.delete("/herald/v1/tokens/ci").await.0, 404);

    let domain = json!({"name": "orders"});
    assert_eq!(s.post("/herald/v1/domains", domain).await.0, 201);

    assert_eq!(s.delete("/subjects/s/versions/2").await.0, 200);
    assert_eq!(s.delete("/subjects/s/versions/2").await.0, 404);
    assert_eq!(
        s.delete("/subjects/s/versions/2?permanent=true").await.0,
        200
    );
    assert_eq!(s.delete("/subjects/s").await.0, 200);
    assert_eq!(s.delete("/subjects/s?permanent=true").await.0, 200);

    assert_eq!(s.put("/mode", json!({"mode": "IMPORT"})).await.0, 200);
    let (status, body) = s
        .post(
            "/subjects/t/versions",
            json!({"schema": v1.to_string(), "id": 100, "version": 3}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s.put("/mode", json!({"mode": "READWRITE"})).await.0, 200);

    let lines = audit(&s, "?limit=1000").await;
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for line in &lines {
        *counts
            .entry(line["action"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let expected: std::collections::BTreeMap<String, usize> = [
        ("schema.register", 3),
        ("config.update", 2),
        ("config.delete", 1),
        ("mode.update", 3),
        ("mode.delete", 1),
        ("token.create", 1),
        ("token.delete", 1),
        ("catalog.create", 1),
        ("version.delete", 1),
        ("version.delete.permanent", 1),
        ("subject.delete", 1),
        ("subject.delete.permanent", 1),
    ]
    .into_iter()
    .map(|(a, n)| (a.to_string(), n))
    .collect();
    assert_eq!(counts, expected, "{lines:?}");

    let registrations = audit(&s, "?action=schema.register").await;
    let afters: Vec<&Value> = registrations.iter().map(|l| &l["after"]).collect();
    assert_eq!(
        afters,
        [
            &json!({"id": 100, "version": 3}),
            &json!({"id": v2_id, "version": 2}),
            &json!({"id": 1, "version": 1}),
        ]
    );
}
