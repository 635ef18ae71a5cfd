//! Reads for browsing the registry page by page: subjects with their latest version, the most
//! recent registrations, and the fields of every subject's latest schema. Each reads the
//! version list once, and loads only the schemas it shows.

use std::sync::Arc;

use super::{Registry, SchemaEntry, SubjectVersion};
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

/// How many live subjects there are, and the latest registrations, newest first.
#[derive(Debug, Clone)]
pub struct Overview {
    pub subjects: usize,
    pub recent: Vec<SubjectVersion>,
}

/// What a search finds in the registry: subject names and fields of latest versions.
#[derive(Debug, Clone, Default)]
pub struct RegistryHits {
    pub subjects: Vec<String>,
    pub fields: Vec<FieldHit>,
}

/// Live versions grouped by subject (in the store's subject order), each group ascending.
fn live_by_subject(rows: &[VersionRow]) -> Vec<&[VersionRow]> {
    let mut groups: Vec<&[VersionRow]> = Vec::new();
    let mut start = 0;
    for i in 1..=rows.len() {
        if i == rows.len() || rows[i].subject != rows[start].subject {
            if start < i {
                groups.push(&rows[start..i]);
            }
            start = i;
        }
    }
    groups
}

impl Registry {
    async fn live_versions(&self) -> Result<Vec<VersionRow>> {
        let rows = self.store().all_versions().await?;
        Ok(rows.into_iter().filter(|r| !r.deleted).collect())
    }

    /// One page of live subjects whose name contains `filter` (any case) and that `keep`
    /// accepts, with the number of all such subjects.
    pub async fn subject_page(
        &self,
        filter: &str,
        keep: impl Fn(&str) -> bool,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<SubjectSummary>)> {
        let live = self.live_versions().await?;
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

    pub async fn overview(&self, recent: usize) -> Result<Overview> {
        let mut live = self.live_versions().await?;
        let subjects = live_by_subject(&live).len();
        live.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.schema_id, r.version)));
        let mut out = Vec::new();
        for row in live.iter().take(recent) {
            out.push(self.subject_version(row).await?);
        }
        Ok(Overview {
            subjects,
            recent: out,
        })
    }

    /// Subjects whose name contains `needle`, and the fields named like it at any depth in
    /// each subject's latest live version (both case-insensitive).
    pub async fn search_registry(&self, needle: &str) -> Result<RegistryHits> {
        let needle = needle.to_lowercase();
        let mut hits = RegistryHits::default();
        if needle.is_empty() {
            return Ok(hits);
        }
        let live = self.live_versions().await?;
        for group in live_by_subject(&live) {
            let last = group.last().expect("groups are never empty");
            if last.subject.to_lowercase().contains(&needle) {
                hits.subjects.push(last.subject.clone());
            }
            let entry = self.schema_by_id(last.schema_id).await?;
            let Ok(fields) = self.field_table(&entry).await else {
                continue;
            };
            for field in formats::fields_matching(&fields, &needle) {
                hits.fields.push(FieldHit {
                    subject: last.subject.clone(),
                    version: last.version,
                    field: field.clone(),
                });
            }
        }
        Ok(hits)
    }

    /// A stored schema's field table, worked out once per schema id.
    pub async fn field_table(&self, entry: &SchemaEntry) -> Result<Arc<[FieldRow]>> {
        if let Some(fields) = entry.fields.get() {
            return Ok(fields.clone());
        }
        let parsed = self.parsed(entry).await?;
        let table: Arc<[FieldRow]> =
            crate::limits::offload(move || Ok(Arc::from(parsed.field_table()))).await?;
        Ok(entry.fields.get_or_init(|| table).clone())
    }

    /// The parsed form of a stored version's schema.
    pub async fn parsed_version(&self, version: &SubjectVersion) -> Result<Arc<Parsed>> {
        self.parsed(&version.schema).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(subject: &str, version: i32) -> VersionRow {
        VersionRow {
            subject: subject.into(),
            version,
            schema_id: 1,
            deleted: false,
            created_at: 0,
        }
    }

    #[test]
    fn versions_group_by_subject() {
        let rows = [
            row("a", 1),
            row("a", 2),
            row("b", 1),
            row("c", 1),
            row("c", 2),
        ];
        let sizes: Vec<(&str, usize)> = live_by_subject(&rows)
            .iter()
            .map(|g| (g[0].subject.as_str(), g.len()))
            .collect();
        assert_eq!(sizes, [("a", 2), ("b", 1), ("c", 2)]);
        assert!(live_by_subject(&[]).is_empty());
    }
}
