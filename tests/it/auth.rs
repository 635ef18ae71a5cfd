//! Authentication and authorisation: roles, subject grants, basic and bearer credentials.

use crate::common::*;
use serde_json::{json, Value};

pub(crate) async fn token(s: &TestServer, name: &str, role: &str, subjects: &[&str]) -> String {
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

pub(crate) async fn call(
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
    // Metrics name every subject: they need a token unless opened on purpose.
    assert_eq!(
        s.client
            .get(s.url("/metrics"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let (status, _) = call(&s, Some("hrld_not-a-token"), "GET", "/subjects", None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn metrics_need_an_unrestricted_token_unless_opened() {
    let s = secured().await;
    let reader = token(&s, "scraper", "reader", &[]).await;
    let scoped = token(&s, "scoped", "reader", &["orders.*"]).await;
    let get = |secret: Option<&str>| {
        let mut req = s.client.get(s.url("/metrics"));
        if let Some(secret) = secret {
            req = req.bearer_auth(secret);
        }
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(get(None).await, 401);
    assert_eq!(get(Some(&reader)).await, 200);
    assert_eq!(get(Some(&scoped)).await, 403);
    let open = TestServer::start_with(|c| {
        c.auth = true;
        c.metrics_open = true;
    })
    .await;
    let status = open
        .client
        .get(open.url("/metrics"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
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

/// The lowest role each documented route needs, written out here (not read from the code) so
/// that a change to the rules shows up as a failing line.
const ROUTE_ROLES: &[(&str, &str, &str)] = &[
    ("GET", "/", "reader"),
    ("POST", "/", "writer"),
    (
        "GET",
        "/associations/resources/{namespace}/{name}",
        "reader",
    ),
    (
        "POST",
        "/compatibility/subjects/{subject}/versions",
        "reader",
    ),
    (
        "POST",
        "/compatibility/subjects/{subject}/versions/{version}",
        "reader",
    ),
    ("GET", "/config", "reader"),
    ("PUT", "/config", "admin"),
    ("DELETE", "/config", "admin"),
    ("GET", "/config/{subject}", "reader"),
    ("PUT", "/config/{subject}", "admin"),
    ("DELETE", "/config/{subject}", "admin"),
    ("GET", "/contexts", "reader"),
    ("DELETE", "/contexts/{context}", "admin"),
    // The path-prefix form of contexts, rewritten before routing and authorisation.
    (
        "GET",
        "/contexts/.eu/subjects/{subject}/versions/{version}",
        "reader",
    ),
    (
        "POST",
        "/contexts/.eu/subjects/{subject}/versions",
        "writer",
    ),
    ("PUT", "/contexts/.eu/config/{subject}", "admin"),
    ("GET", "/docs", "reader"),
    ("GET", "/docs/{file}", "reader"),
    ("GET", "/health/live", "open"),
    ("GET", "/health/ready", "open"),
    ("GET", "/herald/v1/audit", "reader"),
    ("POST", "/herald/v1/catalog/apply", "admin"),
    ("POST", "/herald/v1/catalog/plan", "reader"),
    ("GET", "/herald/v1/domains", "reader"),
    ("POST", "/herald/v1/domains", "writer"),
    ("GET", "/herald/v1/domains/{name}", "reader"),
    ("PUT", "/herald/v1/domains/{name}", "writer"),
    ("DELETE", "/herald/v1/domains/{name}", "admin"),
    ("GET", "/herald/v1/events", "reader"),
    ("POST", "/herald/v1/events", "writer"),
    ("GET", "/herald/v1/events/{name}", "reader"),
    ("PUT", "/herald/v1/events/{name}", "writer"),
    ("DELETE", "/herald/v1/events/{name}", "admin"),
    ("GET", "/herald/v1/links", "reader"),
    ("POST", "/herald/v1/links", "writer"),
    (
        "DELETE",
        "/herald/v1/links/{role}/{service}/{event}",
        "admin",
    ),
    ("GET", "/herald/v1/policy", "reader"),
    ("POST", "/herald/v1/schemas/ids/{id}/validate", "reader"),
    ("GET", "/herald/v1/services", "reader"),
    ("POST", "/herald/v1/services", "writer"),
    ("GET", "/herald/v1/services/{name}", "reader"),
    (
        "GET",
        "/herald/v1/services/{name}/asyncapi.json",
        "unrestricted",
    ),
    (
        "GET",
        "/herald/v1/services/{name}/asyncapi.yaml",
        "unrestricted",
    ),
    (
        "GET",
        "/herald/v1/subjects/{subject}/versions/{version}/code/{lang}",
        "reader",
    ),
    ("PUT", "/herald/v1/services/{name}", "writer"),
    ("DELETE", "/herald/v1/services/{name}", "admin"),
    ("POST", "/herald/v1/subjects/{subject}/impact", "reader"),
    ("GET", "/herald/v1/subjects/{subject}/owner", "reader"),
    (
        "POST",
        "/herald/v1/subjects/{subject}/versions/{version}/validate",
        "reader",
    ),
    ("GET", "/herald/v1/teams", "reader"),
    ("POST", "/herald/v1/teams", "writer"),
    ("GET", "/herald/v1/teams/{name}", "reader"),
    ("PUT", "/herald/v1/teams/{name}", "writer"),
    ("DELETE", "/herald/v1/teams/{name}", "admin"),
    ("GET", "/herald/v1/tokens", "admin"),
    ("POST", "/herald/v1/tokens", "admin"),
    ("DELETE", "/herald/v1/tokens/{name}", "admin"),
    ("GET", "/metrics", "unrestricted"),
    ("GET", "/mode", "reader"),
    ("PUT", "/mode", "admin"),
    ("DELETE", "/mode", "admin"),
    ("GET", "/mode/{subject}", "reader"),
    ("PUT", "/mode/{subject}", "admin"),
    ("DELETE", "/mode/{subject}", "admin"),
    ("GET", "/openapi.json", "reader"),
    ("GET", "/schemas", "reader"),
    ("GET", "/schemas/guids/{guid}", "reader"),
    ("GET", "/schemas/guids/{guid}/ids", "reader"),
    ("GET", "/schemas/ids/{id}", "reader"),
    ("GET", "/schemas/ids/{id}/schema", "reader"),
    ("GET", "/schemas/ids/{id}/subjects", "reader"),
    ("GET", "/schemas/ids/{id}/versions", "reader"),
    ("GET", "/schemas/types", "reader"),
    ("GET", "/subjects", "reader"),
    ("POST", "/subjects/{subject}", "reader"),
    ("DELETE", "/subjects/{subject}", "admin"),
    ("GET", "/subjects/{subject}/metadata", "reader"),
    ("GET", "/subjects/{subject}/versions", "reader"),
    ("POST", "/subjects/{subject}/versions", "writer"),
    ("GET", "/subjects/{subject}/versions/{version}", "reader"),
    ("DELETE", "/subjects/{subject}/versions/{version}", "admin"),
    (
        "GET",
        "/subjects/{subject}/versions/{version}/referencedby",
        "reader",
    ),
    (
        "GET",
        "/subjects/{subject}/versions/{version}/schema",
        "reader",
    ),
    ("GET", "/v1/metadata/id", "reader"),
    ("GET", "/v1/metadata/version", "reader"),
    // The catalog pages (not in the API document).
    ("GET", "/ui", "reader"),
    ("GET", "/ui/subjects", "reader"),
    ("GET", "/ui/subjects/{subject}", "reader"),
    ("GET", "/ui/subjects/{subject}/versions/{version}", "reader"),
    ("GET", "/ui/search", "reader"),
    ("GET", "/ui/events", "reader"),
    ("GET", "/ui/teams", "reader"),
    ("GET", "/ui/services", "reader"),
    ("GET", "/ui/domains", "reader"),
    ("GET", "/ui/decode", "reader"),
    ("GET", "/ui/audit", "reader"),
];

/// Who asks, in the order the matrix runs them (destructive admin calls last).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anonymous,
    ReaderInGrant,
    ReaderOutsideGrant,
    Writer,
    Admin,
}

fn expected_allowed(who: Who, lowest: &str, names_subject: bool) -> Option<bool> {
    let rank = |r: &str| ["reader", "writer", "admin"].iter().position(|x| *x == r);
    match (who, lowest) {
        (_, "open") => Some(true),
        (Who::Anonymous, _) => None,
        (Who::ReaderInGrant | Who::ReaderOutsideGrant, "unrestricted") => Some(false),
        (_, "unrestricted") => Some(true),
        (who, lowest) => {
            let role = match who {
                Who::ReaderInGrant | Who::ReaderOutsideGrant => "reader",
                Who::Writer => "writer",
                _ => "admin",
            };
            Some(rank(role) >= rank(lowest) && !(who == Who::ReaderOutsideGrant && names_subject))
        }
    }
}

#[tokio::test]
async fn every_route_answers_each_identity_as_its_grants_say() {
    let s = secured().await;
    let admin = token(&s, "admin", "admin", &[]).await;
    let writer = token(&s, "writer", "writer", &[]).await;
    let in_grant = token(&s, "in-grant", "reader", &["orders.*", ":.eu:orders.*"]).await;
    let outside = token(&s, "outside", "reader", &["payments.*"]).await;
    let (status, body) = call(
        &s,
        Some(&admin),
        "POST",
        "/subjects/orders.a-value/versions",
        Some(schema("A")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_i64().unwrap().to_string();

    // Every documented route has a line in the table, so a new route cannot go unchecked.
    let (_, doc) = call(&s, Some(&admin), "GET", "/openapi.json", None).await;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let method = method.to_uppercase();
            if !["GET", "POST", "PUT", "DELETE"].contains(&method.as_str()) {
                continue;
            }
            assert!(
                ROUTE_ROLES
                    .iter()
                    .any(|(m, p, _)| *m == method && p == path),
                "{method} {path} has no line in ROUTE_ROLES"
            );
        }
    }

    for who in [
        Who::Anonymous,
        Who::ReaderInGrant,
        Who::ReaderOutsideGrant,
        Who::Writer,
        Who::Admin,
    ] {
        let secret = match who {
            Who::Anonymous => None,
            Who::ReaderInGrant => Some(in_grant.as_str()),
            Who::ReaderOutsideGrant => Some(outside.as_str()),
            Who::Writer => Some(writer.as_str()),
            Who::Admin => Some(admin.as_str()),
        };
        for (method, template, lowest) in ROUTE_ROLES {
            let path = template
                .replace("{subject}", "orders.a-value")
                .replace("{version}", "1")
                .replace("{id}", &id)
                .replace("{role}", "produces")
                .replace("{lang}", "rust")
                .replace("{file}", "swagger-ui.css")
                .replace("{name}", "nobody")
                .replace("{context}", ".nobody")
                .replace("{namespace}", "nobody")
                .replace("{service}", "nobody")
                .replace("{event}", "nobody");
            let body = (*method != "GET" && *method != "DELETE").then(|| schema("A"));
            let (status, answer) = call(&s, secret, method, &path, body).await;
            let what = format!("{who:?} {method} {path}: {status} {answer}");
            match expected_allowed(who, lowest, template.contains("{subject}")) {
                None => assert_eq!(status, 401, "{what}"),
                Some(true) => assert!(status != 401 && status != 403, "{what}"),
                Some(false) => {
                    assert_eq!(status, 403, "{what}");
                    assert_eq!(answer["error_code"], 403, "{what}");
                }
            }
        }
    }
}

#[tokio::test]
async fn grants_hold_on_reads_by_id_lists_search_audit_and_pages() {
    let s = secured().await;
    let admin = token(&s, "admin", "admin", &[]).await;
    let orders = token(&s, "orders-reader", "reader", &["orders.*"]).await;
    let register = |subject: &'static str, name: &'static str| {
        let s = &s;
        let admin = admin.clone();
        async move {
            let path = format!("/subjects/{subject}/versions");
            let (status, body) = call(s, Some(&admin), "POST", &path, Some(schema(name))).await;
            assert_eq!(status, 200, "{body}");
            body["id"].as_i64().unwrap()
        }
    };
    let mine = register("orders.placed-value", "OrderPlaced").await;
    let theirs = register("payments.settled-value", "PaymentSettled").await;

    let (_, subjects) = call(&s, Some(&orders), "GET", "/subjects", None).await;
    assert_eq!(subjects, json!(["orders.placed-value"]));
    let (_, schemas) = call(&s, Some(&orders), "GET", "/schemas", None).await;
    let listed: Vec<&str> = schemas
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["subject"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["orders.placed-value"]);

    for suffix in ["", "/schema", "/subjects", "/versions"] {
        let (status, body) = call(
            &s,
            Some(&orders),
            "GET",
            &format!("/schemas/ids/{theirs}{suffix}"),
            None,
        )
        .await;
        assert_eq!(status, 404, "{suffix}: {body}");
        assert_eq!(body["error_code"], 40403, "{suffix}");
        let (status, _) = call(
            &s,
            Some(&orders),
            "GET",
            &format!("/schemas/ids/{mine}{suffix}"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{suffix}");
    }
    let (status, body) = call(
        &s,
        Some(&orders),
        "POST",
        &format!("/herald/v1/schemas/ids/{theirs}/validate"),
        Some(json!({"payload": {"id": "x"}})),
    )
    .await;
    assert_eq!((status, body["error_code"].clone()), (404, json!(40403)));

    // Audit: only the granted subject's lines, and no token management.
    let (_, audit) = call(&s, Some(&orders), "GET", "/herald/v1/audit", None).await;
    let targets: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["target"].as_str().unwrap())
        .collect();
    assert!(
        targets.contains(&"subject/orders.placed-value"),
        "{targets:?}"
    );
    assert!(
        targets
            .iter()
            .all(|t| !t.contains("payments") && !t.starts_with("token/")),
        "{targets:?}"
    );
    let (_, all) = call(&s, Some(&admin), "GET", "/herald/v1/audit", None).await;
    assert!(all.to_string().contains("token/orders-reader"));

    // Pages: the subject list, search and the decoder keep to the grants.
    let page = |path: String| {
        let req = s.client.get(s.url(&path)).bearer_auth(&orders);
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    let list = page("/ui/subjects".into()).await;
    assert!(list.contains("orders.placed-value") && !list.contains("payments.settled-value"));
    let found = page("/ui/search?q=settled".into()).await;
    assert!(!found.contains("payments.settled-value"), "{found}");
    let message = format!("00{theirs:08x}00");
    let decoded = page(format!("/ui/decode?message={message}")).await;
    assert!(!decoded.contains("payments.settled-value"), "{decoded}");
    assert!(decoded.contains("not found"), "{decoded}");
}

#[tokio::test]
async fn anonymous_readers_see_no_token_management_or_client_addresses() {
    let s = TestServer::start_with(|c| {
        c.auth = true;
        c.anonymous_read = true;
    })
    .await;
    let admin = token(&s, "admin", "admin", &[]).await;
    call(
        &s,
        Some(&admin),
        "POST",
        "/herald/v1/tokens",
        Some(json!({"name": "ci", "role": "writer", "subjects": ["orders.*"]})),
    )
    .await;
    call(
        &s,
        Some(&admin),
        "POST",
        "/subjects/orders.a-value/versions",
        Some(schema("A")),
    )
    .await;
    let (status, audit) = call(&s, None, "GET", "/herald/v1/audit", None).await;
    assert_eq!(status, 200);
    let lines = audit.as_array().unwrap();
    assert!(lines
        .iter()
        .any(|e| e["target"] == "subject/orders.a-value"));
    assert!(
        lines
            .iter()
            .all(|e| !e["target"].as_str().unwrap().starts_with("token/") && e["source"].is_null()),
        "{audit}"
    );
    let (status, _) = call(&s, None, "GET", "/herald/v1/tokens", None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn scoped_writers_cannot_claim_other_subjects_in_the_catalog() {
    let s = secured().await;
    let orders = token(&s, "orders-ci", "writer", &["orders.*"]).await;
    let admin = token(&s, "admin", "admin", &[]).await;
    let (status, _) = call(
        &s,
        Some(&admin),
        "POST",
        "/herald/v1/teams",
        Some(json!({"name": "platform"})),
    )
    .await;
    assert_eq!(status, 201);
    let event = |name: &str, subject: &str| json!({"name": name, "owner": "platform", "schemas": [{"subject": subject, "role": "value"}]});
    let (status, body) = call(
        &s,
        Some(&orders),
        "POST",
        "/herald/v1/events",
        Some(event("payments.claimed", "payments-value")),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body["message"].as_str().unwrap().contains("payments-value"));
    let (status, body) = call(
        &s,
        Some(&orders),
        "POST",
        "/herald/v1/events",
        Some(event("orders.placed", "orders.placed-value")),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    // An event another team declared cannot be rewritten to point elsewhere either.
    let (status, _) = call(
        &s,
        Some(&admin),
        "POST",
        "/herald/v1/events",
        Some(event("payments.settled", "payments.settled-value")),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = call(
        &s,
        Some(&orders),
        "PUT",
        "/herald/v1/events/payments.settled",
        Some(event("payments.settled", "orders.placed-value")),
    )
    .await;
    assert_eq!(status, 403);
    // Reading: events naming other subjects (their examples are data) stay out of sight.
    let (_, events) = call(&s, Some(&orders), "GET", "/herald/v1/events", None).await;
    let names: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["orders.placed"]);
    let (status, _) = call(
        &s,
        Some(&orders),
        "GET",
        "/herald/v1/events/payments.settled",
        None,
    )
    .await;
    assert_eq!(status, 404);
    let page = s
        .client
        .get(s.url("/ui/events/payments.settled"))
        .bearer_auth(&orders)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 403);
    let list = s
        .client
        .get(s.url("/ui/events"))
        .bearer_auth(&orders)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("orders.placed") && !list.contains("payments.settled"));
    let found = s
        .client
        .get(s.url("/ui/search?q=settled"))
        .bearer_auth(&orders)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!found.contains("payments.settled"), "{found}");
}
