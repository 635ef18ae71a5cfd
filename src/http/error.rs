//! Errors as Confluent answers them: the body `{"error_code": N, "message": "..."}` in the
//! registry's content type. A server-side failure also travels with its answer (a `Failure` in
//! the response's extensions) so that `telemetry::log_failures` logs it once, inside the
//! request's span, wherever in the stack the answer was made.

use std::sync::Arc;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa::ToSchema;

use crate::error::Error;

/// Confluent's response content type.
pub const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// A JSON answer in Confluent's content type.
pub fn json_response(status: StatusCode, body: &impl serde::Serialize) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    raw_response(status, bytes)
}

pub fn raw_response(status: StatusCode, bytes: impl Into<axum::body::Body>) -> Response {
    let mut response = Response::new(bytes.into());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

/// Every failure, as Confluent answers it. `error_code` starts with the HTTP status (40401,
/// 42201, 50001, ...); a bare status (404, 405, 415) for unknown routes and wire errors.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ErrorBody {
    pub error_code: u32,
    pub message: String,
}

impl ErrorBody {
    /// The body answered with `status` itself as the code.
    pub fn with_status(status: StatusCode, message: String) -> Self {
        ErrorBody {
            error_code: u32::from(status.as_u16()),
            message,
        }
    }
}

/// A server-side failure riding on the answer it produced, for the one log line it gets.
#[derive(Debug, Clone)]
pub struct Failure(pub Arc<Error>);

impl Failure {
    /// Attaches `error` to `response` when it is the server's fault (5xx); a client's mistake
    /// is not logged.
    pub fn attach(response: &mut Response, error: Error) {
        if error.status().is_server_error() {
            response.extensions_mut().insert(Failure(Arc::new(error)));
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error_code: self.code(),
            message: self.to_string(),
        };
        let mut response = json_response(self.status(), &body);
        Failure::attach(&mut response, self);
        response
    }
}
