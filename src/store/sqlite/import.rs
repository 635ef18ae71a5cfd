//! An import written a batch at a time inside its one transaction.

use std::collections::HashMap;

use sqlx::{Row, SqliteConnection};

use super::rows::supersede;
use crate::error::Result;
use crate::store::{ImportRow, Imported};
/// What an import starts from: every stored (subject, version), and which are soft-deleted.
pub(super) async fn import_start(conn: &mut SqliteConnection) -> Result<Imported> {
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
pub(super) async fn import_batch(
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
                r.schema.file_name,
            ])
        })
        .collect();
    let now = crate::store::now_millis();
    sqlx::query(
        "INSERT INTO schemas (id, schema_type, schema, metadata, rule_set, hash, created_at,
                              file_name)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, ?,
                value ->> 6
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
