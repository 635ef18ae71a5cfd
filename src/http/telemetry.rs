//! What is recorded of a request besides its metrics (see `Metrics::record_request`): a panic
//! turned into a 500 instead of a dropped connection, and each server-side failure logged once.
//! Both are called by [`super::middleware`].

use axum::response::Response;

use super::error::{json_response, ErrorBody, Failure};
use crate::error::Error;

/// The answer to a panic in a handler: a 500 with the Confluent body and the request id,
/// logged (by [`log_failure`]) and counted like any other 5xx, instead of a dropped connection.
/// The panic's message is logged, never sent.
pub fn panicked(panic: &(dyn std::any::Any + Send), request_id: &str) -> Response {
    let error = Error::internal_panic(panic);
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

/// Logs each server-side failure (5xx) once, with its cause when the answer carries one;
/// called inside the request's span (so the line carries the request id), whichever layer or
/// handler made the answer.
pub fn log_failure(response: &Response) {
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
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_panic_answers_500_with_the_request_id_and_not_its_message() {
        let response = super::panicked(&"boom", "req-42");
        assert_eq!(response.status(), 500);
        // The panic's message goes to the one log line, not to the client.
        let failure = response
            .extensions()
            .get::<super::Failure>()
            .expect("a failure");
        assert_eq!(failure.0.detail().as_deref(), Some("panic: boom"));
        let body = futures_util::FutureExt::now_or_never(axum::body::to_bytes(
            response.into_body(),
            1 << 16,
        ))
        .unwrap()
        .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error_code"], 50001);
        assert!(body["message"].as_str().unwrap().contains("req-42"));
        assert!(!body["message"].as_str().unwrap().contains("boom"));
    }
}
