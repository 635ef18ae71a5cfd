//! What is recorded of every request: its count and latency by route, a panic turned into a
//! 500 instead of a dropped connection, and each server-side failure logged once.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::error::{json_response, ErrorBody, Failure};
use super::AppState;
use crate::error::Error;

/// Turns a panic in a handler into a 500 with the Confluent body and the request id, logged and
/// (this layer sits inside [`track`]) counted like any other 5xx, instead of a dropped connection.
/// The panic's message is logged, never sent.
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
            let error = Error::internal_panic(panic.as_ref());
            let mut response = json_response(
                error.status(),
                &ErrorBody {
                    error_code: error.code(),
                    message: format!("Internal Server Error (request id {request_id})"),
                },
            );
            Failure::attach(&mut response, error);
            response
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

/// Logs each server-side failure (5xx) once, with its cause when the answer carries one,
/// inside the request's span (so the line carries the request id), whichever layer or handler
/// made the answer.
pub async fn log_failures(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status().as_u16();
    match response.extensions().get::<Failure>() {
        Some(Failure(error)) => tracing::error!(
            status,
            error = %error,
            detail = error.detail().unwrap_or_default(),
            "request failed"
        ),
        None if response.status().is_server_error() => {
            tracing::error!(status, "request failed")
        }
        None => {}
    }
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
        // The panic's message goes to the one log line, not to the client.
        let failure = response
            .extensions()
            .get::<super::Failure>()
            .expect("a failure");
        assert_eq!(failure.0.detail().as_deref(), Some("panic: boom"));
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error_code"], 50001);
        assert!(body["message"].as_str().unwrap().contains("req-42"));
        assert!(!body["message"].as_str().unwrap().contains("boom"));
    }
}
