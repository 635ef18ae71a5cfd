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

use super::impact::{check_declared, required_bump, Bump, Impact};
use super::lint::{self, Finding};
use crate::catalog_entities::contents::CatalogState;
use crate::catalog_entities::model::{
    Approval, Domain, Event, Lifecycle, OwnerRule, Policy, Service, Team,
};
use crate::error::{Error, Result};
use crate::formats::{self, Reason};
use crate::registry::compatibility::directions;
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

    /// The catalog the bundle describes.
    pub fn state(&self) -> CatalogState {
        CatalogState {
            domains: self
                .domains
                .iter()
                .map(|d| (d.name.clone(), d.clone()))
                .collect(),
            teams: self
                .teams
                .iter()
                .map(|t| (t.name.clone(), t.clone()))
                .collect(),
            services: self
                .services
                .iter()
                .map(|s| (s.name.clone(), s.clone()))
                .collect(),
            events: self
                .events
                .iter()
                .map(|e| (e.name.clone(), e.clone()))
                .collect(),
            policy: self.policy.clone().unwrap_or_default(),
            owners: self.owners.clone(),
        }
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
                    version.schema_type =
                        crate::model::SchemaType::of_file(&path).map(|t| t.as_str().into());
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
    /// Why it is not compatible, each difference once with the directions it breaks.
    pub reasons: Vec<Reason>,
    /// For an incompatible version: what it breaks and the ways through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaking: Option<BreakingChange>,
}

impl SchemaChange {
    /// Compatible, or a breaking change declared as a new major version and approved.
    pub fn may_proceed(&self) -> bool {
        self.compatible
            || self
                .breaking
                .as_ref()
                .is_some_and(|b| b.major_declared && b.approval.is_some())
    }
}

/// A version no consumer of the one before can rely on reading, and what the event
/// conventions offer for it: a new `.vN` event beside the old one, or an approval that
/// accepts the break on this event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreakingChange {
    /// The version it follows.
    pub previous: String,
    /// Whether the version is declared as a new major one, as a breaking change must be.
    pub major_declared: bool,
    /// The approval in the event's `approvals` that lets it through.
    pub approval: Option<Approval>,
    /// The declared producers and consumers it breaks, with their team and contact.
    pub affected: Vec<Impact>,
    /// The ways through, in words.
    pub options: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Whether applying would succeed.
    pub ok: bool,
    pub changes: Vec<EntityChange>,
    pub schemas: Vec<SchemaChange>,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    /// What will break later (`herald catalog lint`'s findings).
    pub lint: Vec<Finding>,
    /// Events deprecated by this change, with the consumers that have to move.
    pub notes: Vec<String>,
}

impl Plan {
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty() && self.schemas.iter().all(SchemaChange::may_proceed)
    }

    pub fn is_noop(&self) -> bool {
        self.changes.is_empty() && self.schemas.iter().all(|s| s.action == "unchanged")
    }
}

/// A version to register on apply: (event, index of its schema, index of the version).
type Pending = (String, usize, usize);

fn request_for(
    schema: &crate::catalog_entities::model::EventSchema,
    version: &crate::catalog_entities::model::SchemaVersion,
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
        let mut desired = bundle.state();
        let mut plan = Plan::default();
        let (errors, warnings) = desired.validate();
        plan.errors.extend(errors);
        plan.warnings.extend(warnings);

        let mut pending = Vec::new();
        let names: Vec<String> = desired.events.keys().cloned().collect();
        for name in names {
            let mut event = desired.events[&name].clone();
            let event_examples = event.examples.clone();
            for si in 0..event.schemas.len() {
                let mut previous: Option<(semver::Version, std::sync::Arc<formats::Parsed>, bool)> =
                    None;
                for vi in 0..event.schemas[si].versions.len() {
                    let schema = &event.schemas[si];
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
                        breaking: None,
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
                        let slot = &mut event.schemas[si].versions[vi];
                        slot.id = Some(found.schema.id);
                        slot.registry_version = Some(found.version);
                    } else {
                        change.action = "register".into();
                        let level = self.effective_level(&schema.subject).await?;
                        let declared = semver::Version::parse(&version.version).ok();
                        let reasons = match &previous {
                            Some((prev_version, prev_parsed, prev_registered)) => {
                                let bump = required_bump(&**prev_parsed, &*parsed);
                                change.bump = Some(bump);
                                if let Some(declared) = &declared {
                                    if let Err(e) = check_declared(prev_version, declared, bump) {
                                        plan.errors.push(format!(
                                            "event '{name}' {}: {e}",
                                            schema.subject
                                        ));
                                    }
                                }
                                if *prev_registered {
                                    self.registered_breakage(
                                        &event,
                                        si,
                                        parsed.clone(),
                                        &version.version,
                                    )
                                    .await?
                                } else {
                                    formats::reasons(
                                        &*parsed,
                                        &**prev_parsed,
                                        &directions(level),
                                        &prev_version.to_string(),
                                        &version.version,
                                    )
                                }
                            }
                            None => {
                                self.registered_breakage(
                                    &event,
                                    si,
                                    parsed.clone(),
                                    &version.version,
                                )
                                .await?
                            }
                        };
                        change.compatible = reasons.is_empty();
                        change.reasons = reasons;
                        if !change.compatible {
                            let previous = previous
                                .as_ref()
                                .map(|(v, _, _)| v.to_string())
                                .unwrap_or_else(|| "the registered versions".into());
                            let mut staged = desired.clone();
                            staged.events.insert(name.clone(), event.clone());
                            change.breaking = Some(
                                self.breaking_change(&staged, &event, si, vi, &*parsed, previous)
                                    .await?,
                            );
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
        plan.notes = deprecation_notes(&current, &desired);
        plan.lint = lint::lint(&desired, &lint::today(), lint::SUNSET_HORIZON_DAYS);
        plan.ok = plan.is_clean();
        Ok((plan, desired, pending))
    }

    /// Why version `new_label` of the event's `si`th subject may not follow what the registry
    /// holds, the registered versions named by their declared semver.
    async fn registered_breakage(
        &self,
        event: &Event,
        si: usize,
        parsed: std::sync::Arc<formats::Parsed>,
        new_label: &str,
    ) -> Result<Vec<Reason>> {
        let subject = &event.schemas[si].subject;
        let labels = event.schemas[si]
            .versions
            .iter()
            .filter_map(|v| v.registry_version.map(|n| (n, v.version.clone())))
            .collect();
        Ok(self
            .breakage(subject, parsed, labels, new_label)
            .await?
            .reasons)
    }

    /// What an incompatible version breaks in `state` (the catalog as it would be), and the
    /// ways through that the event conventions offer.
    async fn breaking_change(
        &self,
        state: &CatalogState,
        event: &Event,
        si: usize,
        vi: usize,
        parsed: &formats::Parsed,
        previous: String,
    ) -> Result<BreakingChange> {
        let schema = &event.schemas[si];
        let version = &schema.versions[vi].version;
        let declared = semver::Version::parse(version).ok();
        let previous_major = semver::Version::parse(&previous)
            .ok()
            .map(|v| v.major)
            .or_else(|| {
                schema.versions[..vi]
                    .iter()
                    .filter_map(|v| semver::Version::parse(&v.version).ok())
                    .map(|v| v.major)
                    .max()
            });
        let major_declared = match (&declared, previous_major) {
            (Some(d), Some(p)) => d.major > p,
            (Some(_), None) => true,
            _ => false,
        };
        let major = match (&declared, previous_major) {
            (Some(d), _) if major_declared => d.major,
            (_, Some(p)) => p + 1,
            _ => 2,
        };
        let affected = self
            .impact_in(state, &schema.subject, parsed, version)
            .await?
            .breaks;
        let approval = event
            .approvals
            .iter()
            .find(|a| a.covers(&schema.subject, version))
            .cloned();
        let base = strip_major_suffix(&event.name);
        let successor = format!("{base}.v{major}");
        let successor_subject = match schema.subject.strip_prefix(event.name.as_str()) {
            Some(rest) => format!("{successor}{rest}"),
            None => format!("{successor}-value"),
        };
        let mut options = Vec::new();
        if !major_declared {
            options.push(format!(
                "a breaking change is a new major version: declare it as {major}.0.0, not {version}, then take one of the ways below"
            ));
        }
        options.push(format!(
            "publish it as a new event `{successor}` (subject `{successor_subject}`) beside `{}`, and deprecate `{}` with `lifecycle: deprecated`, a `sunset` date and `replacement: {successor}`; its consumers move before the sunset",
            event.name, event.name
        ));
        options.push(format!(
            "or accept the break on `{}`: add `approvals: [{{version: {}, by: <who accepts it>, reason: <why, and what its consumers do>}}]` to event `{}`; apply then registers it and records the approval in the audit trail",
            schema.subject,
            declared.as_ref().map(|d| if major_declared { d.to_string() } else { format!("{major}.0.0") }).unwrap_or_else(|| version.clone()),
            event.name
        ));
        Ok(BreakingChange {
            previous,
            major_declared,
            approval,
            affected,
            options,
        })
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
            for s in plan.schemas.iter().filter(|s| !s.may_proceed()) {
                let why = s
                    .reasons
                    .first()
                    .map(|r| r.text.clone())
                    .unwrap_or_default();
                let way = match &s.breaking {
                    Some(b) if b.major_declared => {
                        " (a breaking change: publish a new versioned event, or record an approval)"
                    }
                    Some(_) => " (a breaking change needs a new major version)",
                    None => "",
                };
                reasons.push(format!(
                    "event '{}' {} {} is incompatible{way}: {why}",
                    s.event, s.subject, s.version,
                ));
            }
            return Err(Error::CatalogInvalid(reasons.join("; ")));
        }
        let mut audit = Vec::new();
        for (event, si, vi) in pending {
            let entry = desired.events.get_mut(&event).expect("planned event");
            let schema = &entry.schemas[si];
            let subject = schema.subject.clone();
            let semver = schema.versions[vi].version.clone();
            let request = request_for(schema, &schema.versions[vi]);
            let approved = plan
                .schemas
                .iter()
                .find(|c| c.subject == subject && c.version == semver && !c.compatible)
                .and_then(|c| c.breaking.as_ref())
                .and_then(|b| b.approval.clone().map(|a| (a, b.affected.clone())));
            let done = match &approved {
                Some(_) => self.register_approved(&subject, &request).await?,
                None => self.register(&subject, &request, false).await?,
            };
            if let Some((approval, affected)) = approved {
                audit.push(AuditEntry::new(
                    &crate::registry::acting_as(actor),
                    "schema.break.approved",
                    &format!("subject/{subject}"),
                    None,
                    Some(serde_json::json!({
                        "event": event,
                        "version": semver,
                        "registry_version": done.version,
                        "id": crate::model::context::wire_id(done.id),
                        "approved_by": approval.by,
                        "reason": approval.reason,
                        "affected": affected
                            .iter()
                            .map(|i| serde_json::json!({
                                "service": i.service,
                                "role": i.role,
                                "team": i.team,
                                "contact": i.contact,
                            }))
                            .collect::<Vec<_>>(),
                    })),
                ));
            }
            let version = &mut entry.schemas[si].versions[vi];
            version.id = Some(done.id);
            version.registry_version = Some(done.version);
        }
        let current = self.catalog().await?;
        let before = current.rows();
        let mut writes = Vec::new();
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

/// `payments.payment.processed.v2` → `payments.payment.processed`.
fn strip_major_suffix(name: &str) -> &str {
    match name.rsplit_once(".v") {
        Some((base, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => name,
    }
}

/// For each event this change deprecates: its sunset, its replacement, and the consumers that
/// have to move, with whom to tell.
fn deprecation_notes(current: &CatalogState, desired: &CatalogState) -> Vec<String> {
    let mut out = Vec::new();
    for event in desired.events.values() {
        let was_deprecated = current
            .events
            .get(&event.name)
            .is_some_and(|e| e.lifecycle == Lifecycle::Deprecated);
        if event.lifecycle != Lifecycle::Deprecated || was_deprecated {
            continue;
        }
        let consumers: Vec<String> = desired
            .links_to(&event.name)
            .into_iter()
            .filter(|(_, role, _)| *role == "consumer")
            .map(|(service, _, link)| {
                let team = service.owner.as_deref();
                let contact = team
                    .and_then(|t| desired.teams.get(t))
                    .and_then(|t| t.contact.email.clone().or_else(|| t.contact.chat.clone()));
                let whom = match (team, contact) {
                    (Some(t), Some(c)) => format!(" ({t}, {c})"),
                    (Some(t), None) => format!(" ({t})"),
                    _ => String::new(),
                };
                format!("{} reads {}{whom}", service.name, link.version)
            })
            .collect();
        let sunset = event
            .sunset
            .as_deref()
            .map(|s| format!(", sunset {s}"))
            .unwrap_or_default();
        let replacement = event
            .replacement
            .as_deref()
            .map(|r| format!(", replaced by {r}"))
            .unwrap_or_default();
        let who = if consumers.is_empty() {
            "no service declares it consumes it".to_string()
        } else {
            format!("its consumers move: {}", consumers.join("; "))
        };
        out.push(format!(
            "event '{}' is deprecated{sunset}{replacement}: {who}",
            event.name
        ));
    }
    out
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
