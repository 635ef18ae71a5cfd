//! `/herald/v1/.../validate`: check a JSON payload against a registered schema, by subject and
//! version or by schema id. The body is `{"payload": <the JSON payload>}`.

use axum::extract::State;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::http::error::ErrorBody;
use crate::http::wire::{JsonBody, PathParams, Wire};
use crate::http::AppState;
use crate::model::VersionSpec;
use crate::registry::validate::PayloadVerdict;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ValidateRequest {
    /// The payload in the schema format's JSON encoding. Absent and `null` differ: a missing
    /// key is a malformed request, `null` a payload.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Object)]
    payload: Option<serde_json::Value>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

impl ValidateRequest {
    fn payload(&self) -> Result<&serde_json::Value> {
        self.payload
            .as_ref()
            .ok_or_else(|| Error::BadRequest("the request body needs a \"payload\" field".into()))
    }
}

#[utoipa::path(
    post,
    path = "/herald/v1/subjects/{subject}/versions/{version}/validate",
    tag = "validation",
    operation_id = "validate_payload_by_version",
    params(
        ("subject" = String, Path, description = "Subject name"),
        ("version" = String, Path, description = "A version number, `latest` or -1"),
    ),
    request_body = ValidateRequest,
    responses(
        (status = 200, description = "Whether the payload is valid, with every error's JSON Pointer", body = PayloadVerdict),
        (status = 400, description = "The body has no `payload` (400) or is not JSON (400)", body = ErrorBody),
        (status = 404, description = "Subject (40401) or version (40402) not found", body = ErrorBody),
        (status = 422, description = "Invalid version (42202)", body = ErrorBody),
    )
)]
pub(super) async fn by_version(
    State(state): State<AppState>,
    PathParams((subject, version)): PathParams<(String, String)>,
    JsonBody(request): JsonBody<ValidateRequest>,
) -> Result<Wire<PayloadVerdict>> {
    let spec = VersionSpec::parse(&version)?;
    let verdict = state
        .registry
        .validate_payload_for_version(&subject, spec, request.payload()?)
        .await?;
    Ok(Wire(verdict))
}

#[utoipa::path(
    post,
    path = "/herald/v1/schemas/ids/{id}/validate",
    tag = "validation",
    operation_id = "validate_payload_by_id",
    params(("id" = i64, Path, description = "Global schema id")),
    request_body = ValidateRequest,
    responses(
        (status = 200, description = "Whether the payload is valid, with every error's JSON Pointer", body = PayloadVerdict),
        (status = 400, description = "The body has no `payload` or is not JSON", body = ErrorBody),
        (status = 404, description = "Schema not found (40403)", body = ErrorBody),
    )
)]
pub(super) async fn by_id(
    State(state): State<AppState>,
    access: crate::http::access::Access,
    PathParams(id): PathParams<String>,
    JsonBody(request): JsonBody<ValidateRequest>,
) -> Result<Wire<PayloadVerdict>> {
    let id: i64 = id
        .parse()
        .map_err(|_| Error::BadRequest(format!("'{id}' is not a schema id")))?;
    let id = state.registry.resolve_id(id, None).await?;
    state.registry.schema_by_id(id).await?;
    access.check_id(&state.registry, id).await?;
    let verdict = state
        .registry
        .validate_payload_for_id(id, request.payload()?)
        .await?;
    Ok(Wire(verdict))
}
