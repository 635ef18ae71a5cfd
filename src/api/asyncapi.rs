//! `GET /herald/v1/services/{name}/asyncapi.json` and `.yaml`: a service's AsyncAPI 3.0
//! document, built from the catalog by `catalog::asyncapi`.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::error::{Error, Result};
use crate::http::error::ErrorBody;
use crate::http::wire::PathParams;
use crate::http::AppState;

fn typed(body: String, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

#[utoipa::path(
    get,
    path = "/herald/v1/services/{name}/asyncapi.json",
    tag = "catalog",
    operation_id = "serviceAsyncApiJson",
    params(("name" = String, Path, description = "Service name")),
    responses(
        (status = 200, description = "The service's AsyncAPI 3.0 document: produced events as `send` operations, consumed ones as `receive`, each message with the schema of the declared version", body = Object),
        (status = 404, description = "No such service (40490)", body = ErrorBody),
    )
)]
pub(super) async fn json(
    State(state): State<AppState>,
    PathParams(name): PathParams<String>,
) -> Result<Response> {
    let doc = state.registry.asyncapi(&name).await?;
    let text = serde_json::to_string_pretty(&doc).map_err(|e| Error::store(e.to_string()))?;
    Ok(typed(text, "application/json"))
}

#[utoipa::path(
    get,
    path = "/herald/v1/services/{name}/asyncapi.yaml",
    tag = "catalog",
    operation_id = "serviceAsyncApiYaml",
    params(("name" = String, Path, description = "Service name")),
    responses(
        (status = 200, description = "The same document as YAML", content_type = "application/yaml", body = String),
        (status = 404, description = "No such service (40490)", body = ErrorBody),
    )
)]
pub(super) async fn yaml(
    State(state): State<AppState>,
    PathParams(name): PathParams<String>,
) -> Result<Response> {
    let doc = state.registry.asyncapi(&name).await?;
    let text = serde_yaml_ng::to_string(&doc).map_err(|e| Error::store(e.to_string()))?;
    Ok(typed(text, "application/yaml"))
}
