//! What survives a restart, ids that are never handed out twice, and concurrent registrations.

use crate::common::*;
use herald::serve_settings::ServeConfig;
use serde_json::json;

fn schema(name: &str) -> serde_json::Value {
    record(name, json!([{"name": "id", "type": "string"}]))
}

async fn start_on(database_url: &str) -> (herald::server::RunningServer, String) {
    let server = herald::server::spawn(ServeConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: database_url.to_string(),
        ..ServeConfig::default()
    })
    .await
    .unwrap();
    let base = format!("http://{}", server.addr);
    (server, base)
}

#[tokio::test]
async fn registrations_config_and_mode_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database(dir.path()).await;
    let client = reqwest::Client::new();
    let post = |url: String, body: serde_json::Value| {
        client
            .post(url)
            .header("content-type", CT)
            .body(body.to_string())
            .send()
    };

    let (server, base) = start_on(&db).await;
    let first = post(
        format!("{base}/subjects/orders-value/versions"),
        json!({"schema": schema("A").to_string()}),
    )
    .await
    .unwrap();
    assert_eq!(first.status(), 200);
    client
        .put(format!("{base}/config/orders-value"))
        .header("content-type", CT)
        .body(json!({"compatibility": "FULL"}).to_string())
        .send()
        .await
        .unwrap();
    server.stop().await.unwrap();

    let (server, base) = start_on(&db).await;
    let by_id: serde_json::Value = client
        .get(format!("{base}/schemas/ids/1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(by_id["schema"].as_str().unwrap(), schema("A").to_string());
    let config: serde_json::Value = client
        .get(format!("{base}/config/orders-value"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["compatibilityLevel"], "FULL");
    let again: serde_json::Value = post(
        format!("{base}/subjects/orders-value/versions"),
        json!({"schema": schema("A").to_string()}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(again["id"], 1);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn ids_of_permanently_deleted_schemas_are_never_reused() {
    let s = TestServer::start().await;
    assert_eq!(s.register_ok("a", &schema("A")).await, 1);
    assert_eq!(s.register_ok("b", &schema("B")).await, 2);
    assert_eq!(s.delete("/subjects/b").await.0, 200);
    assert_eq!(s.delete("/subjects/b?permanent=true").await.0, 200);
    assert_eq!(s.get("/schemas/ids/2").await.1["error_code"], 40403);

    assert_eq!(s.register_ok("c", &schema("C")).await, 3);
    // The same schema as the purged one comes back under a fresh id.
    assert_eq!(s.register_ok("b", &schema("B")).await, 4);
}

#[tokio::test]
async fn concurrent_registrations_get_gapless_versions_and_unique_ids() {
    let s = TestServer::start().await;
    s.put("/config/busy", json!({"compatibility": "NONE"}))
        .await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let client = s.client.clone();
        let url = s.url("/subjects/busy/versions");
        tasks.push(tokio::spawn(async move {
            let body = json!({"schema": schema(&format!("R{i}")).to_string()});
            let resp = client
                .post(url)
                .header("content-type", CT)
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
            resp.json::<serde_json::Value>().await.unwrap()["id"]
                .as_i64()
                .unwrap()
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 16, "every distinct schema got its own id");
    let (_, versions) = s.get("/subjects/busy/versions").await;
    assert_eq!(versions, json!((1..=16).collect::<Vec<_>>()));
}

#[tokio::test]
async fn the_same_schema_registered_concurrently_under_many_subjects_shares_one_id() {
    let s = TestServer::start().await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let client = s.client.clone();
        let url = s.url(&format!("/subjects/s{i}/versions"));
        tasks.push(tokio::spawn(async move {
            let body = json!({"schema": schema("Shared").to_string()});
            let resp = client
                .post(url)
                .header("content-type", CT)
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            resp.json::<serde_json::Value>().await.unwrap()["id"]
                .as_i64()
                .unwrap()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 1);
    }
}

/// `herald serve` as a child process, so that it can be killed with SIGKILL.
struct Process {
    child: std::process::Child,
    base: String,
}

impl Process {
    // The child is waited for in `Drop`, or right after a deliberate kill.
    #[allow(clippy::zombie_processes)]
    async fn start(database_url: &str) -> Process {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_herald"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--database", database_url])
            .args(["--catalog", "/nonexistent/catalog"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("herald starts");
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..200 {
            if reqwest::get(&base).await.is_ok() {
                return Process { child, base };
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("herald on port {port} did not come up");
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// The audit line is written in the registration's transaction, so a SIGKILL at any moment
// leaves every version with exactly its line.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_a_kill_every_version_has_exactly_its_audit_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database(dir.path()).await;
    let mut first = Process::start(&db).await;
    let client = reqwest::Client::new();
    let (tx, mut acked) = tokio::sync::mpsc::unbounded_channel::<i64>();
    let mut writers = Vec::new();
    for w in 0..4 {
        let (client, base, tx) = (client.clone(), first.base.clone(), tx.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..300 {
                // Each version adds an optional field, so every one is BACKWARD compatible.
                let fields: Vec<_> = (0..=i)
                    .map(|f| json!({"name": format!("f{f}"), "type": ["null", "int"], "default": null}))
                    .collect();
                let body = json!({"schema": record(&format!("W{w}"), json!(fields)).to_string()});
                let Ok(resp) = client
                    .post(format!("{base}/subjects/load-{w}/versions"))
                    .header("content-type", CT)
                    .body(body.to_string())
                    .send()
                    .await
                else {
                    break;
                };
                if resp.status() != 200 {
                    break;
                }
                let id = resp.json::<serde_json::Value>().await.unwrap()["id"]
                    .as_i64()
                    .unwrap();
                if tx.send(id).is_err() {
                    break;
                }
            }
        }));
    }
    drop(tx);
    let mut got = Vec::new();
    while got.len() < 40 {
        got.push(acked.recv().await.expect("acks before the kill"));
    }
    first.child.kill().expect("SIGKILL");
    first.child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    while let Some(id) = acked.recv().await {
        got.push(id);
    }

    let second = Process::start(&db).await;
    let get = |path: String| {
        let client = client.clone();
        let url = format!("{}{path}", second.base);
        async move {
            let resp = client.get(url).send().await.unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<serde_json::Value>().await.unwrap())
        }
    };
    for id in &got {
        assert_eq!(
            get(format!("/schemas/ids/{id}")).await.0,
            200,
            "id {id} lost"
        );
    }
    let mut versions = 0;
    for w in 0..4 {
        let (status, body) = get(format!("/subjects/load-{w}/versions")).await;
        if status == 200 {
            versions += body.as_array().unwrap().len();
        }
    }
    assert!(versions >= got.len() && versions < 1000, "{versions}");
    let (status, lines) =
        get("/herald/v1/audit?action=schema.register&target=subject/load-&limit=1000".into()).await;
    assert_eq!(status, 200);
    assert_eq!(lines.as_array().unwrap().len(), versions);
}

// Registrations are committed in groups: a SIGKILL in the middle of a stream of them from many
// clients at once loses none that was answered, and leaves each written one whole (its schema,
// version and audit line), whichever group it was in.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_a_kill_every_answered_registration_of_many_clients_is_whole() {
    const CLIENTS: usize = 8;
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database(dir.path()).await;
    let mut first = Process::start(&db).await;
    let client = reqwest::Client::new();
    let (tx, mut acked) = tokio::sync::mpsc::unbounded_channel::<(String, i64)>();
    let mut writers = Vec::new();
    for w in 0..CLIENTS {
        let (client, base, tx) = (client.clone(), first.base.clone(), tx.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..2000 {
                let subject = format!("burst-{w}-{i}");
                let body = json!({"schema": schema(&format!("B{w}x{i}")).to_string()});
                let Ok(resp) = client
                    .post(format!("{base}/subjects/{subject}/versions"))
                    .header("content-type", CT)
                    .body(body.to_string())
                    .send()
                    .await
                else {
                    break;
                };
                if resp.status() != 200 {
                    break;
                }
                let Ok(answer) = resp.json::<serde_json::Value>().await else {
                    break;
                };
                if tx.send((subject, answer["id"].as_i64().unwrap())).is_err() {
                    break;
                }
            }
        }));
    }
    drop(tx);
    let mut got = Vec::new();
    while got.len() < 200 {
        got.push(acked.recv().await.expect("answers before the kill"));
    }
    first.child.kill().expect("SIGKILL");
    first.child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    while let Some(answered) = acked.recv().await {
        got.push(answered);
    }

    let second = Process::start(&db).await;
    let get = |path: String| {
        let client = client.clone();
        let url = format!("{}{path}", second.base);
        async move {
            let resp = client.get(url).send().await.unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<serde_json::Value>().await.unwrap())
        }
    };
    let mut ids = std::collections::HashSet::new();
    for (subject, id) in &got {
        let (status, version) = get(format!("/subjects/{subject}/versions/1")).await;
        assert_eq!(status, 200, "{subject} lost: {version}");
        assert_eq!(version["id"], *id, "{subject}");
        assert!(ids.insert(*id), "id {id} answered twice");
    }
    let (_, subjects) = get("/subjects?subjectPrefix=burst-".into()).await;
    let written = subjects.as_array().unwrap().len();
    assert!(written >= got.len(), "{written} < {}", got.len());
    let (status, lines) = get(format!(
        "/herald/v1/audit?action=schema.register&target=subject/burst-&limit={}",
        written + 10
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        lines.as_array().unwrap().len(),
        written,
        "one audit line per written version"
    );
    for subject in subjects.as_array().unwrap() {
        let (status, body) = get(format!(
            "/subjects/{}/versions/1",
            subject.as_str().unwrap()
        ))
        .await;
        assert_eq!(status, 200, "{subject}: {body}");
        let (status, _) = get(format!("/schemas/ids/{}", body["id"])).await;
        assert_eq!(status, 200, "{subject}'s schema");
    }
}

/// Registrations committed together stay independent: the incompatible ones among them are
/// refused and leave nothing behind, the others are written, each with its audit line.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refused_registrations_committed_alongside_accepted_ones_leave_nothing() {
    let s = TestServer::start().await;
    let strict = record("Strict", json!([{"name": "id", "type": "string"}]));
    s.register_ok("strict", &strict).await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let client = s.client.clone();
        let (subject, body) = if i % 2 == 0 {
            (format!("fresh-{i}"), schema(&format!("Fresh{i}")))
        } else {
            // A new field without a default breaks BACKWARD.
            let breaking = record(
                "Strict",
                json!([{"name": "id", "type": "string"}, {"name": format!("f{i}"), "type": "int"}]),
            );
            ("strict".to_string(), breaking)
        };
        let url = s.url(&format!("/subjects/{subject}/versions"));
        tasks.push(tokio::spawn(async move {
            let resp = client
                .post(url)
                .header("content-type", CT)
                .body(json!({"schema": body.to_string()}).to_string())
                .send()
                .await
                .unwrap();
            (i, resp.status().as_u16())
        }));
    }
    for t in tasks {
        let (i, status) = t.await.unwrap();
        assert_eq!(status, if i % 2 == 0 { 200 } else { 409 }, "request {i}");
    }
    assert_eq!(s.get("/subjects/strict/versions").await.1, json!([1]));
    let (_, subjects) = s.get("/subjects?subjectPrefix=fresh-").await;
    assert_eq!(subjects.as_array().unwrap().len(), 20);
    let (_, lines) = s
        .get("/herald/v1/audit?action=schema.register&limit=100")
        .await;
    assert_eq!(lines.as_array().unwrap().len(), 21, "{lines}");
    // The refused schemas took no id: the accepted ones hold 1..=21 without a gap.
    let (_, max) = s.get("/schemas/ids/1?fetchMaxId=true").await;
    assert_eq!(max["maxId"], 21);
}

/// A schema stored by an earlier canonical form (Avro names as registered, JSON keys sorted)
/// is still found when the same schema is registered or looked up again: no new version.
#[tokio::test]
async fn schemas_stored_in_an_earlier_canonical_form_are_found_again() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database(dir.path()).await;
    if !db.starts_with("sqlite") {
        return; // the rewrite below speaks SQLite
    }
    let client = reqwest::Client::new();
    let avro =
        json!({"type": "record", "name": "a.b.R", "fields": [{"name": "id", "type": "string"}]});
    let json_schema = r#"{"type":"object","properties":{"z":{},"a":{}}}"#;
    let (server, base) = start_on(&db).await;
    for (subject, body) in [
        ("avro", json!({"schema": avro.to_string()})),
        ("json", json!({"schemaType": "JSON", "schema": json_schema})),
    ] {
        let resp = client
            .post(format!("{base}/subjects/{subject}/versions"))
            .header("content-type", CT)
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    drop(server);
    // Rewrite the rows as an earlier Herald stored them.
    let mut conn = sqlx::SqliteConnection::connect(&db).await.unwrap();
    sqlx::query("UPDATE schemas SET schema = ?, hash = 'earlier-avro' WHERE schema_type = 'AVRO'")
        .bind(avro.to_string())
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("UPDATE schemas SET schema = ?, hash = 'earlier-json' WHERE schema_type = 'JSON'")
        .bind(r#"{"properties":{"a":{},"z":{}},"type":"object"}"#)
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    let (_server, base) = start_on(&db).await;
    for (subject, body) in [
        ("avro", json!({"schema": avro.to_string()})),
        ("json", json!({"schemaType": "JSON", "schema": json_schema})),
    ] {
        for path in [format!("{subject}/versions"), subject.to_string()] {
            let resp = client
                .post(format!("{base}/subjects/{path}"))
                .header("content-type", CT)
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            let status = resp.status();
            let answer: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(status, 200, "{path}: {answer}");
        }
        let versions: serde_json::Value = client
            .get(format!("{base}/subjects/{subject}/versions"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(versions, json!([1]), "{subject}");
    }
}
