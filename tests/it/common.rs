//! Test harness: a real `herald serve` on a random loopback port over a fresh database.
#![allow(dead_code)]

use herald::serve_settings::{Dialect, ServeConfig};
use herald::server::RunningServer;
use serde_json::Value;

pub const CT: &str = "application/vnd.schemaregistry.v1+json";

pub struct TestServer {
    pub base: String,
    pub database_url: String,
    pub client: reqwest::Client,
    _server: RunningServer,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut ServeConfig)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = ServeConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: fresh_database(dir.path()).await,
            dialect: Dialect::V7,
            ..ServeConfig::default()
        };
        adjust(&mut config);
        let database_url = config.database_url.clone();
        let server = herald::server::spawn(config).await.expect("server starts");
        TestServer {
            base: format!("http://{}", server.addr),
            database_url,
            client: reqwest::Client::new(),
            _server: server,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a request and returns (status, parsed JSON body or Value::Null for empty bodies).
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method, self.url(path));
        if let Some(b) = body {
            req = req.header("content-type", CT).body(b.to_string());
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call("POST", path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.call("PUT", path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.call("DELETE", path, None).await
    }

    /// Registers an Avro schema (given as JSON) under `subject`; returns (status, body).
    pub async fn register(&self, subject: &str, schema: &Value) -> (u16, Value) {
        self.post(
            &format!("/subjects/{subject}/versions"),
            serde_json::json!({ "schema": schema.to_string() }),
        )
        .await
    }

    /// Registers and asserts success, returning the id.
    pub async fn register_ok(&self, subject: &str, schema: &Value) -> i64 {
        let (status, body) = self.register(subject, schema).await;
        assert_eq!(status, 200, "register {subject}: {body}");
        body["id"].as_i64().expect("id")
    }
}

/// The backend under test: a fresh database on the PostgreSQL server named by
/// `HERALD_TEST_POSTGRES` (an admin URL), or else a SQLite file in `dir`.
pub async fn fresh_database(dir: &std::path::Path) -> String {
    use sqlx::Connection;
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let Ok(admin) = std::env::var("HERALD_TEST_POSTGRES") else {
        return format!("sqlite://{}", dir.join("herald.db").display());
    };
    let name = format!(
        "herald_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect to HERALD_TEST_POSTGRES");
    // The name is generated above from digits and underscores only.
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    format!("{base}/{name}")
}

/// A record schema with the given fields (each a JSON field object).
pub fn record(name: &str, fields: Value) -> Value {
    serde_json::json!({ "type": "record", "name": name, "fields": fields })
}

// Catalog pages.

/// The demo catalog folder.
pub fn demo_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog")
}

/// A server with the demo catalog in `catalog/` loaded.
pub async fn demo() -> TestServer {
    TestServer::start_with(|c| c.catalog_dir = Some(demo_dir())).await
}

/// GETs a page: (status, content type, body).
pub async fn page(s: &TestServer, path: &str) -> (u16, String, String) {
    let resp = s.client.get(s.url(path)).send().await.expect("request");
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, ct, resp.text().await.unwrap())
}

/// GETs a page that must render, and returns its HTML.
pub async fn html(s: &TestServer, path: &str) -> String {
    let (status, ct, body) = page(s, path).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    assert_eq!(ct, "text/html; charset=utf-8", "GET {path}");
    assert!(body.starts_with("<!doctype html>"), "GET {path}: {body}");
    body
}

pub fn assert_has(body: &str, needles: &[&str]) {
    for n in needles {
        assert!(body.contains(n), "expected {n:?} in:\n{body}");
    }
}

/// The part of a page between the element with `id` and the end of its section.
pub fn section<'a>(body: &'a str, id: &str) -> &'a str {
    let start = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in:\n{body}"));
    let rest = &body[start..];
    let end = rest.find("</section>").unwrap_or(rest.len());
    &rest[..end]
}
