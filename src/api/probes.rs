//! What orchestration and monitoring poll: liveness, readiness and Prometheus metrics.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::error::json_response;
use crate::http::wire::Wire;
use crate::http::AppState;

/// A health probe's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    /// With the readiness probe: `UP`, or why the database is not ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub database: Option<String>,
}

#[utoipa::path(
    get,
    path = "/health/live",
    tag = "operations",
    operation_id = "live",
    responses((status = 200, description = "The process answers", body = Health))
)]
pub(super) async fn live() -> Wire<Health> {
    Wire(Health {
        status: "UP",
        database: None,
    })
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
pub(super) async fn ready(State(state): State<AppState>) -> Response {
    match state.registry.ready().await {
        Ok(()) => json_response(
            StatusCode::OK,
            &Health {
                status: "UP",
                database: Some("UP".into()),
            },
        ),
        Err(e) => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &Health {
                status: "DOWN",
                database: Some(e.to_string()),
            },
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
pub(super) async fn metrics(State(state): State<AppState>) -> Response {
    let mut response = state.registry.render_metrics().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}
