//! Authentication and authorisation: roles, subject grants, basic and bearer credentials.

mod common;
use common::*;
use serde_json::{json, Value};

async fn token(s: &TestServer, name: &str, role: &str, subjects: &[&str]) -> String {
    let mut args = vec![
        "token",
        "create",
        "--name",
        name,
        "--role",
        role,
        "--database",
        &s.database_url,
    ];
    for g in subjects {
        args.push("--subjects");
        args.push(g);
    }
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(&args)
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

async fn call(
    s: &TestServer,
    secret: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = s.client.request(method.parse().unwrap(), s.url(path));
    if let Some(secret) = secret {
        req = req.bearer_auth(secret);
    }
    if let Some(b) = body {
        req = req.header("content-type", CT).body(b.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn schema(name: &str) -> Value {
    json!({"schema": record(name, json!([{"name": "id", "type": "string"}])).to_string()})
}

async fn secured() -> TestServer {
    TestServer::start_with(|c| c.auth = true).await
}

#[tokio::test]
async fn without_credentials_only_the_probes_answer() {
    let s = secured().await;
    let resp = s.client.get(s.url("/subjects")).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("Basic"));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error_code"], 401);
    assert!(body["message"].is_string());
    assert_eq!(
        s.client
            .get(s.url("/health/live"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        s.client
            .get(s.url("/metrics"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let (status, _) = call(&s, Some("hrld_not-a-token"), "GET", "/subjects", None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn each_role_is_allowed_and_refused_per_endpoint() {
    let s = secured().await;
    let admin = token(&s, "admin", "admin", &[]).await;
    let writer = token(&s, "writer", "writer", &[]).await;
    let reader = token(&s, "reader", "reader", &[]).await;
    // (method, path, body, lowest role that may)
    let register = (
        "POST",
        "/subjects/a-value/versions",
        Some(schema("A")),
        "writer",
    );
    let cases: Vec<(&str, &str, Option<Value>, &str)> = vec![
        register.clone(),
        ("GET", "/subjects", None, "reader"),
        ("GET", "/subjects/a-value/versions/1", None, "reader"),
        ("GET", "/schemas/ids/1", None, "reader"),
        ("POST", "/subjects/a-value", Some(schema("A")), "reader"),
        (
            "POST",
            "/compatibility/subjects/a-value/versions/latest",
            Some(schema("A")),
            "reader",
        ),
        ("GET", "/config", None, "reader"),
        (
            "PUT",
            "/config/a-value",
            Some(json!({"compatibility": "FULL"})),
            "admin",
        ),
        (
            "PUT",
            "/mode/a-value",
            Some(json!({"mode": "READWRITE"})),
            "admin",
        ),
        (
            "POST",
            "/herald/v1/domains",
            Some(json!({"name": "orders"})),
            "writer",
        ),
        ("GET", "/herald/v1/tokens", None, "admin"),
        ("DELETE", "/subjects/a-value/versions/1", None, "admin"),
    ];
    let rank = |r: &str| {
        ["reader", "writer", "admin"]
            .iter()
            .position(|x| *x == r)
            .unwrap()
    };
    for (method, path, body, lowest) in cases {
        for (role, secret) in [("reader", &reader), ("writer", &writer), ("admin", &admin)] {
            let allowed = rank(role) >= rank(lowest);
            let (status, answer) = call(&s, Some(secret), method, path, body.clone()).await;
            if allowed {
                assert!(
                    status != 401 && status != 403,
                    "{role} {method} {path}: {status} {answer}"
                );
            } else {
                assert_eq!(status, 403, "{role} {method} {path}: {answer}");
                assert_eq!(answer["error_code"], 403);
            }
            // Put the subject back where the next case expects it.
            if method == "DELETE" && allowed {
                call(
                    &s,
                    Some(&admin),
                    "POST",
                    "/subjects/a-value/versions",
                    Some(schema("A")),
                )
                .await;
            }
        }
    }
}

#[tokio::test]
async fn a_token_scoped_to_orders_is_refused_on_payments() {
    let s = secured().await;
    let orders = token(&s, "ci-orders", "writer", &["orders.*"]).await;
    let (status, body) = call(
        &s,
        Some(&orders),
        "POST",
        "/subjects/orders.order.placed-value/versions",
        Some(schema("O")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(
        &s,
        Some(&orders),
        "POST",
        "/subjects/payments-value/versions",
        Some(schema("P")),
    )
    .await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (403, Some(403)),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("payments-value"),
        "{body}"
    );
    let (status, _) = call(
        &s,
        Some(&orders),
        "GET",
        "/subjects/payments-value/versions",
        None,
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn basic_auth_takes_the_token_name_and_secret() {
    let s = secured().await;
    let secret = token(&s, "svc", "reader", &[]).await;
    let ok = s
        .client
        .get(s.url("/subjects"))
        .basic_auth("svc", Some(&secret))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let wrong_user = s
        .client
        .get(s.url("/subjects"))
        .basic_auth("someone", Some(&secret))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_user.status(), 401);
}

#[tokio::test]
async fn anonymous_read_can_be_allowed() {
    let s = TestServer::start_with(|c| {
        c.auth = true;
        c.anonymous_read = true;
    })
    .await;
    assert_eq!(call(&s, None, "GET", "/subjects", None).await.0, 200);
    assert_eq!(
        call(&s, None, "POST", "/subjects/x/versions", Some(schema("X")))
            .await
            .0,
        401
    );
}

#[tokio::test]
async fn tokens_are_managed_by_admins_shown_once_and_audited_as_actors() {
    let s = secured().await;
    let admin = token(&s, "root", "admin", &[]).await;
    let (status, created) = call(
        &s,
        Some(&admin),
        "POST",
        "/herald/v1/tokens",
        Some(json!({"name": "ci", "role": "writer", "subjects": ["orders.*"]})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("hrld_"));
    let (_, list) = call(&s, Some(&admin), "GET", "/herald/v1/tokens", None).await;
    assert!(
        !list.to_string().contains(&secret),
        "secrets are never listed"
    );
    assert_eq!(list.as_array().unwrap().len(), 2);

    assert_eq!(
        call(
            &s,
            Some(&secret),
            "POST",
            "/subjects/orders.created-value/versions",
            Some(schema("O"))
        )
        .await
        .0,
        200
    );
    let (_, audit) = call(
        &s,
        Some(&admin),
        "GET",
        "/herald/v1/audit?action=schema.register",
        None,
    )
    .await;
    assert_eq!(audit[0]["actor"], "ci", "{audit}");

    assert_eq!(
        call(&s, Some(&admin), "DELETE", "/herald/v1/tokens/ci", None)
            .await
            .0,
        204
    );
    assert_eq!(
        call(&s, Some(&secret), "GET", "/subjects", None).await.0,
        401
    );
}
