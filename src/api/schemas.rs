//! `/schemas`: schemas by global id, the list of all schemas, and the supported types.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};

use super::auth::Access;
use super::openapi::{ErrorBody, SchemaById, SchemaObject, SubjectVersionRef};
use super::wire::{Params, PathParams, Prepared, RawSchema, Wire};
use super::{put_schema_fields, schema_object, schema_text, AppState};
use crate::error::{Error, Result};
use crate::model::SchemaType;

/// `GET /schemas` pages at most this many schemas unless asked for fewer.
const DEFAULT_SCHEMAS_LIMIT: usize = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/schemas", get(list))
        .route("/schemas/types", get(types))
        .route("/schemas/ids/{id}", get(by_id))
        .route("/schemas/ids/{id}/schema", get(raw_by_id))
        .route("/schemas/ids/{id}/subjects", get(subjects_of_id))
        .route("/schemas/ids/{id}/versions", get(versions_of_id))
        .route("/schemas/guids/{guid}", get(by_guid))
        .route("/schemas/guids/{guid}/ids", get(ids_of_guid))
}

/// A non-numeric id is an unknown route to Confluent: 404 with error_code 404.
fn schema_id(raw: &str) -> Result<i64> {
    raw.trim().parse().map_err(|_| Error::NotFound)
}

#[utoipa::path(
    get,
    path = "/schemas/types",
    tag = "schemas",
    operation_id = "listSchemaTypes",
    responses((status = 200, description = "The schema formats this registry accepts", body = [String], example = json!(["AVRO", "JSON", "PROTOBUF"])))
)]
async fn types() -> Wire<Vec<&'static str>> {
    Wire(SchemaType::ALL.iter().map(|t| t.as_str()).collect())
}

#[utoipa::path(
    get,
    path = "/schemas/ids/{id}",
    tag = "schemas",
    operation_id = "getSchemaById",
    params(
        ("id" = i64, Path, description = "Global schema id"),
        ("fetchMaxId" = Option<bool>, Query, description = "Also answer the largest id handed out"),
        ("subject" = Option<String>, Query, description = "Accepted for compatibility; ids are global"),
        ("format" = Option<String>, Query, description = "`serialized`: a Protobuf schema as its base64 `FileDescriptorProto`; otherwise the schema text"),
    ),
    responses(
        (status = 200, description = "The schema", body = SchemaById),
        (status = 404, description = "No schema has this id (40403)", body = ErrorBody),
    )
)]
async fn by_id(
    State(state): State<AppState>,
    access: Access,
    PathParams(id): PathParams<String>,
    params: Params,
) -> Result<Response> {
    let registry = &state.registry;
    let id = schema_id(&id)?;
    let entry = registry.schema_by_id(id).await?;
    access.check_id(registry, id).await?;
    if !params.asks_format() && !params.flag("fetchMaxId") {
        return Ok(Prepared(registry.schema_answer(&entry)).into_response());
    }
    Ok(schema_string(&state, &entry, &params)
        .await?
        .into_response())
}

/// The SchemaString body of `GET /schemas/ids/{id}` and `GET /schemas/guids/{guid}`.
async fn schema_string(
    state: &AppState,
    entry: &crate::registry::SchemaEntry,
    params: &Params,
) -> Result<Wire<Value>> {
    let registry = &state.registry;
    let mut out = Map::new();
    out.insert(
        "schema".into(),
        schema_text(registry, entry, params).await?.into(),
    );
    put_schema_fields(&mut out, entry, registry.dialect());
    if params.flag("fetchMaxId") {
        out.insert("maxId".into(), registry.max_schema_id().await?.into());
    }
    Ok(Wire(Value::Object(out)))
}

#[utoipa::path(
    get,
    path = "/schemas/guids/{guid}",
    tag = "schemas",
    operation_id = "getSchemaByGuid",
    params(
        ("guid" = String, Path, description = "The schema's guid (the 8.x dialect's `guid` field)"),
        ("format" = Option<String>, Query, description = "As for `GET /schemas/ids/{id}`"),
    ),
    responses(
        (status = 200, description = "The schema", body = SchemaById),
        (status = 404, description = "No schema has this guid (40403)", body = ErrorBody),
    )
)]
async fn by_guid(
    State(state): State<AppState>,
    access: Access,
    PathParams(guid): PathParams<String>,
    params: Params,
) -> Result<Wire<Value>> {
    let entry = state.registry.schema_by_guid(&guid).await?;
    access
        .check_id(&state.registry, entry.id)
        .await
        .map_err(|_| Error::SchemaNotFound)?;
    schema_string(&state, &entry, &params).await
}

#[utoipa::path(
    get,
    path = "/schemas/guids/{guid}/ids",
    tag = "schemas",
    operation_id = "getIdsOfGuid",
    params(("guid" = String, Path, description = "The schema's guid")),
    responses(
        (status = 200, description = "The ids carrying this guid, one per context (Herald has only the default context `.`)", body = Object, example = json!([{"context": ".", "id": 1}])),
        (status = 404, description = "No schema has this guid (40403)", body = ErrorBody),
    )
)]
async fn ids_of_guid(
    State(state): State<AppState>,
    access: Access,
    PathParams(guid): PathParams<String>,
) -> Result<Wire<Value>> {
    let entry = state.registry.schema_by_guid(&guid).await?;
    access
        .check_id(&state.registry, entry.id)
        .await
        .map_err(|_| Error::SchemaNotFound)?;
    Ok(Wire(json!([{"context": ".", "id": entry.id}])))
}

#[utoipa::path(
    get,
    path = "/schemas/ids/{id}/schema",
    tag = "schemas",
    operation_id = "getRawSchemaById",
    params(("id" = i64, Path, description = "Global schema id")),
    responses(
        (status = 200, description = "The schema text itself as the body", body = Object),
        (status = 404, description = "No schema has this id (40403)", body = ErrorBody),
    )
)]
async fn raw_by_id(
    State(state): State<AppState>,
    access: Access,
    PathParams(id): PathParams<String>,
) -> Result<RawSchema> {
    let id = schema_id(&id)?;
    let entry = state.registry.schema_by_id(id).await?;
    access.check_id(&state.registry, id).await?;
    Ok(RawSchema(entry.schema.clone()))
}

#[utoipa::path(
    get,
    path = "/schemas/ids/{id}/subjects",
    tag = "schemas",
    operation_id = "getSubjectsOfSchemaId",
    params(
        ("id" = i64, Path, description = "Global schema id"),
        ("deleted" = Option<bool>, Query, description = "Include soft-deleted versions"),
        ("subject" = Option<String>, Query, description = "Only this subject"),
    ),
    responses(
        (status = 200, description = "Subjects with a version using this id", body = [String]),
        (status = 404, description = "No schema has this id (40403)", body = ErrorBody),
    )
)]
async fn subjects_of_id(
    State(state): State<AppState>,
    access: Access,
    PathParams(id): PathParams<String>,
    params: Params,
) -> Result<Wire<Vec<String>>> {
    let id = schema_id(&id)?;
    let rows = state
        .registry
        .usages_of_id(id, params.flag("deleted"))
        .await?;
    access.check_id(&state.registry, id).await?;
    let rows = rows.into_iter().filter(|r| access.sees(&r.subject));
    let filter = params.get("subject");
    let mut subjects: Vec<String> = rows
        .map(|r| r.subject)
        .filter(|s| filter.is_none_or(|f| f == s))
        .collect();
    subjects.dedup();
    Ok(Wire(subjects))
}

#[utoipa::path(
    get,
    path = "/schemas/ids/{id}/versions",
    tag = "schemas",
    operation_id = "getVersionsOfSchemaId",
    params(
        ("id" = i64, Path, description = "Global schema id"),
        ("deleted" = Option<bool>, Query, description = "Include soft-deleted versions"),
        ("subject" = Option<String>, Query, description = "Only this subject"),
    ),
    responses(
        (status = 200, description = "Subject versions using this id", body = [SubjectVersionRef]),
        (status = 404, description = "No schema has this id (40403)", body = ErrorBody),
    )
)]
async fn versions_of_id(
    State(state): State<AppState>,
    access: Access,
    PathParams(id): PathParams<String>,
    params: Params,
) -> Result<Wire<Vec<Value>>> {
    let id = schema_id(&id)?;
    let rows = state
        .registry
        .usages_of_id(id, params.flag("deleted"))
        .await?;
    access.check_id(&state.registry, id).await?;
    let rows = rows.into_iter().filter(|r| access.sees(&r.subject));
    let filter = params.get("subject");
    Ok(Wire(
        rows.filter(|r| filter.is_none_or(|f| f == r.subject))
            .map(|r| json!({"subject": r.subject, "version": r.version}))
            .collect(),
    ))
}

#[utoipa::path(
    get,
    path = "/schemas",
    tag = "schemas",
    operation_id = "listSchemas",
    params(
        ("subjectPrefix" = Option<String>, Query, description = "Only subjects starting with this"),
        ("deleted" = Option<bool>, Query, description = "Include soft-deleted versions"),
        ("latestOnly" = Option<bool>, Query, description = "Only each subject's latest version"),
        ("offset" = Option<i64>, Query, description = "Skip this many"),
        ("limit" = Option<i64>, Query, description = "At most this many (default 1000; -1 for all)"),
    ),
    responses((status = 200, description = "Schema versions", body = [SchemaObject]))
)]
async fn list(
    State(state): State<AppState>,
    access: Access,
    params: Params,
) -> Result<Wire<Vec<Value>>> {
    let registry = &state.registry;
    let schemas = registry
        .list_schemas(
            params.get("subjectPrefix").unwrap_or_default(),
            params.flag("deleted"),
            params.flag("latestOnly"),
            params.count("offset", 0),
            params.limit("limit", Some(DEFAULT_SCHEMAS_LIMIT)),
            |subject| access.sees(subject),
        )
        .await?;
    Ok(Wire(
        schemas
            .iter()
            .map(|sv| schema_object(sv, registry.dialect()))
            .collect(),
    ))
}
