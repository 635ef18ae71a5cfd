//! How a write tells every instance what it changed: announced after its commit, and a sweep
//! of the audit log that catches a committed write whose announcement never came.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::{PgPool, Postgres, Transaction};
use tokio::sync::broadcast;

use super::{PostgresStore, CHANNEL, SWEEP};
use crate::error::Result;
use crate::store::{Change, ChangeEvent};

impl PostgresStore {
    /// Commits `tx`, then announces `changes` to every instance (this one included), with
    /// `audited`, the id of the write's last audit line (read here when not given).
    pub(super) async fn commit(
        &self,
        mut tx: Transaction<'static, Postgres>,
        audited: Option<i64>,
        changes: &[Change],
    ) -> Result<()> {
        if changes.is_empty() {
            tx.commit().await?;
            return Ok(());
        }
        let audit = match audited {
            Some(id) => id,
            // Read inside the transaction, so it covers this write's own audit lines.
            None => newest_audit(&mut *tx).await?,
        };
        tx.commit().await?;
        let payloads: Vec<String> = changes
            .iter()
            .map(|change| {
                serde_json::to_string(&Notice {
                    audit,
                    origin: self.origin,
                    change: change.clone(),
                })
                .unwrap_or_default()
            })
            .collect();
        // The write stands; a failed announcement is caught by the other instances' sweeps.
        if let Err(e) =
            sqlx::query("SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload")
                .bind(CHANNEL)
                .bind(&payloads)
                .execute(&self.pool)
                .await
        {
            tracing::warn!(error = %e, "a committed write could not be announced to other instances");
        }
        Ok(())
    }
}

/// What an announcement carries: the change, its write's last audit line (the newest committed
/// line is some write's last, so once every write is announced the sweep finds none missing),
/// and which store (process) wrote it.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct Notice {
    audit: i64,
    #[serde(default)]
    origin: u64,
    #[serde(flatten)]
    change: Change,
}

pub(super) async fn newest_audit<'c>(conn: impl sqlx::PgExecutor<'c>) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM audit_log")
            .fetch_one(conn)
            .await?,
    )
}

/// Every [`SWEEP`], checks that the writes committed by the previous sweep have been announced;
/// when one has not, tells every follower that changes were lost.
pub(super) async fn sweep_unannounced(
    pool: PgPool,
    out: broadcast::WeakSender<ChangeEvent>,
    announced: Arc<AtomicI64>,
) {
    let mut committed_before = announced.load(Ordering::SeqCst);
    loop {
        tokio::time::sleep(SWEEP).await;
        let Some(out) = out.upgrade() else {
            return;
        };
        if announced.load(Ordering::SeqCst) < committed_before {
            tracing::warn!(
                audit = committed_before,
                "a write committed by another instance was never announced; reloading"
            );
            announced.fetch_max(committed_before, Ordering::SeqCst);
            let _ = out.send(ChangeEvent::Lost);
        }
        match newest_audit(&pool).await {
            Ok(newest) => committed_before = newest,
            Err(e) => tracing::warn!(error = %e, "could not read the audit log's newest line"),
        }
    }
}

pub(super) async fn forward_notifications(
    mut listener: PgListener,
    out: broadcast::Sender<ChangeEvent>,
    announced: Arc<AtomicI64>,
    origin: u64,
) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                match serde_json::from_str::<Notice>(notification.payload()) {
                    Ok(Notice {
                        audit,
                        origin: from,
                        change,
                    }) => {
                        announced.fetch_max(audit, Ordering::SeqCst);
                        // A registration updates this process's memory before it answers; the
                        // notice of its own would only read the subject again.
                        let own_registration =
                            from == origin && matches!(change, Change::Registered { .. });
                        if !own_registration {
                            let _ = out.send(ChangeEvent::Change(change));
                        }
                    }
                    Err(_) => {
                        let _ = out.send(ChangeEvent::Lost);
                    }
                }
            }
            // The connection dropped; sqlx reconnects, but notifications sent meanwhile are lost.
            Ok(None) => {
                let _ = out.send(ChangeEvent::Lost);
            }
            Err(err) => {
                tracing::warn!(error = %err, "change listener failed; retrying");
                let _ = out.send(ChangeEvent::Lost);
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}
