//! The difference between two versions of a subject: the compatibility verdict at each level
//! with its reasons, the fields added, removed and changed, and both schemas side by side.

use askama::Template;
use axum::extract::State;

use super::text::pretty_schema;
use super::{Page, PageResult};
use crate::api::wire::{Params, PathParams};
use crate::api::AppState;
use crate::error::Error;
use crate::formats::FieldRow;
use crate::model::{CompatibilityLevel, VersionSpec};
use crate::registry::compatibility;

pub struct Verdict {
    pub level: &'static str,
    pub meaning: &'static str,
    pub compatible: bool,
    pub configured: bool,
    pub reasons: Vec<String>,
}

pub struct FieldChange {
    pub path: String,
    pub depth: usize,
    /// `added`, `removed`, `changed` or `same`.
    pub status: &'static str,
    pub before: String,
    pub after: String,
}

/// One line of the side-by-side view; either side is empty where the other has a line the
/// first does not.
pub struct LinePair {
    pub left: Option<String>,
    pub right: Option<String>,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "diff.html")]
struct DiffPage {
    title: String,
    subject: String,
    versions: Vec<i32>,
    from: i32,
    to: i32,
    verdicts: Vec<Verdict>,
    fields: Vec<FieldChange>,
    lines: Vec<LinePair>,
}

pub async fn diff(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
    params: Params,
) -> PageResult {
    let registry = &state.registry;
    let versions = registry.list_versions(&subject, false, false).await?;
    let number = |name: &str, default: Option<i32>| -> Result<i32, Error> {
        match params.get(name).filter(|v| !v.trim().is_empty()) {
            Some(raw) => match VersionSpec::parse(raw)? {
                VersionSpec::Number(n) => Ok(n),
                VersionSpec::Latest => Ok(*versions.last().unwrap_or(&1)),
            },
            None => default.ok_or_else(|| Error::VersionNotFound(name.to_string())),
        }
    };
    let to = number("to", versions.last().copied())?;
    let before_to = versions.iter().rev().find(|n| **n < to).copied();
    let from = number("from", before_to.or(Some(to)))?;
    let old = registry
        .get_version(&subject, VersionSpec::Number(from), true)
        .await?;
    let new = registry
        .get_version(&subject, VersionSpec::Number(to), true)
        .await?;
    let old_parsed = registry.parsed_version(&old).await?;
    let new_parsed = registry.parsed_version(&new).await?;
    let configured = registry.effective_level(&subject).await?;
    let verdicts = [
        (
            CompatibilityLevel::Backward,
            "consumers on the new version read data written with the old one",
        ),
        (
            CompatibilityLevel::Forward,
            "consumers still on the old version read data written with the new one",
        ),
        (CompatibilityLevel::Full, "both of the above"),
        (CompatibilityLevel::None, "no check"),
    ]
    .into_iter()
    .collect::<Vec<_>>();
    let verdicts = crate::limits::offload(move || {
        Ok(verdicts
            .into_iter()
            .map(|(level, meaning)| {
                let reasons = compatibility::reasons(level, &*new_parsed, &*old_parsed);
                Verdict {
                    level: level.as_str(),
                    meaning,
                    compatible: reasons.is_empty(),
                    configured: configured.as_str().trim_end_matches("_TRANSITIVE")
                        == level.as_str(),
                    reasons,
                }
            })
            .collect())
    })
    .await?;
    let fields = field_changes(
        &registry.field_table(&old.schema).await?,
        &registry.field_table(&new.schema).await?,
    );
    let lines = side_by_side(
        &pretty_schema(&old.schema.schema),
        &pretty_schema(&new.schema.schema),
    );
    Page::render(&DiffPage {
        title: format!("{subject}: v{from} → v{to}"),
        subject,
        versions,
        from,
        to,
        verdicts,
        fields,
        lines,
    })
}

fn describe(row: &FieldRow) -> String {
    let mut out = row.type_name.clone();
    if let Some(d) = &row.default {
        out.push_str(&format!(" = {d}"));
    }
    if row.required {
        out.push_str(", required");
    }
    if let Some(doc) = &row.doc {
        out.push_str(&format!(" — {doc}"));
    }
    out
}

/// Fields by path: those of the new version in its order, with each removed one after the
/// field that preceded it in the old version.
pub fn field_changes(old: &[FieldRow], new: &[FieldRow]) -> Vec<FieldChange> {
    let mut out: Vec<FieldChange> = new
        .iter()
        .map(|n| match old.iter().find(|o| o.path == n.path) {
            Some(o) => FieldChange {
                path: n.path.clone(),
                depth: n.depth,
                status: if o == n { "same" } else { "changed" },
                before: describe(o),
                after: describe(n),
            },
            None => FieldChange {
                path: n.path.clone(),
                depth: n.depth,
                status: "added",
                before: String::new(),
                after: describe(n),
            },
        })
        .collect();
    for (i, o) in old.iter().enumerate() {
        if new.iter().any(|n| n.path == o.path) {
            continue;
        }
        let after_path = i.checked_sub(1).map(|p| old[p].path.as_str());
        let at = after_path
            .and_then(|p| out.iter().position(|c| c.path == p))
            .map(|p| p + 1)
            .unwrap_or(0);
        out.insert(
            at,
            FieldChange {
                path: o.path.clone(),
                depth: o.depth,
                status: "removed",
                before: describe(o),
                after: String::new(),
            },
        );
    }
    out
}

/// Lines this long or longer are compared as wholes only (the alignment is quadratic).
const MAX_ALIGNED_LINES: usize = 2000;

/// Aligns two texts line by line on their longest common subsequence.
pub fn side_by_side(old: &str, new: &str) -> Vec<LinePair> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len() > MAX_ALIGNED_LINES || b.len() > MAX_ALIGNED_LINES {
        let rows = a.len().max(b.len());
        return (0..rows)
            .map(|i| LinePair {
                left: a.get(i).map(|s| s.to_string()),
                right: b.get(i).map(|s| s.to_string()),
                status: if a.get(i) == b.get(i) {
                    "same"
                } else {
                    "changed"
                },
            })
            .collect();
    }
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push(LinePair {
                left: Some(a[i].to_string()),
                right: Some(b[j].to_string()),
                status: "same",
            });
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(LinePair {
                left: None,
                right: Some(b[j].to_string()),
                status: "added",
            });
            j += 1;
        } else {
            out.push(LinePair {
                left: Some(a[i].to_string()),
                right: None,
                status: "removed",
            });
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_align_on_what_they_share() {
        let pairs = side_by_side("a\nb\nc", "a\nc\nd");
        let shape: Vec<(&str, Option<&str>, Option<&str>)> = pairs
            .iter()
            .map(|p| (p.status, p.left.as_deref(), p.right.as_deref()))
            .collect();
        assert_eq!(
            shape,
            [
                ("same", Some("a"), Some("a")),
                ("removed", Some("b"), None),
                ("same", Some("c"), Some("c")),
                ("added", None, Some("d")),
            ]
        );
    }

    #[test]
    fn fields_are_added_removed_and_changed() {
        let row = |path: &str, t: &str| FieldRow {
            type_name: t.into(),
            ..FieldRow::named(path)
        };
        let changes = field_changes(
            &[row("a", "int"), row("b", "string"), row("c", "long")],
            &[row("a", "long"), row("c", "long"), row("d", "string")],
        );
        let shape: Vec<(&str, &str)> = changes
            .iter()
            .map(|c| (c.path.as_str(), c.status))
            .collect();
        assert_eq!(
            shape,
            [
                ("a", "changed"),
                ("b", "removed"),
                ("c", "same"),
                ("d", "added")
            ]
        );
    }
}
