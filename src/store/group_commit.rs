//! Group commit for SQLite registrations. SQLite takes one writer at a time and each commit
//! waits for its sync to disk, so one commit per registration caps registrations at the disk's
//! sync rate. Instead one task owns a write connection: it takes every registration waiting,
//! writes each inside its own savepoint of one transaction (a refused or failed one is rolled
//! back alone, so each stays all-or-nothing), commits once, and only then answers them all. The
//! registrations that arrive while a commit syncs make up the next one. `synchronous` stays
//! FULL: no answer goes out before its commit is on disk.

use futures_util::FutureExt;
use sqlx::{Connection, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

use super::{AuditNew, Gate, NewSchema, Placement, Registered};
use crate::error::{Error, Result};

/// Most registrations written by one commit, so one commit stays short.
const MOST_PER_COMMIT: usize = 256;

/// A registration handed to the writer.
pub(super) struct Registration {
    pub subject: String,
    pub schema: NewSchema,
    pub placement: Placement,
    pub gate: Gate,
    pub audit: AuditNew,
}

struct Job {
    registration: Registration,
    answer: oneshot::Sender<Result<Registered>>,
}

/// The handle the store keeps; the writer task stops when it is dropped.
pub(super) struct Writer {
    jobs: mpsc::UnboundedSender<Job>,
}

impl Writer {
    /// Starts the task that writes through `conn`.
    pub fn start(conn: SqliteConnection) -> Writer {
        let (jobs, waiting) = mpsc::unbounded_channel();
        tokio::spawn(run(conn, waiting));
        Writer { jobs }
    }

    /// Writes `registration` with the next commit; answers once that commit is durable. The
    /// write goes ahead even if the caller stops waiting (a client that hung up, say).
    pub async fn register(&self, registration: Registration) -> Result<Registered> {
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send(Job {
                registration,
                answer,
            })
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

fn stopped() -> Error {
    Error::store("the SQLite writer stopped")
}

async fn run(mut conn: SqliteConnection, mut waiting: mpsc::UnboundedReceiver<Job>) {
    let mut batch: Vec<Job> = Vec::new();
    while let Some(first) = waiting.recv().await {
        batch.push(first);
        while batch.len() < MOST_PER_COMMIT {
            match waiting.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        // A panic while writing (a bug) fails this batch, not every later registration.
        let written = std::panic::AssertUnwindSafe(write(&mut conn, &batch))
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| Err(Error::internal_panic(panic.as_ref())));
        match written {
            Ok(outcomes) => {
                for (job, outcome) in batch.drain(..).zip(outcomes) {
                    let _ = job.answer.send(outcome);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, detail = e.detail().unwrap_or_default(), registrations = batch.len(), "a group commit failed; none of its registrations was written");
                let detail = e.detail().unwrap_or_else(|| e.to_string());
                for job in batch.drain(..) {
                    let _ = job.answer.send(Err(Error::store(detail.clone())));
                }
            }
        }
    }
}

/// Writes every registration of `batch` in one transaction, each in its own savepoint; the
/// outcomes hold once the transaction is committed. An error here means nothing was written.
async fn write(conn: &mut SqliteConnection, batch: &[Job]) -> Result<Vec<Result<Registered>>> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in batch {
        let mut one = Connection::begin(&mut *tx).await?;
        match super::sqlite::register_in(&mut one, &job.registration).await {
            Ok(registered) => {
                one.commit().await?;
                outcomes.push(Ok(registered));
            }
            Err(refused) => {
                one.rollback().await?;
                outcomes.push(Err(refused));
            }
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}
