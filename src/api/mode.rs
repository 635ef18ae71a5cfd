//! `/mode`: READWRITE, READONLY, READONLY_OVERRIDE, IMPORT, global and per subject.

use axum::extract::State;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{Error, Result};
use crate::http::error::ErrorBody;
use crate::http::wire::{JsonBody, Params, PathParams, Wire};
use crate::http::AppState;
use crate::model::{validate_scope, Mode, GLOBAL_SCOPE};

/// A mode, in requests and answers. A PUT answer echoes the spelling the request sent, as
/// Confluent does; other answers give the name in capitals.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModeBody {
    #[schema(value_type = ModeName)]
    pub mode: String,
}

impl ModeBody {
    fn of(mode: Mode) -> Self {
        ModeBody {
            mode: mode.as_str().to_string(),
        }
    }
}

#[derive(ToSchema)]
#[schema(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ModeName {
    Readwrite,
    Readonly,
    ReadonlyOverride,
    Import,
}

/// The mode a body asks for, and its spelling as sent (Confluent echoes it unchanged).
fn requested_mode(body: &Value) -> Result<(Mode, String)> {
    let raw = body
        .get("mode")
        .and_then(Value::as_str)
        .ok_or(Error::InvalidMode)?;
    Ok((raw.parse()?, raw.to_string()))
}

#[utoipa::path(
    get,
    path = "/mode",
    tag = "mode",
    operation_id = "getModeGlobal",
    responses((status = 200, description = "The global mode", body = ModeBody))
)]
pub(super) async fn get_global(State(state): State<AppState>) -> Result<Wire<ModeBody>> {
    Ok(Wire(ModeBody::of(
        state.registry.effective_mode(GLOBAL_SCOPE).await?,
    )))
}

#[utoipa::path(
    put,
    path = "/mode",
    tag = "mode",
    operation_id = "putModeGlobal",
    params(("force" = Option<bool>, Query, description = "Enter IMPORT although subjects exist")),
    request_body = ModeBody,
    responses(
        (status = 200, description = "The mode as set", body = ModeBody),
        (status = 422, description = "Invalid mode (42204), invalid subject (42208), or IMPORT with subjects present (42205)", body = ErrorBody),
        (status = 400, description = "Malformed body", body = ErrorBody),
    )
)]
pub(super) async fn put_global(
    State(state): State<AppState>,
    params: Params,
    JsonBody(body): JsonBody<Value>,
) -> Result<Wire<ModeBody>> {
    let (mode, raw) = requested_mode(&body)?;
    state
        .registry
        .update_mode(GLOBAL_SCOPE, mode, params.flag("force"))
        .await?;
    Ok(Wire(ModeBody { mode: raw }))
}

#[utoipa::path(
    delete,
    path = "/mode",
    tag = "mode",
    operation_id = "deleteModeGlobal",
    responses((status = 200, description = "The global mode before it was reset to the default", body = ModeBody))
)]
pub(super) async fn delete_global(State(state): State<AppState>) -> Result<Wire<ModeBody>> {
    let old = state.registry.delete_mode(GLOBAL_SCOPE).await?;
    Ok(Wire(ModeBody::of(old)))
}

#[utoipa::path(
    get,
    path = "/mode/{subject}",
    tag = "mode",
    operation_id = "getModeSubject",
    params(
        ("subject" = String, Path, description = "Subject name"),
        ("defaultToGlobal" = Option<bool>, Query, description = "Answer the global setting when the subject has none"),
    ),
    responses(
        (status = 200, description = "The subject's mode", body = ModeBody),
        (status = 404, description = "The subject has no mode of its own (40409)", body = ErrorBody),
    )
)]
pub(super) async fn get_subject(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
    params: Params,
) -> Result<Wire<ModeBody>> {
    let registry = &state.registry;
    if params.flag("defaultToGlobal") {
        return Ok(Wire(ModeBody::of(registry.effective_mode(&subject).await?)));
    }
    let own = registry
        .mode_at(&subject)
        .await?
        .ok_or_else(|| Error::SubjectModeNotConfigured(subject.clone()))?;
    Ok(Wire(ModeBody::of(own)))
}

#[utoipa::path(
    put,
    path = "/mode/{subject}",
    tag = "mode",
    operation_id = "putModeSubject",
    params(
        ("subject" = String, Path, description = "Subject name"),
        ("force" = Option<bool>, Query, description = "Enter IMPORT although subjects exist"),
    ),
    request_body = ModeBody,
    responses(
        (status = 200, description = "The mode as set", body = ModeBody),
        (status = 422, description = "Invalid mode (42204), invalid subject (42208), or IMPORT with subjects present (42205)", body = ErrorBody),
        (status = 400, description = "Malformed body", body = ErrorBody),
    )
)]
pub(super) async fn put_subject(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
    params: Params,
    JsonBody(body): JsonBody<Value>,
) -> Result<Wire<ModeBody>> {
    validate_scope(&subject)?;
    let (mode, raw) = requested_mode(&body)?;
    state
        .registry
        .update_mode(&subject, mode, params.flag("force"))
        .await?;
    Ok(Wire(ModeBody { mode: raw }))
}

#[utoipa::path(
    delete,
    path = "/mode/{subject}",
    tag = "mode",
    operation_id = "deleteModeSubject",
    params(("subject" = String, Path, description = "Subject name")),
    responses(
        (status = 200, description = "The subject's mode before it was removed", body = ModeBody),
        (status = 404, description = "The subject has no mode of its own (40401)", body = ErrorBody),
    )
)]
pub(super) async fn delete_subject(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
) -> Result<Wire<ModeBody>> {
    let old = state.registry.delete_mode(&subject).await?;
    Ok(Wire(ModeBody::of(old)))
}
