//! What will break later, read from the catalog alone: consumers left on a major version no
//! producer writes any more, consumers of deprecated events at or past their sunset, events
//! without examples, and producers that do not say which version they write. `herald catalog
//! lint` reports these, and `plan` lists them among its warnings.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::catalog_entities::contents::{parse_link_version, CatalogState};
use crate::catalog_entities::model::{Lifecycle, Service};

/// Days before a sunset from which the consumers still on an event are reported.
pub const SUNSET_HORIZON_DAYS: i64 = 90;

/// One thing that will break later, and who to tell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Finding {
    /// `unwritten-major`, `sunset-passed`, `sunset-near`, `no-examples` or
    /// `producer-version-missing`.
    pub rule: String,
    pub event: String,
    /// The service it is about, when it is about one.
    pub service: Option<String>,
    /// The team to tell: the service's owner, else the event's.
    pub team: Option<String>,
    pub contact: Option<String>,
    pub message: String,
}

/// Every finding in `state` as of `today` (`YYYY-MM-DD`), by event.
pub fn lint(state: &CatalogState, today: &str, horizon_days: i64) -> Vec<Finding> {
    let mut out = Vec::new();
    for event in state.events.values() {
        let links = state.links_to(&event.name);
        let finding = |rule: &str, service: Option<&Service>, message: String| {
            let team = service
                .and_then(|s| s.owner.clone())
                .or_else(|| event.owner.clone());
            let contact = team
                .as_ref()
                .and_then(|t| state.teams.get(t))
                .and_then(|t| t.contact.email.clone().or_else(|| t.contact.chat.clone()));
            Finding {
                rule: rule.to_string(),
                event: event.name.clone(),
                service: service.map(|s| s.name.clone()),
                team,
                contact,
                message,
            }
        };
        let declared: Vec<semver::Version> = event
            .value_subject()
            .map(|s| {
                s.versions
                    .iter()
                    .filter_map(|v| semver::Version::parse(&v.version).ok())
                    .collect()
            })
            .unwrap_or_default();

        // Producers: what they write, and those that do not say.
        let mut written: Vec<(String, semver::Version)> = Vec::new();
        for (service, _, link) in links.iter().filter(|(_, role, _)| *role == "producer") {
            match semver::Version::parse(link.version.trim()) {
                Ok(v) => written.push((service.name.clone(), v)),
                Err(_) if link.version.trim() == "*" || link.version.trim().is_empty() => {
                    let hint = declared
                        .iter()
                        .max()
                        .map(|v| format!(": add `version: {v}` (or the version it writes) to its `produces` entry"))
                        .unwrap_or_default();
                    out.push(finding(
                        "producer-version-missing",
                        Some(service),
                        format!(
                            "{} produces {} without declaring the version it writes, so no change can be checked against its data{hint}",
                            service.name, event.name
                        ),
                    ));
                }
                Err(_) => {}
            }
        }

        // Consumers on a major no producer writes.
        let written_majors: BTreeSet<u64> = written.iter().map(|(_, v)| v.major).collect();
        if !written_majors.is_empty() {
            for (service, _, link) in links.iter().filter(|(_, role, _)| *role == "consumer") {
                let Ok(wanted) = parse_link_version(&link.version, false) else {
                    continue;
                };
                let read_majors: BTreeSet<u64> = declared
                    .iter()
                    .filter(|v| wanted.matches(v))
                    .map(|v| v.major)
                    .collect();
                if read_majors.is_empty() || !read_majors.is_disjoint(&written_majors) {
                    continue;
                }
                let writers = written
                    .iter()
                    .map(|(s, v)| format!("{s} writes {v}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                out.push(finding(
                    "unwritten-major",
                    Some(service),
                    format!(
                        "{} reads {} {} (major {}), a major no producer writes any more ({writers}): it reads nothing new until it moves",
                        service.name,
                        event.name,
                        link.version,
                        join(&read_majors)
                    ),
                ));
            }
        }

        // Consumers of a deprecated event at or past its sunset.
        if event.lifecycle == Lifecycle::Deprecated {
            if let Some(days) = event
                .sunset
                .as_deref()
                .and_then(|sunset| days_between(today, sunset))
            {
                let sunset = event.sunset.as_deref().unwrap_or_default();
                let then = match days {
                    d if d < 0 => format!("passed its sunset on {sunset}, {} days ago", -d),
                    0 => format!("reaches its sunset today ({sunset})"),
                    d => format!("reaches its sunset on {sunset}, in {d} days"),
                };
                let rule = if days < 0 {
                    "sunset-passed"
                } else {
                    "sunset-near"
                };
                let to = event
                    .replacement
                    .as_deref()
                    .map(|r| format!(": move to {r}"))
                    .unwrap_or_default();
                if days <= horizon_days {
                    for (service, _, _) in links.iter().filter(|(_, role, _)| *role == "consumer") {
                        out.push(finding(
                            rule,
                            Some(service),
                            format!(
                                "{} still consumes {}, which is deprecated and {then}{to}",
                                service.name, event.name
                            ),
                        ));
                    }
                }
            }
        }

        if event.examples.is_empty() && event.lifecycle != Lifecycle::Retired {
            out.push(finding(
                "no-examples",
                None,
                format!(
                    "{} has no examples: add one per version (`examples: [{{name, version, file}}]`) so that every change is checked against a real payload",
                    event.name
                ),
            ));
        }
    }
    out
}

fn join(majors: &BTreeSet<u64>) -> String {
    majors
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    // Howard Hinnant's civil_from_days.
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days from `from` to `to`, both `YYYY-MM-DD`.
fn days_between(from: &str, to: &str) -> Option<i64> {
    Some(day_number(to)? - day_number(from)?)
}

/// Howard Hinnant's days_from_civil.
fn day_number(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(yaml: &str) -> CatalogState {
        let bundle: super::super::bundle::Bundle = serde_yaml_ng::from_str(yaml).unwrap();
        bundle.state()
    }

    const CATALOG: &str = r##"
teams:
  - { name: payments, contact: { email: payments@shop.example } }
  - { name: checkout, contact: { chat: "#checkout" } }
services:
  - name: payment-service
    owner: payments
    produces:
      - { event: pay.payment.processed, version: "1.0.0" }
      - { event: pay.payment.captured, version: "2.0.0" }
      - { event: pay.refund.issued }
  - name: order-service
    owner: checkout
    consumes:
      - { event: pay.payment.processed, version: "^1.0" }
      - { event: pay.payment.captured, version: "^1.0" }
      - { event: pay.refund.issued, version: "^1.0" }
events:
  - name: pay.payment.processed
    owner: payments
    lifecycle: deprecated
    sunset: 2027-03-31
    replacement: pay.payment.captured
    schemas: [{ subject: a, versions: [{ version: 1.0.0 }] }]
    examples: [{ name: typical, version: 1.0.0 }]
  - name: pay.payment.captured
    owner: payments
    schemas: [{ subject: b, versions: [{ version: 1.0.0 }, { version: 2.0.0 }] }]
    examples: [{ name: typical, version: 2.0.0 }]
  - name: pay.refund.issued
    owner: payments
    schemas: [{ subject: c, versions: [{ version: 1.0.0 }] }]
"##;

    fn rules(found: &[Finding]) -> Vec<(&str, &str, Option<&str>)> {
        found
            .iter()
            .map(|f| (f.rule.as_str(), f.event.as_str(), f.service.as_deref()))
            .collect()
    }

    #[test]
    fn each_rule_finds_what_it_is_about() {
        let found = lint(&state(CATALOG), "2027-03-01", SUNSET_HORIZON_DAYS);
        assert_eq!(
            rules(&found),
            [
                (
                    "unwritten-major",
                    "pay.payment.captured",
                    Some("order-service")
                ),
                (
                    "sunset-near",
                    "pay.payment.processed",
                    Some("order-service")
                ),
                (
                    "producer-version-missing",
                    "pay.refund.issued",
                    Some("payment-service")
                ),
                ("no-examples", "pay.refund.issued", None),
            ]
        );
        let near = &found[1];
        assert_eq!(near.team.as_deref(), Some("checkout"));
        assert_eq!(near.contact.as_deref(), Some("#checkout"));
        assert!(
            near.message
                .contains("in 30 days: move to pay.payment.captured"),
            "{}",
            near.message
        );
        assert!(found[0].message.contains("major 1"), "{}", found[0].message);
        assert!(
            found[2].message.contains("add `version: 1.0.0`"),
            "{}",
            found[2].message
        );
        assert_eq!(found[3].contact.as_deref(), Some("payments@shop.example"));
    }

    #[test]
    fn a_sunset_is_near_within_the_horizon_and_passed_after_it() {
        let at = |today: &str| -> Vec<String> {
            lint(&state(CATALOG), today, SUNSET_HORIZON_DAYS)
                .into_iter()
                .filter(|f| f.rule.starts_with("sunset"))
                .map(|f| f.rule)
                .collect()
        };
        assert!(at("2026-11-30").is_empty(), "121 days before");
        assert_eq!(at("2027-01-01"), ["sunset-near"]);
        assert_eq!(at("2027-04-01"), ["sunset-passed"]);
    }

    #[test]
    fn dates() {
        assert_eq!(days_between("2026-12-31", "2027-03-31"), Some(90));
        assert_eq!(days_between("2024-02-28", "2024-03-01"), Some(2));
        assert_eq!(today().len(), 10);
        assert_eq!(day_number(&today()).map(|d| d > 20_000), Some(true));
    }
}
