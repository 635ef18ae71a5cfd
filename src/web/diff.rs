//! The difference between two versions of a subject: the compatibility verdict at each level
//! with its reasons, the fields added, removed and changed, and both schemas side by side.

use askama::Template;
use axum::extract::State;

use super::markup::pretty_schema;
use super::{Page, PageResult};
use crate::catalog::impact::{self, Bump};
use crate::error::Error;
use crate::formats::{self, Direction, FieldRow, Reason};
use crate::http::wire::{Params, PathParams};
use crate::http::AppState;
use crate::model::{CompatibilityLevel, VersionSpec};
use crate::registry::compatibility;

pub struct Verdict {
    pub level: &'static str,
    pub meaning: &'static str,
    pub compatible: bool,
    pub configured: bool,
    /// The differences that fail this level, each once, marked with the directions it breaks.
    pub reasons: Vec<Reason>,
}

/// A service the new version would break, and why.
pub struct Broken {
    pub service: String,
    pub version: Option<String>,
    pub reason: String,
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
    /// Whether unchanged fields and lines are shown too (the default shows changes only).
    all: bool,
    changed: usize,
    bump: &'static str,
    /// The semvers the catalog declares for the two versions, when an event claims the subject.
    declared: Option<(String, String)>,
    event: Option<String>,
    broken: Vec<Broken>,
    /// Every difference, each once, marked with the directions it breaks.
    reasons: Vec<Reason>,
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
    // The verdicts, the reasons and the bump are compatibility checks: they run on the work
    // pool under its budget, as a registration's do.
    let (old_arc, new_arc) = (old_parsed.clone(), new_parsed.clone());
    let (verdicts, reasons, bump) = crate::limits::offload(move || {
        // Each direction is checked once, each difference listed once with the directions it
        // breaks; the levels only choose among them.
        let reasons = formats::reasons(
            &*new_arc,
            &*old_arc,
            &[Direction::Backward, Direction::Forward],
            &format!("v{from}"),
            &format!("v{to}"),
        );
        let verdicts: Vec<Verdict> = verdicts
            .into_iter()
            .map(|(level, meaning)| {
                let directions = compatibility::directions(level);
                let failing: Vec<Reason> = reasons
                    .iter()
                    .filter(|r| directions.iter().any(|d| r.breaks(*d)))
                    .cloned()
                    .collect();
                Verdict {
                    level: level.as_str(),
                    meaning,
                    compatible: failing.is_empty(),
                    configured: configured.as_str().trim_end_matches("_TRANSITIVE")
                        == level.as_str(),
                    reasons: failing,
                }
            })
            .collect();
        let bump = impact::required_bump(&*old_arc, &*new_arc);
        Ok((verdicts, reasons, bump))
    })
    .await?;
    let all = params.flag("all");
    let mut fields = field_changes(
        &registry.field_table(&old.schema).await?,
        &registry.field_table(&new.schema).await?,
    );
    let changed = fields.iter().filter(|f| f.status != "same").count();
    let mut lines = side_by_side(
        &pretty_schema(&old.schema.schema),
        &pretty_schema(&new.schema.schema),
    );
    if !all {
        fields.retain(|f| f.status != "same");
        lines = fold_unchanged(lines, CONTEXT);
    }
    let bump = match bump {
        Bump::Major => "major",
        Bump::Minor => "minor",
        Bump::Patch if old.schema.schema == new.schema.schema => "none",
        Bump::Patch => "patch",
    };
    let catalog = registry.catalog_view().await?;
    let event = catalog.event_for_subject(&subject);
    let declared = event
        .and_then(|e| e.schemas.iter().find(|s| s.subject == subject))
        .map(|s| {
            let semver = |v: &crate::registry::SubjectVersion| {
                s.versions
                    .iter()
                    .find(|sv| {
                        sv.registry_version == Some(v.version)
                            || (sv.registry_version.is_none() && sv.id == Some(v.schema.id))
                    })
                    .map(|sv| sv.version.clone())
                    .unwrap_or_else(|| "undeclared".into())
            };
            (semver(&old), semver(&new))
        });
    let broken = if event.is_some() && from != to {
        registry
            .impact_in(&catalog, &subject, &*new_parsed, &format!("v{to}"))
            .await?
            .breaks
            .into_iter()
            .filter(|b| b.role == "consumer")
            .map(|b| Broken {
                service: b.service,
                version: b.version,
                reason: b.reason.unwrap_or_default(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Page::render(&DiffPage {
        all,
        changed,
        bump,
        declared,
        event: event.map(|e| e.name.clone()),
        broken,
        reasons,
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

/// Unchanged lines kept around each change when only changes are shown.
const CONTEXT: usize = 3;

/// Keeps the changed lines and `context` unchanged ones on either side; each longer run of
/// unchanged lines becomes one `folded` pair saying how many it hides.
pub fn fold_unchanged(lines: Vec<LinePair>, context: usize) -> Vec<LinePair> {
    let near_change: Vec<bool> = (0..lines.len())
        .map(|i| {
            let lo = i.saturating_sub(context);
            let hi = (i + context + 1).min(lines.len());
            lines[lo..hi].iter().any(|l| l.status != "same")
        })
        .collect();
    let mut out = Vec::new();
    let mut hidden = 0;
    for (line, keep) in lines.into_iter().zip(near_change) {
        if keep {
            if hidden > 0 {
                out.push(folded(hidden));
                hidden = 0;
            }
            out.push(line);
        } else {
            hidden += 1;
        }
    }
    if hidden > 0 {
        out.push(folded(hidden));
    }
    out
}

fn folded(count: usize) -> LinePair {
    let text = format!(
        "… {count} unchanged line{}",
        if count == 1 { "" } else { "s" }
    );
    LinePair {
        left: Some(text.clone()),
        right: Some(text),
        status: "folded",
    }
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
    fn unchanged_runs_fold_around_changes() {
        let text_a: String = (0..20).map(|i| format!("l{i}\n")).collect();
        let text_b = text_a.replace("l10\n", "L10\n");
        let folded = fold_unchanged(side_by_side(&text_a, &text_b), 2);
        let shape: Vec<&str> = folded.iter().map(|l| l.status).collect();
        assert_eq!(
            shape,
            ["folded", "same", "same", "added", "removed", "same", "same", "folded"]
        );
        assert_eq!(folded[0].left.as_deref(), Some("… 8 unchanged lines"));
    }

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
