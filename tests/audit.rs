//! The audit trail records who changed what from where, with the value before and after.

mod common;
use common::*;
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
