//! Confluent's path-prefix form of contexts, rewritten before routing as Confluent's request
//! filter does: `/contexts/{ctx}/subjects/{s}/…` is `/subjects/:.ctx:s/…`,
//! `/contexts/{ctx}/config` the context's own config, `/contexts/{ctx}/schemas/ids/{id}` the
//! id looked up in that context. Subjects written `:ctx:s` are spelled `:.ctx:s` everywhere, so
//! authorisation and storage see one name per subject.

use axum::http::Uri;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

use crate::model::context;

/// What a path segment may not carry unencoded.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// Route prefixes whose next segment is a subject (or a scope, for config and mode).
const SUBJECT_ROUTES: &[&str] = &["subjects", "config", "mode"];

/// The URI to route `uri` by, when it differs.
pub fn rewrite(uri: &Uri) -> Option<Uri> {
    let path = uri.path();
    let prefixed = path.starts_with("/contexts/");
    if !prefixed && !path.contains(':') && !path.contains("%3") {
        return None;
    }
    let mut segments: Vec<String> = path.split('/').skip(1).map(str::to_string).collect();
    let mut query: Vec<(String, String)> =
        form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let mut changed = false;
    if prefixed && segments.len() > 2 {
        let raw = decode(&segments[1]);
        let ctx = context::parse_name(&raw)?;
        segments.drain(..2);
        changed = true;
        let rest: Vec<&str> = segments.iter().map(String::as_str).collect();
        match rest.as_slice() {
            ["config" | "mode"] => segments.push(encode(&context::scope(&ctx))),
            ["subjects" | "schemas"] if !query.iter().any(|(k, _)| k == "subjectPrefix") => {
                query.push(("subjectPrefix".into(), context::scope(&ctx)));
            }
            ["schemas", "ids", ..] => {
                let hint = match query.iter().position(|(k, _)| k == "subject") {
                    Some(at) => context::in_context(&ctx, &query.remove(at).1),
                    None => context::scope(&ctx),
                };
                query.push(("subject".into(), hint));
            }
            _ => {}
        }
        if let Some(at) = subject_at(&segments) {
            let subject = decode(&segments[at]);
            if !subject.starts_with(':') {
                segments[at] = encode(&context::qualify(&ctx, &subject));
            }
        }
    }
    if let Some(at) = subject_at(&segments) {
        let subject = decode(&segments[at]);
        let normal = context::normalize(&subject);
        if normal != subject {
            segments[at] = encode(&normal);
            changed = true;
        }
    }
    if !changed {
        return None;
    }
    let mut out = String::with_capacity(path.len() + 16);
    for segment in &segments {
        out.push('/');
        out.push_str(segment);
    }
    if !query.is_empty() {
        out.push('?');
        out.push_str(
            &form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&query)
                .finish(),
        );
    }
    out.parse().ok()
}

/// Where the subject segment is among `segments` (the path without its leading `/`).
fn subject_at(segments: &[String]) -> Option<usize> {
    let start = match segments.first().map(String::as_str) {
        Some("compatibility") if segments.get(1).map(String::as_str) == Some("subjects") => 2,
        Some(first) if SUBJECT_ROUTES.contains(&first) => 1,
        _ => return None,
    };
    (segments.len() > start).then_some(start)
}

fn decode(segment: &str) -> String {
    percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routed(uri: &str) -> String {
        rewrite(&uri.parse().unwrap()).map_or_else(|| uri.to_string(), |u| u.to_string())
    }

    #[test]
    fn the_prefix_form_names_subjects_scopes_and_ids_in_its_context() {
        assert_eq!(
            routed("/contexts/.eu/subjects/orders/versions/1"),
            "/subjects/:.eu:orders/versions/1"
        );
        assert_eq!(
            routed("/contexts/eu/subjects/orders/versions"),
            "/subjects/:.eu:orders/versions"
        );
        assert_eq!(
            routed("/contexts/.eu/subjects"),
            "/subjects?subjectPrefix=%3A.eu%3A"
        );
        assert_eq!(routed("/contexts/.eu/config"), "/config/:.eu:");
        assert_eq!(routed("/contexts/.eu/mode/orders"), "/mode/:.eu:orders");
        assert_eq!(
            routed("/contexts/.eu/schemas/ids/3?format=serialized"),
            "/schemas/ids/3?format=serialized&subject=%3A.eu%3A"
        );
        assert_eq!(
            routed("/contexts/.eu/schemas/ids/3?subject=orders"),
            "/schemas/ids/3?subject=%3A.eu%3Aorders"
        );
        assert_eq!(
            routed("/contexts/.eu/compatibility/subjects/orders/versions/latest"),
            "/compatibility/subjects/:.eu:orders/versions/latest"
        );
        assert_eq!(
            routed("/contexts/./subjects/orders/versions"),
            "/subjects/orders/versions"
        );
        // Already qualified subjects keep their own context.
        assert_eq!(
            routed("/contexts/.eu/subjects/:.us:orders/versions"),
            "/subjects/:.us:orders/versions"
        );
        // The context itself and the list are routes of their own.
        assert_eq!(routed("/contexts/.eu"), "/contexts/.eu");
        assert_eq!(routed("/contexts"), "/contexts");
    }

    #[test]
    fn subjects_get_one_spelling() {
        assert_eq!(
            routed("/subjects/:eu:orders/versions"),
            "/subjects/:.eu:orders/versions"
        );
        assert_eq!(
            routed("/subjects/%3Aeu%3Aorders/versions"),
            "/subjects/:.eu:orders/versions"
        );
        assert_eq!(
            routed("/subjects/:.:orders/versions"),
            "/subjects/orders/versions"
        );
        assert_eq!(
            routed("/subjects/:.eu:orders/versions"),
            "/subjects/:.eu:orders/versions"
        );
        assert_eq!(
            routed("/subjects/a%2Fb/versions"),
            "/subjects/a%2Fb/versions"
        );
        assert_eq!(routed("/schemas/ids/1"), "/schemas/ids/1");
        assert_eq!(
            routed("/compatibility/subjects/:eu:o/versions"),
            "/compatibility/subjects/:.eu:o/versions"
        );
    }
}
