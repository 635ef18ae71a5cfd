//! Reads for browsing the whole registry: subjects with their latest version, the most recent
//! registrations, and the fields of every subject's latest schema. Each reads the in-memory
//! summaries and loads only the schemas it shows, in one store read.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};

use futures_util::StreamExt;
use tokio::sync::broadcast::{self, error::RecvError};

use super::summaries::{LatestChange, Slot, Summaries};
use super::{Registry, SchemaEntry, SubjectVersion};
use crate::catalog_entities::contents::CatalogState;
use crate::error::Result;
use crate::formats::{self, FieldRow, Parsed};
use crate::model::context;
use crate::store::{Added, Change, ChangeEvent, VersionRow};

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

/// What a search finds in the registry: subject names, and one page of the fields of latest
/// versions with how many there are in all.
#[derive(Debug, Clone, Default)]
pub struct RegistryHits {
    pub subjects: Vec<String>,
    pub fields: Vec<FieldHit>,
    pub field_total: usize,
}

/// Schemas parsed at once when the field index is built.
const INDEX_CHUNK: usize = 256;

impl Registry {
    /// The summaries, loaded on first use, with the subjects whose last update failed read
    /// again.
    pub(crate) async fn summaries(&self) -> Result<&Summaries> {
        self.summaries
            .loaded
            .get_or_try_init(|| async {
                let ticket = self.load_directory().await?;
                self.index_all(ticket).await;
                Ok::<(), crate::error::Error>(())
            })
            .await?;
        if self.summaries.reload_pending.swap(false, Ordering::SeqCst) {
            if let Err(e) = self.reload_summaries().await {
                self.summaries.reload_pending.store(true, Ordering::SeqCst);
                return Err(e);
            }
        }
        let stale = std::mem::take(&mut *self.summaries.stale.lock().unwrap());
        for subject in stale {
            self.refresh_subject(&subject).await;
        }
        Ok(&self.summaries)
    }

    /// Indexes the fields of the subjects other instances changed since the last search.
    async fn index_followed(&self) {
        let pending = std::mem::take(&mut *self.summaries.unindexed.lock().unwrap());
        for subject in pending {
            let ticket = self.summaries.ticket();
            let change = self.summaries.latest(&subject);
            if !self.summaries.indexes(&change) {
                self.index_change(ticket, change).await;
            }
        }
    }

    /// Reads every subject's versions; returns the ticket of the read.
    async fn load_directory(&self) -> Result<u64> {
        let began = std::time::Instant::now();
        let ticket = self.summaries.ticket();
        let rows = self.store.all_versions().await?;
        self.summaries.load(ticket, &rows);
        tracing::debug!(
            versions = rows.len(),
            took_ms = began.elapsed().as_millis() as u64,
            "subject summaries loaded"
        );
        Ok(ticket)
    }

    /// Indexes the fields of every subject's latest live version, as read under `ticket`.
    async fn index_all(&self, ticket: u64) {
        let began = std::time::Instant::now();
        let latest = self.summaries.latest_live();
        let schemas = latest.len();
        // Searches wait for this; they must not wait for ever should the build fail.
        let _built = self.summaries.indexed.on_drop();
        self.index_fields(ticket, latest).await;
        tracing::debug!(
            schemas,
            took_ms = began.elapsed().as_millis() as u64,
            "field index built"
        );
    }

    /// Reads everything again, after changes this instance may have missed; what is
    /// unchanged keeps its field index entry.
    pub(crate) async fn reload_summaries(&self) -> Result<()> {
        if !self.summaries.is_loaded() {
            return Ok(());
        }
        let ticket = self.summaries.ticket();
        let rows = self.store.all_versions().await?;
        let changed = self.summaries.load(ticket, &rows);
        drop(rows);
        let mut live = Vec::new();
        for (subject, latest) in changed {
            match latest {
                Some(slot) => live.push((subject, slot)),
                None => self
                    .summaries
                    .fields
                    .write()
                    .unwrap()
                    .set(&subject, ticket, None),
            }
        }
        self.index_fields(ticket, live).await;
        Ok(())
    }

    /// Brings one subject's summary (and its field index entry) up to date after a write to
    /// it; a failed read is retried by the next list.
    pub(crate) async fn refresh_subject(&self, subject: &str) {
        self.refresh(subject, true).await
    }

    /// Updates the summary of a subject another instance wrote; its fields are indexed by the
    /// next search.
    async fn follow_subject(&self, subject: &str) {
        self.refresh(subject, false).await
    }

    /// Applies a registration (`added`, the version it added, if known) to the subject's
    /// summary: appended without reading the subject when the summary holds the versions
    /// before it, else the subject is read. With `index_now` (this instance's own write, which
    /// answers only once the index holds it) the fields are indexed before this returns, else
    /// by the next search.
    pub(crate) async fn apply_registration(
        &self,
        subject: &str,
        added: Option<Added>,
        index_now: bool,
    ) {
        if let Some(added) = added.filter(|_| self.summaries.is_loaded()) {
            let ticket = self.summaries.ticket();
            if self.summaries.append(subject, ticket, added) {
                let change = self.summaries.latest(subject);
                self.index_latest(ticket, change, index_now).await;
                return;
            }
        }
        self.refresh(subject, index_now).await
    }

    async fn refresh(&self, subject: &str, index_now: bool) {
        if !self.summaries.is_loaded() {
            self.summaries
                .stale
                .lock()
                .unwrap()
                .insert(subject.to_string());
            return;
        }
        let ticket = self.summaries.ticket();
        let rows = match self.store.versions(subject).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, subject, "could not read a subject to update its summary");
                self.summaries
                    .stale
                    .lock()
                    .unwrap()
                    .insert(subject.to_string());
                return;
            }
        };
        // Unchanged, or not applied because a later read was, can mean another refresh (the
        // notice of this instance's own write, say) applied these rows first and is still
        // reading the schema's fields: a write answers only once the index holds its version.
        let (change, changed) = match self.summaries.replace(subject, ticket, &rows) {
            Some(applied) => applied,
            None => (self.summaries.latest(subject), false),
        };
        if changed || !self.summaries.indexes(&change) {
            self.index_latest(ticket, change, index_now).await;
        }
    }

    async fn index_latest(&self, ticket: u64, change: LatestChange, now: bool) {
        if now {
            self.index_change(ticket, change).await;
        } else {
            self.summaries.index_later(&change.0);
        }
    }

    async fn index_change(&self, ticket: u64, (subject, latest): LatestChange) {
        let fields = match latest {
            Some(slot) => match self.schema_by_id(slot.schema_id).await {
                Ok(entry) => self.field_table(&entry).await.ok().map(|f| (slot, f)),
                Err(_) => None,
            },
            None => None,
        };
        let mut index = self.summaries.fields.write().unwrap();
        match &fields {
            Some((slot, f)) => index.set(&subject, ticket, Some((slot.version, slot.schema_id, f))),
            None => index.set(&subject, ticket, None),
        }
    }

    /// Indexes the fields of these latest versions, parsing their schemas on the work pool
    /// without keeping them in memory: most are never read again.
    async fn index_fields(&self, ticket: u64, latest: Vec<(Arc<str>, Slot)>) {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let chunks: Vec<Vec<(Arc<str>, Slot)>> =
            latest.chunks(INDEX_CHUNK).map(<[_]>::to_vec).collect();
        let mut parsed = futures_util::stream::iter(chunks)
            .map(|chunk| self.chunk_fields(chunk))
            .buffer_unordered(threads);
        while let Some(done) = parsed.next().await {
            let mut index = self.summaries.fields.write().unwrap();
            for (subject, slot, fields) in done {
                let latest = fields.as_deref().map(|f| (slot.version, slot.schema_id, f));
                index.set(&subject, ticket, latest);
            }
        }
    }

    /// The field tables of one chunk of latest versions (`None` for a schema that cannot be
    /// read now; its subject is indexed again by its next write).
    async fn chunk_fields(
        &self,
        chunk: Vec<(Arc<str>, Slot)>,
    ) -> Vec<(Arc<str>, Slot, Option<Vec<FieldRow>>)> {
        let ids: Vec<i64> = chunk.iter().map(|(_, s)| s.schema_id).collect();
        let mut rows: HashMap<i64, SchemaEntry> = match self.store.schemas(&ids).await {
            Ok(rows) => rows
                .into_iter()
                .map(|r| (r.id, SchemaEntry::from(r)))
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "could not read schemas for the field index");
                HashMap::new()
            }
        };
        let mut jobs = Vec::with_capacity(chunk.len());
        for (subject, slot) in chunk {
            let job = match rows.remove(&slot.schema_id) {
                Some(entry) if entry.references.is_empty() => Some((entry, Vec::new())),
                Some(entry) => self
                    .resolve_references(&context::of(&subject), &entry.references, true)
                    .await
                    .ok()
                    .map(|deps| (entry, deps)),
                None => None,
            };
            jobs.push((subject, slot, job));
        }
        let work = crate::limits::offload(move || {
            Ok(jobs
                .into_iter()
                .map(|(subject, slot, job)| {
                    let fields = job.and_then(|(entry, deps)| {
                        crate::limits::bounded(|| {
                            formats::parse(entry.schema_type, &entry.schema, &deps, false)
                                .map(|p| p.field_table())
                        })
                        .ok()
                    });
                    (subject, slot, fields)
                })
                .collect::<Vec<_>>())
        });
        work.await.unwrap_or_default()
    }

    /// The catalog as last read, or the generation a read starting now belongs to.
    pub(crate) fn cached_catalog(&self) -> std::result::Result<Arc<CatalogState>, u64> {
        self.summaries.catalog.lock().unwrap().get()
    }

    /// Keeps a catalog read since `generation`, unless a write dropped that generation.
    pub(crate) fn keep_catalog(&self, generation: u64, state: Arc<CatalogState>) {
        self.summaries
            .catalog
            .lock()
            .unwrap()
            .put(generation, state)
    }

    pub(crate) fn forget_catalog(&self) {
        self.summaries.catalog.lock().unwrap().drop_value()
    }

    /// Whether no subject has a version, live or soft-deleted.
    pub async fn holds_no_versions(&self) -> Result<bool> {
        Ok(self.summaries().await?.directory.read().unwrap().is_empty())
    }

    /// Loads the summaries and keeps them following the writes that other instances sharing
    /// the database announce. The catalog and the field index are read in the background:
    /// lists answer at once, searches wait for the index.
    pub async fn watch(registry: &Arc<Registry>) -> Result<()> {
        // Subscribed first, so that what is written while the summaries load is applied after.
        let changes = registry.store.changes();
        let mut ticket = None;
        registry
            .summaries
            .loaded
            .get_or_try_init(|| async {
                ticket = Some(registry.load_directory().await?);
                Ok::<(), crate::error::Error>(())
            })
            .await?;
        if let Some(ticket) = ticket {
            let weak = Arc::downgrade(registry);
            tokio::spawn(async move {
                if let Some(registry) = weak.upgrade() {
                    // The catalog too, so that the first page does not wait for it.
                    if let Err(e) = registry.catalog_view().await {
                        tracing::warn!(error = %e, "could not read the catalog");
                    }
                    registry.index_all(ticket).await;
                }
            });
        }
        if let Some(changes) = changes {
            tokio::spawn(follow(changes, Arc::downgrade(registry)));
        }
        Ok(())
    }

    /// The schemas of these ids, from memory or in one store read; ids no longer stored are
    /// left out.
    pub(crate) async fn schema_entries(
        &self,
        ids: &[i64],
    ) -> Result<HashMap<i64, Arc<SchemaEntry>>> {
        let mut out = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        for &id in ids {
            match self.cache.schema(id) {
                Some(entry) => {
                    out.insert(id, entry);
                }
                None => missing.push(id),
            }
        }
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            for row in self.store.schemas(&missing).await? {
                let entry = self.cache.put_schema(SchemaEntry::from(row));
                out.insert(entry.id, entry);
            }
        }
        Ok(out)
    }

    /// The rows with their schemas; rows whose schema was purged meanwhile are left out.
    pub(crate) async fn with_schemas(&self, rows: Vec<VersionRow>) -> Result<Vec<SubjectVersion>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.schema_id).collect();
        let entries = self.schema_entries(&ids).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(SubjectVersion {
                    schema: entries.get(&r.schema_id)?.clone(),
                    subject: r.subject,
                    version: r.version,
                    deleted: r.deleted,
                    created_at: r.created_at,
                })
            })
            .collect())
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
        let summaries = self.summaries().await?;
        let filter = filter.to_lowercase();
        let (total, lines) = summaries
            .directory
            .read()
            .unwrap()
            .page(&filter, keep, offset, limit);
        let counts: Vec<usize> = lines.iter().map(|(_, n, _)| *n).collect();
        let latest = self
            .with_schemas(lines.into_iter().map(|(_, _, row)| row).collect())
            .await?;
        let page = latest
            .into_iter()
            .zip(counts)
            .map(|(latest, versions)| SubjectSummary {
                subject: latest.subject.clone(),
                versions,
                latest,
            })
            .collect();
        Ok((total, page))
    }

    pub async fn overview(&self, recent: usize) -> Result<Overview> {
        let summaries = self.summaries().await?;
        let (subjects, rows) = {
            let directory = summaries.directory.read().unwrap();
            (
                directory.live_subjects(),
                directory.newest().take(recent).collect::<Vec<_>>(),
            )
        };
        Ok(Overview {
            subjects,
            recent: self.with_schemas(rows).await?,
        })
    }

    /// Subjects whose name contains `needle`, and the fields named like it at any depth in
    /// each subject's latest live version (both case-insensitive), among the subjects `keep`
    /// accepts: every subject, and `limit` fields from `offset` with the number of all.
    pub async fn search_registry(
        &self,
        needle: &str,
        keep: impl Fn(&str) -> bool,
        offset: usize,
        limit: usize,
    ) -> Result<RegistryHits> {
        let needle = needle.to_lowercase();
        let mut hits = RegistryHits::default();
        if needle.is_empty() {
            return Ok(hits);
        }
        let summaries = self.summaries().await?;
        summaries.indexed.wait().await;
        self.index_followed().await;
        hits.subjects = summaries
            .directory
            .read()
            .unwrap()
            .page(&needle, &keep, 0, usize::MAX)
            .1
            .into_iter()
            .map(|(subject, _, _)| subject)
            .collect();
        let (total, postings) = summaries
            .fields
            .read()
            .unwrap()
            .search(&needle, &keep, offset, limit);
        hits.field_total = total;
        let ids: Vec<i64> = postings.iter().map(|p| p.schema_id).collect();
        let entries = self.schema_entries(&ids).await?;
        for posting in postings {
            let Some(entry) = entries.get(&posting.schema_id) else {
                continue;
            };
            let Ok(fields) = self.field_table(entry).await else {
                continue;
            };
            if let Some(field) = fields.get(posting.row) {
                hits.fields.push(FieldHit {
                    subject: posting.subject.to_string(),
                    version: posting.version,
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

/// Applies what other instances write to the summaries of `registry`, until it is dropped.
async fn follow(mut changes: broadcast::Receiver<ChangeEvent>, registry: Weak<Registry>) {
    loop {
        let event = match changes.recv().await {
            Ok(event) => event,
            Err(RecvError::Lagged(_)) => ChangeEvent::Lost,
            Err(RecvError::Closed) => return,
        };
        let Some(registry) = registry.upgrade() else {
            return;
        };
        match event {
            ChangeEvent::Change(Change::Registered { subject, added }) => {
                registry.apply_registration(&subject, added, false).await
            }
            ChangeEvent::Change(Change::Subject { subject }) => {
                registry.follow_subject(&subject).await
            }
            ChangeEvent::Change(Change::Catalog) => registry.forget_catalog(),
            ChangeEvent::Change(Change::Imported) | ChangeEvent::Lost => {
                registry.forget_catalog();
                if let Err(e) = registry.reload_summaries().await {
                    // The next list tries again.
                    tracing::warn!(error = %e, "could not reload the summaries after a change");
                    registry
                        .summaries
                        .reload_pending
                        .store(true, Ordering::SeqCst);
                }
            }
            ChangeEvent::Change(
                Change::Purged { .. }
                | Change::Config { .. }
                | Change::Mode { .. }
                | Change::Tokens,
            ) => {}
        }
    }
}
