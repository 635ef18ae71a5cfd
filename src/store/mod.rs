//! Storage: one small trait, one implementation per database.
//!
//! Every method that writes runs in one transaction that is committed (and, on SQLite, synced)
//! before it returns, so an acknowledged write survives a crash.

mod group_commit;
pub mod postgres;
pub mod sqlite;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Result;
use crate::model::{context, CompatibilityLevel, ConfigSettings, Mode, Reference, SchemaType};

#[derive(Debug, Clone)]
pub struct SchemaRow {
    pub id: i64,
    pub schema_type: SchemaType,
    pub schema: String,
    pub references: Vec<Reference>,
    pub metadata: Option<Value>,
    pub rule_set: Option<Value>,
    /// The file name a Protobuf schema was registered under, when its descriptor gave one.
    pub file_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRow {
    pub subject: String,
    pub version: i32,
    pub schema_id: i64,
    pub deleted: bool,
    /// Epoch milliseconds.
    pub created_at: i64,
}

/// A schema about to be stored, already canonical; `hash` is its identity.
#[derive(Debug, Clone)]
pub struct NewSchema {
    pub schema_type: SchemaType,
    pub schema: String,
    pub references: Vec<Reference>,
    pub metadata: Option<Value>,
    pub rule_set: Option<Value>,
    pub hash: String,
    /// The number of the subject's context (0: the default), whose ids the schema takes.
    pub context: u32,
    /// See [`SchemaRow::file_name`]; kept from the first registration of the schema.
    pub file_name: Option<String>,
}

/// How the new version's number and the schema's id are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Next version, id reused for an identical schema or freshly allocated.
    Next,
    /// A version number the client asked for; it must be the next one.
    Version(i32),
    /// IMPORT mode: the client's id (and version, when given) are kept as they are.
    Import { id: i64, version: Option<i32> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registered {
    /// The schema was already live in the subject; nothing was written.
    Existing { id: i64, version: i32 },
    Created {
        id: i64,
        version: i32,
        /// The version as memory can add it to what it holds of the subject; `None` when the
        /// write also removed a soft-deleted version it superseded.
        added: Option<Added>,
    },
}

impl Registered {
    pub fn id(self) -> i64 {
        match self {
            Registered::Existing { id, .. } | Registered::Created { id, .. } => id,
        }
    }
    pub fn version(self) -> i32 {
        match self {
            Registered::Existing { version, .. } | Registered::Created { version, .. } => version,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigRecord {
    pub compatibility: Option<CompatibilityLevel>,
    pub normalize: Option<bool>,
    /// Every other field, stored as one JSON document.
    pub settings: ConfigSettings,
}

/// What a permanent delete removed besides the versions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purged {
    /// Schema ids no subject uses any more; they now answer 40403 and are never handed out again.
    pub schema_ids: Vec<i64>,
    /// The subject has no versions left, so its config and mode were removed too.
    pub subject_emptied: bool,
}

/// A write that makes what other instances hold in memory stale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// Versions of the subject were deleted.
    Subject {
        subject: String,
    },
    /// The subject gained a version: `added` when that version is the only change (nothing
    /// soft-deleted was superseded), so a follower can apply it without reading the subject.
    Registered {
        subject: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        added: Option<Added>,
    },
    /// An import wrote many subjects at once.
    Imported,
    /// Catalog entities were written or deleted.
    Catalog,
    /// These schema ids were purged.
    Purged {
        ids: Vec<i64>,
    },
    Config {
        scope: String,
    },
    Mode {
        scope: String,
    },
    /// API tokens were created or deleted (each instance re-reads a token within a second).
    Tokens,
}

/// The version a registration added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Added {
    pub version: i32,
    pub schema_id: i64,
    /// Epoch milliseconds.
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeEvent {
    Change(Change),
    /// Changes may have been missed (the listener reconnected): drop everything mutable.
    Lost,
}

/// One version of an import: its schema parsed and hashed like a registration's, and the audit
/// lines that record it.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub subject: String,
    pub version: i32,
    pub id: i64,
    pub deleted: bool,
    pub schema: NewSchema,
    pub audit: Vec<AuditEntry>,
}

/// Batches of an import's versions as they are read; an `Err` abandons the import.
pub type ImportRows = tokio::sync::mpsc::Receiver<Result<Vec<ImportRow>>>;

/// A catalog entity as stored: its kind (`domain`, `team`, `service`, `event`), name and JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogRow {
    pub kind: String,
    pub name: String,
    pub body: Value,
    pub updated_at: i64,
}

/// One change of a catalog write; a write applies all of its changes in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum CatalogWrite {
    Put {
        kind: String,
        name: String,
        body: Value,
    },
    Delete {
        kind: String,
        name: String,
    },
}

/// One line of the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    #[serde(default)]
    pub id: i64,
    /// Epoch milliseconds.
    pub at: i64,
    pub actor: String,
    /// The client's address, when the change came over HTTP.
    #[serde(default)]
    pub source: Option<String>,
    pub action: String,
    pub target: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
}

/// Who makes a write: the token it acts for and the client's address, recorded with the write.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Actor {
    pub name: String,
    /// `None` for changes made on the command line.
    pub source: Option<String>,
}

impl AuditEntry {
    pub fn new(
        actor: &Actor,
        action: &str,
        target: &str,
        before: Option<Value>,
        after: Option<Value>,
    ) -> Self {
        AuditEntry {
            id: 0,
            at: now_millis(),
            actor: actor.name.clone(),
            source: actor.source.clone(),
            action: action.to_string(),
            target: target.to_string(),
            before,
            after,
        }
    }
}

/// Filters for reading the audit trail; newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub target_prefix: Option<String>,
    pub action: Option<String>,
    pub actor: Option<String>,
    pub source: Option<String>,
    pub since: Option<i64>,
    /// Newest lines skipped before the `limit` returned.
    pub offset: usize,
    pub limit: usize,
}

/// Runs inside the registration transaction with the subject's live versions (ascending) and
/// refuses the write by returning an error (an incompatible schema, say). Owned, so that a store
/// may hand the registration to the task that commits it.
pub type Gate = Box<dyn Fn(&[VersionRow]) -> Result<()> + Send + Sync>;

/// The audit line of a new version, made inside its transaction once its id and version are
/// known.
pub type AuditNew = Box<dyn Fn(i64, i32) -> AuditEntry + Send + Sync>;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    async fn schema(&self, id: i64) -> Result<Option<SchemaRow>>;
    /// The schemas of these ids that exist, in any order: one read for a page of a list.
    async fn schemas(&self, ids: &[i64]) -> Result<Vec<SchemaRow>> {
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            out.extend(self.schema(id).await?);
        }
        Ok(out)
    }
    /// The highest id in use in the context numbered `context` (0: the default).
    async fn max_schema_id(&self, context: u32) -> Result<i64>;
    /// The contexts other than the default that were ever used, with their numbers.
    async fn contexts(&self) -> Result<Vec<(String, u32)>>;
    /// The number of `context` (not the default), assigned on its first use and kept.
    async fn context_number(&self, context: &str) -> Result<u32>;
    /// Every version of a subject, soft-deleted ones included, ascending.
    async fn versions(&self, subject: &str) -> Result<Vec<VersionRow>>;
    /// Every version of every subject, ordered by subject then version.
    async fn all_versions(&self) -> Result<Vec<VersionRow>>;
    /// The subject versions that carry schema `id`.
    async fn usages(&self, id: i64) -> Result<Vec<VersionRow>>;
    /// Schemas whose references point at `subject` `version`, with whether every use of the
    /// referring schema is soft-deleted.
    async fn referrers(&self, subject: &str, version: i32) -> Result<Vec<(i64, bool)>>;

    // Every write below takes the audit line that records it and inserts it in the write's own
    // transaction: a write is never acknowledged without its line, nor a line kept without its
    // write.

    /// Registers `schema` in `subject` atomically: returns the live version that already holds
    /// an identical schema (writing nothing), or runs `gate`, writes a new version and the line
    /// `audit` makes for it. Nothing of a refused or failed registration is written, and an
    /// acknowledged one is durable.
    async fn register(
        &self,
        subject: &str,
        schema: &NewSchema,
        placement: Placement,
        gate: Gate,
        audit: AuditNew,
    ) -> Result<Registered>;

    /// Writes every version `rows` brings, with its own id and number, in one transaction that
    /// commits when `rows` closes: an error anywhere (a row's, or one sent through `rows`)
    /// leaves nothing written. An id already stored must hold the same schema; a version
    /// number already used in its subject is refused.
    async fn import(&self, rows: &mut ImportRows) -> Result<()>;

    /// Marks live versions deleted; refused with 42206 while a live schema references one.
    async fn soft_delete(&self, subject: &str, versions: &[i32], audit: &AuditEntry) -> Result<()>;
    /// Removes soft-deleted versions; refused with 42206 while any schema references one.
    async fn hard_delete(
        &self,
        subject: &str,
        versions: &[i32],
        audit: &AuditEntry,
    ) -> Result<Purged>;

    async fn configs(&self) -> Result<Vec<(String, ConfigRecord)>>;
    async fn config(&self, scope: &str) -> Result<Option<ConfigRecord>> {
        Ok(self
            .configs()
            .await?
            .into_iter()
            .find(|(s, _)| s == scope)
            .map(|(_, c)| c))
    }
    /// `None` removes the scope's config.
    async fn put_config(
        &self,
        scope: &str,
        config: Option<ConfigRecord>,
        audit: &AuditEntry,
    ) -> Result<()>;
    async fn modes(&self) -> Result<Vec<(String, Mode)>>;
    async fn mode(&self, scope: &str) -> Result<Option<Mode>> {
        Ok(self
            .modes()
            .await?
            .into_iter()
            .find(|(s, _)| s == scope)
            .map(|(_, m)| m))
    }
    /// The config and the mode set at each of `scopes`, in their order: what resolving a
    /// subject's settings needs, in one read where the store can.
    async fn settings_at(
        &self,
        scopes: &[&str],
    ) -> Result<Vec<(Option<ConfigRecord>, Option<Mode>)>> {
        let mut found = Vec::with_capacity(scopes.len());
        for scope in scopes {
            found.push((self.config(scope).await?, self.mode(scope).await?));
        }
        Ok(found)
    }
    /// `None` removes the scope's mode.
    async fn put_mode(&self, scope: &str, mode: Option<Mode>, audit: &AuditEntry) -> Result<()>;

    /// Every catalog entity, ordered by kind then name.
    async fn catalog_entities(&self) -> Result<Vec<CatalogRow>>;
    /// Applies all `changes` and appends `audit` in one transaction.
    async fn catalog_write(&self, changes: &[CatalogWrite], audit: &[AuditEntry]) -> Result<()>;
    /// A line that records an observation rather than a write (a version breaking stored
    /// examples, say).
    async fn append_audit(&self, entry: &AuditEntry) -> Result<()> {
        self.catalog_write(&[], std::slice::from_ref(entry)).await
    }
    async fn audit_log(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>>;

    /// Stores a token under the hash of its secret; a taken name is a conflict.
    async fn create_token(
        &self,
        token: &crate::model::Token,
        hash: &str,
        audit: &AuditEntry,
    ) -> Result<()>;
    async fn token_by_hash(&self, hash: &str) -> Result<Option<crate::model::Token>>;
    async fn tokens(&self) -> Result<Vec<crate::model::Token>>;
    /// Whether a token of that name existed; nothing (not even `audit`) is written when not.
    async fn delete_token(&self, name: &str, audit: &AuditEntry) -> Result<bool>;

    /// The database answers and every migration this build knows is applied.
    async fn ready(&self) -> Result<()>;
    /// (open, idle) connections of the pool.
    fn pool_stats(&self) -> Option<(u32, u32)> {
        None
    }

    /// Writes made by other processes sharing this database, for stores that have them.
    fn changes(&self) -> Option<tokio::sync::broadcast::Receiver<ChangeEvent>> {
        None
    }
}

/// Opens the store a database URL names, applying migrations, for a short-lived command that
/// keeps nothing in memory across other processes' writes (tokens, export).
pub async fn open(database_url: &str) -> Result<std::sync::Arc<dyn Store>> {
    open_with(database_url, false).await
}

/// Opens the store for a process that keeps what it read in memory (`serve`, `import`): on
/// SQLite, which tells no one of its writes, only one such process may have the file open.
pub async fn open_as_sole_writer(database_url: &str) -> Result<std::sync::Arc<dyn Store>> {
    open_with(database_url, true).await
}

async fn open_with(database_url: &str, sole_writer: bool) -> Result<std::sync::Arc<dyn Store>> {
    if database_url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(if sole_writer {
            sqlite::SqliteStore::open_as_sole_writer(database_url).await?
        } else {
            sqlite::SqliteStore::open(database_url).await?
        }))
    } else if database_url.starts_with("postgres:") || database_url.starts_with("postgresql:") {
        Ok(std::sync::Arc::new(
            postgres::PostgresStore::open(database_url).await?,
        ))
    } else {
        Err(crate::error::Error::store(format!(
            "unsupported database URL '{database_url}': use sqlite://PATH or postgres://..."
        )))
    }
}

pub(crate) fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// The live version of a subject that already holds schema `id` where the placement allows
/// reusing it; registering there writes nothing.
pub(crate) fn existing_version(
    versions: &[VersionRow],
    id: i64,
    placement: Placement,
) -> Option<i32> {
    let wanted = match placement {
        Placement::Next => None,
        Placement::Version(v) => Some(v),
        Placement::Import { version, .. } => version,
    };
    versions
        .iter()
        .rev()
        .find(|v| !v.deleted && v.schema_id == id && wanted.is_none_or(|w| w == v.version))
        .map(|v| v.version)
}

/// The number a new version gets: one past every version ever used in the subject (soft-deleted
/// ones included), or in IMPORT mode the one the client brought.
pub(crate) fn next_version(
    subject: &str,
    versions: &[VersionRow],
    placement: Placement,
) -> Result<i32> {
    let next = versions.iter().map(|v| v.version).max().unwrap_or(0) + 1;
    match placement {
        Placement::Next | Placement::Import { version: None, .. } => Ok(next),
        Placement::Version(v) if v == next => Ok(v),
        Placement::Version(_) => Err(crate::error::Error::InvalidSchemaBare(
            "Version is not one more than previous version".into(),
        )),
        Placement::Import {
            version: Some(v), ..
        } => {
            if versions.iter().any(|row| row.version == v) {
                return Err(version_exists(subject, v));
            }
            Ok(v)
        }
    }
}

/// An IMPORT version number the subject already uses.
pub(crate) fn version_exists(subject: &str, version: i32) -> crate::error::Error {
    crate::error::Error::not_permitted(format!(
        "Version {version} already exists in subject '{subject}'"
    ))
}

/// What an import has written so far, across its batches: the schema each id holds, the
/// (subject, version) pairs taken (those stored before it included), the highest new id.
#[derive(Default)]
pub(crate) struct Imported {
    ids: std::collections::HashMap<i64, String>,
    versions: std::collections::HashSet<(String, i32)>,
    /// (subject, schema id) of the soft-deleted versions stored before the import.
    soft_deleted: std::collections::HashSet<(String, i64)>,
    /// The highest new id of the default context.
    pub max_id: i64,
    /// The highest new id of each other context, by its number.
    pub context_max: std::collections::BTreeMap<u32, i64>,
}

/// What one batch of an import writes besides its versions and audit lines.
pub(crate) struct ImportPlan<'a> {
    /// Rows whose schema is new to the store (the first row of each new id).
    pub schemas: Vec<&'a ImportRow>,
    /// Rows whose (subject, schema id) supersedes soft-deleted versions stored before the
    /// import, as a registration of the same schema does (Confluent #4277).
    pub superseding: Vec<&'a ImportRow>,
}

impl Imported {
    /// Starts from what the store holds: `versions` every (subject, version), `soft_deleted`
    /// the (subject, schema id) of soft-deleted versions.
    pub(crate) fn over(
        versions: impl IntoIterator<Item = (String, i32)>,
        soft_deleted: impl IntoIterator<Item = (String, i64)>,
    ) -> Self {
        Imported {
            versions: versions.into_iter().collect(),
            soft_deleted: soft_deleted.into_iter().collect(),
            ..Imported::default()
        }
    }

    /// The ids of `batch` this import has not brought before: the store reads their hashes.
    pub(crate) fn unseen(&self, batch: &[ImportRow]) -> Vec<i64> {
        batch
            .iter()
            .filter(|r| !self.ids.contains_key(&r.id))
            .map(|r| r.id)
            .collect()
    }

    /// Checks a batch against what came before and plans its writes; `stored` holds the
    /// hashes of the store's schemas among [`Self::unseen`]. An id that names another schema,
    /// or a version number its subject already uses, refuses the import.
    pub(crate) fn plan<'a>(
        &mut self,
        batch: &'a [ImportRow],
        stored: &std::collections::HashMap<i64, String>,
    ) -> Result<ImportPlan<'a>> {
        let mut plan = ImportPlan {
            schemas: Vec::new(),
            superseding: Vec::new(),
        };
        for row in batch {
            let known = self.ids.get(&row.id).or_else(|| stored.get(&row.id));
            let new =
                check_import_id(row.id, known.map(String::as_str), &row.schema.hash)?.is_none();
            if new {
                let id = check_new_id(context::wire_id(row.id))?;
                match context::number_of(row.id) {
                    0 => self.max_id = self.max_id.max(id),
                    n => {
                        let max = self.context_max.entry(n).or_default();
                        *max = (*max).max(id);
                    }
                }
                plan.schemas.push(row);
            }
            self.ids
                .entry(row.id)
                .or_insert_with(|| row.schema.hash.clone());
            if !self.versions.insert((row.subject.clone(), row.version)) {
                return Err(version_exists(&row.subject, row.version));
            }
            if self.soft_deleted.contains(&(row.subject.clone(), row.id)) {
                plan.superseding.push(row);
            }
        }
        Ok(plan)
    }
}

/// The highest schema id: the wire format carries an id in 4 signed bytes.
pub const MAX_SCHEMA_ID: i64 = i32::MAX as i64;

/// An id the store is about to write, refused rather than wrapped past [`MAX_SCHEMA_ID`].
pub(crate) fn check_new_id(id: i64) -> Result<i64> {
    if (1..=MAX_SCHEMA_ID).contains(&id) {
        return Ok(id);
    }
    Err(crate::error::Error::not_permitted(format!(
        "No schema id left: id {id} is past the highest the wire format carries, {MAX_SCHEMA_ID}"
    )))
}

/// The first id of those holding one schema (IMPORT may bring it in under several): the lowest
/// as its context counts it. Chosen here rather than by `ORDER BY id LIMIT 1`, for which a
/// planner without fresh statistics may walk the primary key through every schema instead of
/// using the index on the hash.
pub(crate) fn first_id(ids: Vec<i64>) -> Option<i64> {
    ids.into_iter().min_by_key(|id| context::wire_id(*id))
}

/// Refuses to give an IMPORT id that already names a different schema.
pub(crate) fn check_import_id(
    id: i64,
    stored_hash: Option<&str>,
    hash: &str,
) -> Result<Option<i64>> {
    match stored_hash {
        Some(h) if h != hash => Err(crate::error::Error::not_permitted(format!(
            "Overwrite new schema with id {} in {} is not permitted.",
            context::wire_id(id),
            match context::number_of(id) {
                0 => "context .",
                _ => "its context",
            }
        ))),
        Some(_) => Ok(Some(id)),
        None => Ok(None),
    }
}

/// A config's settings column: JSON, NULL when nothing is set.
fn read_settings(text: Option<String>) -> Result<ConfigSettings> {
    match text {
        None => Ok(ConfigSettings::default()),
        Some(t) => serde_json::from_str(&t)
            .map_err(|e| crate::error::Error::Store(format!("config settings: {e}").into())),
    }
}

fn write_settings(settings: &ConfigSettings) -> Option<String> {
    (!settings.is_empty()).then(|| serde_json::to_string(settings).unwrap_or_default())
}
