//! Running Herald: health, Prometheus metrics, request ids, JSON logs and the request timeout.

use crate::common::*;
use serde_json::{json, Value};
use std::collections::HashMap;

/// Parses Prometheus text exposition into `name{labels}` → value, failing on any malformed line.
fn parse_prometheus(text: &str) -> HashMap<String, f64> {
    let mut out = HashMap::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix('#') {
            let rest = rest.trim_start();
            assert!(
                rest.starts_with("HELP ") || rest.starts_with("TYPE "),
                "bad comment: {line}"
            );
            continue;
        }
        let (series, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("no value: {line}"));
        let name_end = series.find('{').unwrap_or(series.len());
        let name = &series[..name_end];
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "bad metric name in {line}"
        );
        if name_end < series.len() {
            assert!(series.ends_with('}'), "unclosed labels: {line}");
        }
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("bad value: {line}"));
        out.insert(series.to_string(), value);
    }
    out
}

async fn metrics(s: &TestServer) -> HashMap<String, f64> {
    let resp = s.client.get(s.url("/metrics")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    parse_prometheus(&resp.text().await.unwrap())
}

#[tokio::test]
async fn health_endpoints_answer() {
    let s = TestServer::start().await;
    assert_eq!(s.get("/health/live").await, (200, json!({"status": "UP"})));
    assert_eq!(
        s.get("/health/ready").await,
        (200, json!({"status": "UP", "database": "UP"}))
    );
}

#[tokio::test]
async fn metrics_parse_and_move_with_requests() {
    let s = TestServer::start().await;
    let schema = record("M", json!([{"name": "a", "type": "int"}]));
    let id = s.register_ok("m-value", &schema).await;
    let before = metrics(&s).await;
    for _ in 0..3 {
        assert_eq!(s.get(&format!("/schemas/ids/{id}")).await.0, 200);
    }
    s.register_ok("m-value", &schema).await;
    s.put("/config/m-value", json!({"compatibility": "BACKWARD"}))
        .await;
    let (status, _) = s
        .register(
            "m-value",
            &record("M", json!([{"name": "b", "type": "int"}])),
        )
        .await;
    assert_eq!(status, 409);
    let after = metrics(&s).await;

    let by_id =
        r#"herald_http_requests_total{method="GET",route="/schemas/ids/{id}",status="200"}"#;
    assert_eq!(
        after[by_id] - before.get(by_id).copied().unwrap_or(0.0),
        3.0,
        "{after:?}"
    );
    assert_eq!(after["herald_schema_registrations_total"], 1.0);
    assert_eq!(
        after[r#"herald_compatibility_failures_total{subject="m-value"}"#],
        1.0
    );
    assert!(after[r#"herald_cache_lookups_total{cache="registration",result="hit"}"#] >= 1.0);
    assert!(after[r#"herald_cache_lookups_total{cache="schema_by_id",result="hit"}"#] >= 3.0);
    assert!(after.contains_key(r#"herald_db_pool_connections{state="open"}"#));
    assert!(after
        .keys()
        .any(|k| k.starts_with("herald_http_request_duration_seconds_bucket")));
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_given_one_is_kept() {
    let s = TestServer::start().await;
    let resp = s.client.get(s.url("/subjects")).send().await.unwrap();
    let id = resp.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let resp = s
        .client
        .get(s.url("/subjects"))
        .header("x-request-id", "ci-run-42")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "ci-run-42");
}

#[tokio::test]
async fn a_request_over_the_time_limit_gets_a_confluent_timeout_error() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s =
        TestServer::start_with(|c| c.request_timeout = std::time::Duration::from_millis(200)).await;
    // A body that never finishes arriving keeps the handler waiting past the limit.
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(
        b"POST /subjects/slow/versions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"sch",
    )
    .await
    .unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("error_code") {
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), conn.read(&mut buf))
            .await
            .expect("answered within the limit")
            .unwrap();
        assert!(n > 0, "connection closed without an answer");
        answer.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 500"), "{text}");
    assert!(text.contains(r#""error_code":50002"#), "{text}");
}

#[tokio::test]
async fn logs_can_be_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--log-format",
            "json",
        ])
        .args([
            "--database",
            &format!("sqlite://{}", dir.path().join("h.db").display()),
        ])
        .args(["--catalog", "/nonexistent"])
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client
            .get(format!("http://127.0.0.1:{port}/"))
            .send()
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    child.start_kill().unwrap();
    let out = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr.lines().next().expect("a log line");
    let line: Value = serde_json::from_str(first).unwrap_or_else(|e| panic!("{e}: {first}"));
    assert_eq!(line["level"], "INFO");
    assert!(
        line["fields"]["message"]
            .as_str()
            .unwrap()
            .contains("listening"),
        "{line}"
    );
}

#[tokio::test]
async fn a_schema_above_the_size_limit_is_refused_with_42209() {
    let s = TestServer::start_with(|c| c.max_schema_bytes = 300).await;
    let small = record("Small", json!([{"name": "a", "type": "int"}]));
    s.register_ok("size-value", &small).await;
    let fields: Vec<Value> = (0..20)
        .map(|i| json!({"name": format!("field{i}"), "type": "string"}))
        .collect();
    let big = record("Big", Value::Array(fields));
    assert!(big.to_string().len() > 300);
    let (status, body) = s.register("size-value", &big).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error_code"], 42209);
    assert_eq!(
        body["message"],
        "Register operation failed because schema is too large"
    );
    // Nothing was written.
    assert_eq!(s.get("/subjects/size-value/versions").await.1, json!([1]));

    // Catalog-as-code carries schemas too: the same limit holds for plan and apply.
    let bundle = json!({"events": [{"name": "size.big.created", "schemas": [
        {"subject": "size-value", "versions": [{"version": "2.0.0", "schema": big.to_string()}]}]}]});
    for route in ["/herald/v1/catalog/plan", "/herald/v1/catalog/apply"] {
        let (status, body) = s.post(route, bundle.clone()).await;
        assert_eq!(
            (status, body["error_code"].as_i64()),
            (422, Some(42209)),
            "{route}: {body}"
        );
    }
    assert_eq!(s.get("/subjects/size-value/versions").await.1, json!([1]));
}

/// The JSON log lines at level ERROR made while serving the request with id `request_id`.
fn errors_of<'a>(lines: &'a [Value], request_id: &str) -> Vec<&'a Value> {
    lines
        .iter()
        .filter(|line| line["level"] == "ERROR")
        .filter(|line| {
            line["spans"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|span| span["request_id"] == request_id)
        })
        .collect()
}

#[tokio::test]
async fn a_server_failure_is_logged_once_with_its_request_id_and_cause() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database(dir.path()).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--log-format", "json", "--request-timeout", "1"])
        .args(["--database", &database_url, "--catalog", "/nonexistent"])
        .env("HERALD_LOG", "info")
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client.get(format!("{base}/")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let send = |method: reqwest::Method, path: &str, id: &str, body: Option<Value>| {
        let mut request = client
            .request(method, format!("{base}{path}"))
            .header("x-request-id", id);
        if let Some(body) = body {
            request = request.header("content-type", CT).body(body.to_string());
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let schema = |fields: Value| json!({"schema": record("A", fields).to_string()});
    let post = reqwest::Method::POST;
    let v1 = schema(json!([{"name": "x", "type": "int"}]));
    assert_eq!(
        send(post.clone(), "/subjects/a-value/versions", "ok", Some(v1)).await,
        200
    );
    execute_on(&database_url, "DROP TABLE audit_log").await;

    // A store error in a handler, one in a page, a timeout, and a client's mistake.
    let v2 = schema(
        json!([{"name": "x", "type": "int"}, {"name": "y", "type": ["null", "int"], "default": null}]),
    );
    let path = "/subjects/a-value/versions";
    assert_eq!(send(post, path, "log-store", Some(v2)).await, 500);
    let get = reqwest::Method::GET;
    assert_eq!(send(get.clone(), "/ui/audit", "log-page", None).await, 500);
    assert_eq!(
        send(get, "/subjects/nothing/versions", "log-client", None).await,
        404
    );
    let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    conn.write_all(
        b"POST /subjects/slow/versions HTTP/1.1\r\nHost: x\r\nx-request-id: log-timeout\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"sch",
    )
    .await
    .unwrap();
    let mut answer = [0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), conn.read(&mut answer))
        .await
        .expect("answered within the limit")
        .unwrap();
    assert!(String::from_utf8_lossy(&answer[..n]).contains("50002"));

    child.start_kill().unwrap();
    let out = child.wait_with_output().await.unwrap();
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    let store = errors_of(&lines, "log-store");
    assert_eq!(store.len(), 1, "{store:#?}");
    assert_eq!(store[0]["fields"]["message"], "request failed");
    assert_eq!(
        store[0]["fields"]["error"],
        "Error in the backend data store"
    );
    let detail = store[0]["fields"]["detail"].as_str().unwrap();
    assert!(
        detail.contains("audit_log"),
        "the cause is logged: {detail}"
    );
    let page = errors_of(&lines, "log-page");
    assert_eq!(page.len(), 1, "{page:#?}");
    assert!(page[0]["fields"]["detail"]
        .as_str()
        .unwrap()
        .contains("audit_log"));
    let timeout = errors_of(&lines, "log-timeout");
    assert_eq!(timeout.len(), 1, "{timeout:#?}");
    assert_eq!(timeout[0]["fields"]["status"], 500);
    assert!(errors_of(&lines, "log-client").is_empty());
    assert!(errors_of(&lines, "ok").is_empty());
}
