//! `/subjects`: listing, registration, lookup, version reads and deletes.

use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Map, Value};

use super::wire::{JsonBody, Params, PathParams, RawSchema, Wire};
use super::{put_schema_fields, schema_object, schema_text, AppState};
use crate::config::Dialect;
use crate::error::Result;
use crate::model::VersionSpec;
use crate::registry::SchemaRequest;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/subjects", get(list))
        .route("/subjects/{subject}", post(lookup).delete(delete_subject))
        .route("/subjects/{subject}/versions", get(versions).post(register))
        .route(
            "/subjects/{subject}/versions/{version}",
            get(version).delete(delete_version),
        )
        .route(
            "/subjects/{subject}/versions/{version}/schema",
            get(raw_version),
        )
        .route(
            "/subjects/{subject}/versions/{version}/referencedby",
            get(referenced_by),
        )
}

async fn list(State(state): State<AppState>, params: Params) -> Result<Wire<Vec<String>>> {
    // `:*:` is Confluent's "every context" prefix; Herald has only the default context.
    let prefix = match params.get("subjectPrefix") {
        Some(":*:") | None => "",
        Some(p) => p,
    };
    let subjects = state
        .registry
        .list_subjects(prefix, params.flag("deleted"), params.flag("deletedOnly"))
        .await?;
    Ok(Wire(subjects))
}

async fn versions(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
    params: Params,
) -> Result<Wire<Vec<i32>>> {
    let versions = state
        .registry
        .list_versions(&subject, params.flag("deleted"), params.flag("deletedOnly"))
        .await?;
    Ok(Wire(versions))
}

async fn register(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
    params: Params,
    JsonBody(request): JsonBody<SchemaRequest>,
) -> Result<Wire<Value>> {
    let registry = &state.registry;
    let done = registry
        .register(&subject, &request, params.flag("normalize"))
        .await?;
    if registry.dialect() == Dialect::V7 {
        return Ok(Wire(json!({ "id": done.id })));
    }
    let mut out = Map::new();
    out.insert("id".into(), done.id.into());
    out.insert("version".into(), done.version.into());
    put_schema_fields(&mut out, &done.schema, Dialect::V8);
    out.insert("schema".into(), done.schema.schema.clone().into());
    Ok(Wire(Value::Object(out)))
}

async fn lookup(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
    params: Params,
    JsonBody(request): JsonBody<SchemaRequest>,
) -> Result<Wire<Value>> {
    let registry = &state.registry;
    let found = registry
        .lookup(
            &subject,
            &request,
            params.flag("normalize"),
            params.flag("deleted"),
        )
        .await?;
    Ok(Wire(schema_object(&found, registry.dialect())))
}

async fn version(
    State(state): State<AppState>,
    PathParams((subject, version)): PathParams<(String, String)>,
    params: Params,
) -> Result<Wire<Value>> {
    let registry = &state.registry;
    let spec = VersionSpec::parse(&version)?;
    let found = registry
        .get_version(&subject, spec, params.flag("deleted"))
        .await?;
    let mut out = schema_object(&found, registry.dialect());
    out["schema"] = schema_text(registry, &found.schema, &params).await?.into();
    Ok(Wire(out))
}

async fn raw_version(
    State(state): State<AppState>,
    PathParams((subject, version)): PathParams<(String, String)>,
    params: Params,
) -> Result<RawSchema> {
    let spec = VersionSpec::parse(&version)?;
    let found = state
        .registry
        .get_version(&subject, spec, params.flag("deleted"))
        .await?;
    Ok(RawSchema(found.schema.schema.clone()))
}

async fn referenced_by(
    State(state): State<AppState>,
    PathParams((subject, version)): PathParams<(String, String)>,
    params: Params,
) -> Result<Wire<Vec<i64>>> {
    let spec = VersionSpec::parse(&version)?;
    let ids = state
        .registry
        .referenced_by(&subject, spec, params.flag("deleted"))
        .await?;
    Ok(Wire(ids))
}

async fn delete_subject(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
    params: Params,
) -> Result<Wire<Vec<i32>>> {
    let deleted = state
        .registry
        .delete_subject(&subject, params.flag("permanent"))
        .await?;
    Ok(Wire(deleted))
}

async fn delete_version(
    State(state): State<AppState>,
    PathParams((subject, version)): PathParams<(String, String)>,
    params: Params,
) -> Result<Wire<i32>> {
    let spec = VersionSpec::parse(&version)?;
    let deleted = state
        .registry
        .delete_version(&subject, spec, params.flag("permanent"))
        .await?;
    Ok(Wire(deleted))
}
