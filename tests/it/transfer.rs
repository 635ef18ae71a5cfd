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
    // A context of its own ids, with a reference that names its subject without the context.
    s.register_ok(":.eu:address", &json!({"type": "record", "name": "Address", "namespace": "shop", "fields": [{"name": "zip", "type": "int"}]})).await;
    let (status, body) = s
        .post("/subjects/:.eu:customer-value/versions", json!({"schema": customer.to_string(), "references": [{"name": "shop.Address", "subject": "address", "version": 1}]}))
        .await;
    assert_eq!((status, body["id"].clone()), (200, json!(2)), "{body}");
    s.put("/config/:.eu:", json!({"compatibility": "NONE"}))
        .await;
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
        "/contexts",
        "/config/:.eu:",
        "/schemas/ids/1?subject=:.eu:address",
        "/schemas/ids/2?subject=:.eu:customer-value",
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
    let out = herald(&["export", file, "--database", &source.database_url]).await;
    // Without a terminal, progress comes as plain lines, the last one with the count.
    assert!(out.contains("exporting versions: 9 versions in"), "{out}");
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
    // So do they in a context: its counter moved past its imported ids.
    let id = target
        .register_ok(
            ":.eu:fresh-value",
            &record("Fresh", json!([{"name": "f", "type": "int"}])),
        )
        .await;
    assert_eq!(id, 3);
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
        out.contains("imported 7 subjects, 9 versions (1 soft-deleted)"),
        "{out}"
    );
    assert!(
        out.contains("reading the source registry: 7 subjects in"),
        "{out}"
    );
    assert!(out.contains("importing versions: 9 versions in"), "{out}");
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
    let target = fresh_database(dir.path()).await;
    herald(&["import", file.to_str().unwrap(), "--database", &target]).await;
    let out = herald_fails(&["import", file.to_str().unwrap(), "--database", &target]).await;
    assert!(
        out.contains("Cannot import since found existing subjects"),
        "{out}"
    );
}

/// A SQLite file has one serving or importing process: a second one would answer from memory
/// that the first one's writes made stale.
#[tokio::test]
async fn a_sqlite_file_that_a_server_holds_refuses_an_import_and_a_second_server() {
    let source = populated().await;
    if !source.database_url.starts_with("sqlite:") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    herald(&[
        "export",
        file.to_str().unwrap(),
        "--database",
        &source.database_url,
    ])
    .await;
    let out = herald_fails(&[
        "import",
        file.to_str().unwrap(),
        "--database",
        &source.database_url,
    ])
    .await;
    assert!(
        out.contains("another herald process serves or imports into"),
        "{out}"
    );
    let out = herald_fails(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--catalog",
        "/nonexistent",
        "--database",
        &source.database_url,
    ])
    .await;
    assert!(
        out.contains("another herald process serves or imports into"),
        "{out}"
    );
    // Tokens are written around the server: it re-reads a token within a second.
    let out = herald(&["token", "list", "--database", &source.database_url]).await;
    assert!(!out.contains("another herald process"), "{out}");
}

/// Runs `herald` expecting it to fail; its stdout and stderr.
async fn herald_fails(args: &[&str]) -> String {
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
    assert!(!out.status.success(), "herald {args:?} should fail: {text}");
    text
}

fn version(subject: &str, version: i64, id: i64, schema: &Value, references: Value) -> Value {
    json!({"subject": subject, "version": version, "id": id, "deleted": false,
           "schemaType": "AVRO", "schema": schema.to_string(), "references": references})
}

fn document(versions: Vec<Value>) -> Value {
    json!({"format": "herald-export", "version": 1, "versions": versions,
           "configs": [], "modes": [], "catalog": []})
}

fn address() -> Value {
    json!({"type": "record", "name": "Address", "namespace": "shop",
           "fields": [{"name": "street", "type": "string"}]})
}

#[tokio::test]
async fn an_import_that_fails_part_way_writes_no_version_and_leaves_the_mode_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let mut versions: Vec<Value> = (1..=1200)
        .map(|i| {
            version(
                &format!("bulk-{i:04}"),
                1,
                i,
                &record(&format!("Bulk{i}"), json!([{"name": "n", "type": "int"}])),
                json!([]),
            )
        })
        .collect();
    // Past the first batches, so earlier ones were handed to the store already.
    versions.push(json!({"subject": "zz-broken", "version": 1, "id": 5000, "deleted": false,
                         "schemaType": "AVRO", "schema": "{\"type\": \"record\"", "references": []}));
    let file = dir.path().join("broken.json");
    std::fs::write(&file, document(versions.clone()).to_string()).unwrap();
    let db = fresh_database(dir.path()).await;
    let out = herald_fails(&["import", file.to_str().unwrap(), "--database", &db]).await;
    assert!(
        out.contains("zz-broken"),
        "the failing version is named: {out}"
    );

    let target = serve_on(&db).await;
    assert_eq!(target.get("/subjects?deleted=true").await.1, json!([]));
    assert_eq!(target.get("/mode").await.1["mode"], "READWRITE");
    drop(target);

    // The same registry takes the corrected document.
    versions.pop();
    std::fs::write(&file, document(versions).to_string()).unwrap();
    let out = herald(&["import", file.to_str().unwrap(), "--database", &db]).await;
    assert!(
        out.contains("imported 1200 subjects, 1200 versions"),
        "{out}"
    );
    // Without a terminal, progress comes as plain lines.
    assert!(out.contains("1200 versions in"), "{out}");
    let target = serve_on(&db).await;
    assert_eq!(
        target.get("/subjects").await.1.as_array().unwrap().len(),
        1200
    );
}

#[tokio::test]
async fn a_version_may_reference_one_further_down_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let customer = json!({"type": "record", "name": "Customer", "namespace": "shop",
                          "fields": [{"name": "home", "type": "Address"}]});
    let file = dir.path().join("export.json");
    let doc = document(vec![
        version(
            "a-customer",
            1,
            2,
            &customer,
            json!([{"name": "shop.Address", "subject": "z-address", "version": 1}]),
        ),
        version("z-address", 1, 1, &address(), json!([])),
    ]);
    std::fs::write(&file, doc.to_string()).unwrap();
    let db = fresh_database(dir.path()).await;
    herald(&["import", file.to_str().unwrap(), "--database", &db]).await;
    let target = serve_on(&db).await;
    let (status, body) = target.get("/subjects/a-customer/versions/1").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            body["id"].as_i64(),
            body["references"][0]["subject"].as_str()
        ),
        (Some(2), Some("z-address"))
    );
    assert_eq!(
        target
            .get("/subjects/z-address/versions/1/referencedby")
            .await
            .1,
        json!([2])
    );
}

#[tokio::test]
async fn a_soft_deleted_version_a_live_one_references_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let customer = json!({"type": "record", "name": "Customer", "namespace": "shop",
                          "fields": [{"name": "home", "type": "Address"}]});
    let mut gone = version("address", 1, 1, &address(), json!([]));
    gone["deleted"] = json!(true);
    let doc = document(vec![
        gone,
        version(
            "customer",
            1,
            2,
            &customer,
            json!([{"name": "shop.Address", "subject": "address", "version": 1}]),
        ),
    ]);
    let file = dir.path().join("export.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let db = fresh_database(dir.path()).await;
    let out = herald_fails(&["import", file.to_str().unwrap(), "--database", &db]).await;
    assert!(out.contains("One or more references exist"), "{out}");
    let target = serve_on(&db).await;
    assert_eq!(target.get("/subjects?deleted=true").await.1, json!([]));
}

#[tokio::test]
async fn a_document_that_reuses_a_version_or_an_id_for_another_schema_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let a = record("A", json!([{"name": "a", "type": "int"}]));
    let b = record("B", json!([{"name": "b", "type": "int"}]));
    let db = fresh_database(dir.path()).await;
    let file = dir.path().join("export.json");
    for (versions, says) in [
        (
            vec![
                version("s", 1, 1, &a, json!([])),
                version("s", 1, 2, &b, json!([])),
            ],
            "Version 1 already exists in subject 's'",
        ),
        (
            vec![
                version("s", 1, 1, &a, json!([])),
                version("t", 1, 1, &b, json!([])),
            ],
            "Overwrite new schema with id 1",
        ),
    ] {
        std::fs::write(&file, document(versions).to_string()).unwrap();
        let out = herald_fails(&["import", file.to_str().unwrap(), "--database", &db]).await;
        assert!(out.contains(says), "{out}");
    }
    let target = serve_on(&db).await;
    assert_eq!(target.get("/subjects?deleted=true").await.1, json!([]));
}

#[tokio::test]
async fn the_file_name_of_a_registered_descriptor_survives_export_and_import() {
    use base64::Engine;
    use prost::Message;
    let source = TestServer::start().await;
    let descriptor = prost_types::FileDescriptorProto {
        name: Some("shop/orders.proto".into()),
        package: Some("shop".into()),
        syntax: Some("proto3".into()),
        message_type: vec![prost_types::DescriptorProto {
            name: Some("Order".into()),
            field: vec![prost_types::FieldDescriptorProto {
                name: Some("id".into()),
                number: Some(1),
                label: Some(1),
                r#type: Some(9),
                json_name: Some("id".into()),
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(descriptor.encode_to_vec());
    let (status, body) = source
        .post(
            "/subjects/orders-value/versions",
            json!({"schemaType": "PROTOBUF", "schema": encoded}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    let file = file.to_str().unwrap();
    herald(&["export", file, "--database", &source.database_url]).await;
    let target_db = fresh_database(dir.path()).await;
    herald(&["import", file, "--database", &target_db]).await;
    let target = serve_on(&target_db).await;
    let (_, body) = target
        .get("/subjects/orders-value/versions/1?format=serialized")
        .await;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body["schema"].as_str().unwrap())
        .unwrap();
    let answered = prost_types::FileDescriptorProto::decode(bytes.as_slice()).unwrap();
    assert_eq!(answered.name(), "shop/orders.proto");
}
