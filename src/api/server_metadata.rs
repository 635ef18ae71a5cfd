//! Root, contexts, server metadata and the association probe newer clients send.

use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use axum::extract::State;
use axum::http::StatusCode;

use super::AppState;
use crate::error::{Error, Result};
use crate::http::access::Access;
use crate::http::error::ErrorBody;
use crate::http::wire::{Params, PathParams, Wire};
use crate::model::context;

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
    params(
        ("contextPrefix" = Option<String>, Query, description = "Only contexts starting with this"),
        ("offset" = Option<i64>, Query, description = "Skip this many"),
        ("limit" = Option<i64>, Query, description = "At most this many (-1 for all)"),
    ),
    responses((status = 200, description = "The contexts holding subjects, the default `.` first", body = [String], example = json!([".", ".staging"])))
)]
pub(super) async fn contexts(
    State(state): State<AppState>,
    access: Access,
    params: Params,
) -> Result<Wire<Vec<String>>> {
    let prefix = params.get("contextPrefix").unwrap_or_default();
    // A token limited to some subjects learns only the contexts its grants reach into.
    let names = state
        .registry
        .contexts_in_use(|s| access.sees(s))
        .await?
        .into_iter()
        .filter(|c| c.starts_with(prefix))
        .skip(params.count("offset", 0))
        .take(params.limit("limit", None).unwrap_or(usize::MAX))
        .collect();
    Ok(Wire(names))
}

#[utoipa::path(
    delete,
    path = "/contexts/{context}",
    tag = "server",
    operation_id = "deleteContext",
    params(("context" = String, Path, description = "Context name (the leading `.` may be left out)")),
    responses(
        (status = 204, description = "The context holds no subjects and is gone from the list"),
        (status = 422, description = "The context still holds subjects (42211)", body = ErrorBody),
    )
)]
pub(super) async fn delete_context(
    State(state): State<AppState>,
    PathParams(name): PathParams<String>,
) -> Result<StatusCode> {
    let name = context::parse_name(&name).ok_or_else(|| Error::InvalidSubject(name.clone()))?;
    if name == context::DEFAULT || name == context::GLOBAL {
        return Err(Error::ContextNotEmpty(name));
    }
    let inside = state
        .registry
        .list_subjects(&context::scope(&name), true, false)
        .await?;
    if !inside.is_empty() {
        return Err(Error::ContextNotEmpty(name));
    }
    // A context is listed while it holds subjects; its ids stay spent after it is deleted.
    Ok(StatusCode::NO_CONTENT)
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
