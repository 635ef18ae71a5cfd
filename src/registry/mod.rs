//! The registry: Confluent's semantics over a [`Store`], with the reads serializers hit on every
//! new message type answered from memory.

mod answers;
mod browse;
mod cache;
pub mod compatibility;
mod config_mode;
mod contexts;
mod delete;
pub mod guid;
pub mod metadata;
mod register;
mod summaries;
mod tokens;
pub mod validate;

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

pub use answers::{schema_answer, version_object};
pub use browse::{FieldHit, Overview, RegistryHits, SubjectSummary};
pub use config_mode::ConfigUpdate;
pub(crate) use register::identity_hash;
pub use register::{Registration, SchemaRequest};

use crate::error::{Error, Result};
use crate::formats::{self, Dependency, Parsed};
use crate::model::{context, Reference, SchemaType, VersionSpec};
use crate::serve_settings::Dialect;
use crate::store::{Actor, AuditEntry, SchemaRow, Store, VersionRow};
use cache::Caches;

/// A stored schema, immutable once written, shared by every subject that uses its id.
#[derive(Debug)]
pub struct SchemaEntry {
    pub id: i64,
    pub schema_type: SchemaType,
    pub schema: String,
    pub references: Vec<Reference>,
    pub metadata: Option<Value>,
    pub rule_set: Option<Value>,
    /// See [`SchemaRow::file_name`].
    pub file_name: Option<String>,
    parsed: OnceLock<Arc<Parsed>>,
    /// Every field at every depth, worked out once for searches by field name.
    fields: OnceLock<Arc<[formats::FieldRow]>>,
    /// Its answers to the hot reads, encoded on first use.
    answers: OnceLock<answers::Answers>,
}

impl From<SchemaRow> for SchemaEntry {
    fn from(row: SchemaRow) -> Self {
        SchemaEntry {
            id: row.id,
            schema_type: row.schema_type,
            schema: row.schema,
            references: row.references,
            metadata: row.metadata,
            rule_set: row.rule_set,
            file_name: row.file_name,
            parsed: OnceLock::new(),
            fields: OnceLock::new(),
            answers: OnceLock::new(),
        }
    }
}

/// One version of one subject with its schema.
#[derive(Debug, Clone)]
pub struct SubjectVersion {
    pub subject: String,
    pub version: i32,
    pub deleted: bool,
    pub created_at: i64,
    pub schema: Arc<SchemaEntry>,
}

/// Bounds on what one request may make the registry do or keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most references one schema may resolve, counting those of its references.
    pub max_references: usize,
    /// Most answers of repeated registrations and lookups kept in memory.
    pub lookup_cache_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_references: crate::serve_settings::DEFAULT_MAX_REFERENCES,
            lookup_cache_entries: crate::serve_settings::DEFAULT_LOOKUP_CACHE_ENTRIES,
        }
    }
}

pub struct Registry {
    store: Arc<dyn Store>,
    /// No other process writes the store (it reports no changes of others), so version lists,
    /// configs and modes in memory are exact: this process updates them on its own writes.
    sole_writer: bool,
    dialect: Dialect,
    limits: Limits,
    cache: Arc<Caches>,
    metrics: Arc<crate::metrics::Metrics>,
    summaries: summaries::Summaries,
}

impl Registry {
    pub async fn new(store: Arc<dyn Store>, dialect: Dialect) -> Result<Self> {
        Self::with_limits(store, dialect, Limits::default()).await
    }

    pub async fn with_limits(
        store: Arc<dyn Store>,
        dialect: Dialect,
        limits: Limits,
    ) -> Result<Self> {
        let cache = Arc::new(Caches::new(limits.lookup_cache_entries));
        let changes = store.changes();
        let sole_writer = changes.is_none();
        if let Some(changes) = changes {
            tokio::spawn(cache::follow_changes(
                changes,
                Arc::downgrade(&cache),
                Arc::downgrade(&store),
            ));
        }
        cache.load_settings(store.configs().await?, store.modes().await?);
        Ok(Registry {
            store,
            sole_writer,
            dialect,
            limits,
            cache,
            metrics: Arc::new(crate::metrics::Metrics::new()),
            summaries: summaries::Summaries::default(),
        })
    }

    pub(crate) fn cached_token(&self, hash: &str) -> Option<crate::model::Token> {
        self.cache.token(hash)
    }

    pub(crate) fn remember_token(&self, hash: &str, token: &crate::model::Token) {
        self.cache.remember_token(hash, token)
    }

    pub(crate) fn forget_token(&self, name: &str) {
        self.cache.forget_token(name)
    }

    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.metrics
    }

    /// The store answers and its migrations are applied.
    pub async fn ready(&self) -> Result<()> {
        self.store.ready().await
    }

    /// Metrics with the database pool's current state filled in.
    pub fn render_metrics(&self) -> String {
        if let Some((size, idle)) = self.store.pool_stats() {
            self.metrics
                .pool
                .with_label_values(&["open"])
                .set(size as i64);
            self.metrics
                .pool
                .with_label_values(&["idle"])
                .set(idle as i64);
        }
        self.metrics.render()
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Records an observation (not a write) in the audit trail, after the fact: a failure is
    /// logged, since whatever was observed is already committed.
    pub(crate) async fn note(
        &self,
        action: &str,
        target: &str,
        before: Option<Value>,
        after: Option<Value>,
    ) {
        let entry = audit_line(action, target, before, after);
        if let Err(e) = self.store.append_audit(&entry).await {
            tracing::warn!(error = %e, detail = e.detail().unwrap_or_default(), action, target, "audit line not written");
        }
    }

    /// Schema by id: from memory after the first read (ids are immutable).
    pub async fn schema_by_id(&self, id: i64) -> Result<Arc<SchemaEntry>> {
        if let Some(entry) = self.cache.schema(id) {
            self.metrics.cache_lookup("schema_by_id", true);
            return Ok(entry);
        }
        self.metrics.cache_lookup("schema_by_id", false);
        let row = self
            .store
            .schema(id)
            .await?
            .ok_or(Error::SchemaIdNotFound(context::wire_id(id)))?;
        Ok(self.cache.put_schema(SchemaEntry::from(row)))
    }

    /// The schema whose 8.x guid is `guid` (any case), by a walk over the ids in use; 40403
    /// when none has it. Schemas already in memory are tried first; the others are read a
    /// page at a time and not kept, so one lookup does not load the whole registry for good.
    pub async fn schema_by_guid(&self, guid: &str) -> Result<Arc<SchemaEntry>> {
        let wanted = guid.trim().to_ascii_lowercase();
        let ids = self
            .summaries()
            .await?
            .directory
            .read()
            .unwrap()
            .schema_ids();
        let mut unread = Vec::new();
        for id in ids {
            match self.cache.schema(id) {
                Some(entry) if guid::guid(&entry) == wanted => return Ok(entry),
                Some(_) => {}
                None => unread.push(id),
            }
        }
        for page in unread.chunks(500) {
            for row in self.store.schemas(page).await? {
                let entry = SchemaEntry::from(row);
                if guid::guid(&entry) == wanted {
                    return Ok(self.cache.put_schema(entry));
                }
            }
        }
        Err(Error::SchemaNotFound)
    }

    /// Every version of a subject, soft-deleted ones included, ascending: from memory where
    /// this process is the store's one writer, else from the store, so instances agree.
    pub(crate) async fn versions(&self, subject: &str) -> Result<Arc<[VersionRow]>> {
        if !self.sole_writer {
            return Ok(self.store.versions(subject).await?.into());
        }
        if let Some(rows) = self.cache.versions(subject) {
            return Ok(rows);
        }
        let epoch = self.cache.versions_epoch();
        let rows: Arc<[VersionRow]> = self.store.versions(subject).await?.into();
        self.cache.put_versions(subject, rows.clone(), epoch);
        Ok(rows)
    }

    /// To be called after every write to a subject's versions, whatever its outcome.
    pub(crate) fn versions_changed(&self, subject: &str) {
        self.cache.forget_versions(subject);
    }

    /// The highest id in use in the context of stored id `id`.
    pub async fn max_schema_id(&self, id: i64) -> Result<i64> {
        self.store.max_schema_id(context::number_of(id)).await
    }

    /// The subject versions that use schema `id`; soft-deleted ones only with `deleted`.
    pub async fn usages_of_id(&self, id: i64, deleted: bool) -> Result<Vec<VersionRow>> {
        self.schema_by_id(id).await?;
        let rows = self.store.usages(id).await?;
        Ok(rows.into_iter().filter(|r| deleted || !r.deleted).collect())
    }

    /// Subjects, sorted. A subject counts as deleted only when all its versions are.
    pub async fn list_subjects(
        &self,
        prefix: &str,
        deleted: bool,
        deleted_only: bool,
    ) -> Result<Vec<String>> {
        let summaries = self.summaries().await?;
        let directory = summaries.directory.read().unwrap();
        Ok(directory.subjects(prefix, deleted, deleted_only))
    }

    /// A subject's version numbers; 40401 when none is visible under the flags.
    pub async fn list_versions(
        &self,
        subject: &str,
        deleted: bool,
        deleted_only: bool,
    ) -> Result<Vec<i32>> {
        let rows = self.versions(subject).await?;
        let include_deleted = deleted || deleted_only;
        if !rows.iter().any(|r| include_deleted || !r.deleted) {
            return Err(Error::SubjectNotFound(subject.to_string()));
        }
        Ok(rows
            .iter()
            .filter(|r| {
                if deleted_only {
                    r.deleted
                } else {
                    deleted || !r.deleted
                }
            })
            .map(|r| r.version)
            .collect())
    }

    /// Every version of a subject, soft-deleted ones included, ascending; 40401 when it has
    /// none. One store read, for pages that list a subject's history.
    pub async fn subject_versions(&self, subject: &str) -> Result<Vec<VersionRow>> {
        let rows = self.store.versions(subject).await?;
        if rows.is_empty() {
            return Err(Error::SubjectNotFound(subject.to_string()));
        }
        Ok(rows)
    }

    /// One version of a subject. `latest` always means the latest live version.
    pub async fn get_version(
        &self,
        subject: &str,
        spec: VersionSpec,
        deleted: bool,
    ) -> Result<SubjectVersion> {
        let rows = self.versions(subject).await?;
        let row = pick_version(subject, &rows, spec, deleted)?;
        self.subject_version(row).await
    }

    /// The latest version of `subject` whose `metadata.properties` hold every `(key, value)`
    /// pair (`GET /subjects/{s}/metadata`): 40401 when the subject shows no versions, 40403
    /// when none matches. Soft-deleted versions count only with `deleted`.
    pub async fn latest_with_metadata(
        &self,
        subject: &str,
        pairs: &[(&str, &str)],
        deleted: bool,
    ) -> Result<SubjectVersion> {
        let rows = self.versions(subject).await?;
        if !rows.iter().any(|r| deleted || !r.deleted) {
            return Err(Error::SubjectNotFound(subject.to_string()));
        }
        for row in rows.iter().rev().filter(|r| deleted || !r.deleted) {
            let found = self.subject_version(row).await?;
            let properties = found
                .schema
                .metadata
                .as_ref()
                .and_then(|m| m.get("properties"))
                .and_then(Value::as_object);
            let holds = |(k, v): &(&str, &str)| {
                properties
                    .and_then(|p| p.get(*k))
                    .and_then(Value::as_str)
                    .is_some_and(|found| found == *v)
            };
            if pairs.iter().all(holds) {
                return Ok(found);
            }
        }
        Err(Error::SchemaNotFound)
    }

    pub(crate) async fn subject_version(&self, row: &VersionRow) -> Result<SubjectVersion> {
        Ok(SubjectVersion {
            subject: row.subject.clone(),
            version: row.version,
            deleted: row.deleted,
            created_at: row.created_at,
            schema: self.schema_by_id(row.schema_id).await?,
        })
    }

    /// Every subject version, ordered by subject then version (`GET /schemas`).
    pub async fn list_schemas(
        &self,
        prefix: &str,
        deleted: bool,
        latest_only: bool,
        offset: usize,
        limit: Option<usize>,
        granted: impl Fn(&str) -> bool,
    ) -> Result<Vec<SubjectVersion>> {
        let rows = self.summaries().await?.directory.read().unwrap().versions(
            prefix,
            deleted,
            latest_only,
            offset,
            limit.unwrap_or(usize::MAX),
            granted,
        );
        self.with_schemas(rows).await
    }

    /// Ids of the schemas that reference `subject` at `spec`.
    pub async fn referenced_by(
        &self,
        subject: &str,
        spec: VersionSpec,
        deleted: bool,
    ) -> Result<Vec<i64>> {
        let rows = self.versions(subject).await?;
        let row = pick_version(subject, &rows, spec, true)?;
        let referrers = self.store.referrers(subject, row.version).await?;
        Ok(referrers
            .into_iter()
            .filter(|(_, all_deleted)| deleted || !all_deleted)
            .map(|(id, _)| id)
            .collect())
    }

    /// The parsed form of a stored schema, parsed once and kept with the entry.
    pub(crate) async fn parsed(&self, entry: &SchemaEntry) -> Result<Arc<Parsed>> {
        if let Some(p) = entry.parsed.get() {
            return Ok(p.clone());
        }
        let context = self.context_of_id(entry.id).await?;
        let deps = self
            .resolve_references(&context, &entry.references, true)
            .await?;
        let (schema_type, text) = (entry.schema_type, entry.schema.clone());
        let parsed = crate::limits::offload(move || {
            formats::parse(schema_type, &text, &deps, false).map(Arc::from)
        })
        .await?;
        Ok(entry.parsed.get_or_init(|| parsed).clone())
    }

    /// The schemas `references` name, transitively, dependencies before dependents.
    /// New schemas may only reference live versions; stored ones resolve through soft deletes.
    pub(crate) async fn resolve_references(
        &self,
        context: &str,
        references: &[Reference],
        allow_deleted: bool,
    ) -> Result<Vec<Dependency>> {
        self.resolve_references_in(context, None, references, allow_deleted)
            .await
    }

    /// [`Self::resolve_references_in`] for a schema about to be registered under `registering`,
    /// whose references are in that subject's context.
    pub(crate) async fn resolve_references_from(
        &self,
        registering: Option<&str>,
        references: &[Reference],
        allow_deleted: bool,
    ) -> Result<Vec<Dependency>> {
        self.resolve_references_in(context::DEFAULT, registering, references, allow_deleted)
            .await
    }

    /// [`Self::resolve_references`] for a schema about to be registered under `registering`:
    /// a reference (through any chain) back to that subject's latest version would, once
    /// registered, be a reference to itself. Cycles are refused with the chain that closes them.
    async fn resolve_references_in(
        &self,
        root_context: &str,
        registering: Option<&str>,
        references: &[Reference],
        allow_deleted: bool,
    ) -> Result<Vec<Dependency>> {
        struct Open {
            reference: Reference,
            found: SubjectVersion,
            next: usize,
        }
        let mut out: Vec<Dependency> = Vec::new();
        if registering.is_some() && references.len() > self.limits.max_references {
            return Err(too_many_references(self.limits.max_references));
        }
        let mut done: HashSet<(String, i32)> = HashSet::new();
        let mut resolved = 0usize;
        // The chain of references being followed, outermost first.
        let mut chain: Vec<Open> = Vec::new();
        let mut roots = references.iter();
        let root_context = match registering {
            Some(subject) => context::of(subject).into_owned(),
            None => root_context.to_string(),
        };
        loop {
            // A reference without a context is in the context of the schema that holds it.
            let next = match chain.last_mut() {
                Some(open) => {
                    let nested = open.found.schema.references.get(open.next).cloned();
                    open.next += 1;
                    nested.map(|r| (context::of(&open.found.subject).into_owned(), r))
                }
                None => match roots.next() {
                    Some(r) => Some((root_context.clone(), r.clone())),
                    None => break,
                },
            };
            let next = next.map(|(holder, mut r)| {
                let named = r.clone();
                r.subject = context::in_context(&holder, &r.subject);
                (named, r)
            });
            let Some((named, reference)) = next else {
                let open = chain.pop().expect("a reference is open");
                if done.insert((open.found.subject.clone(), open.found.version)) {
                    out.push(Dependency {
                        name: open.reference.name,
                        schema_type: open.found.schema.schema_type,
                        schema: open.found.schema.schema.clone(),
                    });
                }
                continue;
            };
            let describe = |chain: &[Open]| -> Vec<String> {
                chain
                    .iter()
                    .map(|o| format!("'{}' version {}", o.found.subject, o.found.version))
                    .collect()
            };
            if reference.version == -1 && registering == Some(reference.subject.as_str()) {
                let mut links = vec![format!("'{}' (being registered)", reference.subject)];
                links.extend(describe(&chain));
                links.push(format!("'{}' version latest", reference.subject));
                return Err(cycle(&links));
            }
            // A new schema's references are bounded; stored ones were accepted already.
            resolved += 1;
            if registering.is_some() && resolved > self.limits.max_references {
                return Err(too_many_references(self.limits.max_references));
            }
            let found = self.resolve_reference(&reference, allow_deleted).await?;
            let key = (found.subject.clone(), found.version);
            if let Some(start) = chain
                .iter()
                .position(|o| o.found.subject == key.0 && o.found.version == key.1)
            {
                let mut links = describe(&chain[start..]);
                links.push(format!("'{}' version {}", key.0, key.1));
                return Err(cycle(&links));
            }
            if done.contains(&key) {
                continue;
            }
            chain.push(Open {
                reference: named,
                found,
                next: 0,
            });
        }
        Ok(out)
    }

    async fn resolve_reference(
        &self,
        reference: &Reference,
        allow_deleted: bool,
    ) -> Result<SubjectVersion> {
        let spec = VersionSpec::parse(&reference.version.to_string()).map_err(|_| {
            Error::InvalidSchema(format!("invalid reference version in {reference:?}"))
        })?;
        self.get_version(&reference.subject, spec, allow_deleted)
            .await
            .map_err(|e| {
                // A failing store is a server error, not a bad reference.
                if e.code() >= 50000 {
                    return e;
                }
                Error::InvalidSchema(format!(
                    "reference '{}' to subject '{}' version {} cannot be resolved",
                    reference.name, reference.subject, reference.version
                ))
            })
    }
}

/// Who the request being served acts for, and where it comes from (read from the request's
/// task-locals here, so the store gets them as plain values).
pub(crate) fn current_actor() -> Actor {
    acting_as(&crate::auth::current_actor())
}

/// `name` acting from the address of the request being served.
pub(crate) fn acting_as(name: &str) -> Actor {
    Actor {
        name: name.to_string(),
        source: crate::auth::current_source(),
    }
}

/// The audit line of a change made by the request being served.
pub(crate) fn audit_line(
    action: &str,
    target: &str,
    before: Option<Value>,
    after: Option<Value>,
) -> AuditEntry {
    AuditEntry::new(&current_actor(), action, target, before, after)
}

impl Registry {
    /// Refuses a new schema that resolves more references than the limit allows.
    pub(crate) fn check_reference_count(&self, resolved: usize) -> Result<()> {
        if resolved > self.limits.max_references {
            return Err(too_many_references(self.limits.max_references));
        }
        Ok(())
    }
}

fn too_many_references(limit: usize) -> Error {
    Error::InvalidSchema(format!(
        "more than {limit} references, counting those of its references \
         (the max_references limit)"
    ))
}

fn cycle(links: &[String]) -> Error {
    Error::InvalidSchema(format!("references form a cycle: {}", links.join(" -> ")))
}

/// The row a path's version names: 40401 when the subject shows no versions, 40402 when that
/// one is missing or soft-deleted (unless `deleted`).
pub(crate) fn pick_version<'a>(
    subject: &str,
    rows: &'a [VersionRow],
    spec: VersionSpec,
    deleted: bool,
) -> Result<&'a VersionRow> {
    if !rows.iter().any(|r| deleted || !r.deleted) {
        return Err(Error::SubjectNotFound(subject.to_string()));
    }
    let found = match spec {
        VersionSpec::Latest => rows.iter().rev().find(|r| !r.deleted),
        VersionSpec::Number(n) => rows
            .iter()
            .find(|r| r.version == n && (deleted || !r.deleted)),
    };
    found.ok_or_else(|| Error::VersionNotFound(spec.to_string()))
}
