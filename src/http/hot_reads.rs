//! The two reads a serializer makes for every new message type, `GET /schemas/ids/{id}` and
//! `GET /subjects/{s}/versions/latest`, answered before routing when memory holds the answer:
//! the same bytes and headers as their routes give, with a request id and in the metrics under
//! the same route pattern, without the router, the extractors and the middleware's span and
//! time limit, which an answer copied from memory does not need. Anything else (a query, a
//! percent-encoded or qualified subject, authentication on, an answer not in memory) goes to
//! its route, so this decides nothing a route would decide otherwise.

use std::time::Instant;

use axum::http::{Method, Request, StatusCode};
use axum::response::Response;

use super::error::raw_response;
use super::middleware::{new_request_id, REQUEST_ID};
use super::AppState;

const BY_ID: &str = "/schemas/ids/{id}";
const VERSION: &str = "/subjects/{subject}/versions/{version}";

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
    let mut response = raw_response(StatusCode::OK, bytes);
    super::browser::secure(&mut response);
    let id = match request.headers().get(REQUEST_ID) {
        Some(given) => given.clone(),
        None => new_request_id(),
    };
    response.headers_mut().insert(REQUEST_ID, id);
    state
        .registry
        .metrics()
        .record_request(route, &Method::GET, StatusCode::OK, start.elapsed());
    Some(response)
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
