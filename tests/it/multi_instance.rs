//! Several `herald serve` processes on one PostgreSQL database: shared ids, gapless versions,
//! settings and reads that agree across instances, and no acknowledged write lost to SIGKILL.
//! Runs when `HERALD_TEST_POSTGRES` names a server (the test command starts one).

use crate::common::*;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Instance {
    child: Child,
    base: String,
}

impl Instance {
    // The child is waited for in `Drop`, or right after a deliberate kill.
    #[allow(clippy::zombie_processes)]
    async fn start(database_url: &str) -> Instance {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_herald"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--database", database_url])
            .args(["--catalog", "/nonexistent/catalog"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("herald starts");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if client.get(&base).send().await.is_ok() {
                return Instance { child, base };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("herald on port {port} did not come up");
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn postgres_available() -> bool {
    if std::env::var("HERALD_TEST_POSTGRES").is_ok() {
        return true;
    }
    eprintln!("HERALD_TEST_POSTGRES is not set: run through scripts/with-postgres");
    false
}

async fn send(
    client: &reqwest::Client,
    method: &str,
    url: String,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = client.request(method.parse().unwrap(), url);
    if let Some(b) = body {
        req = req.header("content-type", CT).body(b.to_string());
    }
    match req.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            (status, resp.json().await.unwrap_or(Value::Null))
        }
        Err(_) => (0, Value::Null),
    }
}

fn schema(name: &str) -> Value {
    json!({"schema": record(name, json!([{"name": "id", "type": "string"}])).to_string()})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_agree_on_ids_versions_settings_and_reads() {
    if !postgres_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database(dir.path()).await;
    let a = Instance::start(&db).await;
    let b = Instance::start(&db).await;
    let client = reqwest::Client::new();

    // The same schemas registered at once through both instances under different subjects.
    let mut tasks = Vec::new();
    for i in 0..10 {
        for (inst, subject) in [
            (&a.base, format!("left-{i}")),
            (&b.base, format!("right-{i}")),
        ] {
            let (client, url) = (
                client.clone(),
                format!("{inst}/subjects/{subject}/versions"),
            );
            tasks.push(tokio::spawn(async move {
                (
                    i,
                    send(&client, "POST", url, Some(schema(&format!("Shared{i}")))).await,
                )
            }));
        }
    }
    let mut ids = vec![Vec::new(); 10];
    for t in tasks {
        let (i, (status, body)) = t.await.unwrap();
        assert_eq!(status, 200, "{body}");
        ids[i].push(body["id"].as_i64().unwrap());
    }
    let mut distinct = Vec::new();
    for pair in &ids {
        assert_eq!(
            pair[0], pair[1],
            "one schema, one id across instances: {ids:?}"
        );
        distinct.push(pair[0]);
    }
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 10, "different schemas never share an id");

    // A config change through A applies on B at once.
    let (status, _) = send(
        &client,
        "PUT",
        format!("{}/config/busy", a.base),
        Some(json!({"compatibility": "NONE"})),
    )
    .await;
    assert_eq!(status, 200);
    let (_, config) = send(&client, "GET", format!("{}/config/busy", b.base), None).await;
    assert_eq!(config["compatibilityLevel"], "NONE");

    // Config changes for many subjects at once through both instances; both read the result.
    let levels = ["FULL", "FORWARD", "BACKWARD_TRANSITIVE", "NONE"];
    let mut tasks = Vec::new();
    for i in 0..12 {
        let inst = if i % 2 == 0 {
            a.base.clone()
        } else {
            b.base.clone()
        };
        let client = client.clone();
        let body = json!({"compatibility": levels[i % levels.len()]});
        tasks.push(tokio::spawn(async move {
            send(&client, "PUT", format!("{inst}/config/cfg-{i}"), Some(body))
                .await
                .0
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    for inst in [&a.base, &b.base] {
        for i in 0..12 {
            let (_, config) = send(&client, "GET", format!("{inst}/config/cfg-{i}"), None).await;
            assert_eq!(
                config["compatibilityLevel"],
                levels[i % levels.len()],
                "on {inst}"
            );
        }
    }

    // Many versions of one subject, concurrently through both instances.
    let mut tasks = Vec::new();
    for i in 0..30 {
        let inst = if i % 2 == 0 {
            a.base.clone()
        } else {
            b.base.clone()
        };
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            send(
                &client,
                "POST",
                format!("{inst}/subjects/busy/versions"),
                Some(schema(&format!("V{i}"))),
            )
            .await
        }));
    }
    let mut version_ids = Vec::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, 200, "{body}");
        version_ids.push(body["id"].as_i64().unwrap());
    }
    version_ids.sort_unstable();
    version_ids.dedup();
    assert_eq!(version_ids.len(), 30);
    for inst in [&a.base, &b.base] {
        let (_, versions) = send(
            &client,
            "GET",
            format!("{inst}/subjects/busy/versions"),
            None,
        )
        .await;
        assert_eq!(
            versions,
            json!((1..=30).collect::<Vec<_>>()),
            "gapless on {inst}"
        );
    }

    // A schema registered on A is readable by id on B immediately.
    let (_, body) = send(
        &client,
        "POST",
        format!("{}/subjects/fresh/versions", a.base),
        Some(schema("Fresh")),
    )
    .await;
    let id = body["id"].as_i64().unwrap();
    let (status, read) = send(&client, "GET", format!("{}/schemas/ids/{id}", b.base), None).await;
    assert_eq!(status, 200);
    assert!(read["schema"].as_str().unwrap().contains("Fresh"));

    // A mode change through B refuses writes through A at once.
    let (status, _) = send(
        &client,
        "PUT",
        format!("{}/mode/fresh", b.base),
        Some(json!({"mode": "READONLY"})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = send(
        &client,
        "POST",
        format!("{}/subjects/fresh/versions", a.base),
        Some(schema("Other")),
    )
    .await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (422, Some(42205)),
        "{body}"
    );

    // A delete through B is seen by A's memory: re-registering creates a new version.
    send(&client, "DELETE", format!("{}/mode/fresh", b.base), None).await;
    let (status, _) = send(
        &client,
        "DELETE",
        format!("{}/subjects/left-0", b.base),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let mut seen_new_version = false;
    for _ in 0..50 {
        let (_, body) = send(
            &client,
            "POST",
            format!("{}/subjects/left-0/versions", a.base),
            Some(schema("Shared0")),
        )
        .await;
        let (_, versions) = send(
            &client,
            "GET",
            format!("{}/subjects/left-0/versions", a.base),
            None,
        )
        .await;
        if versions == json!([2]) {
            assert_eq!(body["id"].as_i64(), Some(ids[0][0]));
            seen_new_version = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        seen_new_version,
        "A still answered from a stale memory after B's delete"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_an_instance_mid_load_loses_no_acknowledged_registration() {
    if !postgres_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database(dir.path()).await;
    let mut a = Instance::start(&db).await;
    let b = Instance::start(&db).await;
    let client = reqwest::Client::new();

    // Every load schema is a different record; only ids and durability matter here.
    let (status, _) = send(
        &client,
        "PUT",
        format!("{}/config", a.base),
        Some(json!({"compatibility": "NONE"})),
    )
    .await;
    assert_eq!(status, 200);
    let (tx, mut acked) = tokio::sync::mpsc::unbounded_channel::<(String, i64)>();
    let mut writers = Vec::new();
    for w in 0..4 {
        let (client, base, tx) = (client.clone(), a.base.clone(), tx.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..500 {
                let name = format!("W{w}N{i}");
                let url = format!("{base}/subjects/load-{w}/versions");
                let (status, body) = send(&client, "POST", url, Some(schema(&name))).await;
                if status != 200 {
                    break;
                }
                tx.send((name, body["id"].as_i64().unwrap())).unwrap();
            }
        }));
    }
    drop(tx);
    let mut got = Vec::new();
    while got.len() < 40 {
        got.push(acked.recv().await.expect("acks before the kill"));
    }
    a.child.kill().expect("SIGKILL");
    a.child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    while let Some(ack) = acked.recv().await {
        got.push(ack);
    }

    for (name, id) in &got {
        let (status, body) =
            send(&client, "GET", format!("{}/schemas/ids/{id}", b.base), None).await;
        assert_eq!(status, 200, "acknowledged id {id} lost");
        assert!(
            body["schema"].as_str().unwrap().contains(name.as_str()),
            "{body}"
        );
    }

    // Every version that made it to the database has its audit line, and no line is without
    // its version: both were in one transaction.
    let mut versions = 0;
    for w in 0..4 {
        let url = format!("{}/subjects/load-{w}/versions", b.base);
        let (status, body) = send(&client, "GET", url, None).await;
        if status == 200 {
            versions += body.as_array().unwrap().len();
        }
    }
    assert!(versions >= got.len() && versions < 1000, "{versions}");
    let url = format!(
        "{}/herald/v1/audit?action=schema.register&target=subject/load-&limit=1000",
        b.base
    );
    let (status, lines) = send(&client, "GET", url, None).await;
    assert_eq!(status, 200, "{lines}");
    assert_eq!(lines.as_array().unwrap().len(), versions);
}

/// A token secret from `herald token create` on the database.
async fn admin_token(database_url: &str) -> String {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["token", "create", "--name", "root", "--role", "admin"])
        .args(["--database", database_url])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

async fn with_token(s: &TestServer, secret: &str, method: &str, path: &str) -> u16 {
    s.client
        .request(method.parse().unwrap(), s.url(path))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

// A token deleted elsewhere (by another instance on PostgreSQL; on SQLite, where a file has one
// server, by `herald token delete` on the command line) must stop being honoured within a
// second, although this instance had just verified (and cached) it.
#[tokio::test]
async fn a_deleted_token_is_refused_by_every_instance_within_a_second() {
    let a = TestServer::start_with(|c| c.auth = true).await;
    let url = a.database_url.clone();
    let other = if url.starts_with("sqlite:") {
        None
    } else {
        Some(
            TestServer::start_with(|c| {
                c.auth = true;
                c.database_url = url;
            })
            .await,
        )
    };
    let b = other.as_ref().unwrap_or(&a);
    let admin = admin_token(&a.database_url).await;
    let resp = b
        .client
        .post(b.url("/herald/v1/tokens"))
        .bearer_auth(&admin)
        .header("content-type", CT)
        .body(json!({"name": "ci", "role": "reader"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let secret = resp.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .expect("secret")
        .to_string();
    assert_eq!(with_token(&a, &secret, "GET", "/subjects").await, 200);

    if other.is_some() {
        assert_eq!(
            with_token(b, &admin, "DELETE", "/herald/v1/tokens/ci").await,
            204
        );
        assert_eq!(with_token(b, &secret, "GET", "/subjects").await, 401);
    } else {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
            .args(["token", "delete", "ci", "--database", &a.database_url])
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let deleted = std::time::Instant::now();
    loop {
        let status = with_token(&a, &secret, "GET", "/subjects").await;
        if status == 401 {
            break;
        }
        assert_eq!(status, 200);
        assert!(
            deleted.elapsed() < Duration::from_secs(5),
            "the server still accepts the deleted token after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let took = deleted.elapsed();
    assert!(
        took <= Duration::from_millis(1500),
        "the server refused the deleted token only after {took:?}"
    );
}

async fn page_text(client: &reqwest::Client, url: String) -> String {
    let resp = client.get(url).send().await.expect("the page answers");
    assert_eq!(resp.status(), 200);
    resp.text().await.unwrap()
}

/// Polls `check` for up to five seconds: other instances' writes reach memory through
/// notifications, a moment after they commit.
async fn eventually<F, Fut>(what: &str, check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    within(Duration::from_secs(5), what, check).await
}

async fn within<F, Fut>(limit: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: not seen within {limit:?}");
}

/// A writer that dies between its commit and its announcement: the other instances find the
/// committed write by its audit line at their next sweeps and reload what they hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_committed_write_that_was_never_announced_reaches_the_other_instances() {
    if !postgres_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database(dir.path()).await;
    let a = Instance::start(&db).await;
    let client = reqwest::Client::new();
    let (status, body) = send(
        &client,
        "POST",
        format!("{}/subjects/announced-value/versions", a.base),
        Some(schema("Announced")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_i64().unwrap();
    assert_eq!(
        send(&client, "GET", format!("{}/subjects", a.base), None)
            .await
            .1,
        json!(["announced-value"])
    );

    // What a registration's transaction writes, committed with no NOTIFY after it.
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db)
        .await
        .unwrap();
    let mut tx = sqlx::Connection::begin(&mut conn).await.unwrap();
    sqlx::query(
        "INSERT INTO subject_versions (subject, version, schema_id, deleted, created_at)
         VALUES ('unannounced-value', 1, $1, FALSE, 0)",
    )
    .bind(id)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, target)
         VALUES (0, 'test', 'schema.register', 'unannounced-value')",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // Two sweeps (5 s apart) at most, and a reload.
    within(
        Duration::from_secs(30),
        "the unannounced write in A's GET /subjects",
        || async {
            send(&client, "GET", format!("{}/subjects", a.base), None)
                .await
                .1
                == json!(["announced-value", "unannounced-value"])
        },
    )
    .await;
}

/// Registers `body(n)` under the `n`th of `subjects` through `instance`, all at once; each must
/// be accepted.
async fn register_together(
    client: &reqwest::Client,
    instance: &Instance,
    subjects: &[String],
    body: impl Fn(usize) -> Value,
) {
    let writes = subjects.iter().enumerate().map(|(n, subject)| {
        let url = format!("{}/subjects/{subject}/versions", instance.base);
        send(client, "POST", url, Some(body(n)))
    });
    for (status, answer) in futures_util::future::join_all(writes).await {
        assert_eq!(status, 200, "{answer}");
    }
}

/// Registrations committing at the same moment are announced several to a statement; every one
/// reaches the other instance by its announcement (within `eventually`'s five seconds, before a
/// sweep could find one missing and reload).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn registrations_committed_together_all_reach_the_other_instance() {
    if !postgres_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database(dir.path()).await;
    let a = Instance::start(&db).await;
    let b = Instance::start(&db).await;
    let client = reqwest::Client::new();
    assert_eq!(
        send(&client, "GET", format!("{}/subjects", b.base), None)
            .await
            .1,
        json!([])
    );
    let subjects: Vec<String> = (0..64).map(|n| format!("burst-{n:02}-value")).collect();
    register_together(&client, &a, &subjects, |n| schema(&format!("Burst{n}"))).await;
    eventually("all of A's registrations in B's GET /subjects", || async {
        send(&client, "GET", format!("{}/subjects", b.base), None)
            .await
            .1
            == json!(subjects)
    })
    .await;
    // And the next versions, registered together too, in B's field search (its index of each
    // subject's latest fields is memory kept up to date by announcements).
    register_together(&client, &a, &subjects, |n| {
        let next = record(
            &format!("Burst{n}"),
            json!([
                {"name": "id", "type": "string"},
                {"name": format!("burstnote{n:02}"), "type": ["null", "string"], "default": null}
            ]),
        );
        json!({"schema": next.to_string()})
    })
    .await;
    for (n, subject) in subjects.iter().enumerate() {
        eventually("A's second versions in B's field search", || async {
            page_text(&client, format!("{}/ui/search?q=burstnote{n:02}", b.base))
                .await
                .contains(subject.as_str())
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lists_search_and_catalog_pages_follow_other_instances() {
    if !postgres_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database(dir.path()).await;
    let a = Instance::start(&db).await;
    let b = Instance::start(&db).await;
    let client = reqwest::Client::new();
    // B has answered its lists and searches (so holds them in memory) before A writes.
    assert_eq!(
        send(&client, "GET", format!("{}/subjects", b.base), None)
            .await
            .1,
        json!([])
    );
    let search = |q: &str| format!("{}/ui/search?q={q}", b.base);
    assert!(!page_text(&client, search("loyaltytier"))
        .await
        .contains("crm.customer-value"));

    // A registration through A: B's subject list, subject page list and search show it.
    let v1 = record(
        "Customer",
        json!([{"name": "id", "type": "string"}, {"name": "loyaltyTier", "type": "string"}]),
    );
    let url = format!("{}/subjects/crm.customer-value/versions", a.base);
    let (status, _) = send(
        &client,
        "POST",
        url.clone(),
        Some(json!({"schema": v1.to_string()})),
    )
    .await;
    assert_eq!(status, 200);
    eventually("A's registration in B's GET /subjects", || async {
        send(&client, "GET", format!("{}/subjects", b.base), None)
            .await
            .1
            == json!(["crm.customer-value"])
    })
    .await;
    eventually("A's registration in B's subjects page", || async {
        page_text(&client, format!("{}/ui/subjects", b.base))
            .await
            .contains("crm.customer-value")
    })
    .await;
    eventually("A's registration in B's field search", || async {
        page_text(&client, search("loyaltytier"))
            .await
            .contains("crm.customer-value v1")
    })
    .await;

    // A new version through A replaces the fields B's search finds.
    let v2 = record(
        "Customer",
        json!([{"name": "id", "type": "string"}, {"name": "tier", "type": "string", "default": ""}]),
    );
    let (status, body) = send(
        &client,
        "POST",
        url,
        Some(json!({"schema": v2.to_string()})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    eventually("A's new version in B's field search", || async {
        let page = page_text(&client, search("tier")).await;
        page.contains("crm.customer-value v2") && !page.contains("loyaltyTier")
    })
    .await;

    // A delete through A: B lists the subject only among the deleted ones.
    let (status, _) = send(
        &client,
        "DELETE",
        format!("{}/subjects/crm.customer-value", a.base),
        None,
    )
    .await;
    assert_eq!(status, 200);
    eventually("A's delete in B's GET /subjects", || async {
        send(&client, "GET", format!("{}/subjects", b.base), None)
            .await
            .1
            == json!([])
            && send(
                &client,
                "GET",
                format!("{}/subjects?deleted=true", b.base),
                None,
            )
            .await
            .1 == json!(["crm.customer-value"])
    })
    .await;
    eventually("A's delete in B's field search", || async {
        !page_text(&client, search("tier"))
            .await
            .contains("crm.customer-value")
    })
    .await;

    // A config change through A shows on B's subject page.
    let order = record("Order", json!([{"name": "id", "type": "string"}]));
    let (status, _) = send(
        &client,
        "POST",
        format!("{}/subjects/crm.order-value/versions", a.base),
        Some(json!({"schema": order.to_string()})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = send(
        &client,
        "PUT",
        format!("{}/config/crm.order-value", a.base),
        Some(json!({"compatibility": "FULL_TRANSITIVE"})),
    )
    .await;
    assert_eq!(status, 200);
    eventually("A's config change on B's subject page", || async {
        page_text(&client, format!("{}/ui/subjects/crm.order-value", b.base))
            .await
            .contains("FULL_TRANSITIVE")
    })
    .await;

    // A catalog change through A shows in B's catalog pages.
    let (status, _) = send(
        &client,
        "POST",
        format!("{}/herald/v1/domains", a.base),
        Some(json!({"name": "crm", "description": "Customer relations"})),
    )
    .await;
    assert_eq!(status, 201);
    eventually("A's new domain in B's domains page", || async {
        page_text(&client, format!("{}/ui/domains", b.base))
            .await
            .contains("Customer relations")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn contexts_number_their_ids_once_across_instances() {
    if !postgres_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database(dir.path()).await;
    let a = Instance::start(&db).await;
    let b = Instance::start(&db).await;
    let client = reqwest::Client::new();
    // B has looked at the contexts before any exists.
    let (_, contexts) = send(&client, "GET", format!("{}/contexts", b.base), None).await;
    assert_eq!(contexts, json!(["."]));

    // New contexts used at once through both instances: each gets one number, and each
    // context counts its ids from 1 whichever instance registers.
    let mut tasks = Vec::new();
    for i in 0..6 {
        for (inst, n) in [(&a.base, 0), (&b.base, 1)] {
            let url = format!("{inst}/subjects/:.c{i}:s{n}/versions");
            let client = client.clone();
            tasks.push(tokio::spawn(async move {
                send(&client, "POST", url, Some(schema(&format!("S{i}x{n}")))).await
            }));
        }
    }
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, 200, "{body}");
        assert!(matches!(body["id"].as_i64(), Some(1 | 2)), "{body}");
    }
    for inst in [&a.base, &b.base] {
        let (_, contexts) = send(&client, "GET", format!("{inst}/contexts"), None).await;
        assert_eq!(
            contexts,
            json!([".", ".c0", ".c1", ".c2", ".c3", ".c4", ".c5"]),
            "{inst}"
        );
    }
    // B resolves an id in a context A created, by subject hint and by the prefix form.
    let (status, body) = send(
        &client,
        "POST",
        format!("{}/subjects/:.fresh:x/versions", a.base),
        Some(schema("Fresh")),
    )
    .await;
    assert_eq!((status, body["id"].clone()), (200, json!(1)));
    let (status, body) = send(
        &client,
        "GET",
        format!("{}/schemas/ids/1?subject=:.fresh:x", b.base),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["schema"].as_str().unwrap().contains("Fresh"), "{body}");
    let (_, body) = send(
        &client,
        "GET",
        format!("{}/contexts/.fresh/schemas/ids/1", b.base),
        None,
    )
    .await;
    assert!(body["schema"].as_str().unwrap().contains("Fresh"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn connections_the_database_closed_are_replaced_before_a_request_uses_them() {
    if !postgres_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database(dir.path()).await;
    let a = Instance::start(&db).await;
    let client = reqwest::Client::new();
    // Several pooled connections, each used at least once.
    let reads: Vec<_> = (0..8)
        .map(|_| {
            send(
                &client,
                "GET",
                format!("{}/config/some-subject?defaultToGlobal=true", a.base),
                None,
            )
        })
        .collect();
    for (status, body) in futures_util::future::join_all(reads).await {
        assert_eq!(status, 200, "{body}");
    }
    // A proxy's idle timeout closes the pooled connections (not the listening one, whose loss
    // makes the instance reload, and that reload would meet the closed connections first).
    execute_on(
        &db,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()
           AND query NOT LIKE 'LISTEN%'",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for _ in 0..20 {
        let (status, body) = send(
            &client,
            "GET",
            format!("{}/config/some-subject?defaultToGlobal=true", a.base),
            None,
        )
        .await;
        assert_eq!(status, 200, "a closed connection reached a request: {body}");
    }
    let (status, body) = send(
        &client,
        "POST",
        format!("{}/subjects/after-restart/versions", a.base),
        Some(schema("AfterRestart")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}
