//! One registration as the group commit's writer runs it.

use sqlx::SqliteConnection;

use super::rows::{id_for_hash, insert_audit, insert_schema, schema_hash, supersede, versions_in};
use crate::error::Result;
use crate::store::group_commit::Registration;
use crate::store::{Added, Placement, Registered, VersionRow};
/// One registration inside the writer's transaction (see `group_commit`): the live version that
/// already holds the schema, or the gate's verdict and the new version with its audit line.
pub(in crate::store) async fn register_in(
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
            crate::store::check_import_id(id, stored.as_deref(), &schema.hash)?
        }
        _ => id_for_hash(&mut *conn, &schema.hash).await?,
    };
    if let Some(id) = existing_id {
        if let Some(version) = crate::store::existing_version(&versions, id, placement) {
            return Ok(Registered::Existing { id, version });
        }
    }

    let live: Vec<VersionRow> = versions.iter().filter(|v| !v.deleted).cloned().collect();
    gate(&live)?;
    let version = crate::store::next_version(subject, &versions, placement)?;
    let id = match (existing_id, placement) {
        (Some(id), _) => id,
        (None, Placement::Import { id, .. }) => insert_schema(&mut *conn, schema, Some(id)).await?,
        (None, _) => insert_schema(&mut *conn, schema, None).await?,
    };
    let superseded = supersede(&mut *conn, subject, id).await?;
    let created_at = crate::store::now_millis();
    sqlx::query(
        "INSERT INTO subject_versions (subject, version, schema_id, deleted, created_at)
             VALUES (?, ?, ?, 0, ?)",
    )
    .bind(subject)
    .bind(version)
    .bind(id)
    .bind(created_at)
    .execute(&mut *conn)
    .await?;
    insert_audit(&mut *conn, &[audit(id, version)]).await?;
    let added = (superseded == 0).then_some(Added {
        version,
        schema_id: id,
        created_at,
    });
    Ok(Registered::Created { id, version, added })
}
