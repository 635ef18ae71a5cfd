//! The whole catalog as one value (every domain, team, service and event, the policy and the
//! ownership rules), and the rules an entity must satisfy against the rest of it.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::model::{Domain, Event, Level, Lifecycle, OwnerRule, Policy, Service, Team};
use crate::error::{Error, Result};
use crate::store::CatalogRow;

/// Entity kinds as stored.
pub const DOMAIN: &str = "domain";
pub const TEAM: &str = "team";
pub const SERVICE: &str = "service";
pub const EVENT: &str = "event";
/// Singletons: the policy and the ownership rules.
pub const SETTINGS: &str = "settings";
pub const POLICY_NAME: &str = "policy";
pub const OWNERS_NAME: &str = "owners";

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CatalogState {
    pub domains: BTreeMap<String, Domain>,
    pub teams: BTreeMap<String, Team>,
    pub services: BTreeMap<String, Service>,
    pub events: BTreeMap<String, Event>,
    pub policy: Policy,
    pub owners: Vec<OwnerRule>,
}

fn decode<T: serde::de::DeserializeOwned>(row: &CatalogRow) -> Result<T> {
    serde_json::from_value(row.body.clone()).map_err(|e| {
        Error::store(format!(
            "catalog {} '{}' is unreadable: {e}",
            row.kind, row.name
        ))
    })
}

impl CatalogState {
    pub fn from_rows(rows: &[CatalogRow]) -> Result<CatalogState> {
        let mut state = CatalogState::default();
        for row in rows {
            match (row.kind.as_str(), row.name.as_str()) {
                (DOMAIN, _) => {
                    state.domains.insert(row.name.clone(), decode(row)?);
                }
                (TEAM, _) => {
                    state.teams.insert(row.name.clone(), decode(row)?);
                }
                (SERVICE, _) => {
                    state.services.insert(row.name.clone(), decode(row)?);
                }
                (EVENT, _) => {
                    state.events.insert(row.name.clone(), decode(row)?);
                }
                (SETTINGS, POLICY_NAME) => state.policy = decode(row)?,
                (SETTINGS, OWNERS_NAME) => state.owners = decode(row)?,
                _ => {}
            }
        }
        Ok(state)
    }

    /// Every entity as (kind, name, body), the form the store keeps.
    pub fn rows(&self) -> Vec<(String, String, Value)> {
        let mut out = Vec::new();
        let mut push = |kind: &str, name: &str, body: Value| {
            out.push((kind.to_string(), name.to_string(), body))
        };
        for (n, d) in &self.domains {
            push(DOMAIN, n, serde_json::to_value(d).unwrap_or_default());
        }
        for (n, t) in &self.teams {
            push(TEAM, n, serde_json::to_value(t).unwrap_or_default());
        }
        for (n, s) in &self.services {
            push(SERVICE, n, serde_json::to_value(s).unwrap_or_default());
        }
        for (n, e) in &self.events {
            push(EVENT, n, serde_json::to_value(e).unwrap_or_default());
        }
        push(
            SETTINGS,
            POLICY_NAME,
            serde_json::to_value(&self.policy).unwrap_or_default(),
        );
        push(
            SETTINGS,
            OWNERS_NAME,
            serde_json::to_value(&self.owners).unwrap_or_default(),
        );
        out
    }

    /// The team that owns a subject by the ownership rules (first matching pattern).
    pub fn owner_of_subject(&self, subject: &str) -> Option<&str> {
        self.owners
            .iter()
            .find(|r| glob_match(&r.pattern, subject))
            .map(|r| r.team.as_str())
    }

    /// The event whose schemas include `subject`.
    pub fn event_for_subject(&self, subject: &str) -> Option<&Event> {
        self.events
            .values()
            .find(|e| e.schemas.iter().any(|s| s.subject == subject))
    }

    /// Services linked to an event, with their role.
    pub fn links_to(&self, event: &str) -> Vec<(&Service, &'static str, &super::model::Link)> {
        let mut out = Vec::new();
        for s in self.services.values() {
            for l in s.produces.iter().filter(|l| l.event == event) {
                out.push((s, "producer", l));
            }
            for l in s.consumes.iter().filter(|l| l.event == event) {
                out.push((s, "consumer", l));
            }
        }
        out
    }

    /// Checks every entity against the others and the policy: errors refuse, warnings report.
    pub fn validate(&self) -> (Vec<String>, Vec<String>) {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        for d in self.domains.values() {
            check_slug("domain", &d.name, &mut errors);
        }
        for t in self.teams.values() {
            check_slug("team", &t.name, &mut errors);
        }
        for s in self.services.values() {
            check_slug("service", &s.name, &mut errors);
            if let Some(problem) = s.repository.as_deref().and_then(web_link_problem) {
                errors.push(format!("service '{}' repository: {problem}", s.name));
            }
            self.check_ref(
                "service",
                &s.name,
                "domain",
                s.domain.as_deref(),
                &mut errors,
            );
            self.check_ref("service", &s.name, "team", s.owner.as_deref(), &mut errors);
            for (role, links) in [("produces", &s.produces), ("consumes", &s.consumes)] {
                for l in links {
                    if !self.events.contains_key(&l.event) {
                        errors.push(format!(
                            "service '{}' {role} unknown event '{}'",
                            s.name, l.event
                        ));
                    }
                    let exact = role == "produces";
                    // A producer that names no version is a lint finding, not an error: the
                    // catalog holds what is known.
                    if exact && l.version.trim() == "*" {
                        continue;
                    }
                    if let Err(e) = parse_link_version(&l.version, exact) {
                        errors.push(format!("service '{}' {role} '{}': {e}", s.name, l.event));
                    }
                }
            }
        }
        let name_pattern = regex::Regex::new(&self.policy.event_name.pattern);
        for e in self.events.values() {
            self.check_ref("event", &e.name, "domain", e.domain.as_deref(), &mut errors);
            self.check_ref("event", &e.name, "team", e.owner.as_deref(), &mut errors);
            if e.owner.is_none() {
                report(
                    self.policy.owner_required.level,
                    format!(
                        "policy owner_required: event '{}' has no owner team",
                        e.name
                    ),
                    &mut errors,
                    &mut warnings,
                );
            }
            match &name_pattern {
                Ok(re) if !re.is_match(&e.name) => report(
                    self.policy.event_name.level,
                    format!(
                        "policy event_name: '{}' does not match {}",
                        e.name, self.policy.event_name.pattern
                    ),
                    &mut errors,
                    &mut warnings,
                ),
                Err(err) => errors.push(format!("policy event_name: bad pattern: {err}")),
                _ => {}
            }
            if e.lifecycle == Lifecycle::Deprecated && e.sunset.is_none() {
                errors.push(format!("deprecated event '{}' needs a sunset date", e.name));
            }
            if let Some(sunset) = &e.sunset {
                if !is_date(sunset) {
                    errors.push(format!(
                        "event '{}': sunset '{sunset}' is not YYYY-MM-DD",
                        e.name
                    ));
                }
            }
            if let Some(r) = &e.replacement {
                if !self.events.contains_key(r) {
                    errors.push(format!(
                        "event '{}' names unknown replacement '{r}'",
                        e.name
                    ));
                }
            }
            for s in &e.schemas {
                let mut previous: Option<semver::Version> = None;
                for v in &s.versions {
                    match semver::Version::parse(&v.version) {
                        Ok(parsed) => {
                            if previous.as_ref().is_some_and(|p| &parsed <= p) {
                                errors.push(format!(
                                    "event '{}' subject '{}': version {} does not increase",
                                    e.name, s.subject, v.version
                                ));
                            }
                            previous = Some(parsed);
                        }
                        Err(err) => errors.push(format!(
                            "event '{}' subject '{}': '{}' is not a semver version: {err}",
                            e.name, s.subject, v.version
                        )),
                    }
                }
            }
            for a in &e.approvals {
                let declared = e.schemas.iter().any(|s| {
                    a.subject.as_deref().is_none_or(|sub| sub == s.subject)
                        && s.versions.iter().any(|v| v.version == a.version)
                });
                if !declared {
                    errors.push(format!(
                        "event '{}' approves a break in version {}, which it does not declare",
                        e.name, a.version
                    ));
                }
                if a.by.trim().is_empty() || a.reason.trim().is_empty() {
                    errors.push(format!(
                        "event '{}' approval of {}: name who accepts the break (`by`) and why (`reason`)",
                        e.name, a.version
                    ));
                }
            }
        }
        for r in &self.owners {
            if !self.teams.contains_key(&r.team) {
                errors.push(format!(
                    "ownership pattern '{}' names unknown team '{}'",
                    r.pattern, r.team
                ));
            }
        }
        (errors, warnings)
    }

    fn check_ref(
        &self,
        kind: &str,
        name: &str,
        target: &str,
        value: Option<&str>,
        errors: &mut Vec<String>,
    ) {
        let Some(v) = value else { return };
        let known = match target {
            "domain" => self.domains.contains_key(v),
            _ => self.teams.contains_key(v),
        };
        if !known {
            errors.push(format!("{kind} '{name}' names unknown {target} '{v}'"));
        }
    }

    /// What still points at an entity, so deleting it would leave a dangling reference.
    pub fn dependents(&self, kind: &str, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        match kind {
            DOMAIN => {
                out.extend(
                    self.services
                        .values()
                        .filter(|s| s.domain.as_deref() == Some(name))
                        .map(|s| format!("service '{}'", s.name)),
                );
                out.extend(
                    self.events
                        .values()
                        .filter(|e| e.domain.as_deref() == Some(name))
                        .map(|e| format!("event '{}'", e.name)),
                );
            }
            TEAM => {
                out.extend(
                    self.services
                        .values()
                        .filter(|s| s.owner.as_deref() == Some(name))
                        .map(|s| format!("service '{}'", s.name)),
                );
                out.extend(
                    self.events
                        .values()
                        .filter(|e| e.owner.as_deref() == Some(name))
                        .map(|e| format!("event '{}'", e.name)),
                );
                out.extend(
                    self.owners
                        .iter()
                        .filter(|r| r.team == name)
                        .map(|r| format!("ownership pattern '{}'", r.pattern)),
                );
            }
            EVENT => {
                for (s, role, _) in self.links_to(name) {
                    out.push(format!("{role} '{}'", s.name));
                }
                out.extend(
                    self.events
                        .values()
                        .filter(|e| e.replacement.as_deref() == Some(name))
                        .map(|e| format!("event '{}' (replacement)", e.name)),
                );
            }
            _ => {}
        }
        out
    }
}

fn report(level: Level, message: String, errors: &mut Vec<String>, warnings: &mut Vec<String>) {
    match level {
        Level::Error => errors.push(message),
        Level::Warn => warnings.push(message),
        Level::Off => {}
    }
}

fn check_slug(kind: &str, name: &str, errors: &mut Vec<String>) {
    let ok = !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        errors.push(format!(
            "{kind} name '{name}' must be lowercase letters, digits and dashes, starting with a letter"
        ));
    }
}

fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 3
        && parts[0].len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        && matches!(parts[1].parse::<u32>(), Ok(1..=12))
        && matches!(parts[2].parse::<u32>(), Ok(1..=31))
}

/// A producer declares the exact version it writes; a consumer a semver range it reads. A bare
/// version (`1.0.0`) always means exactly that version, although semver alone reads it as `^1.0.0`.
pub fn parse_link_version(
    raw: &str,
    exact: bool,
) -> std::result::Result<semver::VersionReq, String> {
    if exact || semver::Version::parse(raw.trim()).is_ok() {
        semver::Version::parse(raw.trim())
            .map(|v| semver::VersionReq::parse(&format!("={v}")).expect("exact requirement"))
            .map_err(|e| format!("'{raw}' is not an exact semver version: {e}"))
    } else {
        semver::VersionReq::parse(raw).map_err(|e| format!("'{raw}' is not a semver range: {e}"))
    }
}

pub use crate::model::glob_match;

/// Why `link` may not be shown as a link on a page: only http(s) addresses are, so a stored
/// `javascript:` or `data:` address cannot run in a reader's browser.
pub fn web_link_problem(link: &str) -> Option<String> {
    match url::Url::parse(link) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => None,
        _ => Some(format!("'{link}' is not an http(s) address")),
    }
}

/// Turns validation errors into the API's refusal.
pub fn refuse(errors: Vec<String>) -> Result<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::CatalogInvalid(errors.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_with_many_stars_match_long_subjects_without_backtracking() {
        let subject = format!("orders.{}x", ".".repeat(60_000));
        assert!(!glob_match("orders.*.*-value", &subject));
        assert!(glob_match("orders.*.*x", &subject));
        let stars = "*a".repeat(12);
        assert!(!glob_match(&stars, &"a".repeat(11)));
        assert!(glob_match(&stars, &"ba".repeat(12)));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("a*b*c", "aXcYb"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a?c*", "abc"));
        assert!(!glob_match("a?c", "abcd"));
        assert!(glob_match("*ab*ab*", "abab"));
        assert!(!glob_match("*ab*ab*", "aba"));
    }

    #[test]
    fn globs_match_subjects() {
        assert!(glob_match("orders.*", "orders.order.placed-value"));
        assert!(glob_match("*-value", "x-value"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("orders.*", "payments.x"));
    }

    #[test]
    fn dates_and_link_versions() {
        assert!(is_date("2027-03-31"));
        assert!(!is_date("2027-13-01") && !is_date("soon"));
        assert!(parse_link_version("1.2.0", true).is_ok());
        assert!(parse_link_version("^1.2", true).is_err());
        assert!(parse_link_version("^1.2", false).is_ok());
        let pinned = parse_link_version("1.0.0", false).unwrap();
        assert!(pinned.matches(&semver::Version::parse("1.0.0").unwrap()));
        assert!(!pinned.matches(&semver::Version::parse("1.1.0").unwrap()));
    }

    #[test]
    fn approvals_name_a_declared_version_who_and_why_and_producers_may_leave_theirs_out() {
        let bundle: crate::catalog::bundle::Bundle = serde_yaml_ng::from_str(
            r#"
services:
  - { name: producer, produces: [{ event: a.b.c }] }
events:
  - name: a.b.c
    schemas: [{ subject: s, versions: [{ version: 1.0.0 }, { version: 2.0.0 }] }]
    approvals:
      - { version: 2.0.0, by: dara, reason: everyone moves at once }
      - { version: 3.0.0, by: dara, reason: not declared }
      - { version: 2.0.0, by: "", reason: "" }
"#,
        )
        .unwrap();
        let (errors, _) = bundle.state().validate();
        let about: Vec<&String> = errors.iter().filter(|e| e.contains("approv")).collect();
        assert_eq!(about.len(), 2, "{errors:?}");
        assert!(
            about[0].contains("version 3.0.0, which it does not declare"),
            "{errors:?}"
        );
        assert!(
            about[1].contains("name who accepts the break (`by`) and why (`reason`)"),
            "{errors:?}"
        );
        assert!(
            !errors.iter().any(|e| e.contains("producer")),
            "a producer without a version is a lint finding: {errors:?}"
        );
    }
}
