//! `/subjects`: listing, registration, lookup, version reads and deletes.

use axum::response::{IntoResponse, Response};

use super::schema_answers::{Registered, SchemaObject};
use super::{schema_text, AppState};
use crate::error::{Error, Result};
use crate::http::access::Access;
use crate::http::error::ErrorBody;
use crate::http::wire::{
    JsonBody, OptionalJsonBody, Params, PathParams, Prepared, RawSchema, Wire,
};
use crate::model::{context, VersionSpec};
use crate::registry::SchemaRequest;
use axum::extract::State;

#[utoipa::path(
    get,
    path = "/subjects",
    tag = "subjects",
    operation_id = "listSubjects",
    params(
        ("subjectPrefix" = Option<String>, Query, description = "Only subjects starting with this (`:*:` for all)"),
        ("deleted" = Option<bool>, Query, description = "Include soft-deleted versions"),
        ("deletedOnly" = Option<bool>, Query, description = "Only soft-deleted subjects"),
    ),
    responses((status = 200, description = "Subject names", body = [String]))
)]
pub(super) async fn list(
    State(state): State<AppState>,
    access: crate::http::access::Access,
    params: Params,
) -> Result<Wire<Vec<String>>> {
    // `:*:` is Confluent's "every context" prefix (its default); any other prefix is matched
    // against the subjects as they are listed, qualified outside the default context.
    let prefix = match params.get("subjectPrefix") {
        Some(":*:") | None => "",
        Some(p) => p,
    };
    let subjects = state
        .registry
        .list_subjects(prefix, params.flag("deleted"), params.flag("deletedOnly"))
        .await?
        .into_iter()
        .filter(|s| access.sees(s))
        .collect();
    Ok(Wire(subjects))
}

#[utoipa::path(
    get,
    path = "/subjects/{subject}/versions",
    tag = "subjects",
    operation_id = "listVersions",
    params(
        ("subject" = String, Path, description = "Subject name"),
        ("deleted" = Option<bool>, Query, description = "Include soft-deleted versions"),
        ("deletedOnly" = Option<bool>, Query, description = "Only soft-deleted versions"),
    ),
    responses(
        (status = 200, description = "Version numbers", body = [i32]),
        (status = 404, description = "Subject not found (40401)", body = ErrorBody),
    )
)]
pub(super) async fn versions(
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

#[utoipa::path(
    post,
    path = "/subjects/{subject}/versions",
    tag = "subjects",
    operation_id = "register",
    params(
        ("subject" = String, Path, description = "Subject name"),
        ("normalize" = Option<bool>, Query, description = "Normalize the schema before comparing"),
    ),
    request_body = SchemaRequest,
    responses(
        (status = 200, description = "Registered, or already registered: the id", body = Registered),
        (status = 409, description = "Incompatible with an earlier version (409, or 40901 in the 8.x dialect)", body = ErrorBody),
        (status = 422, description = "Invalid schema (42201), schema too large (42209), invalid subject (42208), operation not permitted in this mode (42205)", body = ErrorBody),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 413, description = "Body larger than the limit", body = ErrorBody),
        (status = 415, description = "Unsupported content type", body = ErrorBody),
    )
)]
pub(super) async fn register(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
    params: Params,
    OptionalJsonBody(request): OptionalJsonBody<SchemaRequest>,
) -> Result<Wire<Registered>> {
    // Confluent's resource refuses a missing body in its validation, before any registry
    // logic; `{}` or `{"schema":""}` re-register the latest version instead (see the registry).
    let Some(request) = request else {
        return Err(Error::Unprocessable(
            "register.request: must not be null".into(),
        ));
    };
    if request.schema.as_ref().map_or(0, String::len) > state.max_schema_bytes {
        return Err(Error::SchemaTooLarge);
    }
    let registry = &state.registry;
    let done = registry
        .register(&subject, &request, params.flag("normalize"))
        .await?;
    Ok(Wire(Registered::new(&done, registry.dialect())))
}

#[utoipa::path(
    get,
    path = "/subjects/{subject}/metadata",
    tag = "subjects",
    operation_id = "getLatestWithMetadata",
    params(
        ("subject" = String, Path, description = "Subject name"),
        ("key" = Option<Vec<String>>, Query, description = "A metadata property name; repeated, paired with `value` by position"),
        ("value" = Option<Vec<String>>, Query, description = "The value the `key` at the same position must have"),
        ("deleted" = Option<bool>, Query, description = "Consider soft-deleted versions too"),
        ("format" = Option<String>, Query, description = "As for `GET /subjects/{subject}/versions/{version}`"),
    ),
    responses(
        (status = 200, description = "The latest version whose `metadata.properties` hold every pair", body = SchemaObject),
        (status = 404, description = "Subject (40401) not found, or no version matches (40403)", body = ErrorBody),
    )
)]
pub(super) async fn latest_with_metadata(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
    params: Params,
) -> Result<Wire<SchemaObject>> {
    let registry = &state.registry;
    let keys = params.all("key");
    let values = params.all("value");
    // Pairs are matched by position; a key without a value (or the reverse) pairs with "".
    let pairs: Vec<(&str, &str)> = (0..keys.len().max(values.len()))
        .map(|i| {
            (
                keys.get(i).copied().unwrap_or_default(),
                values.get(i).copied().unwrap_or_default(),
            )
        })
        .collect();
    let found = registry
        .latest_with_metadata(&subject, &pairs, params.flag("deleted"))
        .await?;
    let schema = schema_text(registry, &found.schema, &params).await?;
    Ok(Wire(SchemaObject::new(&found, schema, registry.dialect())))
}

#[utoipa::path(
    post,
    path = "/subjects/{subject}",
    tag = "subjects",
    operation_id = "lookupSchema",
    params(
        ("subject" = String, Path, description = "Subject name"),
        ("normalize" = Option<bool>, Query, description = "Normalize the schema before comparing"),
        ("deleted" = Option<bool>, Query, description = "Include soft-deleted versions"),
    ),
    request_body = SchemaRequest,
    responses(
        (status = 200, description = "The version holding this schema", body = SchemaObject),
        (status = 404, description = "Subject (40401) or schema (40403) not found", body = ErrorBody),
        (status = 422, description = "Invalid schema (42201)", body = ErrorBody),
        (status = 400, description = "Malformed body", body = ErrorBody),
    )
)]
pub(super) async fn lookup(
    State(state): State<AppState>,
    access: Access,
    PathParams(subject): PathParams<String>,
    params: Params,
    JsonBody(request): JsonBody<SchemaRequest>,
) -> Result<Prepared> {
    let registry = &state.registry;
    let subject = registry.find_subject(&subject, |s| access.sees(s)).await?;
    let found = registry
        .lookup(
            &subject,
            &request,
            params.flag("normalize"),
            params.flag("deleted"),
        )
        .await?;
    Ok(Prepared(registry.version_answer(&found)))
}

#[utoipa::path(
    get,
    path = "/subjects/{subject}/versions/{version}",
    tag = "subjects",
    operation_id = "getVersion",
    params(
        ("subject" = String, Path, description = "Subject name"),
        ("version" = String, Path, description = "Version number, or `latest` (also `-1`)", pattern = r"^(latest|-1|[1-9][0-9]{0,8})$"),
        ("deleted" = Option<bool>, Query, description = "Include soft-deleted versions"),
        ("format" = Option<String>, Query, description = "`serialized`: a Protobuf schema as its base64 `FileDescriptorProto`; otherwise the schema text"),
    ),
    responses(
        (status = 200, description = "The version", body = SchemaObject),
        (status = 404, description = "Subject (40401) or version (40402) not found", body = ErrorBody),
        (status = 422, description = "Invalid version (42202)", body = ErrorBody),
    )
)]
pub(super) async fn version(
    State(state): State<AppState>,
    access: Access,
    PathParams((subject, version)): PathParams<(String, String)>,
    params: Params,
) -> Result<Response> {
    let registry = &state.registry;
    let spec = VersionSpec::parse(&version)?;
    let subject = registry.find_subject(&subject, |s| access.sees(s)).await?;
    let found = registry
        .get_version(&subject, spec, params.flag("deleted"))
        .await?;
    if !params.asks_format() {
        return Ok(Prepared(registry.version_answer(&found)).into_response());
    }
    let schema = schema_text(registry, &found.schema, &params).await?;
    Ok(Wire(SchemaObject::new(&found, schema, registry.dialect())).into_response())
}

#[utoipa::path(
    get,
    path = "/subjects/{subject}/versions/{version}/schema",
    tag = "subjects",
    operation_id = "getRawVersion",
    params(
        ("subject" = String, Path, description = "Subject name"),
        ("version" = String, Path, description = "Version number, or `latest` (also `-1`)", pattern = r"^(latest|-1|[1-9][0-9]{0,8})$"),
        ("deleted" = Option<bool>, Query, description = "Include soft-deleted versions"),
    ),
    responses(
        (status = 200, description = "The schema text itself as the body", body = Object),
        (status = 404, description = "Subject (40401) or version (40402) not found", body = ErrorBody),
        (status = 422, description = "Invalid version (42202)", body = ErrorBody),
    )
)]
pub(super) async fn raw_version(
    State(state): State<AppState>,
    access: Access,
    PathParams((subject, version)): PathParams<(String, String)>,
    params: Params,
) -> Result<RawSchema> {
    let spec = VersionSpec::parse(&version)?;
    let subject = state
        .registry
        .find_subject(&subject, |s| access.sees(s))
        .await?;
    let found = state
        .registry
        .get_version(&subject, spec, params.flag("deleted"))
        .await?;
    Ok(RawSchema(found.schema.schema.clone()))
}

#[utoipa::path(
    get,
    path = "/subjects/{subject}/versions/{version}/referencedby",
    tag = "subjects",
    operation_id = "getReferencedBy",
    params(
        ("subject" = String, Path, description = "Subject name"),
        ("version" = String, Path, description = "Version number, or `latest` (also `-1`)", pattern = r"^(latest|-1|[1-9][0-9]{0,8})$"),
        ("deleted" = Option<bool>, Query, description = "Include soft-deleted versions"),
    ),
    responses(
        (status = 200, description = "Ids of the schemas referencing this version", body = [i64]),
        (status = 404, description = "Subject (40401) or version (40402) not found", body = ErrorBody),
        (status = 422, description = "Invalid version (42202)", body = ErrorBody),
    )
)]
pub(super) async fn referenced_by(
    State(state): State<AppState>,
    PathParams((subject, version)): PathParams<(String, String)>,
    params: Params,
) -> Result<Wire<Vec<i64>>> {
    let spec = VersionSpec::parse(&version)?;
    let ids = state
        .registry
        .referenced_by(&subject, spec, params.flag("deleted"))
        .await?;
    Ok(Wire(ids.into_iter().map(context::wire_id).collect()))
}

#[utoipa::path(
    delete,
    path = "/subjects/{subject}",
    tag = "subjects",
    operation_id = "deleteSubject",
    params(
        ("subject" = String, Path, description = "Subject name"),
        ("permanent" = Option<bool>, Query, description = "Hard-delete versions soft-deleted before"),
    ),
    responses(
        (status = 200, description = "The deleted version numbers", body = [i32]),
        (status = 404, description = "Subject not found (40401), soft-deleted already (40404) or not soft-deleted first (40405)", body = ErrorBody),
        (status = 422, description = "A version is still referenced (42206), or the mode forbids it (42205)", body = ErrorBody),
    )
)]
pub(super) async fn delete_subject(
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

#[utoipa::path(
    delete,
    path = "/subjects/{subject}/versions/{version}",
    tag = "subjects",
    operation_id = "deleteVersion",
    params(
        ("subject" = String, Path, description = "Subject name"),
        ("version" = String, Path, description = "Version number, or `latest` (also `-1`)", pattern = r"^(latest|-1|[1-9][0-9]{0,8})$"),
        ("permanent" = Option<bool>, Query, description = "Hard-delete a version soft-deleted before"),
    ),
    responses(
        (status = 200, description = "The deleted version number", body = i32),
        (status = 404, description = "Subject (40401) or version (40402) not found, soft-deleted already (40406) or not soft-deleted first (40407)", body = ErrorBody),
        (status = 422, description = "Invalid version (42202), still referenced (42206), or the mode forbids it (42205)", body = ErrorBody),
    )
)]
pub(super) async fn delete_version(
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
