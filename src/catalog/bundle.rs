//! Catalog-as-code: a folder of YAML files (one per domain, team, service, event) with the
//! schema files beside them is the desired state; `plan` says what applying it would change,
//! `apply` makes it so.
//!
//! Apply first checks everything (references, policy, examples, compatibility and semver of
//! every new schema version), then registers the new schema versions in order, then writes all
//! catalog entities and their audit lines in one transaction. Nothing is written when any
//! check fails.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::contents::CatalogState;
use super::impact::{check_declared, required_bump, Bump};
use super::model::{Domain, Event, OwnerRule, Policy, Service, Team};
use crate::error::{Error, Result};
use crate::formats;
use crate::registry::{Registry, SchemaRequest};
use crate::store::{AuditEntry, CatalogWrite};

/// The desired state of a whole catalog, as a folder holds it (schema texts read in).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    #[serde(default)]
    pub domains: Vec<Domain>,
    #[serde(default)]
    pub teams: Vec<Team>,
    #[serde(default)]
    pub services: Vec<Service>,
    #[serde(default)]
    pub events: Vec<Event>,
    #[serde(default)]
    pub owners: Vec<OwnerRule>,
    #[serde(default)]
    pub policy: Option<Policy>,
}

const POLICY_FILE: &str = "herald-policy.yaml";

impl Bundle {
    /// The longest schema text the bundle carries, so the registration limit on schema size
    /// holds for catalog-as-code as it does for the Confluent API.
    pub fn largest_schema_bytes(&self) -> usize {
        self.events
            .iter()
            .flat_map(|e| &e.schemas)
            .flat_map(|s| &s.versions)
            .filter_map(|v| v.schema.as_ref())
            .map(String::len)
            .max()
            .unwrap_or(0)
    }
}
const OWNERS_FILE: &str = "owners.yaml";

/// Reads a catalog folder. Event schema and example files are read relative to the event file.
pub fn read_folder(dir: &Path) -> std::result::Result<Bundle, String> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    let mut bundle = Bundle::default();
    for file in files {
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let at = |e: serde_yaml_ng::Error| format!("{}: {e}", file.display());
        match file.file_name().and_then(|n| n.to_str()) {
            Some(POLICY_FILE) => {
                bundle.policy = Some(serde_yaml_ng::from_str(&text).map_err(at)?);
                continue;
            }
            Some(OWNERS_FILE) => {
                bundle.owners = serde_yaml_ng::from_str(&text).map_err(at)?;
                continue;
            }
            _ => {}
        }
        let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).map_err(at)?;
        let kind = value
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or_else(|| {
                if value.get("schemas").is_some() {
                    "event"
                } else {
                    ""
                }
            });
        match kind {
            "domain" => bundle
                .domains
                .push(serde_yaml_ng::from_value(value).map_err(at)?),
            "team" => bundle
                .teams
                .push(serde_yaml_ng::from_value(value).map_err(at)?),
            "service" => bundle
                .services
                .push(serde_yaml_ng::from_value(value).map_err(at)?),
            "event" => {
                let mut event: Event = serde_yaml_ng::from_value(value).map_err(at)?;
                let base = file.parent().unwrap_or(dir);
                load_files(&mut event, base)?;
                bundle.events.push(event);
            }
            _ => {}
        }
    }
    Ok(bundle)
}

fn load_files(event: &mut Event, base: &Path) -> std::result::Result<(), String> {
    for schema in &mut event.schemas {
        for version in &mut schema.versions {
            if let Some(file) = &version.file {
                let path = base.join(file);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                version.schema = Some(text);
                if version.schema_type.is_none() {
                    version.schema_type = crate::cli::sources::type_for(&path).map(str::to_string);
                }
            }
        }
    }
    for example in &mut event.examples {
        if let Some(file) = &example.file {
            let path = base.join(file);
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            example.payload =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::result::Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityChange {
    pub kind: String,
    pub name: String,
    /// `create`, `update` or `delete`.
    pub action: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaChange {
    pub event: String,
    pub subject: String,
    pub version: String,
    /// `register` or `unchanged`.
    pub action: String,
    pub compatible: bool,
    pub bump: Option<Bump>,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub changes: Vec<EntityChange>,
    pub schemas: Vec<SchemaChange>,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

impl Plan {
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty() && self.schemas.iter().all(|s| s.compatible)
    }

    pub fn is_noop(&self) -> bool {
        self.changes.is_empty() && self.schemas.iter().all(|s| s.action == "unchanged")
    }
}

/// A version to register on apply: (event, index of its schema, index of the version).
type Pending = (String, usize, usize);

fn request_for(
    schema: &super::model::EventSchema,
    version: &super::model::SchemaVersion,
) -> SchemaRequest {
    SchemaRequest {
        schema: version.schema.clone(),
        schema_type: version.schema_type.clone(),
        references: Some(schema.references.clone()),
        ..SchemaRequest::default()
    }
}

impl Registry {
    /// What applying `bundle` would change; fills the registry ids of versions already there.
    async fn plan_with(&self, bundle: &Bundle) -> Result<(Plan, CatalogState, Vec<Pending>)> {
        let current = self.catalog().await?;
        let mut desired = CatalogState {
            domains: bundle
                .domains
                .iter()
                .map(|d| (d.name.clone(), d.clone()))
                .collect(),
            teams: bundle
                .teams
                .iter()
                .map(|t| (t.name.clone(), t.clone()))
                .collect(),
            services: bundle
                .services
                .iter()
                .map(|s| (s.name.clone(), s.clone()))
                .collect(),
            events: bundle
                .events
                .iter()
                .map(|e| (e.name.clone(), e.clone()))
                .collect(),
            policy: bundle.policy.clone().unwrap_or_default(),
            owners: bundle.owners.clone(),
        };
        let mut plan = Plan::default();
        let (errors, warnings) = desired.validate();
        plan.errors.extend(errors);
        plan.warnings.extend(warnings);

        let mut pending = Vec::new();
        let names: Vec<String> = desired.events.keys().cloned().collect();
        for name in names {
            let mut event = desired.events[&name].clone();
            let event_examples = event.examples.clone();
            for (si, schema) in event.schemas.iter_mut().enumerate() {
                let mut previous: Option<(semver::Version, std::sync::Arc<formats::Parsed>, bool)> =
                    None;
                for vi in 0..schema.versions.len() {
                    let version = schema.versions[vi].clone();
                    let request = request_for(schema, &version);
                    let mut change = SchemaChange {
                        event: name.clone(),
                        subject: schema.subject.clone(),
                        version: version.version.clone(),
                        action: "unchanged".into(),
                        compatible: true,
                        bump: None,
                        reasons: Vec::new(),
                    };
                    let registered =
                        match self.lookup(&schema.subject, &request, false, false).await {
                            Ok(found) => Some(found),
                            Err(Error::SubjectNotFound(_) | Error::SchemaNotFound) => None,
                            Err(e) => {
                                plan.errors.push(format!(
                                    "event '{name}' {} {}: {e}",
                                    schema.subject, version.version
                                ));
                                continue;
                            }
                        };
                    let parsed = match self.catalog_version_schema(schema, &version).await {
                        Ok(Some(p)) => p,
                        Ok(None) => {
                            plan.errors.push(format!(
                                "event '{name}' {} {}: no schema text",
                                schema.subject, version.version
                            ));
                            continue;
                        }
                        Err(e) => {
                            plan.errors.push(format!(
                                "event '{name}' {} {}: {e}",
                                schema.subject, version.version
                            ));
                            continue;
                        }
                    };
                    if let Some(found) = &registered {
                        schema.versions[vi].id = Some(found.schema.id);
                        schema.versions[vi].registry_version = Some(found.version);
                    } else {
                        change.action = "register".into();
                        let level = self.effective_level(&schema.subject).await?;
                        match &previous {
                            Some((prev_version, prev_parsed, prev_registered)) => {
                                let bump = required_bump(&**prev_parsed, &*parsed);
                                change.bump = Some(bump);
                                if let Ok(declared) = semver::Version::parse(&version.version) {
                                    if let Err(e) = check_declared(prev_version, &declared, bump) {
                                        plan.errors.push(format!(
                                            "event '{name}' {}: {e}",
                                            schema.subject
                                        ));
                                    }
                                }
                                let reasons = if *prev_registered {
                                    self.test_compatibility(
                                        &schema.subject,
                                        None,
                                        &request,
                                        false,
                                        true,
                                    )
                                    .await?
                                    .messages
                                } else {
                                    let mut r = Vec::new();
                                    if level.checks_backward() {
                                        r.extend(formats::incompatibilities(
                                            &*parsed,
                                            &**prev_parsed,
                                            true,
                                        ));
                                    }
                                    if level.checks_forward() {
                                        r.extend(formats::incompatibilities(
                                            &**prev_parsed,
                                            &*parsed,
                                            false,
                                        ));
                                    }
                                    r
                                };
                                change.compatible = reasons.is_empty();
                                change.reasons = reasons;
                            }
                            None => {
                                let result = self
                                    .test_compatibility(
                                        &schema.subject,
                                        None,
                                        &request,
                                        false,
                                        true,
                                    )
                                    .await?;
                                change.compatible = result.is_compatible;
                                change.reasons = result.messages;
                            }
                        }
                        for ex in event_examples
                            .iter()
                            .filter(|ex| ex.version != version.version)
                        {
                            let problems = formats::validate_payload(&*parsed, &ex.payload);
                            if !problems.is_empty() {
                                plan.warnings.push(format!(
                                    "event '{name}' {} {} breaks example '{}' (written for {}): {}",
                                    schema.subject,
                                    version.version,
                                    ex.name,
                                    ex.version,
                                    formats::describe_payload_errors(&problems)
                                ));
                            }
                        }
                        pending.push((name.clone(), si, vi));
                    }
                    if let Ok(v) = semver::Version::parse(&version.version) {
                        previous = Some((v, parsed, registered.is_some()));
                    }
                    plan.schemas.push(change);
                }
            }
            desired.events.insert(name.clone(), event.clone());
            if let Err(e) = self.check_examples(&event).await {
                plan.errors.push(e.to_string());
            }
            let (errors, warnings) = self.check_envelope(&desired, &event).await?;
            plan.errors.extend(errors);
            plan.warnings.extend(warnings);
        }

        let now = desired.rows();
        let before = current.rows();
        for (kind, name, body) in &now {
            match before.iter().find(|(k, n, _)| k == kind && n == name) {
                None => plan.changes.push(EntityChange {
                    kind: kind.clone(),
                    name: name.clone(),
                    action: "create".into(),
                }),
                Some((_, _, old)) if strip_registry_ids(old) != strip_registry_ids(body) => {
                    plan.changes.push(EntityChange {
                        kind: kind.clone(),
                        name: name.clone(),
                        action: "update".into(),
                    })
                }
                _ => {}
            }
        }
        for (kind, name, _) in &before {
            if !now.iter().any(|(k, n, _)| k == kind && n == name) {
                plan.changes.push(EntityChange {
                    kind: kind.clone(),
                    name: name.clone(),
                    action: "delete".into(),
                });
            }
        }
        Ok((plan, desired, pending))
    }

    pub async fn plan_catalog(&self, bundle: &Bundle) -> Result<Plan> {
        Ok(self.plan_with(bundle).await?.0)
    }

    /// Applies a bundle, or refuses it whole (422, with the reasons) when the plan has errors or
    /// an incompatible schema change.
    pub async fn apply_catalog(&self, bundle: &Bundle, actor: &str) -> Result<Plan> {
        let (plan, mut desired, pending) = self.plan_with(bundle).await?;
        if !plan.is_clean() {
            let mut reasons = plan.errors.clone();
            for s in plan.schemas.iter().filter(|s| !s.compatible) {
                reasons.push(format!(
                    "event '{}' {} {} is incompatible: {}",
                    s.event,
                    s.subject,
                    s.version,
                    s.reasons.first().cloned().unwrap_or_default()
                ));
            }
            return Err(Error::CatalogInvalid(reasons.join("; ")));
        }
        for (event, si, vi) in pending {
            let entry = desired.events.get_mut(&event).expect("planned event");
            let schema = &entry.schemas[si];
            let request = request_for(schema, &schema.versions[vi]);
            let done = self
                .register(&schema.subject.clone(), &request, false)
                .await?;
            let version = &mut entry.schemas[si].versions[vi];
            version.id = Some(done.id);
            version.registry_version = Some(done.version);
        }
        let current = self.catalog().await?;
        let before = current.rows();
        let mut writes = Vec::new();
        let mut audit = Vec::new();
        for (kind, name, body) in desired.rows() {
            let old = before
                .iter()
                .find(|(k, n, _)| *k == kind && *n == name)
                .map(|(_, _, b)| b.clone());
            if old.as_ref() == Some(&body) {
                continue;
            }
            let action = if old.is_some() {
                "catalog.update"
            } else {
                "catalog.create"
            };
            audit.push(AuditEntry::new(
                &crate::registry::acting_as(actor),
                action,
                &format!("{kind}/{name}"),
                old,
                Some(body.clone()),
            ));
            writes.push(CatalogWrite::Put { kind, name, body });
        }
        for (kind, name, body) in before {
            if !desired
                .rows()
                .iter()
                .any(|(k, n, _)| *k == kind && *n == name)
            {
                audit.push(AuditEntry::new(
                    &crate::registry::acting_as(actor),
                    "catalog.delete",
                    &format!("{kind}/{name}"),
                    Some(body),
                    None,
                ));
                writes.push(CatalogWrite::Delete { kind, name });
            }
        }
        self.write_catalog(&writes, &audit).await?;
        Ok(plan)
    }

    /// Loads a catalog folder into a registry that holds nothing yet (the demo on first run).
    pub async fn load_catalog_if_empty(&self, dir: &Path) -> Result<bool> {
        let empty =
            self.store().catalog_entities().await?.is_empty() && self.holds_no_versions().await?;
        if !empty {
            return Ok(false);
        }
        let bundle = read_folder(dir).map_err(Error::CatalogInvalid)?;
        self.apply_catalog(&bundle, "herald (initial catalog)")
            .await?;
        Ok(true)
    }
}

/// Registry ids are filled in by the server, so they never count as a change.
fn strip_registry_ids(body: &serde_json::Value) -> serde_json::Value {
    let mut body = body.clone();
    if let Some(schemas) = body.get_mut("schemas").and_then(|s| s.as_array_mut()) {
        for s in schemas {
            if let Some(versions) = s.get_mut("versions").and_then(|v| v.as_array_mut()) {
                for v in versions.iter_mut().filter_map(|v| v.as_object_mut()) {
                    v.remove("id");
                    v.remove("registry_version");
                }
            }
        }
    }
    body
}
