//! What happens around every routed request, in one service rather than a stack of `from_fn`
//! layers (each of which boxed and cloned the rest of the stack per request): the request id,
//! the request's log span (inside which a server-side failure is logged), the client address for the audit trail, the cross-site write check,
//! authentication, the time limit, the panic guard, browser security headers and the metrics.
//!
//! Applied with `Router::layer`, so it runs after routing and sees the matched route pattern
//! (metrics and the auth decision are by pattern, not by concrete path).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use tower::{Layer, Service};
use tracing::Instrument;

use super::access::Admission;
use super::AppState;
use crate::error::Error;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The layer for `Router::layer`.
pub fn layer(state: AppState) -> RequestLayer {
    RequestLayer { state }
}

#[derive(Clone)]
pub struct RequestLayer {
    state: AppState,
}

impl<S> Layer<S> for RequestLayer {
    type Service = RequestService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestService {
            inner,
            state: self.state.clone(),
        }
    }
}

#[derive(Clone)]
pub struct RequestService<S> {
    inner: S,
    state: AppState,
}

impl<S> Service<Request> for RequestService<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The clone that was driven ready is the one that serves this request.
        let ready = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, ready);
        Box::pin(serve(self.state.clone(), inner, request))
    }
}

async fn serve<S>(state: AppState, inner: S, mut request: Request) -> Result<Response, Infallible>
where
    S: Service<Request, Response = Response, Error = Infallible> + Send + 'static,
    S::Future: Send + 'static,
{
    let start = Instant::now();
    let id = request_id(request.headers());
    request.headers_mut().insert(REQUEST_ID, id.clone());
    let route = request.extensions().get::<MatchedPath>().cloned();
    let method = request.method().clone();
    let span = tracing::info_span!(
        "request",
        method = %method.as_str(),
        uri = %request.uri().path_and_query().map_or("/", |p| p.as_str()),
        request_id = %id.to_str().unwrap_or_default(),
    );
    let source = super::peer::source_of(&request, state.trust_forwarded_for);
    let metrics = state.registry.clone();
    let handled = async move {
        let timeout = state.request_timeout;
        let mut response =
            match tokio::time::timeout(timeout, admitted(state, inner, request, &id)).await {
                Ok(response) => response,
                Err(_) => Error::Timeout("the request took too long".into()).into_response(),
            };
        super::telemetry::log_failure(&response);
        stamp(&mut response, id);
        response
    };
    let response = crate::auth::from_source(source, handled)
        .instrument(span)
        .await;
    metrics.metrics().record_request(
        route.as_ref().map_or("unmatched", MatchedPath::as_str),
        &method,
        response.status(),
        start.elapsed(),
    );
    Ok(response)
}

/// The handler's answer once the request passed the cross-site and authentication checks.
async fn admitted<S>(
    state: AppState,
    mut inner: S,
    mut request: Request,
    id: &HeaderValue,
) -> Response
where
    S: Service<Request, Response = Response, Error = Infallible> + Send + 'static,
    S::Future: Send + 'static,
{
    if !is_read(request.method()) {
        if let Some(refusal) =
            super::browser::refuse_foreign_write(request.headers(), &state.auth.allowed_origins)
        {
            return refusal;
        }
    }
    let actor = match super::access::admit(&state, &mut request).await {
        Admission::Refused(response) => return response,
        Admission::Open => None,
        Admission::As(actor) => Some(actor),
    };
    let handler = std::panic::AssertUnwindSafe(async move {
        match inner.call(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    })
    .catch_unwind();
    let outcome = match actor {
        Some(actor) => crate::auth::acting_as(actor, handler).await,
        None => handler.await,
    };
    outcome.unwrap_or_else(|panic| {
        super::telemetry::panicked(panic.as_ref(), id.to_str().unwrap_or_default())
    })
}

/// The request id a request gives, else a new one.
pub(super) fn request_id(headers: &HeaderMap) -> HeaderValue {
    match headers.get(&REQUEST_ID) {
        Some(given) => given.clone(),
        None => new_request_id(),
    }
}

/// What every answer carries, however it was made: the security headers and the request id.
pub(super) fn stamp(response: &mut Response, id: HeaderValue) {
    super::browser::secure(response);
    response.headers_mut().insert(REQUEST_ID, id);
}

fn is_read(method: &Method) -> bool {
    method == Method::GET || method == Method::HEAD || method == Method::OPTIONS
}

/// A UUID-shaped request id without a system call: a random per-process prefix drawn once,
/// and a per-request counter scrambled by a bijection, so no two requests of a process share
/// an id and ids of different processes differ by their prefix.
fn new_request_id() -> HeaderValue {
    static PREFIX: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let prefix = *PREFIX.get_or_init(|| uuid::Uuid::new_v4().as_u64_pair().0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let id = uuid::Builder::from_random_bytes(request_id_bytes(prefix, n)).into_uuid();
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    let text = id.hyphenated().encode_lower(&mut text);
    HeaderValue::from_str(text).expect("a UUID is a valid header value")
}

/// The prefix fills the first eight bytes (where the UUID version goes); the scrambled counter
/// the 62 low bits of the last eight, which the UUID variant leaves alone.
fn request_id_bytes(prefix: u64, n: u64) -> [u8; 16] {
    const LOW: u64 = (1 << 62) - 1;
    // An odd multiplier is invertible modulo 2^62, and so is the xor-shift: a bijection.
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) & LOW;
    x ^= x >> 31;
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&prefix.to_be_bytes());
    bytes[8..].copy_from_slice(&x.to_be_bytes());
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_uuids_and_never_repeat() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let id = new_request_id();
            let text = id.to_str().unwrap();
            let parsed = uuid::Uuid::parse_str(text).unwrap();
            assert_eq!(parsed.get_version_num(), 4, "{text}");
            assert!(seen.insert(text.to_string()), "{text} repeated");
        }
    }
}
