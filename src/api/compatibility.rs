//! `/compatibility`: would this schema be accepted, against one version or all the level needs?

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::Result;
use crate::http::error::ErrorBody;
use crate::http::wire::{JsonBody, Params, PathParams, Wire};
use crate::http::AppState;
use crate::model::VersionSpec;
use crate::registry::compatibility::CompatibilityResult;
use crate::registry::SchemaRequest;

/// The answer to a compatibility check; `messages` only with `verbose=true`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompatibilityAnswer {
    pub is_compatible: bool,
    /// Present (possibly empty) only when `verbose` was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub messages: Option<Vec<String>>,
}

impl CompatibilityAnswer {
    fn new(result: CompatibilityResult, verbose: bool) -> Self {
        CompatibilityAnswer {
            is_compatible: result.is_compatible,
            messages: verbose.then_some(result.messages),
        }
    }
}

#[utoipa::path(
    post,
    path = "/compatibility/subjects/{subject}/versions",
    tag = "compatibility",
    operation_id = "checkAgainstLevel",
    params(
        ("subject" = String, Path, description = "Subject name"),
        ("verbose" = Option<bool>, Query, description = "Answer the reasons too"),
        ("normalize" = Option<bool>, Query, description = "Normalize the schema before checking"),
    ),
    request_body = SchemaRequest,
    responses(
        (status = 200, description = "Whether the subject's level accepts the schema", body = CompatibilityAnswer),
        (status = 422, description = "Invalid schema (42201)", body = ErrorBody),
        (status = 400, description = "Malformed body", body = ErrorBody),
    )
)]
pub(super) async fn against_level(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
    params: Params,
    JsonBody(request): JsonBody<SchemaRequest>,
) -> Result<Wire<CompatibilityAnswer>> {
    let verbose = params.flag("verbose");
    let result = state
        .registry
        .test_compatibility(&subject, None, &request, params.flag("normalize"), verbose)
        .await?;
    Ok(Wire(CompatibilityAnswer::new(result, verbose)))
}

#[utoipa::path(
    post,
    path = "/compatibility/subjects/{subject}/versions/{version}",
    tag = "compatibility",
    operation_id = "checkAgainstVersion",
    params(
        ("subject" = String, Path, description = "Subject name"),
        ("version" = String, Path, description = "Version number, or `latest` (also `-1`)", pattern = r"^(latest|-1|[1-9][0-9]{0,8})$"),
        ("verbose" = Option<bool>, Query, description = "Answer the reasons too"),
        ("normalize" = Option<bool>, Query, description = "Normalize the schema before checking"),
    ),
    request_body = SchemaRequest,
    responses(
        (status = 200, description = "Whether the schema is compatible with that version", body = CompatibilityAnswer),
        (status = 404, description = "Subject (40401) or version (40402) not found", body = ErrorBody),
        (status = 422, description = "Invalid schema (42201) or version (42202)", body = ErrorBody),
        (status = 400, description = "Malformed body", body = ErrorBody),
    )
)]
pub(super) async fn against_version(
    State(state): State<AppState>,
    PathParams((subject, version)): PathParams<(String, String)>,
    params: Params,
    JsonBody(request): JsonBody<SchemaRequest>,
) -> Result<Wire<CompatibilityAnswer>> {
    let verbose = params.flag("verbose");
    let spec = VersionSpec::parse(&version)?;
    let result = state
        .registry
        .test_compatibility(
            &subject,
            Some(spec),
            &request,
            params.flag("normalize"),
            verbose,
        )
        .await?;
    Ok(Wire(CompatibilityAnswer::new(result, verbose)))
}
