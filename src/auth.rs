//! Who may do what. Off by default for a local run; with `--auth` every request but the health
//! and metrics probes needs a token, sent as `Authorization: Bearer <secret>` or, as Confluent
//! clients send `basic.auth.user.info`, as HTTP basic auth with the token's name as the user and
//! its secret as the password. Secrets are stored only as SHA-256 hashes and shown once.

use axum::http::Method;
use sha2::{Digest, Sha256};

pub use crate::model::{Role, Token};

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Probes and unknown routes: nobody is asked for credentials.
    Open,
    Role(Role),
}

/// The role a request needs, by method and route pattern. Reads (including lookup and the
/// compatibility check, which change nothing) need a reader; registering and catalog edits a
/// writer; config, mode, deletes and token management an admin.
pub fn required(method: &Method, route: &str) -> Need {
    let read = method == Method::GET || method == Method::HEAD;
    if route == "unmatched" || route.starts_with("/health/") || route == "/metrics" {
        return Need::Open;
    }
    if route.starts_with("/herald/v1/tokens") {
        return Need::Role(Role::Admin);
    }
    if route.starts_with("/config") || route.starts_with("/mode") {
        return Need::Role(if read { Role::Reader } else { Role::Admin });
    }
    if read {
        return Need::Role(Role::Reader);
    }
    if method == Method::DELETE || route == "/herald/v1/catalog/apply" {
        return Need::Role(Role::Admin);
    }
    let read_like = route == "/subjects/{subject}"
        || route.starts_with("/compatibility/")
        || route.ends_with("/impact")
        || route.ends_with("/validate")
        || route.ends_with("/code/{lang}")
        || route == "/herald/v1/catalog/plan";
    Need::Role(if read_like {
        Role::Reader
    } else {
        Role::Writer
    })
}

/// A fresh token secret.
pub fn new_secret() -> String {
    format!(
        "hrld_{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

tokio::task_local! {
    /// The name of the token behind the request being served, for the audit trail.
    static ACTOR: String;
}

/// Runs `fut` on behalf of `actor`.
pub async fn acting_as<F: std::future::Future>(actor: String, fut: F) -> F::Output {
    ACTOR.scope(actor, fut).await
}

tokio::task_local! {
    /// The address the request being served comes from, for the audit trail.
    static SOURCE: Option<std::net::IpAddr>;
}

/// Runs `fut` for a request from `source`.
pub async fn from_source<F: std::future::Future>(
    source: Option<std::net::IpAddr>,
    fut: F,
) -> F::Output {
    SOURCE.scope(source, fut).await
}

/// Where the current request comes from; `None` outside a request (the command line).
pub fn current_source() -> Option<String> {
    SOURCE
        .try_with(|s| s.map(|ip| ip.to_string()))
        .ok()
        .flatten()
}

/// Who the current request acts for; `anonymous` without authentication.
pub fn current_actor() -> String {
    ACTOR
        .try_with(|a| a.clone())
        .unwrap_or_else(|_| "anonymous".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_need_the_role_their_effect_calls_for() {
        let r = |m: Method, route: &str| required(&m, route);
        assert_eq!(r(Method::GET, "/health/ready"), Need::Open);
        assert_eq!(r(Method::GET, "/subjects"), Need::Role(Role::Reader));
        assert_eq!(
            r(Method::POST, "/subjects/{subject}"),
            Need::Role(Role::Reader)
        );
        assert_eq!(
            r(Method::POST, "/compatibility/subjects/{subject}/versions"),
            Need::Role(Role::Reader)
        );
        assert_eq!(
            r(Method::POST, "/subjects/{subject}/versions"),
            Need::Role(Role::Writer)
        );
        assert_eq!(
            r(Method::DELETE, "/subjects/{subject}"),
            Need::Role(Role::Admin)
        );
        assert_eq!(r(Method::PUT, "/config/{subject}"), Need::Role(Role::Admin));
        assert_eq!(
            r(Method::GET, "/config/{subject}"),
            Need::Role(Role::Reader)
        );
        assert_eq!(r(Method::PUT, "/mode"), Need::Role(Role::Admin));
        assert_eq!(r(Method::GET, "/mode"), Need::Role(Role::Reader));
        assert_eq!(r(Method::GET, "/herald/v1/tokens"), Need::Role(Role::Admin));
        assert_eq!(
            r(Method::GET, "/herald/v1/services/{name}/asyncapi.yaml"),
            Need::Role(Role::Reader)
        );
        assert_eq!(
            r(
                Method::GET,
                "/herald/v1/subjects/{subject}/versions/{version}/code/{lang}"
            ),
            Need::Role(Role::Reader)
        );
        assert_eq!(
            r(Method::POST, "/herald/v1/events"),
            Need::Role(Role::Writer)
        );
    }

    #[test]
    fn grants_are_subject_globs() {
        let t = Token {
            name: "ci".into(),
            role: Role::Writer,
            subjects: vec!["orders.*".into()],
            created_at: 0,
        };
        assert!(t.covers("orders.order.placed-value"));
        assert!(!t.covers("payments-value"));
        let all = Token {
            subjects: vec![],
            ..t
        };
        assert!(all.covers("payments-value"));
    }
}
