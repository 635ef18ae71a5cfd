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
pub mod schemas;
pub mod subjects;
pub mod validate;
pub mod wire;

use std::sync::Arc;

use axum::Router;
use serde_json::{Map, Value};

use crate::config::Dialect;
use crate::error::Error;
use crate::registry::{Registry, SchemaEntry, SubjectVersion};

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

/// All routes, with JSON 404 and 405 answers for everything else.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(misc::router())
        .merge(schemas::router())
        .merge(subjects::router())
        .merge(config::router())
        .merge(mode::router())
        .merge(compatibility::router())
        .merge(catalog::router())
        .merge(asyncapi::router())
        .merge(ops::router())
        .merge(auth::router())
        .merge(validate::router())
        .merge(codegen::router())
        .merge(crate::web::router())
        .merge(openapi::router())
        .fallback(|| async { Error::NotFound })
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .layer(crate::middleware::layer(state.clone()))
        .with_state(state)
}

fn put_schema_fields(out: &mut Map<String, Value>, entry: &SchemaEntry, dialect: Dialect) {
    crate::registry::put_schema_fields(out, entry, dialect)
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

/// The Schema object of version reads, lookup and `GET /schemas`.
pub(crate) fn schema_object(sv: &SubjectVersion, dialect: Dialect) -> Value {
    let mut out = Map::new();
    out.insert("subject".into(), sv.subject.clone().into());
    out.insert("version".into(), sv.version.into());
    out.insert("id".into(), sv.schema.id.into());
    put_schema_fields(&mut out, &sv.schema, dialect);
    out.insert("schema".into(), sv.schema.schema.clone().into());
    if dialect == Dialect::V8 {
        if sv.created_at > 0 {
            out.insert("ts".into(), sv.created_at.into());
        }
        out.insert("deleted".into(), sv.deleted.into());
    }
    Value::Object(out)
}
