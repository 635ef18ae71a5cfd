//! What a schema change does to the services that declared they produce or consume an event,
//! the semver bump it needs, and the contracts (examples, envelope) an event's schemas must keep.

use std::sync::Arc;

use serde::Serialize;

use crate::catalog_entities::contents::{parse_link_version, CatalogState};
use crate::catalog_entities::model::{Event, EventSchema, Level, SchemaVersion};
use crate::error::{Error, Result};
use crate::formats::{self, reason, Parsed, Reason};
use crate::model::{context, SchemaType, VersionSpec};
use crate::registry::compatibility::Breakage;
use crate::registry::{Registry, SchemaRequest};

/// How impact reports name a candidate schema that has no version yet.
pub const CANDIDATE: &str = "the new schema";

/// A service a candidate schema would break (or, in `safe`, one it would not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Impact {
    pub service: String,
    /// `consumer` or `producer`.
    pub role: String,
    /// The catalog version the service declared it reads or writes.
    pub version: Option<String>,
    pub team: Option<String>,
    pub contact: Option<String>,
    /// Why, in one sentence (the first of `reasons`, or what else keeps the service apart).
    pub reason: Option<String>,
    /// Why, as data: what the change does to the version the service declared.
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImpactReport {
    pub subject: String,
    pub event: Option<String>,
    pub breaks: Vec<Impact>,
    pub safe: Vec<Impact>,
    /// The subject's compatibility level.
    pub level: String,
    /// The registered version the candidate breaks with under that level, if any.
    pub against_version: Option<i32>,
    /// Why the registry would refuse the candidate under that level; empty when it accepts it.
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    Patch,
    Minor,
    Major,
}

/// The bump a new version needs over the previous one: an incompatible change (the new schema
/// cannot read the old data) is major, a documentation-only change patch, anything else minor.
pub fn required_bump(previous: &Parsed, next: &Parsed) -> Bump {
    if !formats::incompatibilities(next, previous, true).is_empty() {
        Bump::Major
    } else if formats::without_docs(previous) == formats::without_docs(next) {
        Bump::Patch
    } else {
        Bump::Minor
    }
}

/// Refuses a declared version that understates the change.
pub fn check_declared(
    previous: &semver::Version,
    declared: &semver::Version,
    bump: Bump,
) -> std::result::Result<(), String> {
    let enough = match bump {
        Bump::Major => declared.major > previous.major,
        Bump::Minor => {
            declared.major > previous.major
                || (declared.major == previous.major && declared.minor > previous.minor)
        }
        Bump::Patch => declared > previous,
    };
    if enough {
        Ok(())
    } else {
        Err(format!(
            "version {declared} understates the change from {previous}: it needs a {} bump",
            match bump {
                Bump::Major => "major",
                Bump::Minor => "minor",
                Bump::Patch => "patch",
            }
        ))
    }
}

impl Registry {
    /// The parsed schema of one catalog version: registered (by id or registry version) or inline.
    pub(crate) async fn catalog_version_schema(
        &self,
        schema: &EventSchema,
        version: &SchemaVersion,
    ) -> Result<Option<Arc<Parsed>>> {
        if let Some(id) = version.id {
            let entry = self.schema_by_id(id).await?;
            return self.parsed(&entry).await.map(Some);
        }
        if let Some(v) = version.registry_version {
            let found = self
                .get_version(&schema.subject, VersionSpec::Number(v), true)
                .await?;
            return self.parsed(&found.schema).await.map(Some);
        }
        let Some(text) = &version.schema else {
            return Ok(None);
        };
        let schema_type = SchemaType::from_request(version.schema_type.as_deref())?;
        let deps = self
            .resolve_references(&context::of(&schema.subject), &schema.references, true)
            .await?;
        formats::parse(schema_type, text, &deps, false).map(|p| Some(Arc::from(p)))
    }

    /// Every example must be valid against the version it names.
    pub(crate) async fn check_examples(&self, event: &Event) -> Result<()> {
        let mut errors = Vec::new();
        for example in &event.examples {
            let found = event.value_subject().and_then(|s| {
                s.versions
                    .iter()
                    .find(|v| v.version == example.version)
                    .map(|v| (s, v))
            });
            let Some((schema, version)) = found else {
                errors.push(format!(
                    "example '{}' names version {} that event '{}' does not have",
                    example.name, example.version, event.name
                ));
                continue;
            };
            if let Some(parsed) = self.catalog_version_schema(schema, version).await? {
                for problem in formats::validate_payload(&*parsed, &example.payload) {
                    errors.push(format!(
                        "example '{}' does not match version {}: {problem}",
                        example.name, example.version
                    ));
                }
            }
        }
        crate::catalog_entities::contents::refuse(errors)
    }

    /// The stored examples of the event bound to `subject` that `schema` cannot accept.
    pub(crate) async fn broken_examples(
        &self,
        subject: &str,
        schema: &Parsed,
    ) -> Result<Vec<String>> {
        let state = self.catalog().await?;
        let Some(event) = state.event_for_subject(subject) else {
            return Ok(Vec::new());
        };
        Ok(event
            .examples
            .iter()
            .filter_map(|ex| {
                let problems = formats::validate_payload(schema, &ex.payload);
                (!problems.is_empty()).then(|| {
                    format!(
                        "example '{}' of event '{}' no longer matches: {}",
                        ex.name,
                        event.name,
                        formats::describe_payload_errors(&problems)
                    )
                })
            })
            .collect())
    }

    /// A registration made outside the catalog (a serializer, say) cannot be refused for an
    /// example, so a broken one goes to the audit trail and the log.
    pub(crate) async fn report_broken_examples(
        &self,
        subject: &str,
        version: i32,
        schema: &Parsed,
    ) {
        match self.broken_examples(subject, schema).await {
            Ok(broken) if !broken.is_empty() => {
                tracing::warn!(
                    subject,
                    version,
                    ?broken,
                    "new version breaks stored examples"
                );
                self.note(
                    "example.broken",
                    &format!("subject/{subject}/versions/{version}"),
                    None,
                    Some(broken.into()),
                )
                .await;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(subject, error = %e, "could not check stored examples"),
        }
    }

    /// The envelope rule: the latest value schema carries the required top-level fields.
    pub(crate) async fn check_envelope(
        &self,
        state: &CatalogState,
        event: &Event,
    ) -> Result<(Vec<String>, Vec<String>)> {
        let rule = &state.policy.envelope;
        if rule.level == Level::Off {
            return Ok((Vec::new(), Vec::new()));
        }
        let Some(schema) = event.value_subject() else {
            return Ok((Vec::new(), Vec::new()));
        };
        let Some(latest) = schema.versions.last() else {
            return Ok((Vec::new(), Vec::new()));
        };
        let Some(parsed) = self.catalog_version_schema(schema, latest).await? else {
            return Ok((Vec::new(), Vec::new()));
        };
        let names = formats::field_names(&*parsed);
        let missing: Vec<&str> = rule
            .fields
            .iter()
            .filter(|f| !names.contains(f))
            .map(String::as_str)
            .collect();
        if missing.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let message = format!(
            "policy envelope: event '{}' value schema {} lacks {}",
            event.name,
            latest.version,
            missing.join(", ")
        );
        Ok(match rule.level {
            Level::Error => (vec![message], Vec::new()),
            _ => (Vec::new(), vec![message]),
        })
    }

    /// Every declared producer and consumer of the event bound to `subject` that `request`
    /// would break, each checked against the version it declared, not only the latest; and
    /// why the registry would refuse it under the subject's compatibility level.
    /// Consumers that declared the fields they read are safe when only other fields change.
    pub async fn impact(&self, subject: &str, request: &SchemaRequest) -> Result<ImpactReport> {
        let state = self.catalog().await?;
        let (candidate, _) = self.parse_request(subject, request, false, true).await?;
        let labels = registered_labels(&state, subject);
        let Breakage {
            level,
            against_version,
            reasons,
        } = self
            .breakage(subject, candidate.clone(), labels, CANDIDATE)
            .await?;
        let mut report = self
            .impact_in(&state, subject, &*candidate, CANDIDATE)
            .await?;
        report.level = level;
        report.against_version = against_version;
        report.reasons = reasons;
        Ok(report)
    }

    /// The producers and consumers in `state` that `candidate` (named `label`) would break as
    /// the next version of `subject`.
    pub async fn impact_in(
        &self,
        state: &CatalogState,
        subject: &str,
        candidate: &Parsed,
        label: &str,
    ) -> Result<ImpactReport> {
        let mut report = ImpactReport {
            subject: subject.to_string(),
            event: None,
            breaks: Vec::new(),
            safe: Vec::new(),
            level: String::new(),
            against_version: None,
            reasons: Vec::new(),
        };
        let Some(event) = state.event_for_subject(subject) else {
            return Ok(report);
        };
        report.event = Some(event.name.clone());
        let Some(schema) = event.schemas.iter().find(|s| s.subject == subject) else {
            return Ok(report);
        };
        for (service, role, link) in state.links_to(&event.name) {
            let team = service.owner.as_ref().and_then(|t| state.teams.get(t));
            let mut impact = Impact {
                service: service.name.clone(),
                role: role.to_string(),
                version: None,
                team: service.owner.clone(),
                contact: team
                    .and_then(|t| t.contact.email.clone().or_else(|| t.contact.chat.clone())),
                reason: None,
                reasons: Vec::new(),
            };
            let Ok(wanted) = parse_link_version(&link.version, role == "producer") else {
                continue;
            };
            let declared = schema
                .versions
                .iter()
                .filter(|v| semver::Version::parse(&v.version).is_ok_and(|sv| wanted.matches(&sv)))
                .max_by_key(|v| semver::Version::parse(&v.version).ok());
            let Some(declared) = declared else {
                impact.reason = Some(format!(
                    "declares version '{}', which the catalog does not have",
                    link.version
                ));
                report.breaks.push(impact);
                continue;
            };
            impact.version = Some(declared.version.clone());
            let Some(theirs) = self.catalog_version_schema(schema, declared).await? else {
                continue;
            };
            // A consumer reads new data with its own version; a producer's data must stay
            // readable with the new schema.
            let diffs = if role == "consumer" {
                formats::differences(&*theirs, candidate, false)
            } else {
                formats::differences(candidate, &*theirs, true)
            };
            if diffs.is_empty() {
                continue;
            }
            impact.reasons = reason::merge(diffs.iter().map(|d| d.reason.clone()))
                .into_iter()
                .map(|r| r.labelled(&declared.version, label))
                .collect();
            let untouched = role == "consumer"
                && !link.fields.is_empty()
                && diffs
                    .iter()
                    .all(|d| d.field.as_ref().is_some_and(|f| !link.fields.contains(f)));
            if untouched {
                impact.reason = Some(format!(
                    "the change touches only fields it does not read ({})",
                    diffs
                        .iter()
                        .filter_map(|d| d.field.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                report.safe.push(impact);
            } else {
                impact.reason = impact.reasons.first().map(|r| r.text.clone());
                report.breaks.push(impact);
            }
        }
        Ok(report)
    }
}

/// The catalog's semver of each registered version of `subject`, to name versions by.
pub fn registered_labels(
    state: &CatalogState,
    subject: &str,
) -> std::collections::HashMap<i32, String> {
    state
        .event_for_subject(subject)
        .and_then(|e| e.schemas.iter().find(|s| s.subject == subject))
        .map(|s| {
            s.versions
                .iter()
                .filter_map(|v| v.registry_version.map(|n| (n, v.version.clone())))
                .collect()
        })
        .unwrap_or_default()
}

impl From<semver::Error> for Error {
    fn from(e: semver::Error) -> Self {
        Error::CatalogInvalid(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> semver::Version {
        semver::Version::parse(s).unwrap()
    }

    #[test]
    fn declared_versions_must_not_understate_the_bump() {
        assert!(check_declared(&v("1.2.0"), &v("2.0.0"), Bump::Major).is_ok());
        assert!(check_declared(&v("1.2.0"), &v("1.3.0"), Bump::Major).is_err());
        assert!(check_declared(&v("1.2.0"), &v("1.3.0"), Bump::Minor).is_ok());
        assert!(check_declared(&v("1.2.0"), &v("1.2.1"), Bump::Minor).is_err());
        assert!(check_declared(&v("1.2.0"), &v("1.2.1"), Bump::Patch).is_ok());
        assert!(check_declared(&v("1.2.0"), &v("1.2.0"), Bump::Patch).is_err());
    }
}
