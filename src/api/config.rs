//! `/config`: compatibility level, global and per subject. Requests say `compatibility`,
//! GET answers say `compatibilityLevel`, PUT answers echo the request shape.

use axum::extract::State;
use serde_json::{Map, Value};

use super::openapi::{ConfigAnswer, ConfigRequest, ErrorBody};
use super::wire::{JsonBody, Params, PathParams, Wire};
use super::AppState;
use crate::error::{Error, Result};
use crate::model::{validate_subject, GLOBAL_SCOPE};
use crate::registry::ConfigUpdate;
use crate::store::ConfigRecord;

fn shape(config: &ConfigRecord, level_key: &str) -> Value {
    let mut out = Map::new();
    if let Some(level) = config.compatibility {
        out.insert(level_key.into(), level.as_str().into());
    }
    if let Some(normalize) = config.normalize {
        out.insert("normalize".into(), normalize.into());
    }
    Value::Object(out)
}

#[utoipa::path(
    get,
    path = "/config",
    tag = "config",
    operation_id = "getConfigGlobal",
    responses((status = 200, description = "The global compatibility config", body = ConfigAnswer))
)]
pub(super) async fn get_global(State(state): State<AppState>) -> Result<Wire<Value>> {
    let config = state.registry.effective_config(GLOBAL_SCOPE).await?;
    Ok(Wire(shape(&config, "compatibilityLevel")))
}

#[utoipa::path(
    put,
    path = "/config",
    tag = "config",
    operation_id = "putConfigGlobal",
    request_body = ConfigRequest,
    responses(
        (status = 200, description = "The compatibility config as set", body = ConfigAnswer),
        (status = 422, description = "Invalid compatibility level (42203), invalid subject (42208) or read-only mode (42205)", body = ErrorBody),
        (status = 400, description = "Malformed body", body = ErrorBody),
    )
)]
pub(super) async fn put_global(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Wire<Value>> {
    let update = ConfigUpdate::from_json(&body)?;
    state.registry.update_config(GLOBAL_SCOPE, &update).await?;
    let config = state.registry.effective_config(GLOBAL_SCOPE).await?;
    Ok(Wire(shape(&config, "compatibility")))
}

#[utoipa::path(
    delete,
    path = "/config",
    tag = "config",
    operation_id = "deleteConfigGlobal",
    responses((status = 200, description = "The global compatibility config before it was reset to the default", body = ConfigAnswer))
)]
pub(super) async fn delete_global(State(state): State<AppState>) -> Result<Wire<Value>> {
    let registry = &state.registry;
    let before = registry.effective_config(GLOBAL_SCOPE).await?;
    registry.delete_config(GLOBAL_SCOPE).await?;
    Ok(Wire(shape(&before, "compatibilityLevel")))
}

#[utoipa::path(
    get,
    path = "/config/{subject}",
    tag = "config",
    operation_id = "getConfigSubject",
    params(
        ("subject" = String, Path, description = "Subject name"),
        ("defaultToGlobal" = Option<bool>, Query, description = "Answer the global setting when the subject has none"),
    ),
    responses(
        (status = 200, description = "The subject's compatibility config", body = ConfigAnswer),
        (status = 404, description = "The subject has no level of its own (40408)", body = ErrorBody),
    )
)]
pub(super) async fn get_subject(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
    params: Params,
) -> Result<Wire<Value>> {
    let registry = &state.registry;
    if params.flag("defaultToGlobal") {
        let config = registry.effective_config(&subject).await?;
        return Ok(Wire(shape(&config, "compatibilityLevel")));
    }
    let own = registry
        .config_at(&subject)
        .await?
        .ok_or_else(|| Error::SubjectCompatibilityNotConfigured(subject.clone()))?;
    Ok(Wire(shape(&own, "compatibilityLevel")))
}

#[utoipa::path(
    put,
    path = "/config/{subject}",
    tag = "config",
    operation_id = "putConfigSubject",
    params(("subject" = String, Path, description = "Subject name")),
    request_body = ConfigRequest,
    responses(
        (status = 200, description = "The compatibility config as set", body = ConfigAnswer),
        (status = 422, description = "Invalid compatibility level (42203), invalid subject (42208) or read-only mode (42205)", body = ErrorBody),
        (status = 400, description = "Malformed body", body = ErrorBody),
    )
)]
pub(super) async fn put_subject(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Wire<Value>> {
    validate_subject(&subject)?;
    let update = ConfigUpdate::from_json(&body)?;
    let config = state.registry.update_config(&subject, &update).await?;
    Ok(Wire(shape(&config, "compatibility")))
}

#[utoipa::path(
    delete,
    path = "/config/{subject}",
    tag = "config",
    operation_id = "deleteConfigSubject",
    params(("subject" = String, Path, description = "Subject name")),
    responses(
        (status = 200, description = "The subject's compatibility config before it was removed", body = ConfigAnswer),
        (status = 404, description = "The subject has no compatibility config of its own (40401)", body = ErrorBody),
    )
)]
pub(super) async fn delete_subject(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
) -> Result<Wire<Value>> {
    let old = state.registry.delete_config(&subject).await?;
    Ok(Wire(shape(&old, "compatibilityLevel")))
}
