//! Reading rows into the store's types, and the statements several writes share: locks, id
//! allocation, schema and audit inserts.

use std::str::FromStr;

use sha2::{Digest, Sha256};
use sqlx::{PgConnection, Row};

use crate::error::Result;
use crate::model::{context, Reference, SchemaType};
use crate::store::{AuditEntry, ConfigRecord, NewSchema, SchemaRow, VersionRow};

/// A stable 64-bit advisory lock key for `kind`:`name`.
fn lock_key(kind: &str, name: &str) -> i64 {
    let digest = Sha256::digest(format!("herald:{kind}:{name}").as_bytes());
    i64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// Takes the lock of `first`, then the lock of `second`, in one round trip (the second is
/// computed from the first's row, so the order holds).
pub(super) async fn lock_both(
    conn: &mut PgConnection,
    first: (&str, &str),
    second: (&str, &str),
) -> Result<()> {
    sqlx::query(
        "WITH first AS (SELECT pg_advisory_xact_lock($1))
         SELECT pg_advisory_xact_lock($2) FROM first",
    )
    .bind(lock_key(first.0, first.1))
    .bind(lock_key(second.0, second.1))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) async fn lock(conn: &mut PgConnection, kind: &str, name: &str) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(lock_key(kind, name))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) fn schema_row(
    row: &sqlx::postgres::PgRow,
    references: Vec<Reference>,
) -> Result<SchemaRow> {
    let schema_type: String = row.get("schema_type");
    let metadata: Option<String> = row.get("metadata");
    let rule_set: Option<String> = row.get("rule_set");
    Ok(SchemaRow {
        id: row.get("id"),
        schema_type: SchemaType::from_str(&schema_type)?,
        schema: row.get("schema"),
        references,
        metadata: metadata.and_then(|t| serde_json::from_str(&t).ok()),
        rule_set: rule_set.and_then(|t| serde_json::from_str(&t).ok()),
        file_name: row.get("file_name"),
    })
}

pub(super) fn reference_row(r: &sqlx::postgres::PgRow) -> Reference {
    Reference {
        name: r.get("name"),
        subject: r.get("subject"),
        version: r.get("version"),
    }
}

pub(super) fn version_row(row: &sqlx::postgres::PgRow) -> VersionRow {
    VersionRow {
        subject: row.get("subject"),
        version: row.get("version"),
        schema_id: row.get("schema_id"),
        deleted: row.get("deleted"),
        created_at: row.get("created_at"),
    }
}

pub(super) async fn versions_in(conn: &mut PgConnection, subject: &str) -> Result<Vec<VersionRow>> {
    let rows = sqlx::query(
        "SELECT subject, version, schema_id, deleted, created_at FROM subject_versions WHERE subject = $1 ORDER BY version",
    )
    .bind(subject)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(version_row).collect())
}

pub(super) async fn referrers_in(
    conn: &mut PgConnection,
    subject: &str,
    version: i32,
) -> Result<Vec<(i64, bool)>> {
    let rows = sqlx::query(
        "SELECT r.schema_id AS id, BOOL_AND(sv.deleted) AS all_deleted
         FROM schema_references r JOIN subject_versions sv ON sv.schema_id = r.schema_id
         WHERE r.subject = $1 AND r.version = $2
         GROUP BY r.schema_id ORDER BY r.schema_id",
    )
    .bind(subject)
    .bind(version)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get::<i64, _>("id"), r.get::<bool, _>("all_deleted")))
        .collect())
}

/// Moves the id sequence past `id`, an id an import brings, under the exclusive lock that every
/// allocation (see `insert_schema`) takes shared, so no id is handed out between reading the
/// sequence and moving it.
pub(super) async fn reserve_id(conn: &mut PgConnection, id: i64) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(lock_key("ids", ""))
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "SELECT setval('schema_ids', GREATEST(last_value, $1), is_called OR last_value <= $1)
         FROM schema_ids",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Moves context `number`'s counter past an id brought in, so it is never handed out again.
pub(super) async fn raise_context_ids(conn: &mut PgConnection, number: u32, id: i64) -> Result<()> {
    sqlx::query("UPDATE contexts SET last_id = GREATEST(last_id, $1) WHERE number = $2")
        .bind(id)
        .bind(i64::from(number))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn insert_schema(
    conn: &mut PgConnection,
    schema: &NewSchema,
    explicit_id: Option<i64>,
) -> Result<i64> {
    let metadata = schema.metadata.as_ref().map(|v| v.to_string());
    let rule_set = schema.rule_set.as_ref().map(|v| v.to_string());
    let explicit_id = match (schema.context, explicit_id) {
        (0, id) => id,
        (number, Some(id)) => {
            raise_context_ids(&mut *conn, number, context::wire_id(id)).await?;
            Some(id)
        }
        // The context's row stays locked until the registration commits: registrations in one
        // context other than the default take turns for their ids.
        (number, None) => {
            let next: i64 = sqlx::query_scalar(
                "UPDATE contexts SET last_id = last_id + 1 WHERE number = $1 RETURNING last_id",
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
    let id = match explicit_id {
        Some(id) => {
            if schema.context == 0 {
                reserve_id(conn, id).await?;
            }
            sqlx::query(
                "INSERT INTO schemas (id, schema_type, schema, metadata, rule_set, hash, created_at,
                                      file_name)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(schema.schema_type.as_str())
            .bind(&schema.schema)
            .bind(metadata)
            .bind(rule_set)
            .bind(&schema.hash)
            .bind(crate::store::now_millis())
            .bind(&schema.file_name)
            .execute(&mut *conn)
            .await?;
            id
        }
        // One round trip: the shared lock `reserve_id` waits for, taken before `nextval` (the new
        // id is computed from the lock's row), then the insert.
        None => {
            sqlx::query_scalar(
                "WITH held AS (SELECT pg_advisory_xact_lock_shared($1)),
                      next AS (SELECT nextval('schema_ids') AS id FROM held)
                 INSERT INTO schemas (id, schema_type, schema, metadata, rule_set, hash, created_at,
                                      file_name)
                 SELECT id, $2, $3, $4, $5, $6, $7, $8 FROM next
                 RETURNING id",
            )
            .bind(lock_key("ids", ""))
            .bind(schema.schema_type.as_str())
            .bind(&schema.schema)
            .bind(metadata)
            .bind(rule_set)
            .bind(&schema.hash)
            .bind(crate::store::now_millis())
            .bind(&schema.file_name)
            .fetch_one(&mut *conn)
            .await?
        }
    };
    // Past 2^31-1 the caller's transaction rolls the insert and the counter back.
    crate::store::check_new_id(context::wire_id(id))?;
    for (ordinal, r) in schema.references.iter().enumerate() {
        sqlx::query(
            "INSERT INTO schema_references (schema_id, ordinal, name, subject, version)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(ordinal as i32)
        .bind(&r.name)
        .bind(&r.subject)
        .bind(r.version)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

/// Appends audit lines inside the caller's transaction, in one statement; the id of the last.
pub(super) async fn insert_audit(
    conn: &mut PgConnection,
    entries: &[AuditEntry],
) -> Result<Option<i64>> {
    if entries.is_empty() {
        return Ok(None);
    }
    let text = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string());
    let ids: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO audit_log (at, actor, source, action, target, before, after)
         SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
                              $6::text[], $7::text[])
         RETURNING id",
    )
    .bind(entries.iter().map(|e| e.at).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.actor.clone()).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.source.clone()).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.action.clone()).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.target.clone()).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| text(&e.before)).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| text(&e.after)).collect::<Vec<_>>())
    .fetch_all(&mut *conn)
    .await?;
    Ok(ids.into_iter().max())
}

pub(super) fn token_row(r: &sqlx::postgres::PgRow) -> Result<crate::model::Token> {
    let role: String = r.get("role");
    let subjects: String = r.get("subjects");
    Ok(crate::model::Token {
        name: r.get("name"),
        role: role.parse()?,
        subjects: serde_json::from_str(&subjects).unwrap_or_default(),
        created_at: r.get("created_at"),
    })
}

pub(super) fn config_row(r: &sqlx::postgres::PgRow) -> Result<ConfigRecord> {
    let compatibility: Option<String> = r.get("compatibility");
    Ok(ConfigRecord {
        compatibility: compatibility.map(|c| c.parse()).transpose()?,
        normalize: r.get("normalize"),
        settings: crate::store::read_settings(r.get("settings"))?,
    })
}
