//! `/schemas`: schemas by global id, the list of all schemas, and the supported types.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::schema_answers::{SchemaById, SchemaObject};
use super::{schema_text, AppState};
use crate::error::{Error, Result};
use crate::http::access::Access;
use crate::http::error::ErrorBody;
use crate::http::wire::{Params, PathParams, Prepared, RawSchema, Wire};
use crate::model::{context, SchemaType};

/// `GET /schemas` pages at most this many schemas unless asked for fewer.
const DEFAULT_SCHEMAS_LIMIT: usize = 1000;

/// One place a schema id is used.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectVersionRef {
    pub subject: String,
    pub version: i32,
}

/// A schema id within a context.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContextId {
    /// `.` for the default context.
    pub context: String,
    pub id: i64,
}

/// A non-numeric id is an unknown route to Confluent: 404 with error_code 404.
fn schema_id(raw: &str) -> Result<i64> {
    raw.trim().parse().map_err(|_| Error::NotFound)
}

/// The stored id a request means by id `raw`: of the default context, or as its `subject`
/// resolves it (see `Registry::resolve_id`).
async fn stored_id(state: &AppState, raw: &str, params: &Params) -> Result<i64> {
    let id = schema_id(raw)?;
    state.registry.resolve_id(id, params.get("subject")).await
}

/// The `subject` filter of the id's subjects and versions, unless it names only a context.
fn subject_filter(params: &Params) -> Option<String> {
    params
        .get("subject")
        .filter(|s| !context::split(s).name.is_empty())
        .map(|s| context::normalize(s).into_owned())
}

#[utoipa::path(
    get,
    path = "/schemas/types",
    tag = "schemas",
    operation_id = "listSchemaTypes",
    responses((status = 200, description = "The schema formats this registry accepts", body = [String], example = json!(["AVRO", "JSON", "PROTOBUF"])))
)]
pub(super) async fn types() -> Wire<Vec<&'static str>> {
    Wire(SchemaType::ALL.iter().map(|t| t.as_str()).collect())
}

#[utoipa::path(
    get,
    path = "/schemas/ids/{id}",
    tag = "schemas",
    operation_id = "getSchemaById",
    params(
        ("id" = i64, Path, description = "Schema id (of the default context unless `subject` names another)"),
        ("fetchMaxId" = Option<bool>, Query, description = "Also answer the largest id handed out"),
        ("subject" = Option<String>, Query, description = "Ids are per context: the subject whose context the id is looked up in (a hint, as in Confluent; without it the default context)"),
        ("format" = Option<String>, Query, description = "`serialized`: a Protobuf schema as its base64 `FileDescriptorProto`; otherwise the schema text"),
    ),
    responses(
        (status = 200, description = "The schema", body = SchemaById),
        (status = 404, description = "No schema has this id (40403)", body = ErrorBody),
    )
)]
pub(super) async fn by_id(
    State(state): State<AppState>,
    access: Access,
    PathParams(id): PathParams<String>,
    params: Params,
) -> Result<Response> {
    let registry = &state.registry;
    let id = stored_id(&state, &id, &params).await?;
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
) -> Result<Wire<SchemaById>> {
    let registry = &state.registry;
    let schema = schema_text(registry, entry, params).await?;
    let max_id = match params.flag("fetchMaxId") {
        true => Some(registry.max_schema_id(entry.id).await?),
        false => None,
    };
    Ok(Wire(SchemaById::new(
        entry,
        schema,
        registry.dialect(),
        max_id,
    )))
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
pub(super) async fn by_guid(
    State(state): State<AppState>,
    access: Access,
    PathParams(guid): PathParams<String>,
    params: Params,
) -> Result<Wire<SchemaById>> {
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
        (status = 200, description = "The id carrying this guid, with its context", body = [ContextId], example = json!([{"context": ".", "id": 1}])),
        (status = 404, description = "No schema has this guid (40403)", body = ErrorBody),
    )
)]
pub(super) async fn ids_of_guid(
    State(state): State<AppState>,
    access: Access,
    PathParams(guid): PathParams<String>,
) -> Result<Wire<Vec<ContextId>>> {
    let entry = state.registry.schema_by_guid(&guid).await?;
    access
        .check_id(&state.registry, entry.id)
        .await
        .map_err(|_| Error::SchemaNotFound)?;
    Ok(Wire(vec![ContextId {
        context: state.registry.context_of_id(entry.id).await?,
        id: context::wire_id(entry.id),
    }]))
}

#[utoipa::path(
    get,
    path = "/schemas/ids/{id}/schema",
    tag = "schemas",
    operation_id = "getRawSchemaById",
    params(
        ("id" = i64, Path, description = "Schema id"),
        ("subject" = Option<String>, Query, description = "The subject whose context the id is looked up in"),
    ),
    responses(
        (status = 200, description = "The schema text itself as the body", body = Object),
        (status = 404, description = "No schema has this id (40403)", body = ErrorBody),
    )
)]
pub(super) async fn raw_by_id(
    State(state): State<AppState>,
    access: Access,
    PathParams(id): PathParams<String>,
    params: Params,
) -> Result<RawSchema> {
    let id = stored_id(&state, &id, &params).await?;
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
        ("id" = i64, Path, description = "Schema id (of the default context unless `subject` names another)"),
        ("deleted" = Option<bool>, Query, description = "Include soft-deleted versions"),
        ("subject" = Option<String>, Query, description = "Only this subject"),
    ),
    responses(
        (status = 200, description = "Subjects with a version using this id", body = [String]),
        (status = 404, description = "No schema has this id (40403)", body = ErrorBody),
    )
)]
pub(super) async fn subjects_of_id(
    State(state): State<AppState>,
    access: Access,
    PathParams(id): PathParams<String>,
    params: Params,
) -> Result<Wire<Vec<String>>> {
    let id = stored_id(&state, &id, &params).await?;
    let rows = state
        .registry
        .usages_of_id(id, params.flag("deleted"))
        .await?;
    access.check_id(&state.registry, id).await?;
    let rows = rows.into_iter().filter(|r| access.sees(&r.subject));
    let filter = subject_filter(&params);
    let mut subjects: Vec<String> = rows
        .map(|r| r.subject)
        .filter(|s| filter.as_ref().is_none_or(|f| f == s))
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
        ("id" = i64, Path, description = "Schema id (of the default context unless `subject` names another)"),
        ("deleted" = Option<bool>, Query, description = "Include soft-deleted versions"),
        ("subject" = Option<String>, Query, description = "Only this subject"),
    ),
    responses(
        (status = 200, description = "Subject versions using this id", body = [SubjectVersionRef]),
        (status = 404, description = "No schema has this id (40403)", body = ErrorBody),
    )
)]
pub(super) async fn versions_of_id(
    State(state): State<AppState>,
    access: Access,
    PathParams(id): PathParams<String>,
    params: Params,
) -> Result<Wire<Vec<SubjectVersionRef>>> {
    let id = stored_id(&state, &id, &params).await?;
    let rows = state
        .registry
        .usages_of_id(id, params.flag("deleted"))
        .await?;
    access.check_id(&state.registry, id).await?;
    let rows = rows.into_iter().filter(|r| access.sees(&r.subject));
    let filter = subject_filter(&params);
    Ok(Wire(
        rows.filter(|r| filter.as_ref().is_none_or(|f| *f == r.subject))
            .map(|r| SubjectVersionRef {
                subject: r.subject,
                version: r.version,
            })
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
pub(super) async fn list(
    State(state): State<AppState>,
    access: Access,
    params: Params,
) -> Result<Wire<Vec<SchemaObject>>> {
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
            .map(|sv| SchemaObject::new(sv, sv.schema.schema.clone(), registry.dialect()))
            .collect(),
    ))
}
