//! Moving a registry: `herald export` writes everything as one JSON document, `herald import`
//! restores it (or copies a running Confluent-compatible registry over its REST API) into an
//! empty registry in IMPORT mode, keeping every schema id and version, since those ids are
//! already baked into every message on the wire.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::{CompatibilityLevel, Mode, Reference, VersionSpec, GLOBAL_SCOPE};
use crate::registry::{ConfigUpdate, Registry, SchemaRequest};
use crate::store::CatalogWrite;

pub const FORMAT: &str = "herald-export";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Export {
    pub format: String,
    pub version: u32,
    /// Every subject version, by subject then version, with its schema.
    pub versions: Vec<ExportedVersion>,
    pub configs: Vec<ExportedConfig>,
    pub modes: Vec<ExportedMode>,
    pub catalog: Vec<ExportedEntity>,
}

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
    pub async fn export(&self) -> Result<Export> {
        let store = self.store();
        let mut versions = Vec::new();
        for row in store.all_versions().await? {
            let schema = self.schema_by_id(row.schema_id).await?;
            versions.push(ExportedVersion {
                subject: row.subject,
                version: row.version,
                id: row.schema_id,
                deleted: row.deleted,
                schema_type: schema.schema_type.as_str().to_string(),
                schema: schema.schema.clone(),
                references: schema.references.clone(),
                metadata: schema.metadata.clone(),
                rule_set: schema.rule_set.clone(),
            });
        }
        Ok(Export {
            format: FORMAT.into(),
            version: 1,
            versions,
            configs: store
                .configs()
                .await?
                .into_iter()
                .map(|(scope, c)| ExportedConfig {
                    scope,
                    compatibility: c.compatibility.map(|l| l.as_str().to_string()),
                    normalize: c.normalize,
                    settings: c.settings,
                })
                .collect(),
            modes: store
                .modes()
                .await?
                .into_iter()
                .map(|(scope, m)| ExportedMode {
                    scope,
                    mode: m.as_str().to_string(),
                })
                .collect(),
            catalog: store
                .catalog_entities()
                .await?
                .into_iter()
                .map(|r| ExportedEntity {
                    kind: r.kind,
                    name: r.name,
                    body: r.body,
                })
                .collect(),
        })
    }

    /// Restores an export into this registry, which must hold no subjects yet.
    pub async fn import(&self, export: &Export) -> Result<ImportReport> {
        if export.format != FORMAT {
            return Err(Error::BadRequest(format!(
                "not a Herald export (format '{}')",
                export.format
            )));
        }
        let mut report = self.import_versions(&export.versions).await?;
        for c in &export.configs {
            let update = ConfigUpdate {
                compatibility: Some(
                    c.compatibility
                        .as_deref()
                        .map(str::parse::<CompatibilityLevel>)
                        .transpose()?,
                ),
                normalize: Some(c.normalize),
                settings: match serde_json::to_value(&c.settings) {
                    Ok(serde_json::Value::Object(map)) => map,
                    _ => Default::default(),
                },
            };
            self.update_config(&c.scope, &update).await?;
            report.configs += 1;
        }
        let mut writes = Vec::new();
        let mut audit = Vec::new();
        for e in &export.catalog {
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
        self.store().catalog_write(&writes, &audit).await?;
        self.restore_modes(
            export
                .modes
                .iter()
                .map(|m| (m.scope.clone(), m.mode.clone())),
        )
        .await?;
        report.modes = export.modes.len();
        Ok(report)
    }

    /// Registers every version with its own id and number in IMPORT mode, then soft-deletes
    /// the ones that were deleted, then leaves the registry in READWRITE.
    async fn import_versions(&self, versions: &[ExportedVersion]) -> Result<ImportReport> {
        self.update_mode(GLOBAL_SCOPE, Mode::Import, false).await?;
        let mut ordered: Vec<&ExportedVersion> = versions.iter().collect();
        // A schema's references point at versions registered before it, so ids in order work.
        ordered.sort_by_key(|v| (v.id, v.subject.clone(), v.version));
        let mut report = ImportReport::default();
        let mut ids = std::collections::BTreeSet::new();
        let mut subjects = std::collections::BTreeSet::new();
        for v in &ordered {
            let request = SchemaRequest {
                schema: Some(v.schema.clone()),
                schema_type: Some(v.schema_type.clone()),
                references: Some(v.references.clone()),
                metadata: v.metadata.clone(),
                rule_set: v.rule_set.clone(),
                id: Some(v.id),
                version: Some(v.version),
            };
            let done = self.register(&v.subject, &request, false).await?;
            if done.id != v.id || done.version != v.version {
                return Err(Error::store(format!(
                    "{} version {} came in as id {} version {}",
                    v.subject, v.version, done.id, done.version
                )));
            }
            ids.insert(v.id);
            subjects.insert(v.subject.clone());
            report.versions += 1;
        }
        self.update_mode(GLOBAL_SCOPE, Mode::ReadWrite, false)
            .await?;
        for v in ordered.iter().filter(|v| v.deleted) {
            self.delete_version(&v.subject, VersionSpec::Number(v.version), false)
                .await?;
            report.deleted_versions += 1;
        }
        report.schemas = ids.len();
        report.subjects = subjects.len();
        Ok(report)
    }

    async fn restore_modes(&self, modes: impl Iterator<Item = (String, String)>) -> Result<()> {
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
        let mut versions = Vec::new();
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
                versions.push(ExportedVersion {
                    subject: subject.clone(),
                    version: n,
                    id: v["id"].as_i64().unwrap_or_default(),
                    deleted: !live.contains(&n),
                    schema_type: v["schemaType"].as_str().unwrap_or("AVRO").to_string(),
                    schema: v["schema"].as_str().unwrap_or_default().to_string(),
                    references: serde_json::from_value(v["references"].clone()).unwrap_or_default(),
                    metadata: v.get("metadata").cloned().filter(|m| !m.is_null()),
                    rule_set: v.get("ruleSet").cloned().filter(|m| !m.is_null()),
                });
            }
        }
        let mut report = self.import_versions(&versions).await?;
        if let Some(global) = fetch("/config".into()).await? {
            if global["compatibilityLevel"].is_string() {
                let update = ConfigUpdate::from_json(&global)?;
                self.update_config(GLOBAL_SCOPE, &update).await?;
                report.configs += 1;
            }
        }
        for subject in &subjects {
            if let Some(c) = fetch(format!("/config/{}", enc(subject))).await? {
                if c["compatibilityLevel"].is_string() {
                    let update = ConfigUpdate::from_json(&c)?;
                    self.update_config(subject, &update).await?;
                    report.configs += 1;
                }
            }
        }
        let mut modes = Vec::new();
        for subject in &subjects {
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
        report.modes = modes.len();
        self.restore_modes(modes.into_iter()).await?;
        Ok(report)
    }
}

/// Opens the registry on a database for an offline export or import.
async fn open(database_url: &str) -> anyhow::Result<Registry> {
    let store = crate::store::open(database_url).await?;
    Ok(Registry::new(store, crate::serve_settings::Dialect::V7).await?)
}

/// `herald export FILE`.
pub async fn export_to_file(database_url: &str, file: &std::path::Path) -> anyhow::Result<usize> {
    let registry = open(database_url).await?;
    let export = registry.export().await?;
    std::fs::write(file, serde_json::to_vec_pretty(&export)?)?;
    Ok(export.versions.len())
}

/// `herald import FILE` or `herald import --from-registry URL`.
pub async fn import_into(
    database_url: &str,
    file: Option<&std::path::Path>,
    from: Option<&crate::cli::Connection>,
) -> anyhow::Result<ImportReport> {
    let registry = open(database_url).await?;
    let report = match (file, from) {
        (Some(path), None) => {
            let export: Export = serde_json::from_slice(&std::fs::read(path)?)?;
            registry.import(&export).await?
        }
        (None, Some(conn)) => {
            let client = crate::cli::client::Client::new(conn)?;
            registry.import_from_registry(&client).await?
        }
        _ => anyhow::bail!("give an export FILE or --from-registry URL"),
    };
    Ok(report)
}
