//! Operations: liveness, readiness and Prometheus metrics, and the middleware that counts
//! requests by route.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::wire::{json_response, Wire};
use super::AppState;
use crate::error::ErrorBody;

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

/// Turns a panic in a handler into a 500 with the Confluent body and the request id, logged and
/// (this layer sits inside [`track`]) counted like any other 5xx, instead of a dropped connection.
pub async fn catch_panic(request: Request, next: Next) -> Response {
    use futures_util::FutureExt;
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    match std::panic::AssertUnwindSafe(next.run(request))
        .catch_unwind()
        .await
    {
        Ok(response) => response,
        Err(panic) => {
            let error = crate::error::Error::internal_panic(panic.as_ref());
            tracing::error!(
                request_id,
                detail = error.detail().unwrap_or_default(),
                "request panicked"
            );
            json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                &ErrorBody {
                    error_code: error.code(),
                    message: format!("Internal Server Error (request id {request_id})"),
                },
            )
        }
    }
}

/// Counts every request by its route pattern (not its concrete path, so subjects do not
/// explode the label set) and records its latency.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = request.method().to_string();
    let start = Instant::now();
    let response = next.run(request).await;
    let metrics = state.registry.metrics();
    metrics
        .latency
        .with_label_values(&[&route, &method])
        .observe(start.elapsed().as_secs_f64());
    metrics
        .requests
        .with_label_values(&[&route, &method, response.status().as_str()])
        .inc();
    response
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    async fn boom() -> &'static str {
        panic!("boom")
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_with_the_request_id() {
        let app = axum::Router::new()
            .fallback(boom)
            .layer(axum::middleware::from_fn(super::catch_panic));
        let response = app
            .oneshot(
                Request::get("/boom")
                    .header("x-request-id", "req-42")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), 500);
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error_code"], 50001);
        assert!(body["message"].as_str().unwrap().contains("req-42"));
        assert!(!body["message"].as_str().unwrap().contains("boom"));
    }
}
