//! `/config`: compatibility level, global and per subject. Requests say `compatibility`,
//! GET answers say `compatibilityLevel`, PUT answers echo the request shape.

use axum::extract::State;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{Error, Result};
use crate::http::error::ErrorBody;
use crate::http::wire::{JsonBody, Params, PathParams, Wire};
use crate::http::AppState;
use crate::model::{validate_scope, CompatibilityLevel, ConfigSettings, GLOBAL_SCOPE};
use crate::registry::ConfigUpdate;
use crate::store::ConfigRecord;

/// `PUT /config` body; `compatibilityLevel` is read as a synonym of `compatibility`.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct ConfigRequest {
    #[schema(nullable = false)]
    pub compatibility: Option<CompatibilityLevel>,
    #[schema(nullable = false)]
    pub compatibility_level: Option<CompatibilityLevel>,
    #[schema(nullable = false)]
    pub normalize: Option<bool>,
    #[serde(flatten)]
    pub settings: ConfigSettings,
}

/// A config as GET answers it (PUT answers with `compatibility` instead).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigAnswer {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub compatibility_level: Option<CompatibilityLevel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub compatibility: Option<CompatibilityLevel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub normalize: Option<bool>,
    // The fields besides the level and `normalize` this scope sets.
    #[serde(flatten)]
    pub settings: ConfigSettings,
}

impl ConfigAnswer {
    /// As GET and DELETE answer: the level under `compatibilityLevel`.
    fn read(config: &ConfigRecord) -> Self {
        ConfigAnswer {
            compatibility_level: config.compatibility,
            compatibility: None,
            normalize: config.normalize,
            settings: config.settings.clone(),
        }
    }

    /// As PUT answers, echoing the request's shape: the level under `compatibility`.
    fn written(config: &ConfigRecord) -> Self {
        ConfigAnswer {
            compatibility_level: None,
            compatibility: config.compatibility,
            normalize: config.normalize,
            settings: config.settings.clone(),
        }
    }
}

#[utoipa::path(
    get,
    path = "/config",
    tag = "config",
    operation_id = "getConfigGlobal",
    responses((status = 200, description = "The global compatibility config", body = ConfigAnswer))
)]
pub(super) async fn get_global(State(state): State<AppState>) -> Result<Wire<ConfigAnswer>> {
    let config = state.registry.effective_config(GLOBAL_SCOPE).await?;
    Ok(Wire(ConfigAnswer::read(&config)))
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
) -> Result<Wire<ConfigAnswer>> {
    let update = ConfigUpdate::from_json(&body)?;
    state.registry.update_config(GLOBAL_SCOPE, &update).await?;
    let config = state.registry.effective_config(GLOBAL_SCOPE).await?;
    Ok(Wire(ConfigAnswer::written(&config)))
}

#[utoipa::path(
    delete,
    path = "/config",
    tag = "config",
    operation_id = "deleteConfigGlobal",
    responses((status = 200, description = "The global compatibility config before it was reset to the default", body = ConfigAnswer))
)]
pub(super) async fn delete_global(State(state): State<AppState>) -> Result<Wire<ConfigAnswer>> {
    let registry = &state.registry;
    let before = registry.effective_config(GLOBAL_SCOPE).await?;
    registry.delete_config(GLOBAL_SCOPE).await?;
    Ok(Wire(ConfigAnswer::read(&before)))
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
) -> Result<Wire<ConfigAnswer>> {
    let registry = &state.registry;
    if params.flag("defaultToGlobal") {
        let config = registry.effective_config(&subject).await?;
        return Ok(Wire(ConfigAnswer::read(&config)));
    }
    let own = registry
        .config_at(&subject)
        .await?
        .ok_or_else(|| Error::SubjectCompatibilityNotConfigured(subject.clone()))?;
    Ok(Wire(ConfigAnswer::read(&own)))
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
) -> Result<Wire<ConfigAnswer>> {
    validate_scope(&subject)?;
    let update = ConfigUpdate::from_json(&body)?;
    let config = state.registry.update_config(&subject, &update).await?;
    Ok(Wire(ConfigAnswer::written(&config)))
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
) -> Result<Wire<ConfigAnswer>> {
    let old = state.registry.delete_config(&subject).await?;
    Ok(Wire(ConfigAnswer::read(&old)))
}
