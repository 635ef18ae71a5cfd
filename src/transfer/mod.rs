//! Moving a registry: `herald export` writes everything as one JSON document, `herald import`
//! restores it (or copies a running Confluent-compatible registry over its REST API) into an
//! empty registry in IMPORT mode, keeping every schema id and version, since those ids are
//! already baked into every message on the wire.
//!
//! Both stream: an export writes a version at a time, an import reads one (see `import`), so a
//! registry of a hundred thousand versions moves in bounded memory, with its progress shown.

mod document;
mod import;
pub mod progress;

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::error::{Error, Result};
use crate::model::{CompatibilityLevel, Mode, Reference, GLOBAL_SCOPE};
use crate::registry::{ConfigUpdate, Registry};
use crate::store::CatalogWrite;
use document::{Outline, VersionOutline};
use progress::Progress;

pub const FORMAT: &str = "herald-export";

/// The document's version of this layout: `{"format", "version", "versions", "configs",
/// "modes", "catalog"}`, every subject version by subject then version with its schema.
pub const LAYOUT_VERSION: u32 = 1;

/// Schemas read from the store at once while exporting.
const EXPORT_CHUNK: usize = 500;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedVersion {
    pub subject: String,
    pub version: i32,
    pub id: i64,
    pub deleted: bool,
    pub schema_type: String,
    pub schema: String,
    #[serde(default)]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_set: Option<Value>,
    /// The file name a Protobuf schema was registered under, where its descriptor gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedConfig {
    pub scope: String,
    pub compatibility: Option<String>,
    pub normalize: Option<bool>,
    /// The other config fields, by their wire names.
    #[serde(flatten)]
    pub settings: crate::model::ConfigSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedMode {
    pub scope: String,
    pub mode: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedEntity {
    pub kind: String,
    pub name: String,
    pub body: Value,
}

/// What an import brought in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub subjects: usize,
    pub versions: usize,
    pub schemas: usize,
    pub deleted_versions: usize,
    pub configs: usize,
    pub modes: usize,
    pub catalog_entities: usize,
}

impl Registry {
    /// Writes the whole registry to `out` as an export document, a version at a time.
    pub async fn export_to(&self, out: &mut impl Write, progress: &Progress) -> Result<usize> {
        let store = self.store();
        let io = |e: std::io::Error| Error::store(format!("writing the export: {e}"));
        let rows = store.all_versions().await?;
        progress.start("exporting versions", "versions", Some(rows.len() as u64));
        write!(
            out,
            "{{\"format\":\"{FORMAT}\",\"version\":{LAYOUT_VERSION},\"versions\":["
        )
        .map_err(io)?;
        for (n, chunk) in rows.chunks(EXPORT_CHUNK).enumerate() {
            let mut ids: Vec<i64> = chunk.iter().map(|r| r.schema_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let schemas: std::collections::HashMap<i64, crate::store::SchemaRow> = store
                .schemas(&ids)
                .await?
                .into_iter()
                .map(|s| (s.id, s))
                .collect();
            for (i, row) in chunk.iter().enumerate() {
                let schema = schemas
                    .get(&row.schema_id)
                    .ok_or(Error::SchemaIdNotFound(row.schema_id))?;
                let version = ExportedVersion {
                    subject: row.subject.clone(),
                    version: row.version,
                    id: crate::model::context::wire_id(row.schema_id),
                    deleted: row.deleted,
                    schema_type: schema.schema_type.as_str().to_string(),
                    schema: schema.schema.clone(),
                    references: schema.references.clone(),
                    metadata: schema.metadata.clone(),
                    rule_set: schema.rule_set.clone(),
                    file_name: schema.file_name.clone(),
                };
                out.write_all(if n + i == 0 { b"\n" } else { b",\n" })
                    .map_err(io)?;
                serde_json::to_writer(&mut *out, &version).map_err(|e| io(e.into()))?;
            }
            progress.advance(chunk.len() as u64);
        }
        let configs: Vec<ExportedConfig> = store
            .configs()
            .await?
            .into_iter()
            .map(|(scope, c)| ExportedConfig {
                scope,
                compatibility: c.compatibility.map(|l| l.as_str().to_string()),
                normalize: c.normalize,
                settings: c.settings,
            })
            .collect();
        let modes: Vec<ExportedMode> = store
            .modes()
            .await?
            .into_iter()
            .map(|(scope, m)| ExportedMode {
                scope,
                mode: m.as_str().to_string(),
            })
            .collect();
        let catalog: Vec<ExportedEntity> = store
            .catalog_entities()
            .await?
            .into_iter()
            .map(|r| ExportedEntity {
                kind: r.kind,
                name: r.name,
                body: r.body,
            })
            .collect();
        write!(
            out,
            "\n],\n\"configs\":{},\n\"modes\":{},\n\"catalog\":{}\n}}\n",
            json_text(&configs),
            json_text(&modes),
            json_text(&catalog)
        )
        .map_err(io)?;
        out.flush().map_err(io)?;
        progress.finish();
        Ok(rows.len())
    }

    /// Restores an export document into this registry, which must hold no live subjects.
    /// The file is read twice: once to check it and learn which versions others reference,
    /// then to import it a batch at a time.
    pub async fn import_file(&self, path: &Path, progress: &Progress) -> Result<ImportReport> {
        let outline = outline_of(path, progress).await?;
        if outline.format != FORMAT {
            return Err(Error::BadRequest(format!(
                "not a Herald export (format '{}')",
                outline.format
            )));
        }
        let (tx, rx) = mpsc::channel(import::READ_AHEAD);
        let before = self.enter_import_mode().await?;
        progress.start(
            &format!("importing {}", path.display()),
            "versions",
            Some(outline.versions),
        );
        let file = path.to_path_buf();
        let reader = tokio::task::spawn_blocking(move || {
            let read = std::fs::File::open(&file)
                .map_err(|e| e.to_string())
                .and_then(|f| {
                    document::read(std::io::BufReader::with_capacity(1 << 20, f), |v| {
                        tx.blocking_send(Ok(v))
                            .map_err(|_| "the import stopped".to_string())
                    })
                    .map_err(|e| e.to_string())
                });
            if let Err(e) = &read {
                let _ =
                    tx.blocking_send(Err(Error::BadRequest(format!("{}: {e}", file.display()))));
            }
            read
        });
        let imported = self.import_versions(rx, &outline, progress).await;
        let rest = reader
            .await
            .map_err(|e| Error::Internal(format!("the document reader failed: {e}")));
        let (mut report, rest) = match (imported, rest) {
            (Ok(report), Ok(Ok(rest))) => (report, rest),
            (Err(e), _) | (_, Err(e)) => return Err(self.leave_import_mode(before, e).await),
            (_, Ok(Err(e))) => {
                return Err(self.leave_import_mode(before, Error::BadRequest(e)).await)
            }
        };
        progress.finish();
        let configs = rest
            .configs
            .iter()
            .map(|c| {
                let level = c
                    .compatibility
                    .as_deref()
                    .map(str::parse::<CompatibilityLevel>)
                    .transpose()?;
                Ok((
                    c.scope.clone(),
                    ConfigUpdate {
                        compatibility: Some(level),
                        normalize: Some(c.normalize),
                        settings: match serde_json::to_value(&c.settings) {
                            Ok(Value::Object(map)) => map,
                            _ => Default::default(),
                        },
                    },
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        let modes = rest.modes.iter().map(|m| (m.scope.clone(), m.mode.clone()));
        self.finish_import(&mut report, configs, &rest.catalog, modes.collect())
            .await?;
        Ok(report)
    }

    /// Sets the global mode to IMPORT (refused while live subjects exist) and returns the
    /// mode it replaced.
    async fn enter_import_mode(&self) -> Result<Option<Mode>> {
        let before = self.mode_at(GLOBAL_SCOPE).await?;
        self.update_mode(GLOBAL_SCOPE, Mode::Import, false).await?;
        Ok(before)
    }

    /// After a failed import (which wrote no version), puts the global mode back; returns the
    /// import's error.
    async fn leave_import_mode(&self, before: Option<Mode>, error: Error) -> Error {
        let mode = before.unwrap_or(Mode::ReadWrite);
        if let Err(e) = self.update_mode(GLOBAL_SCOPE, mode, false).await {
            tracing::warn!(error = %e, "could not put the mode back after a failed import");
        }
        error
    }

    /// What follows the versions: READWRITE again, then configs, the catalog and the modes.
    async fn finish_import(
        &self,
        report: &mut ImportReport,
        configs: Vec<(String, ConfigUpdate)>,
        catalog: &[ExportedEntity],
        modes: Vec<(String, String)>,
    ) -> Result<()> {
        self.update_mode(GLOBAL_SCOPE, Mode::ReadWrite, false)
            .await?;
        self.reload_summaries().await?;
        for (scope, update) in &configs {
            self.update_config(scope, update).await?;
            report.configs += 1;
        }
        let mut writes = Vec::new();
        let mut audit = Vec::new();
        for e in catalog {
            audit.push(crate::registry::audit_line(
                "catalog.import",
                &format!("{}/{}", e.kind, e.name),
                None,
                Some(e.body.clone()),
            ));
            writes.push(CatalogWrite::Put {
                kind: e.kind.clone(),
                name: e.name.clone(),
                body: e.body.clone(),
            });
        }
        report.catalog_entities = writes.len();
        self.write_catalog(&writes, &audit).await?;
        report.modes = modes.len();
        for (scope, mode) in modes {
            self.update_mode(&scope, mode.parse()?, true).await?;
        }
        Ok(())
    }

    /// Copies a running Confluent-compatible registry (Confluent, Karapace, Apicurio's ccompat
    /// API, another Herald) over its REST API.
    pub async fn import_from_registry(
        &self,
        client: &crate::cli::client::Client,
        progress: &Progress,
    ) -> Result<ImportReport> {
        let fetch = |path: String| async move {
            match client.get(&path).await {
                Ok((200, v)) => Ok(Some(v)),
                Ok((404, _)) => Ok(None),
                Ok((status, v)) => Err(Error::store(format!("GET {path}: HTTP {status}: {v}"))),
                Err(e) => Err(Error::store(e.to_string())),
            }
        };
        let enc = crate::cli::client::encode;
        let subjects: Vec<String> = fetch("/subjects?deleted=true".into())
            .await?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        progress.start(
            "reading the source registry",
            "subjects",
            Some(subjects.len() as u64),
        );
        let mut versions = Vec::new();
        let mut outline = Outline::default();
        for subject in &subjects {
            let numbers: Vec<i32> =
                fetch(format!("/subjects/{}/versions?deleted=true", enc(subject)))
                    .await?
                    .and_then(|v| serde_json::from_value(v).ok())
                    .unwrap_or_default();
            let live: Vec<i32> = fetch(format!("/subjects/{}/versions", enc(subject)))
                .await?
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default();
            for n in numbers {
                let Some(v) = fetch(format!(
                    "/subjects/{}/versions/{n}?deleted=true",
                    enc(subject)
                ))
                .await?
                else {
                    continue;
                };
                let version = ExportedVersion {
                    subject: subject.clone(),
                    version: n,
                    id: v["id"].as_i64().unwrap_or_default(),
                    deleted: !live.contains(&n),
                    schema_type: v["schemaType"].as_str().unwrap_or("AVRO").to_string(),
                    schema: v["schema"].as_str().unwrap_or_default().to_string(),
                    references: serde_json::from_value(v["references"].clone()).unwrap_or_default(),
                    metadata: v.get("metadata").cloned().filter(|m| !m.is_null()),
                    rule_set: v.get("ruleSet").cloned().filter(|m| !m.is_null()),
                    file_name: None,
                };
                outline.add(&VersionOutline {
                    subject: version.subject.clone(),
                    deleted: version.deleted,
                    references: version.references.clone(),
                });
                versions.push(version);
            }
            progress.advance(1);
        }
        let before = self.enter_import_mode().await?;
        progress.start("importing versions", "versions", Some(outline.versions));
        let (tx, rx) = mpsc::channel(import::READ_AHEAD);
        let feed = async move {
            for v in versions {
                if tx.send(Ok(v)).await.is_err() {
                    break;
                }
            }
        };
        let (imported, ()) = tokio::join!(self.import_versions(rx, &outline, progress), feed);
        let mut report = match imported {
            Ok(report) => report,
            Err(e) => return Err(self.leave_import_mode(before, e).await),
        };
        progress.finish();
        let mut configs = Vec::new();
        // Every field the source answers (level, normalize, groups, default metadata, ...).
        if let Some(global) = fetch("/config".into()).await? {
            if global["compatibilityLevel"].is_string() {
                configs.push((GLOBAL_SCOPE.to_string(), ConfigUpdate::from_json(&global)?));
            }
        }
        // Whole contexts and `:.__GLOBAL:` have settings of their own, as subjects do.
        let mut scopes = subjects.clone();
        if let Some(contexts) = fetch("/contexts".into()).await? {
            scopes.extend(
                contexts
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.as_str())
                    .filter(|c| *c != crate::model::context::DEFAULT)
                    .chain([crate::model::context::GLOBAL])
                    .map(crate::model::context::scope),
            );
        }
        for subject in &scopes {
            if let Some(c) = fetch(format!("/config/{}", enc(subject))).await? {
                if c["compatibilityLevel"].is_string() {
                    configs.push((subject.clone(), ConfigUpdate::from_json(&c)?));
                }
            }
        }
        let mut modes = Vec::new();
        for subject in &scopes {
            if let Some(m) = fetch(format!("/mode/{}", enc(subject))).await? {
                if let Some(mode) = m["mode"].as_str() {
                    modes.push((subject.clone(), mode.to_string()));
                }
            }
        }
        if let Some(m) = fetch("/mode".into()).await? {
            if let Some(mode) = m["mode"].as_str().filter(|m| *m != "READWRITE") {
                modes.push((GLOBAL_SCOPE.to_string(), mode.to_string()));
            }
        }
        self.finish_import(&mut report, configs, &[], modes).await?;
        Ok(report)
    }
}

/// The first pass over a document: its format, its version count and the versions others
/// reference; a document that does not read as a whole is refused here, before any write.
async fn outline_of(path: &Path, progress: &Progress) -> Result<Outline> {
    let file = std::fs::File::open(path)
        .map_err(|e| Error::BadRequest(format!("{}: {e}", path.display())))?;
    let size = file.metadata().map(|m| m.len()).ok();
    progress.start(&format!("checking {}", path.display()), "bytes", size);
    let shown = path.display().to_string();
    let outline = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let counted = document::Counted {
                    inner: file,
                    on_read: |n| progress.advance(n),
                };
                let mut outline = Outline::default();
                let rest = document::read(
                    std::io::BufReader::with_capacity(1 << 20, counted),
                    |v: VersionOutline| {
                        outline.add(&v);
                        Ok(())
                    },
                );
                rest.map(|rest| {
                    outline.format = rest.format;
                    outline
                })
            })
            .join()
    });
    let outline = outline
        .map_err(|_| Error::Internal("the document reader failed".into()))?
        .map_err(|e| Error::BadRequest(format!("{shown}: {e}")))?;
    progress.finish();
    Ok(outline)
}

fn json_text(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Opens the registry on a database for an offline export (`writes` false) or import.
async fn open(database_url: &str, writes: bool) -> anyhow::Result<Registry> {
    let store = if writes {
        crate::store::open_as_sole_writer(database_url).await?
    } else {
        crate::store::open(database_url).await?
    };
    Ok(Registry::new(store, crate::serve_settings::Dialect::V7).await?)
}

/// `herald export FILE`.
pub async fn export_to_file(database_url: &str, file: &Path) -> anyhow::Result<usize> {
    let registry = open(database_url, false).await?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(file)?);
    Ok(registry.export_to(&mut out, &Progress::on_stderr()).await?)
}

/// `herald import FILE` or `herald import --from-registry URL`.
pub async fn import_into(
    database_url: &str,
    file: Option<&Path>,
    from: Option<&crate::cli::Connection>,
) -> anyhow::Result<ImportReport> {
    let registry = open(database_url, true).await?;
    let progress = Progress::on_stderr();
    let report = match (file, from) {
        (Some(path), None) => registry.import_file(path, &progress).await?,
        (None, Some(conn)) => {
            let client = crate::cli::client::Client::new(conn)?;
            registry.import_from_registry(&client, &progress).await?
        }
        _ => anyhow::bail!("give an export FILE or --from-registry URL"),
    };
    Ok(report)
}
