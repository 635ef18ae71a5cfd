//! SQLite: the embedded default. WAL for concurrent readers, `BEGIN IMMEDIATE` so a registration
//! holds the single write lock from its first read, and `synchronous=FULL` so a commit is on disk
//! before the client hears about it. Registrations go through one writer that commits all those
//! waiting at once (`group_commit`).

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Row, SqliteConnection, SqlitePool};

use super::group_commit::{Registration, Writer};
use super::{
    AuditEntry, AuditNew, AuditQuery, CatalogRow, CatalogWrite, ConfigRecord, Gate, ImportRow,
    ImportRows, Imported, NewSchema, Placement, Purged, Registered, SchemaRow, Store, VersionRow,
};
use crate::error::{Error, Result};
use crate::model::{Mode, Reference, SchemaType};

pub struct SqliteStore {
    pool: SqlitePool,
    writer: Writer,
    /// Held for the store's life by a process that keeps the file's contents in memory.
    _sole_writer: Option<std::fs::File>,
}

impl SqliteStore {
    /// Opens the file as its one long-lived writer: a process that serves it keeps version
    /// lists, settings and summaries in memory and would answer stale data after another
    /// process's write, so a second server or an import into the file while one runs is refused
    /// here instead. Token commands (re-read within a second) and exports open it with
    /// [`SqliteStore::open`].
    pub async fn open_as_sole_writer(url: &str) -> Result<Self> {
        let mut store = Self::open(url).await?;
        store._sole_writer = sole_writer_lock(url)?;
        Ok(store)
    }

    pub async fn open(url: &str) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let writer = Writer::start(options.connect().await?);
        Ok(SqliteStore {
            pool,
            writer,
            _sole_writer: None,
        })
    }
}

/// An exclusive lock on `<file>.writer-lock` beside the database file (none for an in-memory
/// database), released when the process ends however it ends.
fn sole_writer_lock(url: &str) -> Result<Option<std::fs::File>> {
    let options = SqliteConnectOptions::from_str(url)?;
    let path = options.get_filename();
    if path.as_os_str().is_empty() || path == std::path::Path::new(":memory:") {
        return Ok(None);
    }
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push(".writer-lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| Error::store(format!("cannot open {}: {e}", lock_path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::store(format!(
            "another herald process serves or imports into {}: stop it first, or import through \
             its API",
            path.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::store(format!(
            "cannot lock {}: {e}",
            lock_path.display()
        ))),
    }
}

fn version_row(row: &sqlx::sqlite::SqliteRow) -> VersionRow {
    VersionRow {
        subject: row.get("subject"),
        version: row.get("version"),
        schema_id: row.get("schema_id"),
        deleted: row.get::<i64, _>("deleted") != 0,
        created_at: row.get("created_at"),
    }
}

/// Ids per statement of a batch read, well under SQLite's bound on parameters.
const IDS_PER_READ: usize = 500;

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

fn schema_row(row: &sqlx::sqlite::SqliteRow, references: Vec<Reference>) -> Result<SchemaRow> {
    let schema_type: String = row.get("schema_type");
    Ok(SchemaRow {
        id: row.get("id"),
        schema_type: SchemaType::from_str(&schema_type)?,
        schema: row.get("schema"),
        references,
        metadata: parse_json(row.get("metadata")),
        rule_set: parse_json(row.get("rule_set")),
    })
}

fn reference_row(r: &sqlx::sqlite::SqliteRow) -> Reference {
    Reference {
        name: r.get("name"),
        subject: r.get("subject"),
        version: r.get("version"),
    }
}

fn parse_json(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

async fn versions_in(conn: &mut SqliteConnection, subject: &str) -> Result<Vec<VersionRow>> {
    let rows = sqlx::query(
        "SELECT subject, version, schema_id, deleted, created_at FROM subject_versions WHERE subject = ? ORDER BY version",
    )
    .bind(subject)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(version_row).collect())
}

async fn schema_hash(conn: &mut SqliteConnection, id: i64) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT hash FROM schemas WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

async fn id_for_hash(conn: &mut SqliteConnection, hash: &str) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM schemas WHERE hash = ? ORDER BY id LIMIT 1")
            .bind(hash)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

async fn insert_schema(
    conn: &mut SqliteConnection,
    schema: &NewSchema,
    explicit_id: Option<i64>,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO schemas (id, schema_type, schema, metadata, rule_set, hash, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(explicit_id)
    .bind(schema.schema_type.as_str())
    .bind(&schema.schema)
    .bind(schema.metadata.as_ref().map(|v| v.to_string()))
    .bind(schema.rule_set.as_ref().map(|v| v.to_string()))
    .bind(&schema.hash)
    .bind(super::now_millis())
    .fetch_one(&mut *conn)
    .await?;
    // AUTOINCREMENT would go past 2^31-1 after an import of the highest id; the caller's
    // transaction rolls the row back.
    super::check_new_id(id)?;
    for (ordinal, r) in schema.references.iter().enumerate() {
        sqlx::query(
            "INSERT INTO schema_references (schema_id, ordinal, name, subject, version)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(ordinal as i64)
        .bind(&r.name)
        .bind(&r.subject)
        .bind(r.version)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

async fn referrers_in(
    conn: &mut SqliteConnection,
    subject: &str,
    version: i32,
) -> Result<Vec<(i64, bool)>> {
    let rows = sqlx::query(
        "SELECT r.schema_id AS id, MIN(sv.deleted) AS all_deleted
         FROM schema_references r JOIN subject_versions sv ON sv.schema_id = r.schema_id
         WHERE r.subject = ? AND r.version = ?
         GROUP BY r.schema_id ORDER BY r.schema_id",
    )
    .bind(subject)
    .bind(version)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get::<i64, _>("id"), r.get::<i64, _>("all_deleted") != 0))
        .collect())
}

/// What an import starts from: every stored (subject, version), and which are soft-deleted.
async fn import_start(conn: &mut SqliteConnection) -> Result<Imported> {
    let rows = sqlx::query("SELECT subject, version, schema_id, deleted FROM subject_versions")
        .fetch_all(&mut *conn)
        .await?;
    let pairs = rows.iter().map(|r| (r.get("subject"), r.get("version")));
    let deleted = rows
        .iter()
        .filter(|r| r.get::<i64, _>("deleted") != 0)
        .map(|r| (r.get("subject"), r.get("schema_id")));
    Ok(Imported::over(pairs, deleted))
}

/// One batch of an import, each table written in one statement that reads the batch's rows
/// from a JSON array (`json_each`): the schemas new to the store first, then the versions and
/// their audit lines.
async fn import_batch(
    conn: &mut SqliteConnection,
    batch: &[ImportRow],
    done: &mut Imported,
) -> Result<()> {
    let unseen = serde_json::to_string(&done.unseen(batch)).unwrap_or_default();
    let stored: HashMap<i64, String> =
        sqlx::query("SELECT id, hash FROM schemas WHERE id IN (SELECT value FROM json_each(?))")
            .bind(unseen)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| (r.get("id"), r.get("hash")))
            .collect();
    let plan = done.plan(batch, &stored)?;
    for row in plan.superseding {
        supersede(conn, &row.subject, row.id).await?;
    }
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string());
    let schemas: Vec<serde_json::Value> = plan
        .schemas
        .iter()
        .map(|r| {
            serde_json::json!([
                r.id,
                r.schema.schema_type.as_str(),
                r.schema.schema,
                json(&r.schema.metadata),
                json(&r.schema.rule_set),
                r.schema.hash,
            ])
        })
        .collect();
    let now = super::now_millis();
    sqlx::query(
        "INSERT INTO schemas (id, schema_type, schema, metadata, rule_set, hash, created_at)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, ?
         FROM json_each(?)",
    )
    .bind(now)
    .bind(serde_json::Value::from(schemas).to_string())
    .execute(&mut *conn)
    .await?;
    let references: Vec<serde_json::Value> = plan
        .schemas
        .iter()
        .flat_map(|r| {
            r.schema
                .references
                .iter()
                .enumerate()
                .map(|(i, reference)| {
                    serde_json::json!([
                        r.id,
                        i,
                        reference.name,
                        reference.subject,
                        reference.version
                    ])
                })
        })
        .collect();
    if !references.is_empty() {
        sqlx::query(
            "INSERT INTO schema_references (schema_id, ordinal, name, subject, version)
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4
             FROM json_each(?)",
        )
        .bind(serde_json::Value::from(references).to_string())
        .execute(&mut *conn)
        .await?;
    }
    let versions: Vec<serde_json::Value> = batch
        .iter()
        .map(|r| serde_json::json!([r.subject, r.version, r.id, i64::from(r.deleted)]))
        .collect();
    sqlx::query(
        "INSERT INTO subject_versions (subject, version, schema_id, deleted, created_at)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, ? FROM json_each(?)",
    )
    .bind(now)
    .bind(serde_json::Value::from(versions).to_string())
    .execute(&mut *conn)
    .await?;
    let audit: Vec<serde_json::Value> = batch
        .iter()
        .flat_map(|r| &r.audit)
        .map(|e| {
            serde_json::json!([
                e.at,
                e.actor,
                e.source,
                e.action,
                e.target,
                json(&e.before),
                json(&e.after),
            ])
        })
        .collect();
    sqlx::query(
        "INSERT INTO audit_log (at, actor, source, action, target, before, after)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
                value ->> 6
         FROM json_each(?)",
    )
    .bind(serde_json::Value::from(audit).to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes the soft-deleted versions of `subject` that hold schema `id`, unless something
/// still references them: a new version of the same schema supersedes them (Confluent #4277).
async fn supersede(conn: &mut SqliteConnection, subject: &str, id: i64) -> Result<()> {
    sqlx::query(
        "DELETE FROM subject_versions
         WHERE subject = ? AND schema_id = ? AND deleted = 1
           AND NOT EXISTS (SELECT 1 FROM schema_references r
                           WHERE r.subject = subject_versions.subject
                             AND r.version = subject_versions.version)",
    )
    .bind(subject)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Appends audit lines inside the caller's transaction.
async fn insert_audit(conn: &mut SqliteConnection, entries: &[AuditEntry]) -> Result<()> {
    for entry in entries {
        sqlx::query(
            "INSERT INTO audit_log (at, actor, source, action, target, before, after)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(entry.at)
        .bind(&entry.actor)
        .bind(&entry.source)
        .bind(&entry.action)
        .bind(&entry.target)
        .bind(entry.before.as_ref().map(|v| v.to_string()))
        .bind(entry.after.as_ref().map(|v| v.to_string()))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// One registration inside the writer's transaction (see `group_commit`): the live version that
/// already holds the schema, or the gate's verdict and the new version with its audit line.
pub(super) async fn register_in(
    conn: &mut SqliteConnection,
    registration: &Registration,
) -> Result<Registered> {
    let Registration {
        subject,
        schema,
        placement,
        gate,
        audit,
    } = registration;
    let (subject, placement) = (subject.as_str(), *placement);
    let versions = versions_in(&mut *conn, subject).await?;

    let existing_id = match placement {
        Placement::Import { id, .. } => {
            let stored = schema_hash(&mut *conn, id).await?;
            super::check_import_id(id, stored.as_deref(), &schema.hash)?
        }
        _ => id_for_hash(&mut *conn, &schema.hash).await?,
    };
    if let Some(id) = existing_id {
        if let Some(version) = super::existing_version(&versions, id, placement) {
            return Ok(Registered::Existing { id, version });
        }
    }

    let live: Vec<VersionRow> = versions.iter().filter(|v| !v.deleted).cloned().collect();
    gate(&live)?;
    let version = super::next_version(subject, &versions, placement)?;
    let id = match (existing_id, placement) {
        (Some(id), _) => id,
        (None, Placement::Import { id, .. }) => insert_schema(&mut *conn, schema, Some(id)).await?,
        (None, _) => insert_schema(&mut *conn, schema, None).await?,
    };
    // An identical schema sitting soft-deleted in this subject is superseded by the new
    // version, unless something still references it (Confluent #4277).
    sqlx::query(
        "DELETE FROM subject_versions
             WHERE subject = ? AND schema_id = ? AND deleted = 1
               AND NOT EXISTS (SELECT 1 FROM schema_references r
                               WHERE r.subject = subject_versions.subject
                                 AND r.version = subject_versions.version)",
    )
    .bind(subject)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO subject_versions (subject, version, schema_id, deleted, created_at)
             VALUES (?, ?, ?, 0, ?)",
    )
    .bind(subject)
    .bind(version)
    .bind(id)
    .bind(super::now_millis())
    .execute(&mut *conn)
    .await?;
    insert_audit(&mut *conn, &[audit(id, version)]).await?;
    Ok(Registered::Created { id, version })
}

#[async_trait]
impl Store for SqliteStore {
    async fn schema(&self, id: i64) -> Result<Option<SchemaRow>> {
        let Some(row) = sqlx::query(
            "SELECT id, schema_type, schema, metadata, rule_set FROM schemas WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let refs = sqlx::query(
            "SELECT name, subject, version FROM schema_references WHERE schema_id = ? ORDER BY ordinal",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        schema_row(&row, refs.iter().map(reference_row).collect()).map(Some)
    }

    async fn schemas(&self, ids: &[i64]) -> Result<Vec<SchemaRow>> {
        let mut out = Vec::with_capacity(ids.len());
        let mut conn = self.pool.acquire().await?;
        for chunk in ids.chunks(IDS_PER_READ) {
            let marks = placeholders(chunk.len());
            let refs_sql = format!(
                "SELECT schema_id, name, subject, version FROM schema_references
                 WHERE schema_id IN ({marks}) ORDER BY schema_id, ordinal"
            );
            // Only placeholders are spliced in; the ids are bound.
            let mut refs_query = sqlx::query(sqlx::AssertSqlSafe(refs_sql));
            for id in chunk {
                refs_query = refs_query.bind(id);
            }
            let mut refs: std::collections::HashMap<i64, Vec<Reference>> = Default::default();
            for r in refs_query.fetch_all(&mut *conn).await? {
                refs.entry(r.get("schema_id"))
                    .or_default()
                    .push(reference_row(&r));
            }
            let sql = format!(
                "SELECT id, schema_type, schema, metadata, rule_set FROM schemas WHERE id IN ({marks})"
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(id);
            }
            for row in query.fetch_all(&mut *conn).await? {
                let id: i64 = row.get("id");
                out.push(schema_row(&row, refs.remove(&id).unwrap_or_default())?);
            }
        }
        Ok(out)
    }

    async fn max_schema_id(&self) -> Result<i64> {
        let max: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM schemas")
            .fetch_one(&self.pool)
            .await?;
        Ok(max.unwrap_or(0))
    }

    async fn versions(&self, subject: &str) -> Result<Vec<VersionRow>> {
        let mut conn = self.pool.acquire().await?;
        versions_in(&mut conn, subject).await
    }

    async fn all_versions(&self) -> Result<Vec<VersionRow>> {
        let rows = sqlx::query(
            "SELECT subject, version, schema_id, deleted, created_at FROM subject_versions ORDER BY subject, version",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(version_row).collect())
    }

    async fn usages(&self, id: i64) -> Result<Vec<VersionRow>> {
        let rows = sqlx::query(
            "SELECT subject, version, schema_id, deleted, created_at FROM subject_versions WHERE schema_id = ? ORDER BY subject, version",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(version_row).collect())
    }

    async fn referrers(&self, subject: &str, version: i32) -> Result<Vec<(i64, bool)>> {
        let mut conn = self.pool.acquire().await?;
        referrers_in(&mut conn, subject, version).await
    }

    async fn register(
        &self,
        subject: &str,
        schema: &NewSchema,
        placement: Placement,
        gate: Gate,
        audit: AuditNew,
    ) -> Result<Registered> {
        self.writer
            .register(Registration {
                subject: subject.to_string(),
                schema: schema.clone(),
                placement,
                gate,
                audit,
            })
            .await
    }

    async fn import(&self, rows: &mut ImportRows) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut done = import_start(&mut tx).await?;
        while let Some(batch) = rows.recv().await {
            import_batch(&mut tx, &batch?, &mut done).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn soft_delete(&self, subject: &str, versions: &[i32], audit: &AuditEntry) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for &version in versions {
            if referrers_in(&mut tx, subject, version)
                .await?
                .iter()
                .any(|(_, deleted)| !deleted)
            {
                return Err(Error::ReferenceExists(subject.to_string(), version));
            }
            sqlx::query(
                "UPDATE subject_versions SET deleted = 1 WHERE subject = ? AND version = ? AND deleted = 0",
            )
            .bind(subject)
            .bind(version)
            .execute(&mut *tx)
            .await?;
        }
        insert_audit(&mut tx, std::slice::from_ref(audit)).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn hard_delete(
        &self,
        subject: &str,
        versions: &[i32],
        audit: &AuditEntry,
    ) -> Result<Purged> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut touched = Vec::new();
        for &version in versions {
            if !referrers_in(&mut tx, subject, version).await?.is_empty() {
                return Err(Error::ReferenceExists(subject.to_string(), version));
            }
            let id: Option<i64> = sqlx::query_scalar(
                "DELETE FROM subject_versions WHERE subject = ? AND version = ? AND deleted = 1
                 RETURNING schema_id",
            )
            .bind(subject)
            .bind(version)
            .fetch_optional(&mut *tx)
            .await?;
            touched.extend(id);
        }
        let mut purged = Purged::default();
        touched.sort_unstable();
        touched.dedup();
        for id in touched {
            let removed = sqlx::query(
                "DELETE FROM schemas WHERE id = ?
                   AND NOT EXISTS (SELECT 1 FROM subject_versions WHERE schema_id = ?)",
            )
            .bind(id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if removed.rows_affected() > 0 {
                purged.schema_ids.push(id);
            }
        }
        let remaining: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM subject_versions WHERE subject = ?")
                .bind(subject)
                .fetch_one(&mut *tx)
                .await?;
        if remaining == 0 {
            for statement in [
                "DELETE FROM configs WHERE scope = ?",
                "DELETE FROM modes WHERE scope = ?",
            ] {
                sqlx::query(statement)
                    .bind(subject)
                    .execute(&mut *tx)
                    .await?;
            }
            purged.subject_emptied = true;
        }
        insert_audit(&mut tx, std::slice::from_ref(audit)).await?;
        tx.commit().await?;
        Ok(purged)
    }

    async fn catalog_entities(&self) -> Result<Vec<CatalogRow>> {
        let rows = sqlx::query(
            "SELECT kind, name, body, updated_at FROM catalog_entities ORDER BY kind, name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let body: String = r.get("body");
                Ok(CatalogRow {
                    kind: r.get("kind"),
                    name: r.get("name"),
                    body: serde_json::from_str(&body).map_err(|e| Error::Store(Box::new(e)))?,
                    updated_at: r.get("updated_at"),
                })
            })
            .collect()
    }

    async fn catalog_write(&self, changes: &[CatalogWrite], audit: &[AuditEntry]) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for change in changes {
            match change {
                CatalogWrite::Put { kind, name, body } => {
                    sqlx::query(
                        "INSERT INTO catalog_entities (kind, name, body, updated_at) VALUES (?, ?, ?, ?)
                         ON CONFLICT (kind, name) DO UPDATE SET body = excluded.body,
                                                                updated_at = excluded.updated_at",
                    )
                    .bind(kind)
                    .bind(name)
                    .bind(body.to_string())
                    .bind(super::now_millis())
                    .execute(&mut *tx)
                    .await?;
                }
                CatalogWrite::Delete { kind, name } => {
                    sqlx::query("DELETE FROM catalog_entities WHERE kind = ? AND name = ?")
                        .bind(kind)
                        .bind(name)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audit_log(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        // Only fixed SQL text is pushed; every value goes in as a bound parameter.
        let mut sql = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "SELECT id, at, actor, source, action, target, before, after FROM audit_log WHERE 1 = 1",
        );
        if let Some(p) = &query.target_prefix {
            sql.push(" AND substr(target, 1, length(")
                .push_bind(p.clone())
                .push(")) = ")
                .push_bind(p.clone());
        }
        if let Some(a) = &query.action {
            sql.push(" AND action = ").push_bind(a.clone());
        }
        if let Some(a) = &query.actor {
            sql.push(" AND actor = ").push_bind(a.clone());
        }
        if let Some(a) = &query.source {
            sql.push(" AND source = ").push_bind(a.clone());
        }
        sql.push(" AND at >= ")
            .push_bind(query.since.unwrap_or(0))
            .push(" ORDER BY id DESC LIMIT ")
            .push_bind(query.limit.max(1) as i64)
            .push(" OFFSET ")
            .push_bind(query.offset as i64);
        let rows = sql.build().fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                id: r.get("id"),
                at: r.get("at"),
                actor: r.get("actor"),
                source: r.get("source"),
                action: r.get("action"),
                target: r.get("target"),
                before: parse_json(r.get("before")),
                after: parse_json(r.get("after")),
            })
            .collect())
    }

    async fn create_token(
        &self,
        token: &crate::model::Token,
        hash: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let result = sqlx::query(
            "INSERT INTO tokens (name, hash, role, subjects, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&token.name)
        .bind(hash)
        .bind(token.role.to_string())
        .bind(serde_json::to_string(&token.subjects).unwrap_or_default())
        .bind(token.created_at)
        .execute(&mut *tx)
        .await;
        match result {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(Error::CatalogConflict(format!(
                    "a token named '{}' exists",
                    token.name
                )))
            }
            other => other?,
        };
        insert_audit(&mut tx, std::slice::from_ref(audit)).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn token_by_hash(&self, hash: &str) -> Result<Option<crate::model::Token>> {
        let row = sqlx::query("SELECT name, role, subjects, created_at FROM tokens WHERE hash = ?")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| token_row(&r)).transpose()
    }

    async fn tokens(&self) -> Result<Vec<crate::model::Token>> {
        let rows = sqlx::query("SELECT name, role, subjects, created_at FROM tokens ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(token_row).collect()
    }

    async fn delete_token(&self, name: &str, audit: &AuditEntry) -> Result<bool> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let done = sqlx::query("DELETE FROM tokens WHERE name = ?")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        insert_audit(&mut tx, std::slice::from_ref(audit)).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn ready(&self) -> Result<()> {
        let applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?;
        let known = sqlx::migrate!("./migrations/sqlite").iter().count() as i64;
        if applied < known {
            return Err(Error::store(format!(
                "{applied} of {known} migrations applied"
            )));
        }
        Ok(())
    }

    fn pool_stats(&self) -> Option<(u32, u32)> {
        Some((self.pool.size(), self.pool.num_idle() as u32))
    }

    async fn configs(&self) -> Result<Vec<(String, ConfigRecord)>> {
        let rows = sqlx::query("SELECT scope, compatibility, normalize, settings FROM configs")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let compatibility: Option<String> = r.get("compatibility");
                let normalize: Option<i64> = r.get("normalize");
                Ok((
                    r.get("scope"),
                    ConfigRecord {
                        compatibility: compatibility.map(|c| c.parse()).transpose()?,
                        normalize: normalize.map(|n| n != 0),
                        settings: super::read_settings(r.get("settings"))?,
                    },
                ))
            })
            .collect()
    }

    async fn config(&self, scope: &str) -> Result<Option<ConfigRecord>> {
        let row =
            sqlx::query("SELECT compatibility, normalize, settings FROM configs WHERE scope = ?")
                .bind(scope)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| {
            let compatibility: Option<String> = r.get("compatibility");
            let normalize: Option<i64> = r.get("normalize");
            Ok(ConfigRecord {
                compatibility: compatibility.map(|c| c.parse()).transpose()?,
                normalize: normalize.map(|n| n != 0),
                settings: super::read_settings(r.get("settings"))?,
            })
        })
        .transpose()
    }

    async fn put_config(
        &self,
        scope: &str,
        config: Option<ConfigRecord>,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        match config {
            Some(c) => {
                sqlx::query(
                    "INSERT INTO configs (scope, compatibility, normalize, settings)
                     VALUES (?, ?, ?, ?)
                     ON CONFLICT (scope) DO UPDATE SET compatibility = excluded.compatibility,
                                                       normalize = excluded.normalize,
                                                       settings = excluded.settings",
                )
                .bind(scope)
                .bind(c.compatibility.map(|l| l.as_str()))
                .bind(c.normalize)
                .bind(super::write_settings(&c.settings))
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM configs WHERE scope = ?")
                    .bind(scope)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        insert_audit(&mut tx, std::slice::from_ref(audit)).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn modes(&self) -> Result<Vec<(String, Mode)>> {
        let rows = sqlx::query("SELECT scope, mode FROM modes")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.get("scope"), r.get::<String, _>("mode").parse()?)))
            .collect()
    }

    async fn mode(&self, scope: &str) -> Result<Option<Mode>> {
        let mode: Option<String> = sqlx::query_scalar("SELECT mode FROM modes WHERE scope = ?")
            .bind(scope)
            .fetch_optional(&self.pool)
            .await?;
        mode.map(|m| m.parse()).transpose()
    }

    async fn put_mode(&self, scope: &str, mode: Option<Mode>, audit: &AuditEntry) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        match mode {
            Some(m) => {
                sqlx::query(
                    "INSERT INTO modes (scope, mode) VALUES (?, ?)
                     ON CONFLICT (scope) DO UPDATE SET mode = excluded.mode",
                )
                .bind(scope)
                .bind(m.as_str())
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM modes WHERE scope = ?")
                    .bind(scope)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        insert_audit(&mut tx, std::slice::from_ref(audit)).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn token_row(r: &sqlx::sqlite::SqliteRow) -> Result<crate::model::Token> {
    let role: String = r.get("role");
    let subjects: String = r.get("subjects");
    Ok(crate::model::Token {
        name: r.get("name"),
        role: role.parse()?,
        subjects: serde_json::from_str(&subjects).unwrap_or_default(),
        created_at: r.get("created_at"),
    })
}
