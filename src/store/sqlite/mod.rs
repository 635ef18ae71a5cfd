//! SQLite: the embedded default. WAL for concurrent readers, `BEGIN IMMEDIATE` so a registration
//! holds the single write lock from its first read, and `synchronous=FULL` so a commit is on disk
//! before the client hears about it. Registrations go through one writer that commits all those
//! waiting at once (`group_commit`).

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Row, SqlitePool};

mod import;
mod register;
mod rows;

use super::group_commit::{Registration, Writer};
use super::{
    AuditEntry, AuditNew, AuditQuery, CatalogRow, CatalogWrite, ConfigRecord, Gate, ImportRows,
    NewSchema, Placement, Purged, Registered, SchemaRow, Store, VersionRow,
};
use crate::error::{Error, Result};
use crate::model::{Mode, Reference};
use import::{import_batch, import_start};
pub(super) use register::register_in;
use rows::{
    insert_audit, parse_json, placeholders, reference_row, referrers_in, schema_row, token_row,
    version_row, versions_in, IDS_PER_READ,
};

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

#[async_trait]
impl Store for SqliteStore {
    async fn schema(&self, id: i64) -> Result<Option<SchemaRow>> {
        let Some(row) = sqlx::query(
            "SELECT id, schema_type, schema, metadata, rule_set, file_name FROM schemas WHERE id = ?",
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
                "SELECT id, schema_type, schema, metadata, rule_set, file_name FROM schemas WHERE id IN ({marks})"
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

    async fn max_schema_id(&self, context: u32) -> Result<i64> {
        let (low, high) = crate::model::context::stored_range(context);
        // A context's ids are stored negated: its highest id is the lowest row.
        let extreme = if context == 0 { "MAX" } else { "MIN" };
        let max: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT {extreme}(id) FROM schemas WHERE id BETWEEN ? AND ?"
        )))
        .bind(low)
        .bind(high)
        .fetch_one(&self.pool)
        .await?;
        Ok(max.map_or(0, crate::model::context::wire_id))
    }

    async fn context_number(&self, context: &str) -> Result<u32> {
        let known: Option<i64> = sqlx::query_scalar("SELECT number FROM contexts WHERE name = ?")
            .bind(context)
            .fetch_optional(&self.pool)
            .await?;
        if let Some(number) = known {
            return Ok(number as u32);
        }
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let number: i64 = sqlx::query_scalar(
            "INSERT INTO contexts (name, number)
             SELECT ?, COALESCE(MAX(number), 0) + 1 FROM contexts WHERE true
             ON CONFLICT (name) DO UPDATE SET name = excluded.name
             RETURNING number",
        )
        .bind(context)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(number as u32)
    }

    async fn contexts(&self) -> Result<Vec<(String, u32)>> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT name, number FROM contexts ORDER BY number")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(n, k)| (n, k as u32)).collect())
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
        for (&number, &max) in &done.context_max {
            rows::raise_context_ids(&mut tx, number, max).await?;
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
