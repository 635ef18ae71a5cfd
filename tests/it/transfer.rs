//! Export and import: a registry moves without renumbering a single schema id or version.

use crate::common::*;
use serde_json::{json, Value};

async fn herald(args: &[&str]) -> String {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(args)
        .env_remove("HERALD_DATABASE_URL")
        .output()
        .await
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "herald {args:?}: {text}");
    text
}

/// A registry with gaps in its ids, several versions, a soft-deleted version, a shared id,
/// references, subject config and mode, and catalog entities.
async fn populated() -> TestServer {
    let s = TestServer::start().await;
    let r = |name: &str, fields: Value| record(name, fields);
    s.register_ok(
        "orders-value",
        &r("Order", json!([{"name": "id", "type": "string"}])),
    )
    .await;
    s.register_ok(
        "doomed",
        &r("Doomed", json!([{"name": "x", "type": "int"}])),
    )
    .await;
    s.delete("/subjects/doomed").await;
    s.delete("/subjects/doomed?permanent=true").await;
    s.register_ok(
        "orders-value",
        &r("Order", json!([{"name": "id", "type": "string"}, {"name": "note", "type": "string", "default": ""}])),
    )
    .await;
    s.register_ok(
        "mirror-value",
        &r("Order", json!([{"name": "id", "type": "string"}])),
    )
    .await;
    s.register_ok(
        "payments-value",
        &r("Payment", json!([{"name": "id", "type": "string"}])),
    )
    .await;
    s.register_ok(
        "payments-value",
        &r(
            "Payment",
            json!([{"name": "id", "type": "string"}, {"name": "a", "type": "int", "default": 0}]),
        ),
    )
    .await;
    s.delete("/subjects/payments-value/versions/2").await;
    s.register_ok("address", &json!({"type": "record", "name": "Address", "namespace": "shop", "fields": [{"name": "street", "type": "string"}]})).await;
    let customer = json!({"type": "record", "name": "Customer", "namespace": "shop", "fields": [{"name": "home", "type": "Address"}]});
    let (status, body) = s
        .post("/subjects/customer-value/versions", json!({"schema": customer.to_string(), "references": [{"name": "shop.Address", "subject": "address", "version": 1}]}))
        .await;
    assert_eq!(status, 200, "{body}");
    s.put(
        "/config/orders-value",
        json!({
            "compatibility": "FULL",
            "compatibilityGroup": "major",
            "overrideMetadata": {"properties": {"owner": "orders"}},
        }),
    )
    .await;
    s.put("/config", json!({"compatibility": "FORWARD"})).await;
    s.put("/mode/mirror-value", json!({"mode": "READONLY"}))
        .await;
    s.post(
        "/herald/v1/domains",
        json!({"name": "orders", "description": "Orders"}),
    )
    .await;
    s.post(
        "/herald/v1/teams",
        json!({"name": "checkout", "contact": {"email": "c@shop.example"}}),
    )
    .await;
    s
}

/// Every GET the registry API serves for this registry's content.
async fn snapshot(s: &TestServer, with_catalog: bool) -> Vec<(String, u16, Value)> {
    let mut paths: Vec<String> = [
        "/subjects",
        "/subjects?deleted=true",
        "/schemas?deleted=true",
        "/schemas",
        "/schemas/types",
        "/config",
        "/mode",
    ]
    .map(String::from)
    .to_vec();
    let (_, subjects) = s.get("/subjects?deleted=true").await;
    for subject in subjects.as_array().unwrap() {
        let subject = subject.as_str().unwrap();
        for p in ["versions", "versions?deleted=true"] {
            paths.push(format!("/subjects/{subject}/{p}"));
        }
        paths.push(format!("/config/{subject}"));
        paths.push(format!("/mode/{subject}"));
        let (_, versions) = s
            .get(&format!("/subjects/{subject}/versions?deleted=true"))
            .await;
        for v in versions.as_array().unwrap() {
            for suffix in [
                "?deleted=true",
                "/schema?deleted=true",
                "/referencedby?deleted=true",
            ] {
                paths.push(format!("/subjects/{subject}/versions/{v}{suffix}"));
            }
        }
    }
    let (_, all) = s.get("/schemas?deleted=true").await;
    let mut ids: Vec<i64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        for suffix in [
            "?fetchMaxId=true",
            "/schema",
            "/subjects?deleted=true",
            "/versions?deleted=true",
            "/versions",
        ] {
            paths.push(format!("/schemas/ids/{id}{suffix}"));
        }
    }
    if with_catalog {
        paths.extend(["/herald/v1/domains", "/herald/v1/teams"].map(String::from));
    }
    let mut out = Vec::new();
    for p in paths {
        let (status, body) = s.get(&p).await;
        out.push((p, status, body));
    }
    out
}

async fn serve_on(database_url: &str) -> TestServer {
    let url = database_url.to_string();
    TestServer::start_with(move |c| c.database_url = url).await
}

#[tokio::test]
async fn export_then_import_answers_every_get_identically() {
    let source = populated().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    let file = file.to_str().unwrap();
    herald(&["export", file, "--database", &source.database_url]).await;
    let target_db = fresh_database(dir.path()).await;
    let out = herald(&["import", file, "--database", &target_db]).await;
    assert!(out.contains("soft-deleted"), "{out}");

    let target = serve_on(&target_db).await;
    let before = snapshot(&source, true).await;
    let after = snapshot(&target, true).await;
    assert!(
        before.len() > 40,
        "a meaningful comparison: {} GETs",
        before.len()
    );
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b, a, "GET {} differs after export and import", b.0);
    }
    assert_eq!(before.len(), after.len());

    // New registrations in the imported registry never collide with imported ids.
    let id = target
        .register_ok(
            "fresh-value",
            &record("Fresh", json!([{"name": "f", "type": "int"}])),
        )
        .await;
    let (_, max) = source.get("/schemas/ids/1?fetchMaxId=true").await;
    assert!(id > max["maxId"].as_i64().unwrap());
}

#[tokio::test]
async fn importing_from_a_running_registry_keeps_every_id_and_version() {
    let source = populated().await;
    let dir = tempfile::tempdir().unwrap();
    let target_db = fresh_database(dir.path()).await;
    let out = herald(&[
        "import",
        "--from-registry",
        &source.base,
        "--database",
        &target_db,
    ])
    .await;
    assert!(
        out.contains("imported 5 subjects, 7 versions (1 soft-deleted)"),
        "{out}"
    );
    let target = serve_on(&target_db).await;
    let before = snapshot(&source, false).await;
    let after = snapshot(&target, false).await;
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b, a, "GET {} differs after importing over HTTP", b.0);
    }
    assert_eq!(before.len(), after.len());
}

#[tokio::test]
async fn import_refuses_a_registry_that_already_has_subjects() {
    let source = populated().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    herald(&[
        "export",
        file.to_str().unwrap(),
        "--database",
        &source.database_url,
    ])
    .await;
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args([
            "import",
            file.to_str().unwrap(),
            "--database",
            &source.database_url,
        ])
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("Cannot import since found existing subjects"));
}
