//! Reading rows into the store's types, and the statements several writes share: schema,
//! reference and audit inserts, superseding soft-deleted versions.

use std::str::FromStr;

use sqlx::{Row, SqliteConnection};

use crate::error::Result;
use crate::model::{context, Reference, SchemaType};
use crate::store::{AuditEntry, NewSchema, SchemaRow, VersionRow};
pub(super) fn version_row(row: &sqlx::sqlite::SqliteRow) -> VersionRow {
    VersionRow {
        subject: row.get("subject"),
        version: row.get("version"),
        schema_id: row.get("schema_id"),
        deleted: row.get::<i64, _>("deleted") != 0,
        created_at: row.get("created_at"),
    }
}

/// Ids per statement of a batch read, well under SQLite's bound on parameters.
pub(super) const IDS_PER_READ: usize = 500;

pub(super) fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

pub(super) fn schema_row(
    row: &sqlx::sqlite::SqliteRow,
    references: Vec<Reference>,
) -> Result<SchemaRow> {
    let schema_type: String = row.get("schema_type");
    Ok(SchemaRow {
        id: row.get("id"),
        schema_type: SchemaType::from_str(&schema_type)?,
        schema: row.get("schema"),
        references,
        metadata: parse_json(row.get("metadata")),
        rule_set: parse_json(row.get("rule_set")),
        file_name: row.get("file_name"),
    })
}

pub(super) fn reference_row(r: &sqlx::sqlite::SqliteRow) -> Reference {
    Reference {
        name: r.get("name"),
        subject: r.get("subject"),
        version: r.get("version"),
    }
}

pub(super) fn parse_json(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

pub(super) async fn versions_in(
    conn: &mut SqliteConnection,
    subject: &str,
) -> Result<Vec<VersionRow>> {
    let rows = sqlx::query(
        "SELECT subject, version, schema_id, deleted, created_at FROM subject_versions WHERE subject = ? ORDER BY version",
    )
    .bind(subject)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(version_row).collect())
}

pub(super) async fn schema_hash(conn: &mut SqliteConnection, id: i64) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT hash FROM schemas WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

pub(super) async fn id_for_hash(conn: &mut SqliteConnection, hash: &str) -> Result<Option<i64>> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM schemas WHERE hash = ?")
        .bind(hash)
        .fetch_all(&mut *conn)
        .await?;
    Ok(crate::store::first_id(ids))
}

pub(super) async fn insert_schema(
    conn: &mut SqliteConnection,
    schema: &NewSchema,
    explicit_id: Option<i64>,
) -> Result<i64> {
    let explicit_id = match (schema.context, explicit_id) {
        (0, id) => id,
        (number, Some(id)) => {
            raise_context_ids(&mut *conn, number, context::wire_id(id)).await?;
            Some(id)
        }
        (number, None) => {
            let next: i64 = sqlx::query_scalar(
                "UPDATE contexts SET last_id = last_id + 1 WHERE number = ? RETURNING last_id",
            )
            .bind(i64::from(number))
            .fetch_one(&mut *conn)
            .await?;
            Some(context::stored_id(
                number,
                crate::store::check_new_id(next)?,
            ))
        }
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO schemas (id, schema_type, schema, metadata, rule_set, hash, created_at,
                              file_name)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(explicit_id)
    .bind(schema.schema_type.as_str())
    .bind(&schema.schema)
    .bind(schema.metadata.as_ref().map(|v| v.to_string()))
    .bind(schema.rule_set.as_ref().map(|v| v.to_string()))
    .bind(&schema.hash)
    .bind(crate::store::now_millis())
    .bind(&schema.file_name)
    .fetch_one(&mut *conn)
    .await?;
    // AUTOINCREMENT would go past 2^31-1 after an import of the highest id; the caller's
    // transaction rolls the row back.
    crate::store::check_new_id(context::wire_id(id))?;
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

/// Moves context `number`'s counter past an id brought in, so it is never handed out again.
pub(super) async fn raise_context_ids(
    conn: &mut SqliteConnection,
    number: u32,
    id: i64,
) -> Result<()> {
    sqlx::query("UPDATE contexts SET last_id = MAX(last_id, ?) WHERE number = ?")
        .bind(id)
        .bind(i64::from(number))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn referrers_in(
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

/// Removes the soft-deleted versions of `subject` that hold schema `id`, unless something
/// still references them: a new version of the same schema supersedes them (Confluent #4277).
/// Returns how many.
pub(super) async fn supersede(conn: &mut SqliteConnection, subject: &str, id: i64) -> Result<u64> {
    let removed = sqlx::query(
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
    Ok(removed.rows_affected())
}

/// Appends audit lines inside the caller's transaction.
pub(super) async fn insert_audit(
    conn: &mut SqliteConnection,
    entries: &[AuditEntry],
) -> Result<()> {
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

pub(super) fn token_row(r: &sqlx::sqlite::SqliteRow) -> Result<crate::model::Token> {
    let role: String = r.get("role");
    let subjects: String = r.get("subjects");
    Ok(crate::model::Token {
        name: r.get("name"),
        role: role.parse()?,
        subjects: serde_json::from_str(&subjects).unwrap_or_default(),
        created_at: r.get("created_at"),
    })
}
