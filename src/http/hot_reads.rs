//! The reads a serializer makes for every new message type, `GET /schemas/ids/{id}`,
//! `GET /subjects/{s}/versions/latest` and the lookup `POST /subjects/{s}`, answered before
//! routing when memory holds the answer:
//! the same bytes and headers as their routes give, with a request id and in the metrics under
//! the same route pattern, without the router, the extractors and the middleware's span and
//! time limit, which an answer copied from memory does not need. Anything else (a query, a
//! percent-encoded or qualified subject, authentication on, an answer not in memory) goes to
//! its route, so this decides nothing a route would decide otherwise.

use std::time::Instant;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;

use super::error::raw_response;
use super::middleware::{request_id, stamp};
use super::AppState;
use crate::error::Error;

const BY_ID: &str = "/schemas/ids/{id}";
const VERSION: &str = "/subjects/{subject}/versions/{version}";
const LOOKUP: &str = "/subjects/{subject}";

/// The answer to `request` when it is one of the two reads and memory holds it.
pub fn answer<B>(state: &AppState, request: &Request<B>) -> Option<Response> {
    if state.auth.enabled || request.method() != Method::GET || request.uri().query().is_some() {
        return None;
    }
    let start = Instant::now();
    let path = request.uri().path();
    let (route, bytes) = if let Some(id) = path.strip_prefix("/schemas/ids/") {
        let id = plain_id(id)?;
        (BY_ID, state.registry.schema_answer_in_memory(id)?)
    } else {
        let subject = path
            .strip_prefix("/subjects/")?
            .strip_suffix("/versions/latest")?;
        if !plain_subject(subject) {
            return None;
        }
        (VERSION, state.registry.latest_answer_in_memory(subject)?)
    };
    Some(finish(
        state,
        request.headers(),
        (route, &Method::GET),
        raw_response(StatusCode::OK, bytes),
        start,
    ))
}

/// Whether `request` is a lookup [`lookup`] may answer: no query, a plain subject, a JSON body
/// of a declared length within the limit, and nothing the middleware would refuse.
pub fn is_lookup<B>(state: &AppState, request: &Request<B>) -> bool {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    !state.auth.enabled
        && request.method() == Method::POST
        && request.uri().query().is_none()
        && request
            .uri()
            .path()
            .strip_prefix("/subjects/")
            .is_some_and(plain_subject)
        && declared.is_some_and(|n| n <= state.max_body_bytes)
        && super::wire::accepts_content_type(request.headers())
        && super::browser::refuse_foreign_write(request.headers(), &state.auth.allowed_origins)
            .is_none()
}

/// The answer to a lookup [`is_lookup`] took, or the request (its body read) for its route
/// when memory does not hold the answer.
pub async fn lookup(
    state: &AppState,
    request: Request<Incoming>,
) -> Result<Response, Request<Body>> {
    let start = Instant::now();
    let (parts, body) = request.into_parts();
    let route = (LOOKUP, &Method::POST);
    let limit = state.max_body_bytes;
    // The request's time limit holds from here, as the middleware holds it around a route: a
    // body that never completes does not hold the connection.
    let read = axum::body::to_bytes(Body::new(body), limit);
    let bytes = match tokio::time::timeout(state.request_timeout, read).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => {
            let refused = Error::PayloadTooLarge(limit).into_response();
            return Ok(finish(state, &parts.headers, route, refused, start));
        }
        Err(_) => {
            let late = Error::Timeout("the request took too long".into()).into_response();
            super::telemetry::log_failure(&late);
            return Ok(finish(state, &parts.headers, route, late, start));
        }
    };
    let subject = parts.uri.path().trim_start_matches("/subjects/");
    match state.registry.lookup_answer_in_memory(subject, &bytes) {
        Some(answer) => {
            let response = raw_response(StatusCode::OK, answer);
            Ok(finish(state, &parts.headers, route, response, start))
        }
        None => Err(Request::from_parts(parts, Body::from(bytes))),
    }
}

/// What the middleware adds to every answer: the security headers, the request id (the one
/// given, else a new one) and the request's metrics.
fn finish(
    state: &AppState,
    headers: &HeaderMap,
    (route, method): (&str, &Method),
    mut response: Response,
    start: Instant,
) -> Response {
    stamp(&mut response, request_id(headers));
    state
        .registry
        .metrics()
        .record_request(route, method, response.status(), start.elapsed());
    response
}

/// An id as its route reads it, in its simplest spelling (digits, no sign or padding).
fn plain_id(text: &str) -> Option<i64> {
    let simple = !text.is_empty()
        && text.len() <= 10
        && text.bytes().all(|b| b.is_ascii_digit())
        && !(text.len() > 1 && text.starts_with('0'));
    simple.then(|| text.parse().ok()).flatten()
}

/// A subject whose path segment is itself: no escapes, no context, nothing a route would
/// decode or rewrite.
fn plain_subject(segment: &str) -> bool {
    !segment.is_empty()
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_simplest_spellings_are_taken() {
        assert_eq!(plain_id("42"), Some(42));
        assert_eq!(plain_id("0"), Some(0));
        for other in ["", "042", "+4", "4 ", "12345678901", "x", "-1"] {
            assert_eq!(plain_id(other), None, "{other:?}");
        }
        assert!(plain_subject("orders-value"));
        assert!(plain_subject("com.acme.Order_v1~x"));
        for other in ["", "a%2Fb", ":.eu:x", "a/b", "a b"] {
            assert!(!plain_subject(other), "{other:?}");
        }
    }
}
