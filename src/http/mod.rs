//! What every route shares, the JSON API's and the pages' alike: the state handlers get, the
//! extractors that read a request the Confluent way, who may do what, errors as answers, and
//! the middleware each request passes. `api` and `web` build on this; neither knows the other.

pub mod access;
pub mod browser;
pub mod contexts;
pub mod error;
pub mod hot_reads;
pub mod middleware;
pub mod peer;
pub mod telemetry;
pub mod wire;

use std::sync::Arc;

use axum::Router;

use crate::error::Error;
use crate::registry::Registry;

#[derive(Clone)]
pub struct AppState {
    pub registry: Arc<Registry>,
    pub max_body_bytes: usize,
    /// Largest schema text a registration may carry.
    pub max_schema_bytes: usize,
    /// Whether `X-Forwarded-For` names the client (behind a trusted proxy).
    pub trust_forwarded_for: bool,
    pub request_timeout: std::time::Duration,
    pub auth: access::AuthSettings,
}

/// The one router: `routes` (the API's and the pages'), JSON 404 and 405 answers for
/// everything else, and the middleware every request passes.
pub fn router(state: AppState, routes: Router<AppState>) -> Router {
    routes
        .fallback(|| async { Error::NotFound })
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .layer(middleware::layer(state.clone()))
        .with_state(state)
}
