//! The Confluent Schema Registry REST API over axum. Handlers extract, call the registry, and
//! shape the answer; every failure leaves as a Confluent error body.

pub mod asyncapi;
pub mod auth;
pub mod browser;
pub mod catalog;
pub mod codegen;
pub mod compatibility;
pub mod config;
pub mod misc;
pub mod mode;
pub mod openapi;
pub mod ops;
pub mod peer;
pub mod schema_answers;
pub mod schemas;
pub mod subjects;
pub mod validate;
pub mod wire;

use std::sync::Arc;

use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::Error;
use crate::registry::{Registry, SchemaEntry};

#[derive(Clone)]
pub struct AppState {
    pub registry: Arc<Registry>,
    pub max_body_bytes: usize,
    /// Largest schema text a registration may carry.
    pub max_schema_bytes: usize,
    /// Whether `X-Forwarded-For` names the client (behind a trusted proxy).
    pub trust_forwarded_for: bool,
    pub request_timeout: std::time::Duration,
    pub auth: auth::AuthSettings,
}

/// Every API route, each declared once: this list builds both the router and the OpenAPI
/// document, so neither can name a route the other lacks.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        // Server metadata and contexts (Confluent)
        .routes(routes!(misc::root))
        .routes(routes!(misc::contexts))
        .routes(routes!(misc::metadata_id))
        .routes(routes!(misc::metadata_version))
        .routes(routes!(misc::associations))
        // Schemas by global id (Confluent)
        .routes(routes!(schemas::list))
        .routes(routes!(schemas::types))
        .routes(routes!(schemas::by_id))
        .routes(routes!(schemas::raw_by_id))
        .routes(routes!(schemas::subjects_of_id))
        .routes(routes!(schemas::versions_of_id))
        .routes(routes!(schemas::by_guid))
        .routes(routes!(schemas::ids_of_guid))
        // Subjects and their versions (Confluent)
        .routes(routes!(subjects::list))
        .routes(routes!(subjects::lookup, subjects::delete_subject))
        .routes(routes!(subjects::versions, subjects::register))
        .routes(routes!(subjects::latest_with_metadata))
        .routes(routes!(subjects::version, subjects::delete_version))
        .routes(routes!(subjects::raw_version))
        .routes(routes!(subjects::referenced_by))
        // Compatibility levels, modes and checks (Confluent)
        .routes(routes!(
            config::get_global,
            config::put_global,
            config::delete_global
        ))
        .routes(routes!(
            config::get_subject,
            config::put_subject,
            config::delete_subject
        ))
        .routes(routes!(
            mode::get_global,
            mode::put_global,
            mode::delete_global
        ))
        .routes(routes!(
            mode::get_subject,
            mode::put_subject,
            mode::delete_subject
        ))
        .routes(routes!(compatibility::against_level))
        .routes(routes!(compatibility::against_version))
        // The event catalog (Herald)
        .routes(routes!(catalog::domains::list, catalog::domains::create))
        .routes(routes!(
            catalog::domains::read,
            catalog::domains::put,
            catalog::domains::remove
        ))
        .routes(routes!(catalog::teams::list, catalog::teams::create))
        .routes(routes!(
            catalog::teams::read,
            catalog::teams::put,
            catalog::teams::remove
        ))
        .routes(routes!(catalog::services::list, catalog::services::create))
        .routes(routes!(
            catalog::services::read,
            catalog::services::put,
            catalog::services::remove
        ))
        .routes(routes!(catalog::events::list, catalog::events::create))
        .routes(routes!(
            catalog::events::read,
            catalog::events::put,
            catalog::events::remove
        ))
        .routes(routes!(catalog::list_links, catalog::create_link))
        .routes(routes!(catalog::delete_link))
        .routes(routes!(catalog::impact))
        .routes(routes!(catalog::owner))
        .routes(routes!(catalog::plan))
        .routes(routes!(catalog::apply))
        .routes(routes!(catalog::policy))
        .routes(routes!(asyncapi::json))
        .routes(routes!(asyncapi::yaml))
        // The audit trail, payload validation and code generation (Herald)
        .routes(routes!(catalog::audit))
        .routes(routes!(validate::by_version))
        .routes(routes!(validate::by_id))
        .routes(routes!(codegen::code))
        // API tokens (Herald)
        .routes(routes!(auth::list, auth::create))
        .routes(routes!(auth::remove))
        // Health, metrics and this description
        .routes(routes!(ops::live))
        .routes(routes!(ops::ready))
        .routes(routes!(ops::metrics))
        .routes(routes!(openapi::openapi_json))
        .routes(routes!(openapi::docs_page))
        .routes(routes!(openapi::docs_asset))
}

/// All routes, with JSON 404 and 405 answers for everything else.
pub fn router(state: AppState) -> Router {
    let (api, _) = routes().split_for_parts();
    Router::new()
        .merge(api)
        .merge(crate::web::router())
        .fallback(|| async { Error::NotFound })
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .layer(axum::middleware::from_fn(ops::catch_panic))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authorize,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            browser::same_origin_writes,
        ))
        .layer(axum::middleware::from_fn(browser::headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::track,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            peer::record,
        ))
        .with_state(state)
}

/// The schema text a read answers with: the canonical text, or the encoding the `format`
/// query parameter names when the schema's format has it (unknown formats are ignored, as
/// Confluent ignores them).
pub(crate) async fn schema_text(
    registry: &Registry,
    entry: &SchemaEntry,
    params: &wire::Params,
) -> crate::error::Result<String> {
    let Some(format) = params.get("format").filter(|f| !f.is_empty()) else {
        return Ok(entry.schema.clone());
    };
    let parsed = registry.parsed(entry).await?;
    Ok(parsed
        .in_format(format)
        .unwrap_or_else(|| entry.schema.clone()))
}
