//! `/openapi.json` describes exactly the routes the router serves, and `/docs` renders it from
//! assets Herald serves itself.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeSet;

const METHODS: [&str; 7] = ["get", "post", "put", "delete", "patch", "head", "options"];

/// Every `.route("PATH", method(..).method(..))` call in `src/api/*.rs`, as (method, path), read
/// from the source because axum cannot list a router's routes. Pages under `/ui/` are left out:
/// they are HTML for people, not API.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (route, methods) in route_calls(&text) {
            assert!(
                !methods.is_empty(),
                "{}: no method found for route {route}",
                path.display()
            );
            if route.starts_with("/ui/") || route == "/ui" {
                continue;
            }
            for m in methods {
                out.insert((m, route.clone()));
            }
        }
    }
    out
}

/// The `.route(` calls of one file: the path literal and the method routers chained in the
/// second argument (`get(a).post(b)`), ignoring calls nested inside handlers or closures.
fn route_calls(text: &str) -> Vec<(String, Vec<String>)> {
    let bytes = text.as_bytes();
    let mut calls = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(".route(") {
        let start = from + at + ".route(".len();
        from = start;
        let rest = text[start..].trim_start();
        assert!(
            rest.starts_with('"'),
            "a .route( call whose path is not a string literal: {}",
            &rest[..rest.len().min(60)]
        );
        let lit_start = start + (text[start..].len() - rest.len()) + 1;
        let lit_end = lit_start + text[lit_start..].find('"').unwrap();
        let route = text[lit_start..lit_end].to_string();
        // Walk the rest of the call; record identifiers followed by `(` at the call's own depth.
        let mut depth = 0i32;
        let mut i = lit_end + 1;
        let mut methods = Vec::new();
        let mut in_string = false;
        while i < bytes.len() {
            let c = bytes[i];
            if in_string {
                if c == b'\\' {
                    i += 1;
                } else if c == b'"' {
                    in_string = false;
                }
            } else if c == b'"' {
                in_string = true;
            } else if c == b'(' {
                if depth == 0 {
                    let ident: String = text[..i]
                        .chars()
                        .rev()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect::<String>()
                        .chars()
                        .rev()
                        .collect();
                    if METHODS.contains(&ident.as_str()) {
                        methods.push(ident.to_uppercase());
                    }
                }
                depth += 1;
            } else if c == b')' {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            i += 1;
        }
        calls.push((route, methods));
    }
    calls
}

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

#[test]
fn the_route_reader_finds_chained_and_nested_methods() {
    let text = r#"
        Router::new()
            .route("/a", get(one).post(two))
            .route(
                "/b/{x}",
                get(|s, n| read(s, n, "k"))
                    .put(|s| put(s, post(3)))
                    .delete(remove),
            )
    "#;
    assert_eq!(
        route_calls(text),
        vec![
            ("/a".to_string(), vec!["GET".into(), "POST".into()]),
            (
                "/b/{x}".to_string(),
                vec!["GET".into(), "PUT".into(), "DELETE".into()]
            ),
        ]
    );
}

#[tokio::test]
async fn the_document_lists_exactly_the_routes_served() {
    let s = TestServer::start().await;
    let resp = s.client.get(s.url("/openapi.json")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let doc: Value = resp.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");

    let served = routes_in_source();
    let documented = routes_in_document(&doc);
    let missing: Vec<_> = served.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&served).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "routes served but not in /openapi.json: {missing:?}\nroutes in /openapi.json but not served: {extra:?}"
    );
    // Sanity: the reader did see the router (Confluent's, Herald's own and the docs).
    for route in [
        ("POST", "/subjects/{subject}/versions"),
        ("DELETE", "/herald/v1/events/{name}"),
        ("GET", "/openapi.json"),
    ] {
        assert!(
            served.contains(&(route.0.into(), route.1.into())),
            "{route:?}"
        );
    }
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
