//! Authentication and authorisation in front of every route: the middleware that checks a
//! request's credentials against the route it asks for, and `Access`, what those credentials
//! let the handler show.

use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

use super::error::{json_response, ErrorBody};
use super::AppState;
use crate::auth::{required, Need, Role, Token};
use crate::error::Result;
use crate::store::AuditEntry;

/// Whether and how requests are authenticated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthSettings {
    pub enabled: bool,
    /// With authentication on, let requests without credentials read.
    pub anonymous_read: bool,
    /// With authentication on, serve `/metrics` without a token.
    pub metrics_open: bool,
    /// Origins whose browser pages may send writes.
    pub allowed_origins: Vec<String>,
}

fn refuse(status: StatusCode, message: String) -> Response {
    let mut response = json_response(status, &ErrorBody::with_status(status, message));
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Basic realm="herald", Bearer"#),
        );
    }
    response
}

/// The secret a request carries: a bearer token, or the password of HTTP basic auth whose user
/// must then be the token's name.
fn credentials(request: &Request) -> Option<(Option<String>, String)> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    match scheme.to_ascii_lowercase().as_str() {
        "bearer" => Some((None, rest.trim().to_string())),
        "basic" => {
            use base64_decode as decode;
            let decoded = decode(rest.trim())?;
            let (user, pass) = decoded.split_once(':')?;
            Some((Some(user.to_string()), pass.to_string()))
        }
        _ => None,
    }
}

/// Standard base64, as HTTP basic auth uses it.
fn base64_decode(input: &str) -> Option<String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut out = Vec::new();
    for c in input.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        bits = (bits << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    String::from_utf8(out).ok()
}

/// What the request's credentials may see: every subject (authentication off, an anonymous
/// reader, a token without grants) or the subjects its grants cover. Handlers that list or read
/// by id filter with it; routes naming a subject are checked before the handler runs.
#[derive(Debug, Clone)]
pub struct Access {
    token: Option<Arc<Token>>,
    /// Authentication is on and no token was sent (anonymous reading).
    anonymous: bool,
}

impl Access {
    /// Unrestricted: authentication is off.
    pub fn everything() -> Self {
        Access {
            token: None,
            anonymous: false,
        }
    }

    pub fn sees(&self, subject: &str) -> bool {
        self.token.as_ref().is_none_or(|t| t.covers(subject))
    }

    /// Whether the grants narrow what this request sees.
    pub fn is_restricted(&self) -> bool {
        self.token.as_ref().is_some_and(|t| !t.subjects.is_empty())
    }

    /// Whether this request may see every one of `subjects` (an event's, say: its page and API
    /// answer carry those subjects' schemas and examples).
    pub fn sees_all<'a>(&self, subjects: impl IntoIterator<Item = &'a str>) -> bool {
        subjects.into_iter().all(|s| self.sees(s))
    }

    /// Admins (and everyone with authentication off) see token management in the audit trail.
    pub fn is_admin(&self) -> bool {
        match &self.token {
            Some(t) => t.role == Role::Admin,
            None => !self.anonymous,
        }
    }

    /// Schema `id` as this request may see it: held by a granted subject, else 40403 as if it
    /// did not exist, so ids do not leak other subjects' schemas.
    pub async fn check_id(&self, registry: &crate::registry::Registry, id: i64) -> Result<()> {
        if !self.is_restricted() {
            return Ok(());
        }
        let usages = registry.usages_of_id(id, true).await?;
        if usages.iter().any(|u| self.sees(&u.subject)) {
            Ok(())
        } else {
            Err(crate::error::Error::SchemaIdNotFound(
                crate::model::context::wire_id(id),
            ))
        }
    }
}

impl Access {
    /// The audit lines this request may read: token management only for admins, a subject's
    /// lines (its versions, config and mode) only within the grants, catalog lines only for
    /// tokens without grants; anonymous readers do not see client addresses.
    pub fn audit_view(&self, entries: Vec<AuditEntry>) -> Vec<AuditEntry> {
        entries
            .into_iter()
            .filter(|e| self.sees_audit_target(&e.target))
            .map(|mut e| {
                if self.anonymous {
                    e.source = None;
                }
                e
            })
            .collect()
    }

    fn sees_audit_target(&self, target: &str) -> bool {
        let (kind, rest) = target.split_once('/').unwrap_or((target, ""));
        match kind {
            "token" => self.is_admin(),
            "subject" => {
                let subject = rest.rsplit_once("/versions/").map_or(rest, |(s, _)| s);
                self.sees(subject)
            }
            "config" | "mode" if !rest.starts_with("__") && !rest.is_empty() => self.sees(rest),
            _ => !self.is_restricted(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Access {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> std::result::Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Access>()
            .cloned()
            .unwrap_or_else(Access::everything))
    }
}

/// What the authentication check decided about a request.
pub enum Admission {
    /// Authentication is off, or the route is open to all.
    Open,
    /// Admitted on behalf of this token name (or `anonymous`).
    As(String),
    /// Answered with 401 or 403 in the Confluent error body.
    Refused(Response),
}

/// Decides every request: probes pass, others need a token whose role and subject grants cover
/// the route. An admitted request carries its [`Access`] in its extensions.
pub async fn admit(state: &AppState, request: &mut Request) -> Admission {
    if !state.auth.enabled {
        return Admission::Open;
    }
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let route = route.as_str();
    let needed = match required(request.method(), route) {
        Need::Role(role) => role,
        // Metrics name every subject: under authentication they need an unrestricted token.
        Need::Open if route == "/metrics" && !state.auth.metrics_open => Role::Reader,
        Need::Open => return Admission::Open,
    };
    let subject = raw_path_params(request).await.and_then(|p| {
        p.iter().find(|(k, _)| *k == "subject").map(|(_, v)| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    });
    let refuse = |status, message| Admission::Refused(refuse(status, message));
    let Some((user, secret)) = credentials(request) else {
        if needed == Role::Reader && state.auth.anonymous_read {
            request.extensions_mut().insert(Access {
                token: None,
                anonymous: true,
            });
            return Admission::As("anonymous".into());
        }
        return refuse(
            StatusCode::UNAUTHORIZED,
            "Unauthorized: send a token (Bearer, or basic auth as name:secret)".into(),
        );
    };
    let token = match state.registry.authenticate(&secret).await {
        Ok(Some(t)) if user.as_deref().is_none_or(|u| u == t.name) => t,
        Ok(_) => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "Unauthorized: unknown credentials".into(),
            )
        }
        Err(e) => return Admission::Refused(e.into_response()),
    };
    if token.role < needed {
        return refuse(
            StatusCode::FORBIDDEN,
            format!(
                "Token '{}' has role {} but {} {} needs {}",
                token.name,
                token.role,
                request.method(),
                route,
                needed
            ),
        );
    }
    if route == "/metrics" && !token.subjects.is_empty() {
        return refuse(
            StatusCode::FORBIDDEN,
            format!(
                "Token '{}' is limited to some subjects; /metrics names them all",
                token.name
            ),
        );
    }
    if route.starts_with("/herald/v1/services/{name}/asyncapi") && !token.subjects.is_empty() {
        // The document embeds the schema of every event the service touches.
        return refuse(
            StatusCode::FORBIDDEN,
            format!(
                "Token '{}' is limited to some subjects; an AsyncAPI document carries the schemas of every event its service touches",
                token.name
            ),
        );
    }
    if let Some(subject) = &subject {
        if !token.covers(subject) {
            return refuse(
                StatusCode::FORBIDDEN,
                format!("Token '{}' is not granted subject '{subject}'", token.name),
            );
        }
    }
    let name = token.name.clone();
    request.extensions_mut().insert(Access {
        token: Some(Arc::new(token)),
        anonymous: false,
    });
    Admission::As(name)
}

/// The route's raw path parameters, as the router recorded them.
async fn raw_path_params(request: &mut Request) -> Option<RawPathParams> {
    let (mut parts, body) = std::mem::take(request).into_parts();
    let params = RawPathParams::from_request_parts(&mut parts, &())
        .await
        .ok();
    *request = Request::from_parts(parts, body);
    params
}

#[cfg(test)]
mod tests {
    #[test]
    fn basic_auth_decodes() {
        assert_eq!(
            super::base64_decode("Y2k6aHJsZF94"),
            Some("ci:hrld_x".to_string())
        );
        assert_eq!(super::base64_decode("YQ=="), Some("a".to_string()));
    }
}
