//! Wire-level traps real clients set: content types, Accept headers, JSON 404/405/415, lenient
//! booleans, unknown params and fields, trailing slashes, body limits, misc endpoints, dialects.

use crate::common::*;
use herald::serve_settings::Dialect;
use serde_json::{json, Value};

#[track_caller]
fn assert_error(resp: (u16, Value), status: u16, code: i64) {
    let (got_status, body) = resp;
    assert_eq!(
        (got_status, body["error_code"].as_i64()),
        (status, Some(code)),
        "body: {body}"
    );
    assert!(body["message"].is_string(), "message missing: {body}");
}

fn v1() -> Value {
    record("User", json!([{"name": "a", "type": "string"}]))
}

fn register_body() -> String {
    json!({"schema": v1().to_string()}).to_string()
}

struct Raw {
    status: u16,
    content_type: String,
    body: String,
}

impl Raw {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

async fn send(req: reqwest::RequestBuilder) -> Raw {
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    Raw {
        status,
        content_type,
        body: resp.text().await.unwrap(),
    }
}

#[track_caller]
fn assert_schema_registry_json(raw: &Raw) {
    assert!(
        raw.content_type.starts_with(CT),
        "content type {:?} (status {}, body {})",
        raw.content_type,
        raw.status,
        raw.body
    );
}

// ---- response content type ----

#[tokio::test]
async fn responses_use_the_schema_registry_content_type() {
    let s = TestServer::start().await;
    let raw = send(s.client.get(s.url("/subjects"))).await;
    assert_eq!(raw.status, 200);
    assert_schema_registry_json(&raw);
    let raw = send(
        s.client
            .post(s.url("/subjects/s/versions"))
            .header("content-type", CT)
            .body(register_body()),
    )
    .await;
    assert_eq!(raw.status, 200);
    assert_schema_registry_json(&raw);
}

#[tokio::test]
async fn error_responses_use_the_schema_registry_content_type() {
    let s = TestServer::start().await;
    let raw = send(s.client.get(s.url("/subjects/nope/versions"))).await;
    assert_eq!(raw.status, 404);
    assert_schema_registry_json(&raw);
    assert_eq!(raw.json()["error_code"], 40401);
}

#[tokio::test]
async fn error_bodies_have_exactly_error_code_and_message() {
    let s = TestServer::start().await;
    let (status, body) = s.get("/schemas/ids/12345").await;
    assert_eq!(status, 404);
    let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    assert_eq!(keys.len(), 2, "{body}");
    assert_eq!(body["error_code"], 40403);
    assert!(body["message"].is_string());
}

// ---- request content types ----

#[tokio::test]
async fn every_accepted_request_content_type_registers() {
    let s = TestServer::start().await;
    let types = [
        "application/vnd.schemaregistry.v1+json",
        "application/vnd.schemaregistry+json",
        "application/json",
        "application/octet-stream",
    ];
    for (i, ct) in types.iter().enumerate() {
        let req = s
            .client
            .post(s.url(&format!("/subjects/s{i}/versions")))
            .header("content-type", *ct);
        let raw = send(req.body(register_body())).await;
        assert_eq!(raw.status, 200, "{ct}: {}", raw.body);
        assert_eq!(raw.json(), json!({"id": 1}), "{ct}");
    }
}

#[tokio::test]
async fn a_request_without_content_type_registers() {
    let s = TestServer::start().await;
    let raw = send(
        s.client
            .post(s.url("/subjects/s/versions"))
            .body(register_body()),
    )
    .await;
    assert_eq!(
        (raw.status, raw.json()),
        (200, json!({"id": 1})),
        "{}",
        raw.body
    );
}

#[tokio::test]
async fn text_plain_is_415_with_a_json_error() {
    let s = TestServer::start().await;
    let req = s
        .client
        .post(s.url("/subjects/s/versions"))
        .header("content-type", "text/plain");
    let raw = send(req.body(register_body())).await;
    assert_eq!(raw.status, 415, "{}", raw.body);
    assert_eq!(raw.json()["error_code"], 415);
    assert!(raw.json()["message"].is_string());
    assert_eq!(s.get("/subjects").await.1, json!([]));
}

// ---- Accept ----

#[tokio::test]
async fn accept_star_slash_star_is_served() {
    let s = TestServer::start().await;
    let raw = send(s.client.get(s.url("/subjects")).header("accept", "*/*")).await;
    assert_eq!((raw.status, raw.json()), (200, json!([])));
    assert_schema_registry_json(&raw);
}

#[tokio::test]
async fn the_java_default_accept_header_is_served() {
    let s = TestServer::start().await;
    let accept = "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2";
    let raw = send(s.client.get(s.url("/config")).header("accept", accept)).await;
    assert_eq!(raw.status, 200, "{}", raw.body);
    assert_eq!(raw.json(), json!({"compatibilityLevel": "BACKWARD"}));
    assert_schema_registry_json(&raw);
}

#[tokio::test]
async fn the_python_accept_header_is_served() {
    let s = TestServer::start().await;
    let accept = "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json";
    let raw = send(s.client.get(s.url("/subjects")).header("accept", accept)).await;
    assert_eq!(raw.status, 200, "{}", raw.body);
}

// ---- JSON 404 / 405 / 400 ----

#[tokio::test]
async fn an_unknown_route_is_a_json_404() {
    let s = TestServer::start().await;
    let raw = send(s.client.get(s.url("/no/such/route"))).await;
    assert_eq!(raw.status, 404);
    assert_eq!(
        raw.json(),
        json!({"error_code": 404, "message": "HTTP 404 Not Found"})
    );
    assert_schema_registry_json(&raw);
}

#[tokio::test]
async fn a_wrong_method_is_a_json_405() {
    let s = TestServer::start().await;
    let raw = send(s.client.patch(s.url("/subjects"))).await;
    assert_eq!(raw.status, 405, "{}", raw.body);
    assert_eq!(raw.json()["error_code"], 405);
    assert!(raw.json()["message"].is_string());
    let raw = send(s.client.delete(s.url("/schemas/types"))).await;
    assert_eq!(
        (raw.status, raw.json()["error_code"].clone()),
        (405, json!(405)),
        "{}",
        raw.body
    );
}

#[tokio::test]
async fn a_non_integer_schema_id_is_a_plain_404() {
    let s = TestServer::start().await;
    let resp = s.get("/schemas/ids/abc").await;
    assert_eq!(
        resp,
        (
            404,
            json!({"error_code": 404, "message": "HTTP 404 Not Found"})
        )
    );
}

#[tokio::test]
async fn a_malformed_json_body_is_400_with_a_json_error() {
    let s = TestServer::start().await;
    let req = s
        .client
        .post(s.url("/subjects/s/versions"))
        .header("content-type", CT);
    let raw = send(req.body("{\"schema\": ")).await;
    assert_eq!(raw.status, 400, "{}", raw.body);
    let body = raw.json();
    assert!(body["error_code"].is_i64(), "{body}");
    assert!(body["message"].is_string(), "{body}");
}

#[tokio::test]
async fn a_wrongly_typed_body_field_is_a_4xx_json_error() {
    let s = TestServer::start().await;
    let (status, body) = s.put("/config", json!({"compatibility": 5})).await;
    assert!((400..500).contains(&status), "{status} {body}");
    assert!(body["error_code"].is_i64(), "{body}");
}

#[tokio::test]
async fn a_body_over_8_mib_is_a_4xx_json_error() {
    let s = TestServer::start().await;
    let huge = json!({"schema": "x".repeat(9 * 1024 * 1024)}).to_string();
    let req = s
        .client
        .post(s.url("/subjects/s/versions"))
        .header("content-type", CT);
    let raw = send(req.body(huge)).await;
    assert!(
        (400..500).contains(&raw.status),
        "status {}: {:.200}",
        raw.status,
        raw.body
    );
    assert!(raw.json()["error_code"].is_i64(), "{:.200}", raw.body);
    assert_eq!(s.get("/subjects").await.1, json!([]));
}

// ---- lenient booleans, unknown params and fields ----

#[tokio::test]
async fn capitalised_true_counts_as_true() {
    let s = TestServer::start().await;
    s.register_ok("s", &v1()).await;
    s.delete("/subjects/s").await;
    assert_eq!(s.get("/subjects?deleted=True").await.1, json!(["s"]));
    assert_eq!(
        s.delete("/subjects/s?permanent=TRUE").await,
        (200, json!([1]))
    );
    assert_eq!(s.get("/subjects?deleted=true").await.1, json!([]));
}

#[tokio::test]
async fn capitalised_false_and_garbage_count_as_false() {
    let s = TestServer::start().await;
    s.register_ok("s", &v1()).await;
    s.delete("/subjects/s").await;
    assert_eq!(s.get("/subjects?deleted=False").await, (200, json!([])));
    assert_eq!(s.get("/subjects?deleted=yes").await, (200, json!([])));
    assert_error(s.delete("/subjects/s?permanent=1").await, 404, 40404);
}

#[tokio::test]
async fn normalize_false_in_python_spelling_registers() {
    let s = TestServer::start().await;
    let resp = s
        .post(
            "/subjects/s/versions?normalize=False",
            json!({"schema": v1().to_string()}),
        )
        .await;
    assert_eq!(resp, (200, json!({"id": 1})));
    let resp = s
        .post(
            "/subjects/s?normalize=False&deleted=False",
            json!({"schema": v1().to_string()}),
        )
        .await;
    assert_eq!(resp.0, 200, "{}", resp.1);
}

#[tokio::test]
async fn verbose_true_capitalised_adds_messages() {
    let s = TestServer::start().await;
    s.register_ok("s", &v1()).await;
    let resp = s
        .post(
            "/compatibility/subjects/s/versions/latest?normalize=False&verbose=True",
            json!({"schema": v1().to_string()}),
        )
        .await;
    assert_eq!(resp, (200, json!({"is_compatible": true, "messages": []})));
}

#[tokio::test]
async fn unknown_query_parameters_are_ignored() {
    let s = TestServer::start().await;
    s.register_ok("s", &v1()).await;
    let resp = s
        .get("/subjects?deleted_only=false&subject=zzz&offset=0&limit=-1&bogus=1")
        .await;
    assert_eq!(resp, (200, json!(["s"])));
    let resp = s
        .get("/subjects/s/versions/1?name=shop.Address&reference_format=qualified")
        .await;
    assert_eq!(resp.0, 200, "{}", resp.1);
}

#[tokio::test]
async fn unknown_body_fields_are_ignored() {
    let s = TestServer::start().await;
    let body = json!({"schema": v1().to_string(), "somethingNew": {"x": 1}, "schemaTagsToAdd": []});
    assert_eq!(
        s.post("/subjects/s/versions", body).await,
        (200, json!({"id": 1}))
    );
    let resp = s
        .put(
            "/config",
            json!({"compatibility": "FULL", "futureSetting": true}),
        )
        .await;
    assert_eq!(resp, (200, json!({"compatibility": "FULL"})));
    let resp = s
        .put("/mode", json!({"mode": "READWRITE", "extra": 1}))
        .await;
    assert_eq!(resp, (200, json!({"mode": "READWRITE"})));
}

// ---- trailing slashes ----

#[tokio::test]
async fn trailing_slash_on_subjects_is_tolerated() {
    let s = TestServer::start().await;
    s.register_ok("s", &v1()).await;
    assert_eq!(s.get("/subjects/").await, (200, json!(["s"])));
    assert_eq!(s.get("/subjects/s/versions/").await, (200, json!([1])));
}

#[tokio::test]
async fn trailing_slash_on_subject_config_is_tolerated() {
    let s = TestServer::start().await;
    let put = s.put("/config/s/", json!({"compatibility": "NONE"})).await;
    assert_eq!(put, (200, json!({"compatibility": "NONE"})));
    assert_eq!(
        s.get("/config/s/").await,
        (200, json!({"compatibilityLevel": "NONE"}))
    );
}

#[tokio::test]
async fn trailing_slash_on_a_register_post_is_tolerated() {
    let s = TestServer::start().await;
    let resp = s
        .post("/subjects/s/versions/", json!({"schema": v1().to_string()}))
        .await;
    assert_eq!(resp, (200, json!({"id": 1})));
}

// ---- root, contexts, metadata, associations ----

#[tokio::test]
async fn root_answers_an_empty_object() {
    let s = TestServer::start().await;
    assert_eq!(s.get("/").await, (200, json!({})));
}

#[tokio::test]
async fn contexts_list_only_the_default_context() {
    let s = TestServer::start().await;
    s.register_ok("s", &v1()).await;
    assert_eq!(s.get("/contexts").await, (200, json!(["."])));
}

#[tokio::test]
async fn metadata_id_answers_a_scope() {
    let s = TestServer::start().await;
    let (status, body) = s.get("/v1/metadata/id").await;
    assert_eq!(status, 200);
    assert!(body["scope"].is_object(), "{body}");
}

#[tokio::test]
async fn association_probe_answers_an_empty_list() {
    let s = TestServer::start().await;
    let resp = s
        .get("/associations/resources/-/orders?resourceType=topic&associationType=value")
        .await;
    assert_eq!(resp, (200, json!([])));
    let raw = send(s.client.get(
        s.url("/associations/resources/lkc-123/orders?resourceType=topic&associationType=key"),
    ))
    .await;
    assert_eq!((raw.status, raw.json()), (200, json!([])));
    assert_schema_registry_json(&raw);
}

// ---- dialects ----

#[tokio::test]
async fn v7_responses_omit_schema_type_and_8x_fields() {
    let s = TestServer::start().await;
    let id = s.register_ok("s", &v1()).await;
    let expected = json!({"subject": "s", "version": 1, "id": id, "schema": v1().to_string()});
    assert_eq!(s.get("/subjects/s/versions/1").await.1, expected);
    assert_eq!(
        s.post("/subjects/s", json!({"schema": v1().to_string()}))
            .await
            .1,
        expected
    );
    assert_eq!(s.get("/schemas").await.1, json!([expected]));
    assert_eq!(
        s.get(&format!("/schemas/ids/{id}")).await.1,
        json!({"schema": v1().to_string()})
    );
}

#[tokio::test]
async fn v7_incompatible_is_http_409_with_error_code_409() {
    let s = TestServer::start().await;
    s.register_ok("s", &v1()).await;
    let breaking = record(
        "User",
        json!([{"name": "a", "type": "string"}, {"name": "b", "type": "int"}]),
    );
    assert_error(s.register("s", &breaking).await, 409, 409);
}

async fn v8() -> TestServer {
    TestServer::start_with(|c| c.dialect = Dialect::V8).await
}

#[tokio::test]
async fn v8_register_answers_id_version_schema_and_schema_type() {
    let s = v8().await;
    let (status, body) = s.register("s", &v1()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], 1, "{body}");
    assert_eq!(body["version"], 1, "{body}");
    assert_eq!(body["schema"], json!(v1().to_string()), "{body}");
    assert_eq!(body["schemaType"], "AVRO", "{body}");
}

#[tokio::test]
async fn v8_idempotent_register_answers_the_existing_version() {
    let s = v8().await;
    s.register_ok("s", &v1()).await;
    s.register_ok(
        "s",
        &record(
            "User",
            json!([{"name": "a", "type": "string"}, {"name": "b", "type": "int", "default": 0}]),
        ),
    )
    .await;
    let (_, body) = s.register("s", &v1()).await;
    assert_eq!(
        (body["id"].as_i64(), body["version"].as_i64()),
        (Some(1), Some(1)),
        "{body}"
    );
}

#[tokio::test]
async fn v8_reads_carry_schema_type_avro() {
    let s = v8().await;
    let id = s.register_ok("s", &v1()).await;
    let (_, version) = s.get("/subjects/s/versions/1").await;
    assert_eq!(version["schemaType"], "AVRO", "{version}");
    assert_eq!(
        (version["subject"].as_str(), version["id"].as_i64()),
        (Some("s"), Some(id))
    );
    let (_, by_id) = s.get(&format!("/schemas/ids/{id}")).await;
    assert_eq!(by_id["schemaType"], "AVRO", "{by_id}");
    let (_, lookup) = s
        .post("/subjects/s", json!({"schema": v1().to_string()}))
        .await;
    assert_eq!(lookup["schemaType"], "AVRO", "{lookup}");
}

#[tokio::test]
async fn v8_incompatible_is_http_409_with_error_code_40901() {
    let s = v8().await;
    s.register_ok("s", &v1()).await;
    let breaking = record(
        "User",
        json!([{"name": "a", "type": "string"}, {"name": "b", "type": "int"}]),
    );
    assert_error(s.register("s", &breaking).await, 409, 40901);
}

/// PostgreSQL refuses NUL in text; a NUL in a path, a query or a body must still get a client
/// answer, never a 500 from the database.
#[tokio::test]
async fn nul_characters_are_never_a_server_error() {
    let s = TestServer::start().await;
    s.register_ok("plain-value", &serde_json::json!("string"))
        .await;
    let checks: Vec<(&str, &str, Option<serde_json::Value>)> = vec![
        ("GET", "/subjects/a%00b/versions", None),
        ("GET", "/subjects/a%00b/versions/latest", None),
        ("DELETE", "/subjects/a%00b", None),
        ("GET", "/config/a%00b", None),
        ("GET", "/mode/a%00b", None),
        ("GET", "/subjects?subjectPrefix=%00", None),
        ("GET", "/schemas?subjectPrefix=a%00", None),
        ("GET", "/schemas/ids/1/versions?subject=%00", None),
        ("GET", "/herald/v1/audit?actor=%00&target=%00", None),
        ("GET", "/herald/v1/events/a%00b", None),
        ("DELETE", "/herald/v1/tokens/a%00b", None),
        ("GET", "/herald/v1/subjects/a%00b/owner", None),
        (
            "POST",
            "/subjects/a%00b/versions",
            Some(serde_json::json!({"schema": "\"string\""})),
        ),
        (
            "POST",
            "/subjects/plain-value",
            Some(serde_json::json!({"schema": "\"str\u{0}ing\""})),
        ),
        (
            "POST",
            "/herald/v1/domains",
            Some(serde_json::json!({"name": "a\u{0}b"})),
        ),
        (
            "POST",
            "/herald/v1/tokens",
            Some(serde_json::json!({"name": "ok", "role": "reader", "subjects": ["a\u{0}"]})),
        ),
    ];
    for (method, path, body) in checks {
        let (status, answer) = s.call(method, path, body).await;
        assert!(status < 500, "{method} {path}: {status} {answer}");
    }
}

/// The serializers' hot reads are answered from memory before routing; the answer must be the
/// one the route gives (the same request with a query goes through the route).
#[tokio::test]
async fn reads_answered_from_memory_match_their_routes_byte_for_byte() {
    let s = TestServer::start().await;
    let id = s
        .register_ok(
            "orders-value",
            &record("Order", json!([{"name": "id", "type": "string"}])),
        )
        .await;
    let fetch = |path: String| {
        let s = &s;
        async move {
            let resp = s.client.get(s.url(&path)).send().await.unwrap();
            let status = resp.status().as_u16();
            let mut headers: Vec<(String, String)> = resp
                .headers()
                .iter()
                .filter(|(k, _)| *k != "x-request-id" && *k != "date")
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
                .collect();
            headers.sort();
            let request_id = resp.headers().get("x-request-id").is_some();
            (status, headers, request_id, resp.bytes().await.unwrap())
        }
    };
    for path in [
        format!("/schemas/ids/{id}"),
        "/subjects/orders-value/versions/latest".to_string(),
    ] {
        let hot = fetch(path.clone()).await;
        let routed = fetch(format!("{path}?unused=1")).await;
        assert_eq!(hot, routed, "{path}");
        assert_eq!(hot.0, 200);
        assert!(hot.2, "{path} carries a request id");
    }
    // The lookup of a registered schema, by the body's bytes once they were seen.
    let body =
        json!({"schema": record("Order", json!([{"name": "id", "type": "string"}])).to_string()});
    let post = |path: String, body: Value| {
        let s = &s;
        async move {
            let resp = s
                .client
                .post(s.url(&path))
                .header("content-type", CT)
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let mut headers: Vec<(String, String)> = resp
                .headers()
                .iter()
                .filter(|(k, _)| *k != "x-request-id" && *k != "date")
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
                .collect();
            headers.sort();
            (status, headers, resp.bytes().await.unwrap())
        }
    };
    let routed = post("/subjects/orders-value?unused=1".into(), body.clone()).await;
    assert_eq!(routed.0, 200);
    for _ in 0..2 {
        assert_eq!(
            post("/subjects/orders-value".into(), body.clone()).await,
            routed
        );
    }
    // What memory does not hold goes to the route, refusals included.
    let unknown =
        json!({"schema": record("Other", json!([{"name": "x", "type": "int"}])).to_string()});
    for (path, body) in [
        ("/subjects/orders-value", unknown),
        ("/subjects/orders-value", json!({"schema": "{not json"})),
        ("/subjects/nobody", body.clone()),
    ] {
        let hot = post(path.into(), body.clone()).await;
        let routed = post(format!("{path}?unused=1"), body).await;
        assert_eq!(hot, routed, "{path}");
        assert!(hot.0 >= 400, "{path}: {}", hot.0);
    }
    // A given request id is echoed, as the middleware does.
    let resp = s
        .client
        .get(s.url(&format!("/schemas/ids/{id}")))
        .header("x-request-id", "given-42")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "given-42");
    // Each read counts under its route pattern, whichever way it was answered.
    let metrics = s
        .client
        .get(s.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for (route, expected) in [
        ("/schemas/ids/{id}", 3),
        ("/subjects/{subject}/versions/{version}", 2),
        ("/subjects/{subject}", 3),
    ] {
        let line = metrics
            .lines()
            .find(|l| {
                l.starts_with("herald_http_requests_total")
                    && l.contains(&format!("route=\"{route}\""))
                    && l.contains(if route == "/subjects/{subject}" {
                        "method=\"POST\""
                    } else {
                        "method=\"GET\""
                    })
                    && l.contains("status=\"200\"")
            })
            .unwrap_or_else(|| panic!("no count for {route} in\n{metrics}"));
        assert!(line.ends_with(&format!(" {expected}")), "{line}");
    }
}
