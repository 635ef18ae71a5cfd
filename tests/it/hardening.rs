//! Requests built to crash, stall or fool the server: each answers, and the server stays up.

use crate::common::*;
use serde_json::{json, Value};

fn avro(schema: &Value) -> Value {
    json!({"schema": schema.to_string()})
}

/// Avro binary of `Node{v:int, next:["null","Node"]}` nested `depth` deep: each level is
/// v=1 (zigzag 02) then union branch 1 (02); the last node has next = null (branch 0).
fn nested_node_message(id: i64, depth: usize) -> String {
    format!("00{id:08x}{}0200", "0202".repeat(depth))
}

#[tokio::test]
async fn a_deeply_nested_message_is_decoded_not_fatal() {
    let s = TestServer::start().await;
    let node = json!({"type": "record", "name": "Node", "fields": [
        {"name": "v", "type": "int"},
        {"name": "next", "type": ["null", "Node"]}
    ]});
    let id = s.register_ok("nodes-value", &node).await;
    for depth in [400, 700, 2_000] {
        let message = nested_node_message(id, depth);
        let page = s
            .client
            .get(s.url(&format!("/ui/decode?message={message}")))
            .send()
            .await
            .expect("the server answers");
        assert_eq!(page.status(), 200, "depth {depth}");
        let html = page.text().await.unwrap();
        assert!(html.contains("nodes-value"), "depth {depth}");
    }
    // Deeper than the decoder reads for a recursive schema: a clear problem, no crash.
    let message = nested_node_message(id, 15_000);
    let html = s
        .client
        .get(s.url(&format!("/ui/decode?message={message}")))
        .send()
        .await
        .expect("the server answers")
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("recursive schema the decoder reads at most"),
        "{}",
        &html[..200.min(html.len())]
    );
    let (status, _) = s.get("/health/live").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn invalid_avro_names_are_42201_naming_the_name() {
    let s = TestServer::start().await;
    let cases = [
        (
            json!({"type": "record", "name": "A B", "fields": []}),
            "A B",
        ),
        (json!({"type": "record", "name": "1A", "fields": []}), "1A"),
        (
            json!({"type": "record", "name": "A-B", "fields": []}),
            "A-B",
        ),
        (json!({"type": "record", "name": "", "fields": []}), "''"),
        (
            json!({"type": "enum", "name": "E F", "symbols": ["A"]}),
            "E F",
        ),
        (json!({"type": "fixed", "name": "1x", "size": 4}), "1x"),
        (
            json!({"type": "record", "name": "Outer", "fields": [
                {"name": "inner", "type": {"type": "record", "name": "in ner", "fields": []}}
            ]}),
            "in ner",
        ),
    ];
    for (schema, name) in cases {
        let (status, body) = s
            .post("/subjects/names-value/versions", avro(&schema))
            .await;
        assert_eq!(status, 422, "{schema}: {body}");
        assert_eq!(body["error_code"], 42201, "{schema}");
        assert!(
            body["message"].as_str().unwrap().contains(name),
            "{schema}: {body}"
        );
    }
    let (status, versions) = s.get("/subjects/names-value/versions").await;
    assert_eq!(
        (status, versions["error_code"].clone()),
        (404, json!(40401))
    );
}

/// Records nested `depth` deep, each holding the next as its one field.
fn nested_records(depth: usize) -> Value {
    let mut schema =
        json!({"type": "record", "name": "R0", "fields": [{"name": "x", "type": "int"}]});
    for i in 1..depth {
        schema = json!({"type": "record", "name": format!("R{i}"), "fields": [
            {"name": "inner", "type": schema}
        ]});
    }
    schema
}

#[tokio::test]
async fn deep_but_legitimate_avro_schemas_are_accepted() {
    let s = TestServer::start().await;
    let schema = nested_records(100);
    let id = s.register_ok("deep-value", &schema).await;
    let (status, found) = s.post("/subjects/deep-value", avro(&schema)).await;
    assert_eq!((status, found["id"].as_i64()), (200, Some(id)));
    // A compatibility check walks all of it.
    let (status, verdict) = s
        .post(
            "/compatibility/subjects/deep-value/versions/latest",
            avro(&schema),
        )
        .await;
    assert_eq!(
        (status, verdict["is_compatible"].clone()),
        (200, json!(true))
    );
}

#[tokio::test]
async fn json_nested_past_the_limit_is_refused_with_42201() {
    let s = TestServer::start().await;
    let text = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let (status, body) = s
        .post("/subjects/deep-value/versions", json!({"schema": text}))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error_code"], 42201);
    assert!(body["message"].as_str().unwrap().contains("nests deeper"));
}

#[tokio::test]
async fn a_grant_with_many_stars_costs_little_against_a_huge_subject() {
    let s = TestServer::start_with(|c| c.auth = true).await;
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args([
            "token",
            "create",
            "--name",
            "globby",
            "--role",
            "reader",
            "--subjects",
            "orders.*.*-value",
            "--database",
            &s.database_url,
        ])
        .output()
        .await
        .unwrap();
    let secret = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let subject = format!("orders.{}x", ".".repeat(60_000));
    let probes = (0..2).map(|_| {
        s.client
            .get(s.url(&format!("/subjects/{subject}/versions")))
            .bearer_auth(&secret)
            .send()
    });
    for answer in futures_util::future::join_all(probes).await {
        assert_eq!(answer.unwrap().status(), 403);
    }
}

#[tokio::test]
async fn pages_forbid_framing_sniffing_and_foreign_scripts() {
    let s = TestServer::start().await;
    let page = s.client.get(s.url("/ui")).send().await.unwrap();
    let h = page.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "no-referrer");
    let api = s.client.get(s.url("/subjects")).send().await.unwrap();
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn repositories_must_be_web_addresses() {
    let s = TestServer::start().await;
    for bad in ["javascript:alert(1)", "data:text/html,hi", "not a url"] {
        let (status, body) = s
            .post(
                "/herald/v1/services",
                json!({"name": "evil", "repository": bad}),
            )
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body["message"].as_str().unwrap().contains("http(s)"));
    }
    let (status, body) = s
        .post(
            "/herald/v1/services",
            json!({"name": "good", "repository": "https://git.example/good"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn writes_from_other_sites_pages_are_refused() {
    let s = TestServer::start().await;
    let schema = avro(&record("A", json!([{"name": "a", "type": "int"}])));
    let post = |origin: Option<&'static str>, fetch_site: Option<&'static str>| {
        let mut req = s
            .client
            .post(s.url("/subjects/csrf-value/versions"))
            .body(schema.to_string());
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(f) = fetch_site {
            req = req.header("sec-fetch-site", f);
        }
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    // No Content-Type at all, as a form a page submits might send.
    let (status, body) = post(Some("https://evil.example"), Some("cross-site")).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["message"].as_str().unwrap().contains("evil.example"));
    let (status, _) = post(None, Some("cross-site")).await;
    assert_eq!(status, 403);
    let (status, versions) = s.get("/subjects/csrf-value/versions").await;
    assert_eq!(status, 404, "nothing was registered: {versions}");
    // Herald's own pages and non-browser clients pass.
    let own = Box::leak(s.base.clone().into_boxed_str());
    let (status, body) = post(Some(own), Some("same-origin")).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = post(None, None).await;
    assert_eq!(status, 200);

    let allowed = TestServer::start_with(|c| {
        c.allowed_origins = vec!["https://portal.example".into()];
    })
    .await;
    let resp = allowed
        .client
        .post(allowed.url("/subjects/portal-value/versions"))
        .header("origin", "https://portal.example")
        .header("content-type", CT)
        .body(schema.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn idle_connections_cannot_hold_every_slot() {
    let s = TestServer::start_with(|c| {
        c.max_connections = 50;
        c.header_read_timeout = std::time::Duration::from_secs(1);
    })
    .await;
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut idle = Vec::new();
    for _ in 0..120 {
        idle.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    // Half of them send half a request head and stop.
    for conn in idle.iter_mut().step_by(2) {
        use tokio::io::AsyncWriteExt;
        conn.write_all(b"GET /subjects HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
    }
    let probe = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .unwrap();
    let status = probe
        .get(s.url("/health/live"))
        .send()
        .await
        .expect("the probe gets an answer while idle connections pile up")
        .status();
    assert_eq!(status, 200);
    drop(idle);
}

/// JSON Schema with `n` `anyOf` branches, each an object with its own required property.
fn wide_any_of(n: usize, extra: bool) -> String {
    let branches: Vec<Value> = (0..n)
        .map(|i| {
            let mut props = json!({format!("p{i}"): {"type": "string", "maxLength": i + 1}});
            if extra && i % 2 == 0 {
                props[format!("q{i}")] = json!({"type": "integer"});
            }
            json!({"type": "object", "properties": props, "required": [format!("p{i}")],
                   "additionalProperties": false})
        })
        .collect();
    json!({"anyOf": branches}).to_string()
}

#[tokio::test]
async fn liveness_answers_while_worst_case_checks_run() {
    let s = TestServer::start_with(|c| c.request_timeout = std::time::Duration::from_secs(3)).await;
    let (status, body) = s
        .post(
            "/subjects/big/versions",
            json!({"schemaType": "JSON", "schema": wide_any_of(1_600, false)}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let update = json!({"schemaType": "JSON", "schema": wide_any_of(1_600, true)});
    let heavy: Vec<_> = (0..4)
        .map(|_| {
            let req = s
                .client
                .post(s.url("/compatibility/subjects/big/versions/latest"))
                .header("content-type", CT)
                .body(update.to_string());
            tokio::spawn(async move { req.send().await })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let started = std::time::Instant::now();
    let (status, _) = s.get("/health/live").await;
    let waited = started.elapsed();
    assert_eq!(status, 200);
    // Generous against the 100 ms aim: this checks that liveness is not queued behind the
    // checks (it waited 11.7 s when they ran on the async workers), not a speed.
    assert!(waited < std::time::Duration::from_secs(1), "{waited:?}");
    for h in heavy {
        let answer = h.await.unwrap().expect("every check gets an answer");
        let status = answer.status().as_u16();
        let body: Value = answer.json().await.unwrap();
        assert!(
            status == 200
                || (status == 422 && body["error_code"] == 42201)
                || body["error_code"] == 50002,
            "{status} {body}"
        );
    }
}

#[test]
fn the_container_runs_unprivileged_behind_a_proxy_it_trusts() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    let dockerfile = read("Dockerfile");
    let user = dockerfile
        .lines()
        .rfind(|l| l.starts_with("USER "))
        .expect("the image names a user");
    assert!(!user.contains("root") && user.trim() != "USER 0", "{user}");
    assert!(dockerfile.contains("HEALTHCHECK"));
    let compose: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&read("docker-compose.yml")).unwrap();
    for name in ["herald-a", "herald-b"] {
        let service = &compose["services"][name];
        assert_eq!(
            service["environment"]["HERALD_TRUST_FORWARDED_FOR"].as_str(),
            Some("true"),
            "{name}"
        );
        let check = format!("{:?}", service["healthcheck"]["test"]);
        assert!(check.contains("/health/ready"), "{name}: {check}");
    }
    let nginx = read("deploy/nginx.conf");
    assert!(nginx.contains("proxy_set_header X-Forwarded-For $remote_addr;"));
    assert!(!nginx.contains("$proxy_add_x_forwarded_for"));
}

/// A body that never completes is cut off by the request's time limit, on a route and on the
/// lookup answered before routing alike, and the connection is answered rather than held.
#[tokio::test]
async fn a_body_that_never_completes_is_answered_within_the_time_limit() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = TestServer::start_with(|c| c.request_timeout = std::time::Duration::from_secs(1)).await;
    s.register_ok(
        "orders-value",
        &record("Order", json!([{"name": "id", "type": "string"}])),
    )
    .await;
    let addr = s.base.trim_start_matches("http://").to_string();
    for path in ["/subjects/orders-value", "/subjects/orders-value/versions"] {
        let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"schema\":"
        );
        conn.write_all(head.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        let read = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            let mut buf = [0u8; 4096];
            loop {
                let n = conn.read(&mut buf).await.unwrap_or(0);
                answer.extend_from_slice(&buf[..n]);
                if n == 0 || answer.windows(5).any(|w| w == b"50002") {
                    break;
                }
            }
        })
        .await;
        assert!(read.is_ok(), "{path}: no answer while the body never came");
        let text = String::from_utf8_lossy(&answer);
        assert!(text.starts_with("HTTP/1.1 500"), "{path}: {text}");
        assert!(text.contains("50002"), "{path}: {text}");
    }
}
