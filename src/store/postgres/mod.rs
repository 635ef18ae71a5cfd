//! PostgreSQL: several Herald instances on one database, with no leader.
//!
//! How concurrent instances stay correct:
//! - Every write to a subject first takes a transaction-scoped advisory lock on that subject, so
//!   registrations and deletes of one subject run one at a time across all instances. Under READ
//!   COMMITTED each later statement sees everything committed before the lock was granted, so
//!   version numbers are contiguous and the compatibility gate judges the committed versions.
//! - A registration also locks the schema's identity hash before looking it up, so the same
//!   schema registered at once under two subjects (through two instances) gets one id. The
//!   subject lock is always taken first and a transaction holds at most one of each, so the locks
//!   cannot deadlock.
//! - New ids come from a sequence, so an id is never handed out twice, also after a purge or an
//!   import. `nextval` never waits for another transaction: the counter row it replaced was
//!   locked by each registration until its commit, which queued every registration of every
//!   instance behind one another. An IMPORT moves the sequence past the id it brings under an
//!   exclusive advisory lock that every allocation takes shared, so no id is handed out between
//!   reading the sequence and moving it.
//! - Each write that makes another instance's memory stale (registrations, deletes, config,
//!   mode, catalog, tokens, imports) announces itself with a `NOTIFY` after it commits; every
//!   instance listens and updates or drops what it holds. Not inside the transaction: PostgreSQL
//!   commits every transaction that notifies under one database-wide lock, held across the
//!   commit's WAL flush, which queued every registration of every instance behind one another.
//!   Under load the announcements of writes committed within a couple of milliseconds of one
//!   another go out in one statement, so an instance wakes the others' listeners once per batch
//!   rather than once per write.
//!   The announcement carries the newest audit line the write saw (every write audits itself in
//!   its transaction); each instance compares that with the audit log now and then, and one
//!   that finds a write committed a whole sweep ago and never announced (its writer died between
//!   commit and `NOTIFY`) drops everything mutable, as after a lost listener connection.

use std::str::FromStr;
use std::sync::atomic::AtomicI64;
use std::sync::Arc;
use std::time::Duration;

mod announce;
mod import;
mod rows;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{PgPool, Row};
use tokio::sync::broadcast;

use super::{
    Added, AuditEntry, AuditNew, AuditQuery, CatalogRow, CatalogWrite, Change, ChangeEvent,
    ConfigRecord, Gate, ImportRows, NewSchema, Placement, Purged, Registered, SchemaRow, Store,
    VersionRow,
};
use crate::error::{Error, Result};
use crate::model::{Mode, Reference};
use announce::{forward_notifications, newest_audit, sweep_unannounced, Announcer};
use import::{import_batch, import_start};
use rows::{
    config_row, insert_audit, insert_schema, lock, lock_both, reference_row, referrers_in,
    reserve_id, schema_row, token_row, version_row, versions_in,
};

const CHANNEL: &str = "herald_changes";

/// A pooled connection idle this long is pinged before it serves a query.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);

/// How often each instance looks for committed writes that were never announced.
const SWEEP: Duration = Duration::from_secs(5);

pub struct PostgresStore {
    pool: PgPool,
    changes: broadcast::Sender<ChangeEvent>,
    /// Names this process's announcements, so it can tell its own from other instances'.
    origin: u64,
    announcer: Announcer,
}

impl PostgresStore {
    pub async fn open(url: &str) -> Result<Self> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // A ping before every checkout doubled the round trips of each query under load;
            // only a connection that sat idle (where a server restart or a proxy's idle timeout
            // may have closed it) is tested before use.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= IDLE_BEFORE_PING {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        // sqlx takes an advisory lock while migrating, so instances starting together are safe.
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let (changes, _) = broadcast::channel(1024);
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(CHANNEL).await?;
        let announced = Arc::new(AtomicI64::new(newest_audit(&pool).await?));
        let origin = uuid::Uuid::new_v4().as_u64_pair().0;
        tokio::spawn(forward_notifications(
            listener,
            changes.clone(),
            announced.clone(),
            origin,
        ));
        tokio::spawn(sweep_unannounced(
            pool.clone(),
            changes.downgrade(),
            announced,
        ));
        Ok(PostgresStore {
            announcer: Announcer::start(pool.clone()),
            pool,
            changes,
            origin,
        })
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn schema(&self, id: i64) -> Result<Option<SchemaRow>> {
        let Some(row) = sqlx::query(
            "SELECT id, schema_type, schema, metadata, rule_set, file_name FROM schemas WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let refs = sqlx::query(
            "SELECT name, subject, version FROM schema_references WHERE schema_id = $1 ORDER BY ordinal",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        schema_row(&row, refs.iter().map(reference_row).collect()).map(Some)
    }

    async fn schemas(&self, ids: &[i64]) -> Result<Vec<SchemaRow>> {
        let mut refs: std::collections::HashMap<i64, Vec<Reference>> = Default::default();
        let rows = sqlx::query(
            "SELECT schema_id, name, subject, version FROM schema_references
             WHERE schema_id = ANY($1) ORDER BY schema_id, ordinal",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            refs.entry(r.get("schema_id"))
                .or_default()
                .push(reference_row(r));
        }
        let rows = sqlx::query(
            "SELECT id, schema_type, schema, metadata, rule_set, file_name FROM schemas WHERE id = ANY($1)",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                schema_row(
                    row,
                    refs.remove(&row.get::<i64, _>("id")).unwrap_or_default(),
                )
            })
            .collect()
    }

    async fn max_schema_id(&self, context: u32) -> Result<i64> {
        let (low, high) = crate::model::context::stored_range(context);
        // A context's ids are stored negated: its highest id is the lowest row.
        let extreme = if context == 0 { "MAX" } else { "MIN" };
        let max: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT {extreme}(id) FROM schemas WHERE id BETWEEN $1 AND $2"
        )))
        .bind(low)
        .bind(high)
        .fetch_one(&self.pool)
        .await?;
        Ok(max.map_or(0, crate::model::context::wire_id))
    }

    async fn context_number(&self, context: &str) -> Result<u32> {
        let known: Option<i64> = sqlx::query_scalar("SELECT number FROM contexts WHERE name = $1")
            .bind(context)
            .fetch_optional(&self.pool)
            .await?;
        if let Some(number) = known {
            return Ok(number as u32);
        }
        // Instances numbering two new contexts at once take turns, so no number is taken twice.
        let mut tx = self.pool.begin().await?;
        lock(&mut tx, "contexts", "").await?;
        let number: i64 = sqlx::query_scalar(
            "INSERT INTO contexts (name, number)
             SELECT $1, COALESCE(MAX(number), 0) + 1 FROM contexts
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
            "SELECT subject, version, schema_id, deleted, created_at FROM subject_versions WHERE schema_id = $1 ORDER BY subject, version",
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
        let mut tx = self.pool.begin().await?;
        lock_both(&mut tx, ("subject", subject), ("schema", &schema.hash)).await?;
        let versions = versions_in(&mut tx, subject).await?;

        let existing_id = match placement {
            Placement::Import { id, .. } => {
                let stored: Option<String> =
                    sqlx::query_scalar("SELECT hash FROM schemas WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                super::check_import_id(id, stored.as_deref(), &schema.hash)?
            }
            _ => {
                let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM schemas WHERE hash = $1")
                    .bind(&schema.hash)
                    .fetch_all(&mut *tx)
                    .await?;
                super::first_id(ids)
            }
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
            (None, Placement::Import { id, .. }) => {
                insert_schema(&mut tx, schema, Some(id)).await?
            }
            (None, _) => insert_schema(&mut tx, schema, None).await?,
        };
        // An identical schema sitting soft-deleted in this subject is superseded by the new
        // version, unless something still references it (Confluent #4277); in the statement
        // that adds the version (the two touch different rows).
        let created_at = super::now_millis();
        let superseded: i64 = sqlx::query_scalar(
            "WITH superseded AS (
                 DELETE FROM subject_versions sv
                 WHERE sv.subject = $1 AND sv.schema_id = $2 AND sv.deleted
                   AND NOT EXISTS (SELECT 1 FROM schema_references r
                                   WHERE r.subject = sv.subject AND r.version = sv.version)
                 RETURNING 1),
             added AS (
                 INSERT INTO subject_versions (subject, version, schema_id, deleted, created_at)
                 VALUES ($1, $3, $2, FALSE, $4))
             SELECT COUNT(*) FROM superseded",
        )
        .bind(subject)
        .bind(id)
        .bind(version)
        .bind(created_at)
        .fetch_one(&mut *tx)
        .await?;
        let audited = insert_audit(&mut tx, &[audit(id, version)]).await?;
        let added = (superseded == 0).then_some(Added {
            version,
            schema_id: id,
            created_at,
        });
        self.commit(
            tx,
            audited,
            &[Change::Registered {
                subject: subject.to_string(),
                added,
            }],
        )
        .await?;
        Ok(Registered::Created { id, version, added })
    }

    async fn import(&self, rows: &mut ImportRows) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let mut done = import_start(&mut tx).await?;
        while let Some(batch) = rows.recv().await {
            import_batch(&mut tx, &batch?, &mut done).await?;
        }
        // New ids start past the imported ones.
        if done.max_id > 0 {
            reserve_id(&mut tx, done.max_id).await?;
        }
        for (&number, &max) in &done.context_max {
            rows::raise_context_ids(&mut tx, number, max).await?;
        }
        self.commit(tx, None, &[Change::Imported]).await?;
        Ok(())
    }

    async fn soft_delete(&self, subject: &str, versions: &[i32], audit: &AuditEntry) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        lock(&mut tx, "subject", subject).await?;
        for &version in versions {
            if referrers_in(&mut tx, subject, version)
                .await?
                .iter()
                .any(|(_, deleted)| !deleted)
            {
                return Err(Error::ReferenceExists(subject.to_string(), version));
            }
            sqlx::query(
                "UPDATE subject_versions SET deleted = TRUE WHERE subject = $1 AND version = $2 AND NOT deleted",
            )
            .bind(subject)
            .bind(version)
            .execute(&mut *tx)
            .await?;
        }
        let audited = insert_audit(&mut tx, std::slice::from_ref(audit)).await?;
        self.commit(
            tx,
            audited,
            &[Change::Subject {
                subject: subject.to_string(),
            }],
        )
        .await?;
        Ok(())
    }

    async fn hard_delete(
        &self,
        subject: &str,
        versions: &[i32],
        audit: &AuditEntry,
    ) -> Result<Purged> {
        let mut tx = self.pool.begin().await?;
        lock(&mut tx, "subject", subject).await?;
        let mut touched = Vec::new();
        for &version in versions {
            if !referrers_in(&mut tx, subject, version).await?.is_empty() {
                return Err(Error::ReferenceExists(subject.to_string(), version));
            }
            let id: Option<i64> = sqlx::query_scalar(
                "DELETE FROM subject_versions WHERE subject = $1 AND version = $2 AND deleted
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
                "DELETE FROM schemas WHERE id = $1
                   AND NOT EXISTS (SELECT 1 FROM subject_versions WHERE schema_id = $1)",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if removed.rows_affected() > 0 {
                purged.schema_ids.push(id);
            }
        }
        let remaining: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM subject_versions WHERE subject = $1")
                .bind(subject)
                .fetch_one(&mut *tx)
                .await?;
        let mut changes = Vec::new();
        if remaining == 0 {
            for statement in [
                "DELETE FROM configs WHERE scope = $1",
                "DELETE FROM modes WHERE scope = $1",
            ] {
                sqlx::query(statement)
                    .bind(subject)
                    .execute(&mut *tx)
                    .await?;
            }
            purged.subject_emptied = true;
            changes.push(Change::Config {
                scope: subject.to_string(),
            });
            changes.push(Change::Mode {
                scope: subject.to_string(),
            });
        }
        changes.push(Change::Subject {
            subject: subject.to_string(),
        });
        if !purged.schema_ids.is_empty() {
            changes.push(Change::Purged {
                ids: purged.schema_ids.clone(),
            });
        }
        let audited = insert_audit(&mut tx, std::slice::from_ref(audit)).await?;
        self.commit(tx, audited, &changes).await?;
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
        let mut tx = self.pool.begin().await?;
        for change in changes {
            match change {
                CatalogWrite::Put { kind, name, body } => {
                    sqlx::query(
                        "INSERT INTO catalog_entities (kind, name, body, updated_at) VALUES ($1, $2, $3, $4)
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
                    sqlx::query("DELETE FROM catalog_entities WHERE kind = $1 AND name = $2")
                        .bind(kind)
                        .bind(name)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        let audited = insert_audit(&mut tx, audit).await?;
        let announce = !changes.is_empty() || !audit.is_empty();
        self.commit(tx, audited, if announce { &[Change::Catalog] } else { &[] })
            .await?;
        Ok(())
    }

    async fn audit_log(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        // Only fixed SQL text is pushed; every value goes in as a bound parameter.
        let mut sql = sqlx::QueryBuilder::<sqlx::Postgres>::new(
            "SELECT id, at, actor, source, action, target, before, after FROM audit_log WHERE 1 = 1",
        );
        if let Some(p) = &query.target_prefix {
            sql.push(" AND starts_with(target, ")
                .push_bind(p.clone())
                .push(")");
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
                before: r
                    .get::<Option<String>, _>("before")
                    .and_then(|t| serde_json::from_str(&t).ok()),
                after: r
                    .get::<Option<String>, _>("after")
                    .and_then(|t| serde_json::from_str(&t).ok()),
            })
            .collect())
    }

    async fn create_token(
        &self,
        token: &crate::model::Token,
        hash: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let result = sqlx::query(
            "INSERT INTO tokens (name, hash, role, subjects, created_at) VALUES ($1, $2, $3, $4, $5)",
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
        let audited = insert_audit(&mut tx, std::slice::from_ref(audit)).await?;
        self.commit(tx, audited, &[Change::Tokens]).await?;
        Ok(())
    }

    async fn token_by_hash(&self, hash: &str) -> Result<Option<crate::model::Token>> {
        let row =
            sqlx::query("SELECT name, role, subjects, created_at FROM tokens WHERE hash = $1")
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
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM tokens WHERE name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let audited = insert_audit(&mut tx, std::slice::from_ref(audit)).await?;
        self.commit(tx, audited, &[Change::Tokens]).await?;
        Ok(true)
    }

    async fn ready(&self) -> Result<()> {
        let applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?;
        let known = sqlx::migrate!("./migrations/postgres").iter().count() as i64;
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
            .map(|r| Ok((r.get("scope"), config_row(r)?)))
            .collect()
    }

    async fn config(&self, scope: &str) -> Result<Option<ConfigRecord>> {
        let row =
            sqlx::query("SELECT compatibility, normalize, settings FROM configs WHERE scope = $1")
                .bind(scope)
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(config_row).transpose()
    }

    async fn put_config(
        &self,
        scope: &str,
        config: Option<ConfigRecord>,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        match config {
            Some(c) => {
                sqlx::query(
                    "INSERT INTO configs (scope, compatibility, normalize, settings)
                     VALUES ($1, $2, $3, $4)
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
                sqlx::query("DELETE FROM configs WHERE scope = $1")
                    .bind(scope)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let audited = insert_audit(&mut tx, std::slice::from_ref(audit)).await?;
        self.commit(
            tx,
            audited,
            &[Change::Config {
                scope: scope.to_string(),
            }],
        )
        .await?;
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
        let mode: Option<String> = sqlx::query_scalar("SELECT mode FROM modes WHERE scope = $1")
            .bind(scope)
            .fetch_optional(&self.pool)
            .await?;
        mode.map(|m| m.parse()).transpose()
    }

    async fn settings_at(
        &self,
        scopes: &[&str],
    ) -> Result<Vec<(Option<ConfigRecord>, Option<Mode>)>> {
        let rows = sqlx::query(
            "SELECT c.compatibility, c.normalize, c.settings, c.scope AS config_scope, m.mode
             FROM unnest($1::text[]) WITH ORDINALITY AS s(scope, n)
             LEFT JOIN configs c ON c.scope = s.scope
             LEFT JOIN modes m ON m.scope = s.scope
             ORDER BY s.n",
        )
        .bind(scopes)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let config = r
                    .get::<Option<String>, _>("config_scope")
                    .map(|_| config_row(r))
                    .transpose()?;
                let mode: Option<String> = r.get("mode");
                Ok((config, mode.map(|m| m.parse()).transpose()?))
            })
            .collect()
    }

    async fn put_mode(&self, scope: &str, mode: Option<Mode>, audit: &AuditEntry) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        match mode {
            Some(m) => {
                sqlx::query(
                    "INSERT INTO modes (scope, mode) VALUES ($1, $2)
                     ON CONFLICT (scope) DO UPDATE SET mode = excluded.mode",
                )
                .bind(scope)
                .bind(m.as_str())
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM modes WHERE scope = $1")
                    .bind(scope)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let audited = insert_audit(&mut tx, std::slice::from_ref(audit)).await?;
        self.commit(
            tx,
            audited,
            &[Change::Mode {
                scope: scope.to_string(),
            }],
        )
        .await?;
        Ok(())
    }

    fn changes(&self) -> Option<broadcast::Receiver<ChangeEvent>> {
        Some(self.changes.subscribe())
    }
}
