//! Root, contexts, server metadata and the association probe newer clients send.

use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::wire::{PathParams, Wire};
use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(root).post(root))
        .route("/contexts", get(contexts))
        .route("/v1/metadata/id", get(metadata_id))
        .route("/v1/metadata/version", get(metadata_version))
        .route(
            "/associations/resources/{namespace}/{name}",
            get(associations),
        )
}

async fn root() -> Wire<Value> {
    Wire(json!({}))
}

async fn contexts() -> Wire<Value> {
    Wire(json!(["."]))
}

async fn metadata_id() -> Wire<Value> {
    Wire(json!({
        "scope": {"path": [], "clusters": {"schema-registry-cluster": "herald"}}
    }))
}

async fn metadata_version() -> Wire<Value> {
    Wire(json!({"version": env!("CARGO_PKG_VERSION"), "commitId": ""}))
}

/// Herald keeps no topic associations yet; an empty list sends the newest Confluent clients
/// (AssociatedNameStrategy) on to the topic-name strategy.
async fn associations(PathParams(_): PathParams<(String, String)>) -> Wire<Value> {
    Wire(json!([]))
}
