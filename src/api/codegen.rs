//! `/herald/v1/subjects/{subject}/versions/{version}/code/{lang}`: typed models of a version's
//! decoded data, as a source file to download.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::codegen::Lang;
use crate::error::{Error, Result};
use crate::http::error::ErrorBody;
use crate::http::wire::PathParams;
use crate::http::AppState;
use crate::model::VersionSpec;

#[utoipa::path(
    get,
    path = "/herald/v1/subjects/{subject}/versions/{version}/code/{lang}",
    tag = "codegen",
    operation_id = "generate_code",
    params(
        ("subject" = String, Path, description = "Subject name"),
        ("version" = String, Path, description = "A version number, `latest` or -1"),
        ("lang" = String, Path, description = "typescript, python, java or rust"),
    ),
    responses(
        (status = 200, description = "The source file (text), named in Content-Disposition", body = String, content_type = "text/plain"),
        (status = 400, description = "Unknown language (400)", body = ErrorBody),
        (status = 404, description = "Subject (40401) or version (40402) not found", body = ErrorBody),
        (status = 422, description = "Invalid version (42202), or a schema too complex to generate for (42201)", body = ErrorBody),
    )
)]
pub(super) async fn code(
    State(state): State<AppState>,
    PathParams((subject, version, lang)): PathParams<(String, String, String)>,
) -> Result<Response> {
    let lang = Lang::parse(&lang).ok_or_else(|| {
        Error::BadRequest(format!(
            "language '{lang}' is not one of typescript, python, java, rust"
        ))
    })?;
    let spec = VersionSpec::parse(&version)?;
    let file = crate::codegen::for_version(&state.registry, &subject, spec, lang).await?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        file.file_name().replace(['"', '\\'], "_")
    );
    let mut response = file.text.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
