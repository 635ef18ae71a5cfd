//! Reads for browsing the registry page by page: subjects with their latest version, the most
//! recent registrations, and the fields of every subject's latest schema.

use std::sync::Arc;

use super::{Registry, SubjectVersion};
use crate::error::Result;
use crate::formats::{self, FieldRow, Parsed};
use crate::store::VersionRow;

/// A subject as a list shows it: its live version count and its latest live version.
#[derive(Debug, Clone)]
pub struct SubjectSummary {
    pub subject: String,
    pub versions: usize,
    pub latest: SubjectVersion,
}

/// A field found in the latest version of a subject.
#[derive(Debug, Clone)]
pub struct FieldHit {
    pub subject: String,
    pub version: i32,
    pub field: FieldRow,
}

/// Live versions grouped by subject (in subject order), each group ascending.
fn live_by_subject(rows: &[VersionRow]) -> Vec<&[VersionRow]> {
    let mut groups: Vec<&[VersionRow]> = Vec::new();
    let mut start = 0;
    for i in 1..=rows.len() {
        if i == rows.len() || rows[i].subject != rows[start].subject {
            groups.push(&rows[start..i]);
            start = i;
        }
    }
    groups
}

impl Registry {
    /// One page of live subjects whose name contains `filter` and that `keep` accepts, with
    /// the number of all such subjects; only the page's schemas are loaded.
    pub async fn subject_page(
        &self,
        filter: &str,
        keep: impl Fn(&str) -> bool,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<SubjectSummary>)> {
        let rows = self.store().all_versions().await?;
        let live: Vec<VersionRow> = rows.into_iter().filter(|r| !r.deleted).collect();
        let filter = filter.to_lowercase();
        let matching: Vec<&[VersionRow]> = live_by_subject(&live)
            .into_iter()
            .filter(|g| g[0].subject.to_lowercase().contains(&filter) && keep(&g[0].subject))
            .collect();
        let mut page = Vec::new();
        for group in matching.iter().skip(offset).take(limit) {
            let last = group.last().expect("groups are never empty");
            page.push(SubjectSummary {
                subject: last.subject.clone(),
                versions: group.len(),
                latest: self.subject_version(last).await?,
            });
        }
        Ok((matching.len(), page))
    }

    /// The latest `limit` live registrations, newest first.
    pub async fn recent_versions(&self, limit: usize) -> Result<Vec<SubjectVersion>> {
        let mut rows: Vec<VersionRow> = self
            .store()
            .all_versions()
            .await?
            .into_iter()
            .filter(|r| !r.deleted)
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.schema_id, r.version)));
        let mut out = Vec::new();
        for row in rows.iter().take(limit) {
            out.push(self.subject_version(row).await?);
        }
        Ok(out)
    }

    /// The fields named like `needle`, at any depth, in each subject's latest live version.
    pub async fn search_fields(&self, needle: &str) -> Result<Vec<FieldHit>> {
        let rows = self.store().all_versions().await?;
        let live: Vec<VersionRow> = rows.into_iter().filter(|r| !r.deleted).collect();
        let mut hits = Vec::new();
        for group in live_by_subject(&live) {
            let last = group.last().expect("groups are never empty");
            let entry = self.schema_by_id(last.schema_id).await?;
            let Ok(parsed) = self.parsed(&entry).await else {
                continue;
            };
            for field in formats::fields_matching(&*parsed, needle) {
                hits.push(FieldHit {
                    subject: last.subject.clone(),
                    version: last.version,
                    field,
                });
            }
        }
        Ok(hits)
    }

    /// The parsed form of a stored version's schema.
    pub async fn parsed_version(&self, version: &SubjectVersion) -> Result<Arc<Parsed>> {
        self.parsed(&version.schema).await
    }
}
