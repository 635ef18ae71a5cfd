//! Operations: liveness, readiness and Prometheus metrics (requests are counted by
//! [`crate::middleware`]).

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::openapi::Health;
use super::wire::{json_response, Wire};
use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
        .route("/metrics", get(metrics))
}

#[utoipa::path(
    get,
    path = "/health/live",
    tag = "operations",
    operation_id = "live",
    responses((status = 200, description = "The process answers", body = Health))
)]
async fn live() -> Wire<Value> {
    Wire(json!({"status": "UP"}))
}

/// Ready when the database answers and every migration is applied; 503 otherwise.
#[utoipa::path(
    get,
    path = "/health/ready",
    tag = "operations",
    operation_id = "ready",
    responses(
        (status = 200, description = "The database answers and every migration is applied", body = Health),
        (status = 503, description = "Not ready, with the reason", body = Health),
    )
)]
async fn ready(State(state): State<AppState>) -> Response {
    match state.registry.ready().await {
        Ok(()) => json_response(StatusCode::OK, &json!({"status": "UP", "database": "UP"})),
        Err(e) => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({"status": "DOWN", "database": e.to_string()}),
        ),
    }
}

#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    operation_id = "metrics",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain", body = String))
)]
async fn metrics(State(state): State<AppState>) -> Response {
    let mut response = state.registry.render_metrics().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}
