//! Root, contexts, server metadata and the association probe newer clients send.

use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{json, Value};

use super::wire::{PathParams, Wire};

#[utoipa::path(
    method(get, post),
    path = "/",
    tag = "server",
    operation_id = "root",
    responses(
        (status = 200, description = "An empty object", body = Object),
        (status = 303, description = "A browser (`Accept: text/html`) is sent to the catalog pages at `/ui`")
    )
)]
pub(super) async fn root(headers: HeaderMap) -> Response {
    // A browser opening the printed address lands on the catalog; clients keep Confluent's `{}`.
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if wants_html {
        Redirect::to("/ui").into_response()
    } else {
        Wire(json!({})).into_response()
    }
}

#[utoipa::path(
    get,
    path = "/contexts",
    tag = "server",
    operation_id = "listContexts",
    responses((status = 200, description = "The contexts; Herald has only the default one", body = [String], example = json!(["."])))
)]
pub(super) async fn contexts() -> Wire<Value> {
    Wire(json!(["."]))
}

#[utoipa::path(
    get,
    path = "/v1/metadata/id",
    tag = "server",
    operation_id = "getClusterId",
    responses((status = 200, description = "The cluster id clients read", body = Object))
)]
pub(super) async fn metadata_id() -> Wire<Value> {
    Wire(json!({
        "scope": {"path": [], "clusters": {"schema-registry-cluster": "herald"}}
    }))
}

#[utoipa::path(
    get,
    path = "/v1/metadata/version",
    tag = "server",
    operation_id = "getServerVersion",
    responses((status = 200, description = "Herald's version", body = Object))
)]
pub(super) async fn metadata_version() -> Wire<Value> {
    Wire(json!({"version": env!("CARGO_PKG_VERSION"), "commitId": ""}))
}

/// Herald keeps no topic associations yet; an empty list sends the newest Confluent clients
/// (AssociatedNameStrategy) on to the topic-name strategy.
#[utoipa::path(
    get,
    path = "/associations/resources/{namespace}/{name}",
    tag = "server",
    operation_id = "getAssociations",
    params(
        ("namespace" = String, Path, description = "Resource namespace (a Kafka cluster)"),
        ("name" = String, Path, description = "Resource name (a topic)"),
    ),
    responses((status = 200, description = "Always empty: Herald keeps no associations", body = [Object]))
)]
pub(super) async fn associations(PathParams(_): PathParams<(String, String)>) -> Wire<Value> {
    Wire(json!([]))
}
