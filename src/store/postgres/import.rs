//! An import written a batch at a time inside its one transaction.

use std::collections::HashMap;

use sqlx::{PgConnection, Row};

use crate::error::Result;
use crate::store::{AuditEntry, ImportRow, Imported};

/// What an import starts from: every stored (subject, version), and which are soft-deleted.
pub(super) async fn import_start(conn: &mut PgConnection) -> Result<Imported> {
    let rows = sqlx::query("SELECT subject, version, schema_id, deleted FROM subject_versions")
        .fetch_all(&mut *conn)
        .await?;
    let pairs = rows.iter().map(|r| (r.get("subject"), r.get("version")));
    let deleted = rows
        .iter()
        .filter(|r| r.get::<bool, _>("deleted"))
        .map(|r| (r.get("subject"), r.get("schema_id")));
    Ok(Imported::over(pairs, deleted))
}

/// One batch of an import, each table written in one statement: the schemas this import
/// brings first (unless an identical one is stored under the id), then the versions and their
/// audit lines.
pub(super) async fn import_batch(
    conn: &mut PgConnection,
    batch: &[ImportRow],
    done: &mut Imported,
) -> Result<()> {
    let stored: HashMap<i64, String> =
        sqlx::query("SELECT id, hash FROM schemas WHERE id = ANY($1)")
            .bind(done.unseen(batch))
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| (r.get("id"), r.get("hash")))
            .collect();
    let plan = done.plan(batch, &stored)?;
    let schemas = plan.schemas;
    for row in plan.superseding {
        sqlx::query(
            "DELETE FROM subject_versions sv
             WHERE sv.subject = $1 AND sv.schema_id = $2 AND sv.deleted
               AND NOT EXISTS (SELECT 1 FROM schema_references r
                               WHERE r.subject = sv.subject AND r.version = sv.version)",
        )
        .bind(&row.subject)
        .bind(row.id)
        .execute(&mut *conn)
        .await?;
    }
    let now = crate::store::now_millis();
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string());
    sqlx::query(
        "INSERT INTO schemas (id, schema_type, schema, metadata, rule_set, hash, created_at,
                              file_name)
         SELECT id, schema_type, schema, metadata, rule_set, hash, $7, file_name
         FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[],
                     $8::TEXT[])
              AS s (id, schema_type, schema, metadata, rule_set, hash, file_name)",
    )
    .bind(schemas.iter().map(|r| r.id).collect::<Vec<_>>())
    .bind(
        schemas
            .iter()
            .map(|r| r.schema.schema_type.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        schemas
            .iter()
            .map(|r| r.schema.schema.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        schemas
            .iter()
            .map(|r| json(&r.schema.metadata))
            .collect::<Vec<_>>(),
    )
    .bind(
        schemas
            .iter()
            .map(|r| json(&r.schema.rule_set))
            .collect::<Vec<_>>(),
    )
    .bind(
        schemas
            .iter()
            .map(|r| r.schema.hash.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(now)
    .bind(
        schemas
            .iter()
            .map(|r| r.schema.file_name.as_deref())
            .collect::<Vec<_>>(),
    )
    .execute(&mut *conn)
    .await?;
    let references: Vec<(i64, i32, &crate::model::Reference)> = schemas
        .iter()
        .flat_map(|r| {
            r.schema
                .references
                .iter()
                .enumerate()
                .map(|(i, reference)| (r.id, i as i32, reference))
        })
        .collect();
    if !references.is_empty() {
        sqlx::query(
            "INSERT INTO schema_references (schema_id, ordinal, name, subject, version)
             SELECT * FROM UNNEST($1::BIGINT[], $2::INT[], $3::TEXT[], $4::TEXT[], $5::INT[])",
        )
        .bind(references.iter().map(|r| r.0).collect::<Vec<_>>())
        .bind(references.iter().map(|r| r.1).collect::<Vec<_>>())
        .bind(
            references
                .iter()
                .map(|r| r.2.name.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            references
                .iter()
                .map(|r| r.2.subject.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(references.iter().map(|r| r.2.version).collect::<Vec<_>>())
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "INSERT INTO subject_versions (subject, version, schema_id, deleted, created_at)
         SELECT subject, version, schema_id, deleted, $5
         FROM UNNEST($1::TEXT[], $2::INT[], $3::BIGINT[], $4::BOOLEAN[])
              AS v (subject, version, schema_id, deleted)",
    )
    .bind(batch.iter().map(|r| r.subject.as_str()).collect::<Vec<_>>())
    .bind(batch.iter().map(|r| r.version).collect::<Vec<_>>())
    .bind(batch.iter().map(|r| r.id).collect::<Vec<_>>())
    .bind(batch.iter().map(|r| r.deleted).collect::<Vec<_>>())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let audit: Vec<&AuditEntry> = batch.iter().flat_map(|r| &r.audit).collect();
    sqlx::query(
        "INSERT INTO audit_log (at, actor, source, action, target, before, after)
         SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[],
                              $6::TEXT[], $7::TEXT[])",
    )
    .bind(audit.iter().map(|e| e.at).collect::<Vec<_>>())
    .bind(audit.iter().map(|e| e.actor.as_str()).collect::<Vec<_>>())
    .bind(
        audit
            .iter()
            .map(|e| e.source.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(audit.iter().map(|e| e.action.as_str()).collect::<Vec<_>>())
    .bind(audit.iter().map(|e| e.target.as_str()).collect::<Vec<_>>())
    .bind(audit.iter().map(|e| json(&e.before)).collect::<Vec<_>>())
    .bind(audit.iter().map(|e| json(&e.after)).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
