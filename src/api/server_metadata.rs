//! Root, contexts, server metadata and the association probe newer clients send.

use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::http::wire::{PathParams, Wire};

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
        Wire(Map::new()).into_response()
    }
}

#[utoipa::path(
    get,
    path = "/contexts",
    tag = "server",
    operation_id = "listContexts",
    responses((status = 200, description = "The contexts; Herald has only the default one", body = [String], example = json!(["."])))
)]
pub(super) async fn contexts() -> Wire<[&'static str; 1]> {
    Wire(["."])
}

#[utoipa::path(
    get,
    path = "/v1/metadata/id",
    tag = "server",
    operation_id = "getClusterId",
    responses((status = 200, description = "The cluster id clients read", body = ClusterId))
)]
pub(super) async fn metadata_id() -> Wire<ClusterId> {
    Wire(ClusterId {
        scope: ClusterScope {
            path: Vec::new(),
            clusters: Clusters {
                schema_registry_cluster: "herald",
            },
        },
    })
}

/// The cluster a registry belongs to, as Confluent clients read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterId {
    pub scope: ClusterScope,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterScope {
    pub path: Vec<String>,
    pub clusters: Clusters,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Clusters {
    #[serde(rename = "schema-registry-cluster")]
    pub schema_registry_cluster: &'static str,
}

/// The server's version.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServerVersion {
    pub version: &'static str,
    /// Empty: Herald does not report one.
    pub commit_id: &'static str,
}

#[utoipa::path(
    get,
    path = "/v1/metadata/version",
    tag = "server",
    operation_id = "getServerVersion",
    responses((status = 200, description = "Herald's version", body = ServerVersion))
)]
pub(super) async fn metadata_version() -> Wire<ServerVersion> {
    Wire(ServerVersion {
        version: env!("CARGO_PKG_VERSION"),
        commit_id: "",
    })
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
pub(super) async fn associations(
    PathParams(_): PathParams<(String, String)>,
) -> Wire<Vec<Map<String, Value>>> {
    Wire(Vec::new())
}
