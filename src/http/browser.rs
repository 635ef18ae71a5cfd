//! What browsers are told and refused: security headers on every answer, and writes sent by
//! other sites' pages refused, so a page a developer visits cannot drive a Herald on their
//! machine (with authentication off, nothing else would stop it).

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::error::Error;

/// Scripts and styles only from Herald itself (style attributes allowed: field tables indent
/// with them), no plugins, no framing, forms only back to Herald.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

/// Adds the security headers every answer carries (and the content security policy to pages).
pub fn secure(response: &mut Response) {
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    let html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if html {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
}

/// The refusal of a write that a browser says comes from another site's page.
pub fn refuse_foreign_write(headers: &HeaderMap, allowed: &[String]) -> Option<Response> {
    let origin = foreign_origin(headers, allowed)?;
    Some(
        Error::Forbidden(format!(
            "a write from a page of {origin} is refused (allow it with --allowed-origins)"
        ))
        .into_response(),
    )
}

/// The other site a request comes from, per the browser: its `Origin` when that is neither
/// this server's own (the `Host` it was sent to) nor allowed, or `Sec-Fetch-Site: cross-site`.
/// Non-browser clients send neither header and pass.
pub fn foreign_origin(headers: &HeaderMap, allowed: &[String]) -> Option<String> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = text("origin") {
        let origin = origin.trim_end_matches('/');
        if allowed.iter().any(|a| a == origin) {
            return None;
        }
        let host = text("host").unwrap_or_default();
        let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
        if origin == "null" || !origin_host.eq_ignore_ascii_case(host) {
            return Some(origin.to_string());
        }
        return None;
    }
    (text("sec-fetch-site") == Some("cross-site")).then(|| "another site".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn writes_from_other_sites_are_told_apart() {
        let none: Vec<String> = Vec::new();
        assert_eq!(foreign_origin(&headers(&[]), &none), None);
        assert_eq!(
            foreign_origin(
                &headers(&[
                    ("origin", "http://127.0.0.1:8081"),
                    ("host", "127.0.0.1:8081")
                ]),
                &none
            ),
            None
        );
        assert_eq!(
            foreign_origin(
                &headers(&[
                    ("origin", "https://evil.example"),
                    ("host", "127.0.0.1:8081")
                ]),
                &none
            )
            .as_deref(),
            Some("https://evil.example")
        );
        assert!(foreign_origin(&headers(&[("sec-fetch-site", "cross-site")]), &none).is_some());
        assert!(foreign_origin(&headers(&[("sec-fetch-site", "same-origin")]), &none).is_none());
        let allowed = vec!["https://portal.example".to_string()];
        assert_eq!(
            foreign_origin(
                &headers(&[
                    ("origin", "https://portal.example"),
                    ("host", "herald:8081")
                ]),
                &allowed
            ),
            None
        );
        assert!(foreign_origin(&headers(&[("origin", "null"), ("host", "h")]), &none).is_some());
    }
}
