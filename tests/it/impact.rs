//! Impact analysis: a candidate schema is checked against the version each producer and
//! consumer declared, and consumers that declared their fields are safe from changes elsewhere.

use crate::common::*;
use serde_json::{json, Value};

const SUBJECT: &str = "orders.order.placed-value";

fn schema(fields: Vec<Value>) -> Value {
    let mut all = vec![
        json!({"name": "eventId", "type": "string"}),
        json!({"name": "eventType", "type": "string"}),
        json!({"name": "timestamp", "type": "long"}),
        json!({"name": "source", "type": "string"}),
        json!({"name": "orderId", "type": "string"}),
    ];
    all.extend(fields);
    json!({"type": "record", "name": "OrderPlaced", "namespace": "shop", "fields": all})
}

fn amount() -> Value {
    json!({"name": "amount", "type": "double"})
}

/// v1.0.0 has `note` without a default; v1.1.0 gives it one and adds `coupon`.
fn v1() -> Value {
    schema(vec![amount(), json!({"name": "note", "type": "string"})])
}
fn v2() -> Value {
    schema(vec![
        amount(),
        json!({"name": "note", "type": "string", "default": ""}),
        json!({"name": "coupon", "type": ["null", "string"], "default": null}),
    ])
}

async fn catalog() -> TestServer {
    let s = TestServer::start().await;
    s.register_ok(SUBJECT, &v1()).await;
    s.register_ok(SUBJECT, &v2()).await;
    for team in ["checkout", "analytics", "finance"] {
        let (status, _) = s
            .post(
                "/herald/v1/teams",
                json!({"name": team, "contact": {"email": format!("{team}@shop.example")}}),
            )
            .await;
        assert_eq!(status, 201);
    }
    let (status, body) = s
        .post(
            "/herald/v1/events",
            json!({"name": "orders.order.placed", "owner": "checkout",
                   "schemas": [{"subject": SUBJECT, "versions": [
                       {"version": "1.0.0", "registry_version": 1},
                       {"version": "1.1.0", "registry_version": 2}]}]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    for (service, team, role, version, fields) in [
        ("order-service", "checkout", "produces", "1.1.0", json!([])),
        ("old-reader", "finance", "consumes", "1.0.0", json!([])),
        ("new-reader", "analytics", "consumes", "^1.1", json!([])),
        (
            "picky-reader",
            "analytics",
            "consumes",
            "^1.0",
            json!(["orderId"]),
        ),
    ] {
        let (status, body) = s
            .post(
                "/herald/v1/services",
                json!({"name": service, "owner": team, role: [{"event": "orders.order.placed", "version": version, "fields": fields}]}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    s
}

async fn impact(s: &TestServer, candidate: &Value) -> (Vec<String>, Vec<String>, Value) {
    let (status, report) = s
        .post(
            &format!("/herald/v1/subjects/{SUBJECT}/impact"),
            json!({"schema": candidate.to_string()}),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    let names = |key: &str| {
        let mut v: Vec<String> = report[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["service"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    (names("breaks"), names("safe"), report)
}

#[tokio::test]
async fn a_change_breaks_only_the_consumers_whose_declared_version_it_breaks() {
    let s = catalog().await;
    // Dropping `note` breaks readers of 1.0.0 (no default there) but not readers of 1.1.0.
    let candidate = schema(vec![
        amount(),
        json!({"name": "coupon", "type": ["null", "string"], "default": null}),
    ]);
    let (breaks, _, report) = impact(&s, &candidate).await;
    assert_eq!(breaks, vec!["old-reader"], "{report}");
    let hit = &report["breaks"][0];
    assert_eq!(hit["role"], "consumer");
    assert_eq!(hit["version"], "1.0.0");
    assert_eq!(hit["team"], "finance");
    assert_eq!(hit["contact"], "finance@shop.example");
    assert!(hit["reason"].as_str().unwrap().contains("note"), "{hit}");
    assert_eq!(report["event"], "orders.order.placed");
}

#[tokio::test]
async fn consumers_that_do_not_read_the_changed_field_are_reported_safe() {
    let s = catalog().await;
    // Dropping `amount` breaks every reader that reads it; picky-reader reads only orderId.
    let candidate = schema(vec![
        json!({"name": "note", "type": "string", "default": ""}),
    ]);
    let (breaks, safe, report) = impact(&s, &candidate).await;
    assert_eq!(breaks, vec!["new-reader", "old-reader"], "{report}");
    assert_eq!(safe, vec!["picky-reader"], "{report}");
    assert!(
        report["safe"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("amount"),
        "{report}"
    );
}

#[tokio::test]
async fn a_field_the_new_schema_requires_breaks_the_producer_not_the_readers() {
    let s = catalog().await;
    let mut fields = vec![
        amount(),
        json!({"name": "note", "type": "string", "default": ""}),
    ];
    fields.push(json!({"name": "currency", "type": "string"}));
    let (breaks, _, report) = impact(&s, &schema(fields)).await;
    assert_eq!(breaks, vec!["order-service"], "{report}");
    assert_eq!(report["breaks"][0]["role"], "producer");
}

#[tokio::test]
async fn a_compatible_change_breaks_nobody_and_an_unbound_subject_reports_no_event() {
    let s = catalog().await;
    let mut fields = vec![
        amount(),
        json!({"name": "note", "type": "string", "default": ""}),
    ];
    fields.push(json!({"name": "coupon", "type": ["null", "string"], "default": null}));
    fields.push(json!({"name": "channel", "type": "string", "default": "web"}));
    let (breaks, safe, _) = impact(&s, &schema(fields)).await;
    assert!(breaks.is_empty() && safe.is_empty());

    let (status, report) = s
        .post(
            "/herald/v1/subjects/other-value/impact",
            json!({"schema": v1().to_string()}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(report["event"], Value::Null);
    assert_eq!(report["breaks"], json!([]));
}

#[tokio::test]
async fn herald_check_names_the_services_and_teams_a_change_breaks() {
    let s = catalog().await;
    let dir = tempfile::tempdir().unwrap();
    let candidate = schema(vec![
        amount(),
        json!({"name": "coupon", "type": ["null", "string"], "default": null}),
    ]);
    let file = dir.path().join("candidate.avsc");
    std::fs::write(&file, candidate.to_string()).unwrap();
    s.put(
        &format!("/config/{SUBJECT}"),
        json!({"compatibility": "FORWARD_TRANSITIVE"}),
    )
    .await;
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args([
            "check",
            "--registry",
            &s.base,
            "--subject",
            SUBJECT,
            "--schema",
            file.to_str().unwrap(),
        ])
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("breaks consumer old-reader, owned by finance (finance@shop.example)"),
        "{stdout}"
    );
}
