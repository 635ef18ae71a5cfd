//! What an event page warns about: consumers that read another version than the producers
//! write (a major behind, or pinned to an older one), and versions a link or the registry
//! names that the catalog does not declare.

use semver::Version;

use crate::catalog_entities::contents::parse_link_version;
use crate::catalog_entities::model::{EventSchema, Link, Service};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// `older-major`, `pinned` or `undeclared`: a CSS class and what tests look for.
    pub kind: &'static str,
    pub service: Option<String>,
    pub text: String,
}

fn declared(schema: &EventSchema) -> Vec<Version> {
    let mut out: Vec<Version> = schema
        .versions
        .iter()
        .filter_map(|v| Version::parse(&v.version).ok())
        .collect();
    out.sort();
    out
}

/// Warnings about each service linked to the event whose value schema is `schema`: `links`
/// holds (service, `producer` or `consumer`, link), as `CatalogState::links_to` gives them.
pub fn link_warnings(schema: &EventSchema, links: &[(&Service, &str, &Link)]) -> Vec<Warning> {
    let versions = declared(schema);
    let mut out = Vec::new();
    let mut written: Vec<(String, Version)> = Vec::new();
    for (service, role, link) in links.iter().filter(|(_, r, _)| *r == "producer") {
        match Version::parse(link.version.trim()) {
            Ok(v) if versions.contains(&v) => written.push((service.name.clone(), v)),
            _ => out.push(undeclared(service, role, link)),
        }
    }
    // What consumers meet on the channel: the newest version a producer writes, else the
    // newest the catalog declares.
    let newest = written
        .iter()
        .max_by(|a, b| a.1.cmp(&b.1))
        .map(|(s, v)| (Some(s.clone()), v.clone()))
        .or_else(|| versions.last().map(|v| (None, v.clone())));
    let Some((writer, writes)) = newest else {
        return out;
    };
    let by = writer
        .map(|w| format!("{w} writes"))
        .unwrap_or_else(|| "the newest declared version is".into());
    for (service, role, link) in links.iter().filter(|(_, r, _)| *r == "consumer") {
        let Ok(wanted) = parse_link_version(&link.version, false) else {
            continue;
        };
        if wanted.matches(&writes) {
            continue;
        }
        let Some(best) = versions.iter().rev().find(|v| wanted.matches(v)) else {
            out.push(undeclared(service, role, link));
            continue;
        };
        let (kind, text) = if best.major < writes.major {
            (
                "older-major",
                format!(
                    "{} reads {} (major {}) but {by} {writes}: a major version behind, it may fail on the new data",
                    service.name, link.version, best.major
                ),
            )
        } else {
            (
                "pinned",
                format!(
                    "{} pins {} but {by} {writes}: it has not declared that it reads the newer version",
                    service.name, link.version
                ),
            )
        };
        out.push(Warning {
            kind,
            service: Some(service.name.clone()),
            text,
        });
    }
    out
}

fn undeclared(service: &Service, role: &str, link: &Link) -> Warning {
    Warning {
        kind: "undeclared",
        service: Some(service.name.clone()),
        text: format!(
            "{} ({role}) declares version {}, which the catalog does not have",
            service.name, link.version
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_entities::model::SchemaVersion;

    fn schema(versions: &[&str]) -> EventSchema {
        EventSchema {
            subject: "e-value".into(),
            role: "value".into(),
            versions: versions
                .iter()
                .map(|v| SchemaVersion {
                    version: v.to_string(),
                    file: None,
                    schema: None,
                    schema_type: None,
                    id: None,
                    registry_version: None,
                })
                .collect(),
            references: Vec::new(),
        }
    }

    fn service(name: &str) -> Service {
        serde_json::from_value(serde_json::json!({ "name": name })).unwrap()
    }

    fn link(version: &str) -> Link {
        serde_json::from_value(serde_json::json!({ "event": "e", "version": version })).unwrap()
    }

    #[test]
    fn consumers_behind_the_producer_are_named() {
        let s = schema(&["1.0.0", "1.2.0", "2.0.0"]);
        let (p, pinned, old, fine, ghost) = (
            service("p"),
            service("pinned"),
            service("old"),
            service("fine"),
            service("ghost"),
        );
        let (l_p, l_pin, l_old, l_fine, l_ghost) = (
            link("2.0.0"),
            link("2.0.0"),
            link("^1.0"),
            link("^2.0"),
            link("^3.0"),
        );
        let links = vec![
            (&p, "producer", &l_p),
            (&pinned, "consumer", &l_pin),
            (&old, "consumer", &l_old),
            (&fine, "consumer", &l_fine),
            (&ghost, "consumer", &l_ghost),
        ];
        let found = link_warnings(&s, &links);
        let kinds: Vec<(&str, &str)> = found
            .iter()
            .map(|w| (w.kind, w.service.as_deref().unwrap()))
            .collect();
        assert_eq!(kinds, [("older-major", "old"), ("undeclared", "ghost")]);
        let l_pin_old = link("1.0.0");
        let links = vec![(&p, "producer", &l_p), (&pinned, "consumer", &l_pin_old)];
        let w = link_warnings(&schema(&["1.0.0", "1.2.0", "2.0.0"]), &links);
        assert_eq!(w[0].kind, "older-major");
        let l_p12 = link("1.2.0");
        let links = vec![(&p, "producer", &l_p12), (&pinned, "consumer", &l_pin_old)];
        let w = link_warnings(&s, &links);
        assert_eq!(w[0].kind, "pinned");
        assert!(w[0].text.contains("pins 1.0.0 but p writes 1.2.0"), "{w:?}");
    }
}
