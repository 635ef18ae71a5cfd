//! Compatibility verdicts: which earlier versions a level compares against, in which direction,
//! and the message list Confluent returns (differences, then the old version and its schema).

use std::sync::Arc;

use super::{Registry, SchemaEntry, SchemaRequest};
use crate::error::{Error, Result};
use crate::formats::{self, Parsed};
use crate::model::{CompatibilityLevel, VersionSpec};
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
pub fn check(level: CompatibilityLevel, new: &Parsed, earlier: &[Earlier<'_>]) -> Vec<String> {
    for old in earlier {
        if old.parsed.schema_type() != new.schema_type() {
            return vec!["Incompatible because of different schema type".to_string()];
        }
        let mut messages = Vec::new();
        if level.checks_forward() {
            messages.extend(formats::incompatibilities(old.parsed, new, false));
        }
        if level.checks_backward() {
            messages.extend(formats::incompatibilities(new, old.parsed, true));
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

impl Registry {
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
        let level = self.effective_level(subject).await?;
        let targets: Vec<&VersionRow> = match spec {
            Some(VersionSpec::Latest) => live.last().into_iter().collect(),
            Some(VersionSpec::Number(n)) => vec![live
                .iter()
                .find(|r| r.version == n)
                .ok_or_else(|| Error::VersionNotFound(n.to_string()))?],
            None => versions_to_check(level, &live),
        };
        let normalize = normalize
            || self
                .effective_config(subject)
                .await?
                .normalize
                .unwrap_or(false);
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
            Ok(check(level, &*new, &earlier))
        })
        .await?;
        Ok(CompatibilityResult {
            is_compatible: messages.is_empty(),
            messages,
        })
    }
}

/// Why `new` may not follow `old` under `level`, as a page shows it: the differences alone,
/// without the echo of the old schema that Confluent's answer ends with. Empty when it may.
pub fn reasons(level: CompatibilityLevel, new: &Parsed, old: &Parsed) -> Vec<String> {
    if old.schema_type() != new.schema_type() {
        return vec!["Incompatible because of different schema type".to_string()];
    }
    let mut messages = Vec::new();
    if level.checks_forward() {
        messages.extend(formats::incompatibilities(old, new, false));
    }
    if level.checks_backward() {
        messages.extend(formats::incompatibilities(new, old, true));
    }
    messages
}
