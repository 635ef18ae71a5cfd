//! Compatibility verdicts: which earlier versions a level compares against, in which direction,
//! and the message list Confluent returns (differences, then the old version and its schema).

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::metadata::property;
use super::{Registry, SchemaEntry, SchemaRequest};
use crate::error::{Error, Result};
use crate::formats::{self, Direction, Parsed, Reason};
use crate::model::{CompatibilityLevel, CompatibilityPolicy, SchemaType, VersionSpec};
use crate::store::VersionRow;

/// Confluent cuts the echoed old schema after 10 KiB.
const OLD_SCHEMA_ECHO_LIMIT: usize = 10 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompatibilityResult {
    pub is_compatible: bool,
    pub messages: Vec<String>,
}

/// An earlier version to compare against.
pub struct Earlier<'a> {
    pub version: i32,
    pub entry: &'a SchemaEntry,
    pub parsed: &'a Parsed,
}

/// The versions a level compares a new schema with: the latest live one, or every live one
/// for transitive levels; newest first.
pub fn versions_to_check(level: CompatibilityLevel, live: &[VersionRow]) -> Vec<&VersionRow> {
    match level {
        CompatibilityLevel::None => Vec::new(),
        l if l.is_transitive() => live.iter().rev().collect(),
        _ => live.last().into_iter().collect(),
    }
}

/// Why `new` may not follow `earlier` (newest first) under `level`; empty when it may.
/// Stops at the first incompatible version, as Confluent does.
pub fn check(
    level: CompatibilityLevel,
    policy: CompatibilityPolicy,
    new: &Parsed,
    earlier: &[Earlier<'_>],
) -> Vec<String> {
    for old in earlier {
        if old.parsed.schema_type() != new.schema_type() {
            return vec!["Incompatible because of different schema type".to_string()];
        }
        let mut messages = Vec::new();
        if level.checks_forward() {
            messages.extend(breaking(policy, old.parsed, new, false));
        }
        if level.checks_backward() {
            messages.extend(breaking(policy, new, old.parsed, true));
        }
        if messages.is_empty() {
            continue;
        }
        messages.push(format!("{{oldSchemaVersion: {}}}", old.version));
        messages.push(format!("{{oldSchema: '{}'}}", truncate(&old.entry.schema)));
        messages.push(format!(
            "{{validateFields: 'false', compatibility: '{}'}}",
            level.as_str()
        ));
        return messages;
    }
    Vec::new()
}

/// The JSON Schema differences Confluent's LENIENT policy accepts besides the STRICT ones:
/// changes to what an object allows beyond its declared properties, and properties added or
/// removed under those rules.
const LENIENT_COMPATIBLE: &[&str] = &[
    "ADDITIONAL_PROPERTIES_NARROWED",
    "ADDITIONAL_PROPERTIES_REMOVED",
    "UNEVALUATED_PROPERTIES_NARROWED",
    "UNEVALUATED_PROPERTIES_REMOVED",
    "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL",
    "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
    "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
];

/// Confluent's messages for what keeps `reader` from reading `writer` under `policy`.
fn breaking(
    policy: CompatibilityPolicy,
    reader: &Parsed,
    writer: &Parsed,
    reader_is_new: bool,
) -> Vec<String> {
    let lenient =
        policy == CompatibilityPolicy::Lenient && reader.schema_type() == SchemaType::Json;
    formats::differences(reader, writer, reader_is_new)
        .into_iter()
        .filter(|d| !(lenient && LENIENT_COMPATIBLE.contains(&d.reason.kind.as_str())))
        .map(|d| d.message)
        .collect()
}

fn truncate(text: &str) -> &str {
    if text.len() <= OLD_SCHEMA_ECHO_LIMIT {
        return text;
    }
    let mut end = OLD_SCHEMA_ECHO_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Which schema ids belong to the new schema's compatibility group (the versions whose
/// metadata holds its value of the config's `compatibilityGroup` property, absent matching
/// absent); `None` when no group is configured.
pub type GroupMembers = Option<HashMap<i64, bool>>;

/// The rows of `live` a group admits; `None` when a row's schema was not classified (it came
/// after the classification, so the caller starts over).
pub fn in_group(live: &[VersionRow], members: &GroupMembers) -> Option<Vec<VersionRow>> {
    let Some(members) = members else {
        return Some(live.to_vec());
    };
    let mut out = Vec::new();
    for row in live {
        if *members.get(&row.schema_id)? {
            out.push(row.clone());
        }
    }
    Some(out)
}

impl Registry {
    /// Classifies the live versions' schemas for the subject's `compatibilityGroup`.
    pub(crate) async fn group_members(
        &self,
        group: Option<&str>,
        live: &[VersionRow],
        metadata: Option<&Value>,
    ) -> Result<GroupMembers> {
        let Some(group) = group else {
            return Ok(None);
        };
        let value = property(metadata, group);
        let mut members = HashMap::new();
        for row in live {
            let entry = self.schema_by_id(row.schema_id).await?;
            members.insert(
                row.schema_id,
                property(entry.metadata.as_ref(), group) == value,
            );
        }
        Ok(Some(members))
    }

    /// Parsed forms of the given versions, ready for [`check`].
    pub(crate) async fn load_earlier(
        &self,
        rows: &[&VersionRow],
    ) -> Result<Vec<(i32, Arc<SchemaEntry>, Arc<Parsed>)>> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let entry = self.schema_by_id(row.schema_id).await?;
            let parsed = self.parsed(&entry).await?;
            out.push((row.version, entry, parsed));
        }
        Ok(out)
    }

    /// `POST /compatibility/subjects/{s}/versions[/{v}]`: `spec` names one version to compare
    /// with; `None` compares with every version the subject's level requires.
    pub async fn test_compatibility(
        &self,
        subject: &str,
        spec: Option<VersionSpec>,
        request: &SchemaRequest,
        normalize: bool,
        verbose: bool,
    ) -> Result<CompatibilityResult> {
        let rows = self.versions(subject).await?;
        let live: Vec<VersionRow> = rows.iter().filter(|r| !r.deleted).cloned().collect();
        let config = self.effective_config(subject).await?;
        let members = self
            .group_members(
                config.settings.compatibility_group.as_deref(),
                &live,
                request.metadata.as_ref(),
            )
            .await?;
        let live = in_group(&live, &members).unwrap_or_default();
        let level = config.compatibility.unwrap_or_default();
        let policy = config
            .settings
            .compatibility_policy
            .unwrap_or(CompatibilityPolicy::Strict);
        let targets: Vec<&VersionRow> = match spec {
            Some(VersionSpec::Latest) => live.last().into_iter().collect(),
            Some(VersionSpec::Number(n)) => vec![live
                .iter()
                .find(|r| r.version == n)
                .ok_or_else(|| Error::VersionNotFound(n.to_string()))?],
            None => versions_to_check(level, &live),
        };
        let normalize = normalize || config.normalize.unwrap_or(false);
        let new = match self.parse_request(subject, request, normalize, false).await {
            Ok((parsed, _)) => parsed,
            Err(e @ (Error::InvalidSchema(_) | Error::InvalidSchemaBare(_))) if verbose => {
                return Ok(CompatibilityResult {
                    is_compatible: false,
                    messages: vec![e.to_string()],
                })
            }
            Err(e) => return Err(e),
        };
        if level == CompatibilityLevel::None || targets.is_empty() {
            return Ok(CompatibilityResult {
                is_compatible: true,
                messages: Vec::new(),
            });
        }
        let loaded = self.load_earlier(&targets).await?;
        let messages = crate::limits::offload(move || {
            let earlier: Vec<Earlier<'_>> = loaded
                .iter()
                .map(|(version, entry, parsed)| Earlier {
                    version: *version,
                    entry,
                    parsed: &**parsed,
                })
                .collect();
            Ok(check(level, policy, &*new, &earlier))
        })
        .await?;
        Ok(CompatibilityResult {
            is_compatible: messages.is_empty(),
            messages,
        })
    }
}

/// The directions `level` checks, new consumers first.
pub fn directions(level: CompatibilityLevel) -> Vec<Direction> {
    let mut out = Vec::new();
    if level.checks_backward() {
        out.push(Direction::Backward);
    }
    if level.checks_forward() {
        out.push(Direction::Forward);
    }
    out
}

/// Why a candidate may not follow a subject's versions, as data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Breakage {
    /// The subject's compatibility level.
    pub level: String,
    /// The registered version it breaks with (the newest, as Confluent stops at the first).
    pub against_version: Option<i32>,
    /// Each difference once, with the directions it breaks; empty when compatible.
    pub reasons: Vec<Reason>,
}

/// The structured counterpart of [`check`]: the first earlier version (newest first) `new`
/// breaks with under `level`, and why, the versions named by `labels` (registry version →
/// name, `vN` when absent) and `new_label`.
pub fn breakage(
    level: CompatibilityLevel,
    new: &Parsed,
    earlier: &[Earlier<'_>],
    labels: &HashMap<i32, String>,
    new_label: &str,
) -> Breakage {
    let directions = directions(level);
    for old in earlier {
        let label = labels
            .get(&old.version)
            .cloned()
            .unwrap_or_else(|| format!("v{}", old.version));
        let reasons = formats::reasons(new, old.parsed, &directions, &label, new_label);
        if !reasons.is_empty() {
            return Breakage {
                level: level.as_str().to_string(),
                against_version: Some(old.version),
                reasons,
            };
        }
    }
    Breakage {
        level: level.as_str().to_string(),
        against_version: None,
        reasons: Vec::new(),
    }
}

impl Registry {
    /// Why `candidate` may not be registered in `subject` under its compatibility level (as
    /// [`Registry::test_compatibility`] decides it), as reasons.
    pub async fn breakage(
        &self,
        subject: &str,
        candidate: Arc<Parsed>,
        labels: HashMap<i32, String>,
        new_label: &str,
    ) -> Result<Breakage> {
        let rows = self.store.versions(subject).await?;
        let live: Vec<VersionRow> = rows.into_iter().filter(|r| !r.deleted).collect();
        let level = self.effective_level(subject).await?;
        let loaded = self.load_earlier(&versions_to_check(level, &live)).await?;
        let new_label = new_label.to_string();
        crate::limits::offload(move || {
            let earlier: Vec<Earlier<'_>> = loaded
                .iter()
                .map(|(version, entry, parsed)| Earlier {
                    version: *version,
                    entry,
                    parsed: &**parsed,
                })
                .collect();
            Ok(breakage(level, &*candidate, &earlier, &labels, &new_label))
        })
        .await
    }
}
