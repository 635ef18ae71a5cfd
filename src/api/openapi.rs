//! The OpenAPI 3.1 description of every route, Confluent's and Herald's own, served at
//! `/openapi.json`, and an interactive docs page at `/docs` whose assets are built into the
//! binary, so it works without network access.

use std::sync::OnceLock;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use utoipa::{Modify, OpenApi};

use crate::error::Error;
use crate::http::error::{ErrorBody, CONTENT_TYPE};
use crate::http::wire::PathParams;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Herald",
        description = "Schema registry and event catalog. The routes outside `/herald/v1` are the \
            Confluent Schema Registry REST API; `/herald/v1` is Herald's event catalog, audit \
            trail and token management. Every error answers `{error_code, message}`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    // Every operation's shared error answers (added below) refer to it.
    components(schemas(ErrorBody)),
    tags(
        (name = "schemas", description = "Schemas by global id (Confluent)"),
        (name = "subjects", description = "Subjects and their versions (Confluent)"),
        (name = "config", description = "Compatibility levels (Confluent)"),
        (name = "mode", description = "Modes (Confluent)"),
        (name = "compatibility", description = "Compatibility checks (Confluent)"),
        (name = "server", description = "Server metadata and contexts (Confluent)"),
        (name = "catalog", description = "The event catalog (Herald)"),
        (name = "audit", description = "The audit trail (Herald)"),
        (name = "validation", description = "Payloads checked against registered schemas (Herald)"),
        (name = "codegen", description = "Typed models of registered versions (Herald)"),
        (name = "tokens", description = "API tokens (Herald)"),
        (name = "operations", description = "Health, metrics and this description"),
    )
)]
pub struct ApiDoc;

/// What every route shares: the registry's JSON content type on JSON bodies, and the error
/// answers any request can get (500 when the database fails or a request times out; 401 and 403
/// when authentication is on).
struct WireConventions;

impl Modify for WireConventions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Ok(mut doc) = serde_json::to_value(&*openapi) else {
            return;
        };
        let error = serde_json::json!({
            "content": {CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
        });
        let open = ["/openapi.json", "/docs", "/docs/{file}", "/metrics"];
        for (path, item) in doc["paths"].as_object_mut().into_iter().flatten() {
            let probe = open.contains(&path.as_str()) || path.starts_with("/health/");
            let shared_handler = item.as_object().is_some_and(|ops| ops.len() > 1)
                && item
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(_, op)| &op["operationId"])
                    .collect::<std::collections::HashSet<_>>()
                    .len()
                    == 1;
            for (method, operation) in item.as_object_mut().into_iter().flatten() {
                // One handler serving several methods: operation ids must still be unique.
                if shared_handler {
                    if let Some(Value::String(id)) = operation.get_mut("operationId") {
                        let mut suffix = method.clone();
                        suffix[..1].make_ascii_uppercase();
                        id.push_str(&suffix);
                    }
                }
                if !probe {
                    if let Some(body) = operation.get_mut("requestBody") {
                        rename_json_content(body);
                    }
                    for (_, response) in
                        operation["responses"].as_object_mut().into_iter().flatten()
                    {
                        rename_json_content(response);
                    }
                }
                let Some(responses) = operation["responses"].as_object_mut() else {
                    continue;
                };
                let mut add = |status: &str, description: &str| {
                    if !responses.contains_key(status) {
                        let mut answer = error.clone();
                        answer["description"] = description.into();
                        responses.insert(status.to_string(), answer);
                    }
                };
                add("500", "The database failed (50001) or the request took longer than the request timeout (50002)");
                if !probe {
                    add(
                        "401",
                        "Authentication is on and the request carries no known token",
                    );
                    add(
                        "403",
                        "The token's role or subject grants do not cover this request",
                    );
                }
            }
        }
        if let Ok(updated) = serde_json::from_value(doc) {
            *openapi = updated;
        }
    }
}

/// `application/json` bodies are the registry's `application/vnd.schemaregistry.v1+json`.
fn rename_json_content(holder: &mut Value) {
    if let Some(content) = holder.get_mut("content").and_then(Value::as_object_mut) {
        if let Some(body) = content.shift_remove("application/json") {
            content.insert(CONTENT_TYPE.to_string(), body);
        }
    }
}

/// The document, built once from the route list that builds the router.
pub fn document() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut doc = super::routes().into_openapi();
        WireConventions.modify(&mut doc);
        doc.to_pretty_json()
            .expect("the OpenAPI document serializes")
    })
}

/// The OpenAPI 3.1 description of this server.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "operations",
    operation_id = "getOpenApi",
    responses((status = 200, description = "This document", content_type = "application/json", body = Object))
)]
pub(super) async fn openapi_json() -> Response {
    with_type(document(), "application/json")
}

/// Interactive documentation of `/openapi.json` (Swagger UI, served by Herald itself).
#[utoipa::path(
    get,
    path = "/docs",
    tag = "operations",
    operation_id = "getDocs",
    responses((status = 200, description = "HTML page", content_type = "text/html", body = String))
)]
pub(super) async fn docs_page() -> Response {
    with_type(
        include_str!("../../assets/docs/index.html"),
        "text/html; charset=utf-8",
    )
}

/// The files the docs page loads.
#[utoipa::path(
    get,
    path = "/docs/{file}",
    tag = "operations",
    operation_id = "getDocsAsset",
    params(
        ("file" = String, Path, description = "swagger-ui-bundle.js, swagger-ui.css, init.js, LICENSE or NOTICE"),
    ),
    responses(
        (status = 200, description = "The file", content_type = "text/plain", body = String),
        (status = 404, description = "No such file", body = ErrorBody),
    )
)]
pub(super) async fn docs_asset(PathParams(file): PathParams<String>) -> Result<Response, Error> {
    let (body, content_type): (&'static str, &str) = match file.as_str() {
        "swagger-ui-bundle.js" => (
            include_str!("../../assets/docs/swagger-ui-bundle.js"),
            "text/javascript; charset=utf-8",
        ),
        "init.js" => (
            include_str!("../../assets/docs/init.js"),
            "text/javascript; charset=utf-8",
        ),
        "swagger-ui.css" => (
            include_str!("../../assets/docs/swagger-ui.css"),
            "text/css; charset=utf-8",
        ),
        "LICENSE" => (
            include_str!("../../assets/docs/LICENSE"),
            "text/plain; charset=utf-8",
        ),
        "NOTICE" => (
            include_str!("../../assets/docs/NOTICE"),
            "text/plain; charset=utf-8",
        ),
        _ => return Err(Error::NotFound),
    };
    Ok(with_type(body, content_type))
}

fn with_type(body: &'static str, content_type: &'static str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
