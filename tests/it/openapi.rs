//! `/openapi.json` describes exactly the routes the router serves, and `/docs` renders it from
//! assets Herald serves itself.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeSet;

const METHODS: [&str; 7] = ["get", "post", "put", "delete", "patch", "head", "options"];

fn routes_in_document(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (key, _) in item.as_object().expect("path item") {
            if METHODS.contains(&key.as_str()) {
                out.insert((key.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// The router under test, with each answer labelled by the route template that served it.
async fn labelled_router() -> (axum::Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = herald::serve_settings::ServeConfig {
        database_url: fresh_database(dir.path()).await,
        ..Default::default()
    };
    let state = herald::server::state(&config).await.unwrap();
    let router = herald::server::app(state).layer(axum::middleware::from_fn(
        |request: axum::extract::Request, next: axum::middleware::Next| async move {
            let template = request
                .extensions()
                .get::<axum::extract::MatchedPath>()
                .map(|m| m.as_str().to_string());
            let mut response = next.run(request).await;
            if let Some(template) = template {
                response
                    .headers_mut()
                    .insert(ROUTE_HEADER, template.parse().unwrap());
            }
            response
        },
    ));
    (router, dir)
}

const ROUTE_HEADER: &str = "x-test-route";

/// Every route template the router holds. axum offers no way to list them but its debug form,
/// which names each one; the sanity checks below fail should that form change.
fn route_templates(router: &axum::Router) -> BTreeSet<String> {
    // The tables read `paths: {RouteId(7): "/subjects/{subject}", ...}`.
    let text = format!("{router:?}");
    text.split("RouteId(")
        .filter_map(|part| part.split_once("): \"")?.1.split('"').next())
        .filter(|path| path.starts_with('/') && !path.contains("__private__axum"))
        .map(str::to_string)
        .collect()
}

/// The methods the router serves at `template`: those its route does not answer with 405.
async fn methods_served(router: &axum::Router, template: &str) -> Vec<String> {
    use tower::ServiceExt;
    let path: String = template
        .split('/')
        .map(|seg| if seg.starts_with('{') { "x" } else { seg })
        .collect::<Vec<_>>()
        .join("/");
    let mut served = Vec::new();
    for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
        let request = axum::http::Request::builder()
            .method(method)
            .uri(&path)
            .body(axum::body::Body::empty())
            .unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        let route = response
            .headers()
            .get(ROUTE_HEADER)
            .map(|v| v.to_str().unwrap().to_string());
        assert_eq!(
            route.as_deref(),
            Some(template),
            "{method} {path} reached another route"
        );
        if response.status() != 405 {
            served.push(method.to_string());
        }
    }
    served
}

/// The HTML pages are for people, not part of the API document.
fn is_page(template: &str) -> bool {
    template == "/ui" || template.starts_with("/ui/") || template == "/favicon.ico"
}

#[tokio::test]
async fn the_router_serves_exactly_the_documented_routes() {
    let (router, _dir) = labelled_router().await;
    let templates = route_templates(&router);
    // Sanity: the listing saw Confluent's routes, Herald's own, the docs and the pages.
    for template in [
        "/subjects/{subject}/versions",
        "/herald/v1/events/{name}",
        "/openapi.json",
        "/ui/subjects/{subject}",
    ] {
        assert!(
            templates.contains(template),
            "{template} not in {templates:?}"
        );
    }
    let mut served = BTreeSet::new();
    for template in templates.iter().filter(|t| !is_page(t)) {
        let methods = methods_served(&router, template).await;
        assert!(!methods.is_empty(), "{template} serves no method");
        for method in methods {
            served.insert((method, template.clone()));
        }
    }
    let doc: Value = serde_json::from_str(herald::api::openapi::document()).unwrap();
    let documented = routes_in_document(&doc);
    let missing: Vec<_> = served.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&served).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "routes served but not in /openapi.json: {missing:?}\nroutes in /openapi.json but not served: {extra:?}"
    );
}

#[tokio::test]
async fn the_served_document_is_the_one_built_from_the_routes() {
    let s = TestServer::start().await;
    let resp = s.client.get(s.url("/openapi.json")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let doc: Value = resp.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let built: Value = serde_json::from_str(herald::api::openapi::document()).unwrap();
    assert_eq!(doc, built);
}

#[tokio::test]
async fn every_documented_route_answers_and_errors_use_the_confluent_body() {
    let s = TestServer::start().await;
    let (_, doc) = s.get("/openapi.json").await;
    let mut ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            assert!(!id.is_empty(), "{method} {path} has no operationId");
            assert!(ids.insert(id.clone()), "operationId {id} is used twice");
            let error = &op["responses"]["500"]["content"][CT]["schema"]["$ref"];
            assert_eq!(error, "#/components/schemas/ErrorBody", "{method} {path}");
            if let Some(body) = op["requestBody"]["content"].as_object() {
                assert!(
                    body.contains_key(CT),
                    "{method} {path} request body: {body:?}"
                );
            }
            // Every path parameter the route names is described.
            for name in path
                .split('/')
                .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            {
                let params = op["parameters"].as_array().cloned().unwrap_or_default();
                assert!(
                    params
                        .iter()
                        .any(|p| p["name"] == name && p["in"] == "path"),
                    "{method} {path}: path parameter {name} is not described"
                );
            }
        }
    }
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 50, "{refs:?}");
    for r in refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {r}"));
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "$ref {r} points nowhere"
        );
    }
    let error = &doc["components"]["schemas"]["ErrorBody"];
    assert_eq!(
        error["required"],
        serde_json::json!(["error_code", "message"])
    );
    assert_eq!(
        doc["paths"]["/herald/v1/teams/{name}"]["put"]["requestBody"]["content"][CT]["schema"]
            ["$ref"],
        "#/components/schemas/Team"
    );
}

#[tokio::test]
async fn docs_page_loads_only_local_assets() {
    let s = TestServer::start().await;
    let resp = s.client.get(s.url("/docs")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "text/html; charset=utf-8"
    );
    let html = resp.text().await.unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );
    let mut assets = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for part in html.split(attr).skip(1) {
            assets.push(part.split('"').next().unwrap().to_string());
        }
    }
    assert_eq!(assets.len(), 3, "{assets:?}");
    for asset in &assets {
        assert!(
            asset.starts_with("/docs/"),
            "{asset} is not served by Herald"
        );
        let resp = s.client.get(s.url(asset)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{asset}");
        let content_type = resp.headers()["content-type"].to_str().unwrap().to_string();
        let expected = if asset.ends_with(".css") {
            "text/css"
        } else {
            "text/javascript"
        };
        assert!(
            content_type.starts_with(expected),
            "{asset}: {content_type}"
        );
        let body = resp.text().await.unwrap();
        if asset.ends_with("init.js") {
            assert!(body.contains("url: \"/openapi.json\""), "{body}");
            assert!(!body.contains("http://") && !body.contains("https://"));
        } else {
            assert!(
                body.len() > 100_000,
                "{asset} is too small to be the real asset"
            );
        }
    }
    assert_eq!(s.get("/docs/LICENSE").await.0, 200);
    assert_eq!(
        s.get("/docs/nothing.js").await,
        (
            404,
            serde_json::json!({"error_code": 404, "message": "HTTP 404 Not Found"})
        )
    );
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
