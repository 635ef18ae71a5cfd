//! The Confluent wire conventions shared by every route: content types, lenient query flags,
//! JSON bodies with a size limit, and path parameters whose failures are JSON 404s.

use std::collections::HashMap;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::AppState;
use crate::error::Error;

use super::error::{json_response, raw_response};

/// Request content types Confluent treats as JSON; a missing one is fine too.
const ACCEPTED_CONTENT_TYPES: [&str; 4] = [
    "application/vnd.schemaregistry.v1+json",
    "application/vnd.schemaregistry+json",
    "application/json",
    "application/octet-stream",
];

/// A 200 answer in the registry's JSON content type.
pub struct Wire<T>(pub T);

impl<T: Serialize> IntoResponse for Wire<T> {
    fn into_response(self) -> Response {
        json_response(StatusCode::OK, &self.0)
    }
}

/// A 200 answer whose JSON was encoded before the request came (see `registry::answers`).
pub struct Prepared(pub bytes::Bytes);

impl IntoResponse for Prepared {
    fn into_response(self) -> Response {
        raw_response(StatusCode::OK, self.0)
    }
}

/// A 201 answer in the registry's JSON content type.
pub struct Created<T>(pub T);

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        json_response(StatusCode::CREATED, &self.0)
    }
}

/// A schema's text as the whole body (not JSON-quoted), still labelled as registry JSON.
pub struct RawSchema(pub String);

impl IntoResponse for RawSchema {
    fn into_response(self) -> Response {
        raw_response(StatusCode::OK, self.0)
    }
}

/// Query parameters. Unknown ones are ignored; booleans are `true` in any case, anything else false.
#[derive(Debug, Default)]
pub struct Params(HashMap<String, String>, Vec<(String, String)>);

impl Params {
    /// Every value a repeated parameter was given, in request order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.1
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn flag(&self, name: &str) -> bool {
        self.0
            .get(name)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Whether the schema text is asked for in another encoding (`format`), which a
    /// prepared answer does not hold.
    pub fn asks_format(&self) -> bool {
        self.get("format").is_some_and(|f| !f.is_empty())
    }

    /// A non-negative count (offset); anything else gives `default`.
    pub fn count(&self, name: &str, default: usize) -> usize {
        self.get(name)
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(default)
    }

    /// A limit where `-1` (or absence) means none.
    pub fn limit(&self, name: &str, default: Option<usize>) -> Option<usize> {
        match self.get(name).map(|v| v.trim().parse::<i64>()) {
            Some(Ok(n)) if n >= 0 => Some(n as usize),
            Some(Ok(_)) => None,
            _ => default,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        let query = parts.uri.query().unwrap_or_default();
        // Empty segments (`deleted=false&&key=k`, as Confluent's JavaScript client sends) are
        // skipped by the parser.
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if pairs
            .iter()
            .any(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return Err(Error::BadRequest(NUL_REFUSED.into()));
        }
        let params: HashMap<String, String> = pairs.iter().cloned().collect();
        Ok(Params(params, pairs))
    }
}

/// Path parameters, percent-decoded (`%2F` stays inside its segment); a malformed one is the
/// same JSON 404 as an unknown route.
pub struct PathParams<T>(pub T);

impl<T, S> FromRequestParts<S> for PathParams<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        // Nothing stored can hold a NUL (PostgreSQL refuses it in text), so it names nothing.
        if parts.uri.path().contains("%00") {
            return Err(Error::NotFound);
        }
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| PathParams(p.0))
            .map_err(|_| Error::NotFound)
    }
}

/// PostgreSQL cannot store a NUL in text, and no schema or name needs one: refused up front, the
/// same on both backends, rather than failing in the database.
const NUL_REFUSED: &str =
    "The request contains a NUL character (\\u0000), which Herald does not store";

fn holds_nul(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// A JSON request body: content type checked (415), size limited (413), syntax and shape
/// errors answered with 400. An empty body reads as `{}`.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Error> {
        match read_body(req, state).await? {
            Some(bytes) => Ok(JsonBody(parse_body(&bytes)?)),
            None => Ok(JsonBody(deserialize_body(serde_json::Value::Object(
                Default::default(),
            ))?)),
        }
    }
}

/// A JSON body that may be missing altogether (`None` for an empty or whitespace-only body),
/// for the routes where Confluent tells "no body" from `{}`.
pub struct OptionalJsonBody<T>(pub Option<T>);

impl<T: DeserializeOwned> FromRequest<AppState> for OptionalJsonBody<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Error> {
        match read_body(req, state).await? {
            Some(bytes) => Ok(OptionalJsonBody(Some(parse_body(&bytes)?))),
            None => Ok(OptionalJsonBody(None)),
        }
    }
}

fn deserialize_body<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, Error> {
    T::deserialize(value)
        .map_err(|e| Error::BadRequest(format!("Cannot deserialize request body: {e}")))
}

/// A JSON body as `T`. A body that cannot hold a NUL (JSON writes one only as `\u0000`) and
/// reads as `T` straight away is taken as it is; any other goes through a `Value` first, which
/// keeps the error messages (and the refusal of NULs and the last-wins duplicate keys) as they
/// always were.
fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    if !bytes.windows(5).any(|w| w == b"u0000") {
        if let Ok(parsed) = serde_json::from_slice::<T>(bytes) {
            return Ok(parsed);
        }
    }
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| Error::BadRequest(format!("Unexpected character in request body: {e}")))?;
    if holds_nul(&value) {
        return Err(Error::BadRequest(NUL_REFUSED.into()));
    }
    deserialize_body(value)
}

/// Whether a body of this content type (none counts as JSON) is read as JSON.
pub fn accepts_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(ct) = headers.get(header::CONTENT_TYPE) else {
        return true;
    };
    let essence = ct
        .to_str()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence.is_empty() || ACCEPTED_CONTENT_TYPES.contains(&essence.as_str())
}

/// The body after the content-type and size checks; `None` when it is empty or blank.
async fn read_body(req: Request, state: &AppState) -> Result<Option<axum::body::Bytes>, Error> {
    if !accepts_content_type(req.headers()) {
        return Err(Error::UnsupportedMediaType);
    }
    let limit = state.max_body_bytes;
    let bytes = axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| Error::PayloadTooLarge(limit))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    Ok(Some(bytes))
}
