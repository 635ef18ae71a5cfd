//! How a write tells every instance what it changed: announced after its commit, and a sweep
//! of the audit log that catches a committed write whose announcement never came.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::{PgPool, Postgres, Transaction};
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::time::Instant;

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
        let payloads = changes
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
        self.announcer.announce(payloads).await;
        Ok(())
    }
}

/// Sends the announcements of this process's writes; when writes come quickly, those of several
/// writes in one statement. Each notifying statement is a transaction of its own and wakes every
/// instance's listener: one per write cost every instance a wake-up per write of every other.
pub(super) struct Announcer {
    queue: mpsc::UnboundedSender<Batch>,
}

/// One write's announcements, and who waits for them to be sent.
type Batch = (Vec<String>, oneshot::Sender<()>);

/// At most this many announcements go in one statement.
const MOST_PER_STATEMENT: usize = 256;

/// While writes come within this of each other, an announcement waits this long for others to
/// join it; an announcement after a quiet spell goes at once.
const GATHER: Duration = Duration::from_millis(2);

impl Announcer {
    pub(super) fn start(pool: PgPool) -> Announcer {
        let (queue, waiting) = mpsc::unbounded_channel();
        tokio::spawn(send_announcements(pool, waiting));
        Announcer { queue }
    }

    /// Returns once `payloads` have been sent, or failed to be (the write stands; the other
    /// instances' sweeps catch a lost announcement), so a write is announced before it is
    /// acknowledged, as when each write sent its own.
    async fn announce(&self, payloads: Vec<String>) {
        let (sent, done) = oneshot::channel();
        if self.queue.send((payloads, sent)).is_ok() {
            let _ = done.await;
        }
    }
}

async fn send_announcements(pool: PgPool, mut waiting: mpsc::UnboundedReceiver<Batch>) {
    let mut last_sent: Option<Instant> = None;
    while let Some((mut payloads, sent)) = waiting.recv().await {
        let mut senders = vec![sent];
        // Busy: the last statement went out moments ago, so more writes are likely close behind.
        let gather_until = last_sent
            .filter(|at| at.elapsed() < GATHER)
            .map(|_| Instant::now() + GATHER);
        while payloads.len() < MOST_PER_STATEMENT {
            let next = match (waiting.try_recv(), gather_until) {
                (Ok(next), _) => Some(next),
                (Err(_), Some(until)) => tokio::time::timeout_at(until, waiting.recv())
                    .await
                    .ok()
                    .flatten(),
                (Err(_), None) => None,
            };
            let Some((more, sent)) = next else { break };
            payloads.extend(more);
            senders.push(sent);
        }
        if let Err(e) =
            sqlx::query("SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload")
                .bind(CHANNEL)
                .bind(&payloads)
                .execute(&pool)
                .await
        {
            tracing::warn!(error = %e, writes = senders.len(), "committed writes could not be announced to other instances");
        }
        last_sent = Some(Instant::now());
        for sent in senders {
            let _ = sent.send(());
        }
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
