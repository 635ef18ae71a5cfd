//! The built `herald` binary as a CI job runs it, against a live `herald serve`.

use crate::common::*;
use serde_json::{json, Value};
use std::path::Path;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn herald(args: &[&str]) -> Run {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(args)
        .env_remove("HERALD_REGISTRY_URL")
        .env_remove("HERALD_TOKEN")
        .env_remove("HERALD_BASIC_AUTH")
        .env("CI", "true")
        .output()
        .await
        .expect("herald runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn write(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path.display().to_string()
}

fn order(extra: Value) -> Value {
    let mut fields = vec![json!({"name": "id", "type": "string"})];
    if !extra.is_null() {
        fields.push(extra);
    }
    record("Order", Value::Array(fields))
}

#[tokio::test]
async fn register_prints_id_and_version() {
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let v1 = write(dir.path(), "v1.avsc", &order(Value::Null));
    let run = herald(&[
        "register",
        "--registry",
        &s.base,
        "--subject",
        "orders-value",
        "--schema",
        &v1,
    ])
    .await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("id 1 version 1"), "{}", run.stdout);
    let (_, versions) = s.get("/subjects/orders-value/versions").await;
    assert_eq!(versions, json!([1]));
}

#[tokio::test]
async fn check_exits_0_when_compatible_and_1_with_reasons_when_not() {
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    s.register_ok("orders-value", &order(Value::Null)).await;
    let fine = write(
        dir.path(),
        "fine.avsc",
        &order(json!({"name": "note", "type": "string", "default": ""})),
    );
    let breaking = write(
        dir.path(),
        "breaking.avsc",
        &order(json!({"name": "qty", "type": "int"})),
    );

    let ok = herald(&[
        "check",
        "--registry",
        &s.base,
        "--subject",
        "orders-value",
        "--schema",
        &fine,
    ])
    .await;
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(ok.stdout.contains("compatible (BACKWARD)"), "{}", ok.stdout);

    let bad = herald(&[
        "check",
        "--registry",
        &s.base,
        "--subject",
        "orders-value",
        "--schema",
        &breaking,
    ])
    .await;
    assert_eq!(bad.code, 1, "{}{}", bad.stdout, bad.stderr);
    assert!(
        bad.stdout.contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{}",
        bad.stdout
    );
    assert!(bad.stdout.contains("/fields/1"), "{}", bad.stdout);
    let (_, versions) = s.get("/subjects/orders-value/versions").await;
    assert_eq!(versions, json!([1]), "check never registers");
}

#[tokio::test]
async fn register_of_an_incompatible_schema_exits_1_with_reasons() {
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    s.register_ok("orders-value", &order(Value::Null)).await;
    let breaking = write(
        dir.path(),
        "breaking.avsc",
        &order(json!({"name": "qty", "type": "int"})),
    );
    let run = herald(&[
        "register",
        "--registry",
        &s.base,
        "--subject",
        "orders-value",
        "--schema",
        &breaking,
    ])
    .await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("/fields/1"), "{}", run.stdout);
}

#[tokio::test]
async fn errors_exit_2_unreachable_invalid_missing_and_usage() {
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    s.register_ok("orders-value", &order(Value::Null)).await;
    let good = write(dir.path(), "good.avsc", &order(Value::Null));
    std::fs::write(dir.path().join("broken.avsc"), "{\"type\": ").unwrap();
    let broken = dir.path().join("broken.avsc").display().to_string();

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let unreachable = format!("http://{closed}");
    let run = herald(&[
        "check",
        "--registry",
        &unreachable,
        "--retries",
        "0",
        "--subject",
        "s",
        "--schema",
        &good,
    ])
    .await;
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("cannot reach the registry"),
        "{}",
        run.stdout
    );

    let run = herald(&[
        "check",
        "--registry",
        &s.base,
        "--subject",
        "orders-value",
        "--schema",
        &broken,
    ])
    .await;
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("invalid schema"), "{}", run.stdout);

    let run = herald(&[
        "register",
        "--registry",
        &s.base,
        "--subject",
        "x",
        "--schema",
        &broken,
    ])
    .await;
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);

    let missing = dir.path().join("nope.avsc").display().to_string();
    let run = herald(&[
        "check",
        "--registry",
        &s.base,
        "--subject",
        "x",
        "--schema",
        &missing,
    ])
    .await;
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("cannot read"), "{}", run.stdout);

    assert_eq!(herald(&["check", "--subject", "x"]).await.code, 2);
    assert_eq!(
        herald(&[
            "check",
            "--registry",
            &s.base,
            "--reference",
            "bad",
            "--subject",
            "x",
            "--schema",
            &good
        ])
        .await
        .code,
        2
    );
}

/// The documented JSON shape: `{"ok": bool, "results": [{subject, file, status, id, version,
/// level, against_version, reasons: [{kind, path, message, line}], error, notes}]}`.
fn assert_documented_shape(doc: &Value) {
    assert!(doc["ok"].is_boolean(), "{doc}");
    let results = doc["results"].as_array().expect("results");
    for r in results {
        for key in [
            "subject",
            "file",
            "status",
            "id",
            "version",
            "level",
            "against_version",
            "reasons",
            "error",
            "impact",
            "notes",
        ] {
            assert!(r.get(key).is_some(), "result lacks {key}: {r}");
        }
        assert!(["compatible", "incompatible", "registered", "error"]
            .contains(&r["status"].as_str().unwrap()));
        for reason in r["reasons"].as_array().unwrap() {
            for key in [
                "kind", "path", "field", "old", "new", "breaks", "message", "line",
            ] {
                assert!(reason.get(key).is_some(), "reason lacks {key}: {reason}");
            }
        }
    }
}

#[tokio::test]
async fn json_output_has_the_documented_shape() {
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    s.register_ok("orders-value", &order(Value::Null)).await;
    let breaking = write(
        dir.path(),
        "breaking.avsc",
        &order(json!({"name": "qty", "type": "int"})),
    );
    let run = herald(&[
        "check",
        "--registry",
        &s.base,
        "--subject",
        "orders-value",
        "--schema",
        &breaking,
        "--format",
        "json",
    ])
    .await;
    assert_eq!(run.code, 1);
    let doc: Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    assert_documented_shape(&doc);
    assert_eq!(doc["ok"], false);
    let r = &doc["results"][0];
    assert_eq!(r["status"], "incompatible");
    assert_eq!(r["level"], "BACKWARD");
    assert_eq!(r["against_version"], 1);
    assert_eq!(
        r["reasons"][0]["kind"],
        "READER_FIELD_MISSING_DEFAULT_VALUE"
    );
    assert_eq!(r["reasons"][0]["path"], "/fields/1");
    // Herald gives the reason as data, in a sentence that names the versions.
    assert_eq!(r["reasons"][0]["field"], "qty");
    assert_eq!(
        (&r["reasons"][0]["old"], &r["reasons"][0]["new"]),
        (&Value::Null, &json!("int without a default"))
    );
    assert_eq!(r["reasons"][0]["breaks"], json!(["backward"]));
    assert_eq!(
        r["reasons"][0]["message"],
        "field `qty` was added as int without a default: consumers on the new schema cannot read messages written with v1"
    );
    // Herald answers the impact question; no catalog event binds this subject, so nothing breaks.
    assert_eq!(r["impact"], json!([]));

    assert_eq!(
        r["reasons"][0]["line"], 9,
        "where the `qty` field starts in the pretty-printed file"
    );

    let good = write(dir.path(), "good.avsc", &order(Value::Null));
    let run = herald(&[
        "register",
        "--registry",
        &s.base,
        "--subject",
        "other",
        "--schema",
        &good,
        "--format",
        "json",
    ])
    .await;
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_documented_shape(&doc);
    assert_eq!(
        (doc["ok"].as_bool(), doc["results"][0]["status"].as_str()),
        (Some(true), Some("registered"))
    );
}

/// Parses a workflow command line: `::error file=F,line=N,title=T::message`.
fn parse_annotation(line: &str) -> (String, std::collections::HashMap<String, String>, String) {
    let rest = line.strip_prefix("::").expect("starts with ::");
    let (head, message) = rest.split_once("::").expect("has a :: separator");
    let (command, props) = head.split_once(' ').unwrap_or((head, ""));
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_string(), v.to_string())
        })
        .collect();
    (command.to_string(), props, message.to_string())
}

#[tokio::test]
async fn github_annotations_point_at_the_breaking_field() {
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    s.register_ok("orders-value", &order(Value::Null)).await;
    let breaking = write(
        dir.path(),
        "breaking.avsc",
        &order(json!({"name": "qty", "type": "int"})),
    );
    let run = herald(&[
        "check",
        "--registry",
        &s.base,
        "--subject",
        "orders-value",
        "--schema",
        &breaking,
        "--format",
        "github",
    ])
    .await;
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(!lines.is_empty());
    let (command, props, message) = parse_annotation(lines[0]);
    assert_eq!(command, "error");
    assert_eq!(props["file"], breaking);
    assert_eq!(props["line"], "9");
    assert!(props["title"].contains("orders-value"));
    assert!(
        message.starts_with("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{message}"
    );
    for line in lines {
        parse_annotation(line);
    }
}

#[tokio::test]
async fn a_catalog_folder_is_checked_and_registered_in_one_run() {
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "orders/events/placed.avsc", &order(Value::Null));
    write(
        root,
        "users/events/created.avsc",
        &record("UserCreated", json!([{"name": "userId", "type": "string"}])),
    );
    std::fs::write(
        root.join("orders/team.yaml"),
        "name: orders\ncontact: orders@example.com\n",
    )
    .unwrap();
    std::fs::write(
        root.join("orders/events/order.placed.yaml"),
        "kind: event\nname: order.placed\nschemas:\n  - subject: orders-value\n    versions:\n      - { version: 1.0.0, file: placed.avsc }\n",
    )
    .unwrap();
    std::fs::write(
        root.join("users/events/user.created.yaml"),
        "kind: event\nname: user.created\nschemas:\n  - subject: users-value\n    versions:\n      - { version: 1.0.0, file: created.avsc }\n",
    )
    .unwrap();
    let catalog = root.display().to_string();

    let run = herald(&["register", "--registry", &s.base, "--catalog", &catalog]).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.starts_with("registered"))
            .count(),
        2,
        "{}",
        run.stdout
    );
    let (_, subjects) = s.get("/subjects").await;
    assert_eq!(subjects, json!(["orders-value", "users-value"]));

    // A breaking edit to one event fails the whole run, and names that event's subject.
    write(
        root,
        "orders/events/placed.avsc",
        &order(json!({"name": "qty", "type": "int"})),
    );
    let run = herald(&[
        "check",
        "--registry",
        &s.base,
        "--catalog",
        &catalog,
        "--format",
        "json",
    ])
    .await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_documented_shape(&doc);
    let statuses: Vec<(&str, &str)> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["subject"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("orders-value", "incompatible"),
            ("users-value", "compatible")
        ]
    );
}

#[tokio::test]
async fn references_are_passed_through() {
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    s.register_ok("address", &json!({"type": "record", "name": "Address", "namespace": "shop", "fields": [{"name": "street", "type": "string"}]})).await;
    let customer = write(
        dir.path(),
        "customer.avsc",
        &json!({"type": "record", "name": "Customer", "namespace": "shop", "fields": [{"name": "home", "type": "Address"}]}),
    );
    let run = herald(&[
        "register",
        "--registry",
        &s.base,
        "--subject",
        "customer-value",
        "--schema",
        &customer,
        "--reference",
        "shop.Address=address:1",
    ])
    .await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let (_, v) = s.get("/subjects/customer-value/versions/1").await;
    assert_eq!(
        v["references"],
        json!([{"name": "shop.Address", "subject": "address", "version": 1}])
    );
}

#[tokio::test]
async fn tokens_are_sent_and_a_401_says_how_to_authenticate() {
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::post;
    async fn guarded(headers: HeaderMap) -> (StatusCode, String) {
        match headers.get("authorization").and_then(|v| v.to_str().ok()) {
            Some("Bearer sekrit") => (
                StatusCode::OK,
                r#"{"is_compatible":true,"messages":[]}"#.into(),
            ),
            _ => (
                StatusCode::UNAUTHORIZED,
                r#"{"error_code":401,"message":"Unauthorized"}"#.into(),
            ),
        }
    }
    let app = axum::Router::new().route("/compatibility/subjects/{s}/versions", post(guarded));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "a.avsc", &order(Value::Null));

    let run = herald(&[
        "check",
        "--registry",
        &base,
        "--subject",
        "s",
        "--schema",
        &file,
    ])
    .await;
    assert_eq!(run.code, 2);
    assert!(run.stdout.contains("HERALD_TOKEN"), "{}", run.stdout);
    let run = herald(&[
        "check",
        "--registry",
        &base,
        "--token",
        "sekrit",
        "--subject",
        "s",
        "--schema",
        &file,
    ])
    .await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[tokio::test]
async fn completions_and_help_are_generated() {
    let run = herald(&["completions", "bash"]).await;
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("herald") && run.stdout.contains("--registry"),
        "{}",
        run.stdout
    );
    for sub in ["register", "check", "serve"] {
        let run = herald(&[sub, "--help"]).await;
        assert_eq!(run.code, 0, "{sub}");
        assert!(
            run.stdout.contains("Example"),
            "{sub} --help has examples: {}",
            run.stdout
        );
    }
}

#[tokio::test]
async fn impact_from_a_herald_catalog_names_the_services_and_teams_it_breaks() {
    use axum::routing::post;
    // Stands in for a Herald whose catalog declares consumers of the subject.
    let app = axum::Router::new()
        .route(
            "/compatibility/subjects/{s}/versions",
            post(|| async {
                r#"{"is_compatible":false,"messages":["{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'qty' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'qty'}","{oldSchemaVersion: 2}"]}"#
            }),
        )
        .route(
            "/herald/v1/subjects/{s}/impact",
            post(|| async {
                r#"{"breaks":[{"service":"shipping","role":"consumer","team":"logistics","contact":"logistics@example.com","reason":"reads version 2"}]}"#
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "a.avsc", &order(Value::Null));

    let run = herald(&[
        "check",
        "--registry",
        &base,
        "--subject",
        "s",
        "--schema",
        &file,
    ])
    .await;
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("breaks consumer shipping, owned by logistics (logistics@example.com)"),
        "{}",
        run.stdout
    );
    let run = herald(&[
        "check",
        "--registry",
        &base,
        "--subject",
        "s",
        "--schema",
        &file,
        "--format",
        "json",
    ])
    .await;
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_documented_shape(&doc);
    assert_eq!(doc["results"][0]["impact"][0]["team"], "logistics");
}

#[tokio::test]
async fn the_demo_catalog_is_checked_and_registered_as_plan_and_apply_read_it() {
    // The same folder `herald serve` loaded: nothing to register, everything compatible.
    let s = demo().await;
    let catalog = demo_dir().display().to_string();
    let run = herald(&["check", "--registry", &s.base, "--catalog", &catalog]).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("inventory.stock.released-value"),
        "{}",
        run.stdout
    );
    let run = herald(&[
        "check",
        "--registry",
        &s.base,
        "--catalog",
        &catalog,
        "--format",
        "json",
    ])
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).expect("a JSON report on stdout");
    assert!(!doc["results"].as_array().unwrap().is_empty());
    let (_, before) = s.get("/schemas?limit=-1").await;
    let run = herald(&["register", "--registry", &s.base, "--catalog", &catalog]).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let (_, after) = s.get("/schemas?limit=-1").await;
    assert_eq!(
        before, after,
        "registering the loaded catalog again adds nothing"
    );
    // And against an empty registry, every declared version is registered, oldest first.
    let fresh = TestServer::start().await;
    let run = herald(&["register", "--registry", &fresh.base, "--catalog", &catalog]).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let (_, versions) = fresh
        .get("/subjects/orders.order.placed-value/versions")
        .await;
    assert!(versions.as_array().unwrap().len() >= 2, "{versions}");
}

#[tokio::test]
async fn check_names_the_field_and_both_types_in_every_format() {
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let avro = |t: &str| record("Payment", json!([{"name": "amount", "type": t}]));
    let json_schema = |t: &str| json!({"type": "object", "properties": {"amount": {"type": t}}, "additionalProperties": false});
    let proto =
        |t: &str| format!("syntax = \"proto3\";\nmessage Payment {{\n  {t} amount = 1;\n}}\n");
    s.register_ok("avro-value", &avro("long")).await;
    let (status, body) = s
        .post(
            "/subjects/json-value/versions",
            json!({"schemaType": "JSON", "schema": json_schema("integer").to_string()}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = s
        .post(
            "/subjects/proto-value/versions",
            json!({"schemaType": "PROTOBUF", "schema": proto("int64")}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let avro_file = write(dir.path(), "payment.avsc", &avro("string"));
    let json_file = write(dir.path(), "payment.json", &json_schema("string"));
    let proto_file = dir.path().join("payment.proto");
    std::fs::write(&proto_file, proto("string")).unwrap();
    for (subject, file, expected) in [
        (
            "avro-value",
            avro_file,
            "/fields/0/type (line 7)  TYPE_MISMATCH [backward]: field `amount` changed type from long to string: consumers on the new schema cannot read messages written with v1",
        ),
        (
            "json-value",
            json_file,
            "#/properties/amount (line 4)  TYPE_CHANGED [backward]: field `amount` changed type from integer to string: consumers on the new schema cannot read messages written with v1",
        ),
        (
            "proto-value",
            proto_file.display().to_string(),
            "#/Payment/1  FIELD_SCALAR_KIND_CHANGED [backward]: field `amount` changed type from int64 to string: consumers on the new schema cannot read messages written with v1",
        ),
    ] {
        let run = herald(&[
            "check", "--registry", &s.base, "--subject", subject, "--schema", &file,
        ])
        .await;
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains(expected),
            "{expected}\n---\n{}",
            run.stdout
        );
    }
}
