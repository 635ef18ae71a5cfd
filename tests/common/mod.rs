//! Test harness: a real `herald serve` on a random loopback port over a fresh database.
#![allow(dead_code)]

use herald::config::{Dialect, ServeConfig};
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
    sqlx::query(&format!("CREATE DATABASE {name}"))
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
