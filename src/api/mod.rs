//! The Confluent Schema Registry REST API and Herald's own JSON API over axum. Handlers
//! extract, call the registry, and answer typed bodies; every failure leaves as a Confluent
//! error body.

pub mod asyncapi;
pub mod catalog;
pub mod codegen;
pub mod compatibility;
pub mod config;
pub mod mode;
pub mod openapi;
pub mod probes;
pub mod schema_answers;
pub mod schemas;
pub mod server_metadata;
pub mod subjects;
pub mod tokens;
pub mod validate;

use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::wire::Params;
use crate::http::AppState;
use crate::registry::{Registry, SchemaEntry};

/// Every API route, each declared once: this list builds both the router and the OpenAPI
/// document, so neither can name a route the other lacks.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        // Server metadata and contexts (Confluent)
        .routes(routes!(server_metadata::root))
        .routes(routes!(server_metadata::contexts))
        .routes(routes!(server_metadata::delete_context))
        .routes(routes!(server_metadata::metadata_id))
        .routes(routes!(server_metadata::metadata_version))
        .routes(routes!(server_metadata::associations))
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
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::remove))
        // Health, metrics and this description
        .routes(routes!(probes::live))
        .routes(routes!(probes::ready))
        .routes(routes!(probes::metrics))
        .routes(routes!(openapi::openapi_json))
        .routes(routes!(openapi::docs_page))
        .routes(routes!(openapi::docs_asset))
}

/// The API's routes, as axum serves them.
pub fn router() -> Router<AppState> {
    routes().split_for_parts().0
}

/// The schema text a read answers with: the canonical text, or the encoding the `format`
/// query parameter names when the schema's format has it (unknown formats are ignored, as
/// Confluent ignores them).
pub(crate) async fn schema_text(
    registry: &Registry,
    entry: &SchemaEntry,
    params: &Params,
) -> crate::error::Result<String> {
    let Some(format) = params.get("format").filter(|f| !f.is_empty()) else {
        return Ok(entry.schema.clone());
    };
    let parsed = registry.parsed(entry).await?;
    Ok(parsed
        .in_format(format, entry.file_name.as_deref())
        .unwrap_or_else(|| entry.schema.clone()))
}
