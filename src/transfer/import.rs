//! The import pipeline. Versions arrive one at a time (from a document being read, or from a
//! registry being copied); each is checked as a registration in IMPORT mode would check it
//! (no compatibility check: IMPORT mode asks for none), parsed on the work pool a batch at a
//! time, and written by the store in one transaction that commits only once the last version
//! is in, so an import that fails leaves no version behind.

use std::collections::{HashMap, HashSet};

use futures_util::stream::{FuturesOrdered, StreamExt};
use serde_json::json;
use tokio::sync::mpsc;

use super::document::{Outline, Referenced};
use super::progress::Progress;
use super::{ExportedVersion, ImportReport};
use crate::error::{Error, Result};
use crate::formats::{self, Dependency};
use crate::model::{context, validate_subject, Reference, SchemaType};
use crate::registry::{identity_hash, Registry};
use crate::store::{Actor, AuditEntry, ImportRow, NewSchema, MAX_SCHEMA_ID};

/// Versions parsed in one job on the work pool and written in one message to the store.
const BATCH: usize = 500;

/// Versions waiting to be parsed, read ahead of the parser.
pub(super) const READ_AHEAD: usize = 2 * BATCH;

/// A version that other versions reference, kept until the import ends.
struct KeptVersion {
    schema_type: SchemaType,
    schema: String,
    references: Vec<Reference>,
}

/// The versions of this import that others reference, to resolve those references without
/// the store (nothing is committed before the end).
#[derive(Default)]
struct Kept {
    by_version: HashMap<(String, i32), KeptVersion>,
    /// The highest kept version of each subject, for references to `-1` (latest).
    latest: HashMap<String, i32>,
}

impl Kept {
    fn keep(&mut self, v: &ExportedVersion, referenced: &Referenced) {
        let wanted = referenced.contains_key(&(v.subject.clone(), v.version))
            || referenced.contains_key(&(v.subject.clone(), -1));
        let Ok(schema_type) = SchemaType::from_request(Some(&v.schema_type)) else {
            return;
        };
        if !wanted {
            return;
        }
        self.by_version.insert(
            (v.subject.clone(), v.version),
            KeptVersion {
                schema_type,
                schema: v.schema.clone(),
                references: v.references.clone(),
            },
        );
        let latest = self.latest.entry(v.subject.clone()).or_default();
        *latest = (*latest).max(v.version);
    }

    /// The dependencies of `references`, dependencies before dependents; `None` while one of
    /// them has not come in yet.
    fn dependencies(&self, subject: &str, references: &[Reference]) -> Option<Vec<Dependency>> {
        let mut out = Vec::new();
        let mut done = HashSet::new();
        let holder = context::of(subject);
        for r in references {
            self.visit(&holder, r, &mut out, &mut done, 0)?;
        }
        Some(out)
    }

    /// `r` as a schema in context `holder` holds it: without a context of its own, it names
    /// a subject of that context.
    fn visit(
        &self,
        holder: &str,
        r: &Reference,
        out: &mut Vec<Dependency>,
        done: &mut HashSet<(String, i32)>,
        depth: usize,
    ) -> Option<()> {
        let subject = context::in_context(holder, &r.subject);
        let version = match r.version {
            -1 => *self.latest.get(&subject)?,
            v => v,
        };
        let key = (subject, version);
        if done.contains(&key) || depth > crate::limits::MAX_NESTING {
            return Some(());
        }
        let kept = self.by_version.get(&key)?;
        let nested_holder = context::of(&key.0).into_owned();
        for nested in &kept.references {
            self.visit(&nested_holder, nested, out, done, depth + 1)?;
        }
        if done.insert(key) {
            out.push(Dependency {
                name: r.name.clone(),
                schema_type: kept.schema_type,
                schema: kept.schema.clone(),
            });
        }
        Some(())
    }
}

/// A version ready to parse: its dependencies and whether its subject normalizes.
type Job = (ExportedVersion, Vec<Dependency>, bool);

/// What a registration in IMPORT mode refuses before parsing anything.
fn check(v: &ExportedVersion, referenced: &Referenced) -> Result<()> {
    validate_subject(&v.subject)?;
    if v.id > MAX_SCHEMA_ID {
        return Err(Error::BadRequest(format!(
            "Schema id {} is out of range: ids are between 1 and {MAX_SCHEMA_ID} (2^31-1), \
             the largest the 4-byte id of the wire format carries",
            v.id
        )));
    }
    if v.id < 1 {
        return Err(Error::not_permitted(format!(
            "Schema id {} cannot be imported: ids are between 1 and {MAX_SCHEMA_ID}",
            v.id
        )));
    }
    if v.version < 1 {
        return Err(Error::BadRequest(format!(
            "{} version {}: version numbers start at 1",
            v.subject, v.version
        )));
    }
    if v.references
        .iter()
        .any(|r| r.version == -1 && r.subject == v.subject)
    {
        return Err(Error::InvalidSchema(format!(
            "references form a cycle: '{}' refers to its own latest version",
            v.subject
        )));
    }
    // A soft delete is refused while a live version references the one deleted.
    if v.deleted && referenced.get(&(v.subject.clone(), v.version)) == Some(&true) {
        return Err(Error::ReferenceExists(v.subject.clone(), v.version));
    }
    Ok(())
}

/// Parses one version into the row the store writes, with its audit lines.
fn prepare(job: Job, actor: &Actor) -> Result<ImportRow> {
    let (mut v, deps, normalize) = job;
    context::place_references(&v.subject, &mut v.references);
    let schema_type = SchemaType::from_request(Some(&v.schema_type))?;
    if v.schema.trim().is_empty() {
        return Err(Error::InvalidSchemaBare("Empty schema".into()));
    }
    let parsed =
        crate::limits::bounded(|| formats::parse(schema_type, &v.schema, &deps, normalize))
            .map_err(|e| match e {
                Error::InvalidSchema(m) => {
                    Error::InvalidSchema(format!("{} version {}: {m}", v.subject, v.version))
                }
                other => other,
            })?;
    let schema = NewSchema {
        schema_type: parsed.schema_type(),
        schema: parsed.stored().to_string(),
        hash: identity_hash(
            &context::of(&v.subject),
            parsed.schema_type(),
            parsed.canonical(),
            &v.references,
            v.metadata.as_ref(),
            v.rule_set.as_ref(),
        ),
        references: v.references,
        metadata: v.metadata,
        rule_set: v.rule_set,
        context: context::number_of(v.id),
        file_name: v
            .file_name
            .or_else(|| parsed.file_name().map(str::to_string)),
    };
    let target = format!("subject/{}", v.subject);
    let mut audit = vec![AuditEntry::new(
        actor,
        "schema.register",
        &target,
        None,
        Some(json!({"id": context::wire_id(v.id), "version": v.version})),
    )];
    if v.deleted {
        audit.push(AuditEntry::new(
            actor,
            "version.delete",
            &format!("{target}/versions/{}", v.version),
            None,
            None,
        ));
    }
    Ok(ImportRow {
        subject: v.subject,
        version: v.version,
        id: v.id,
        deleted: v.deleted,
        schema,
        audit,
    })
}

async fn parse_batch(jobs: Vec<Job>, actor: Actor) -> Result<Vec<ImportRow>> {
    crate::limits::offload(move || jobs.into_iter().map(|j| prepare(j, &actor)).collect()).await
}

impl Registry {
    /// Imports the versions `versions` brings (an `Err` in it abandons the import), which
    /// `referenced` says which of them others reference. Nothing is written unless all are.
    pub(super) async fn import_versions(
        &self,
        versions: mpsc::Receiver<Result<ExportedVersion>>,
        outline: &Outline,
        progress: &Progress,
    ) -> Result<ImportReport> {
        // Numbered before the import's transaction, which on SQLite holds the one write lock.
        for name in &outline.contexts {
            self.number_context(name).await?;
        }
        let referenced = &outline.referenced;
        let (rows, mut written) = mpsc::channel::<Result<Vec<ImportRow>>>(4);
        let store = self.store().clone();
        let writer = async move { store.import(&mut written).await };
        let producer = async {
            let produced = self.produce(versions, referenced, &rows, progress).await;
            if produced.is_err() {
                // The writer rolls back; the producer's error is the one to tell.
                let _ = rows
                    .send(Err(Error::Internal("the import was abandoned".into())))
                    .await;
            }
            drop(rows);
            produced
        };
        let (produced, written) = tokio::join!(producer, writer);
        let report = produced?;
        written?;
        Ok(report)
    }

    async fn produce(
        &self,
        mut versions: mpsc::Receiver<Result<ExportedVersion>>,
        referenced: &Referenced,
        rows: &mpsc::Sender<Result<Vec<ImportRow>>>,
        progress: &Progress,
    ) -> Result<ImportReport> {
        let actor = crate::registry::current_actor();
        let configs: HashMap<String, crate::store::ConfigRecord> =
            self.store().configs().await?.into_iter().collect();
        let global_normalize = configs.get("").and_then(|c| c.normalize);
        let normalize = |subject: &str| {
            configs
                .get(subject)
                .and_then(|c| c.normalize)
                .or(global_normalize)
                .unwrap_or(false)
        };
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut kept = Kept::default();
        let mut waiting: Vec<ExportedVersion> = Vec::new();
        let mut batch: Vec<Job> = Vec::new();
        let mut parsing = FuturesOrdered::new();
        let mut report = ImportReport::default();
        let mut ids = HashSet::new();
        let mut subjects = HashSet::new();
        let job = |v: ExportedVersion, deps: Vec<Dependency>| -> Result<Job> {
            self.check_reference_count(deps.len())?;
            let n = normalize(&v.subject);
            Ok((v, deps, n))
        };
        // Sends a parsed batch on; `false` once the writer stopped (its error is the answer).
        let send = |done: Vec<ImportRow>| async move {
            let n = done.len() as u64;
            let sent = rows.send(Ok(done)).await.is_ok();
            progress.advance(n);
            sent
        };

        while let Some(v) = versions.recv().await {
            let mut v = v?;
            check(&v, referenced)?;
            // From here on the id is the one stored, which tells its context apart.
            let number = self
                .context_number(&context::of(&v.subject))
                .await?
                .ok_or_else(|| Error::Internal(format!("context of {} not numbered", v.subject)))?;
            v.id = context::stored_id(number, v.id);
            report.versions += 1;
            report.deleted_versions += usize::from(v.deleted);
            ids.insert(v.id);
            if !subjects.contains(v.subject.as_str()) {
                subjects.insert(v.subject.clone());
            }
            let before = kept.by_version.len();
            kept.keep(&v, referenced);
            match kept.dependencies(&v.subject, &v.references) {
                Some(deps) => batch.push(job(v, deps)?),
                None => waiting.push(v),
            }
            if kept.by_version.len() > before && !waiting.is_empty() {
                for v in std::mem::take(&mut waiting) {
                    match kept.dependencies(&v.subject, &v.references) {
                        Some(deps) => batch.push(job(v, deps)?),
                        None => waiting.push(v),
                    }
                }
            }
            if batch.len() >= BATCH {
                parsing.push_back(parse_batch(std::mem::take(&mut batch), actor.clone()));
                if parsing.len() >= threads {
                    let done = parsing.next().await.expect("a batch is parsing")?;
                    if !send(done).await {
                        return Ok(report);
                    }
                }
            }
        }
        // What still waits references versions this import does not bring: they must be
        // live in the registry already.
        for v in waiting {
            let deps = self
                .resolve_references_from(Some(&v.subject), &v.references, false)
                .await?;
            batch.push(job(v, deps)?);
        }
        if !batch.is_empty() {
            parsing.push_back(parse_batch(batch, actor.clone()));
        }
        while let Some(done) = parsing.next().await {
            if !send(done?).await {
                return Ok(report);
            }
        }
        report.schemas = ids.len();
        report.subjects = subjects.len();
        Ok(report)
    }
}
