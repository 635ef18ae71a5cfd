//! Registration and lookup (Confluent's algorithm: mode check, idempotent fast path, one
//! transaction that reuses an identical schema's id or checks compatibility and writes).

use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::cache::RequestKey;
use super::compatibility::{check, in_group, versions_to_check, Earlier};
use super::config_mode::SubjectSettings;
use super::metadata::{merge_metadata, merge_rule_set};
use super::{Registry, SchemaEntry, SubjectVersion};
use crate::error::{Error, Result};
use crate::formats::{self, Parsed};
use crate::model::{
    context, validate_subject, CompatibilityLevel, CompatibilityPolicy, ConfigSettings, Mode,
    Reference, SchemaType,
};
use crate::serve_settings::Dialect;
use crate::store::{AuditEntry, NewSchema, Placement, Registered, VersionRow, MAX_SCHEMA_ID};

/// The body of register, lookup and compatibility requests. Unknown fields are ignored.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchemaRequest {
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub schema_type: Option<String>,
    #[serde(default)]
    pub references: Option<Vec<Reference>>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Value>,
    // The Java Schema constructor reads `ruleset`; everything else writes `ruleSet`.
    #[serde(default, alias = "ruleset")]
    #[schema(value_type = Option<Object>)]
    pub rule_set: Option<Value>,
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub version: Option<i32>,
}

impl SchemaRequest {
    fn references(&self) -> Vec<Reference> {
        self.references.clone().unwrap_or_default()
    }

    /// What decides the outcome of a repeated request, so the answer can be remembered. Each
    /// part is fed with its length, so no two requests share the stream.
    pub(crate) fn key(&self, normalize: bool) -> RequestKey {
        let mut hasher = Sha256::new();
        let mut part = |bytes: &[u8]| {
            hasher.update((bytes.len() as u64).to_be_bytes());
            hasher.update(bytes);
        };
        part(
            self.schema_type
                .as_deref()
                .unwrap_or("AVRO")
                .to_ascii_uppercase()
                .as_bytes(),
        );
        part(self.schema.as_deref().map_or(b"\0none", str::as_bytes));
        let json = |v: Option<&Value>| v.map(Value::to_string).unwrap_or_default();
        match self.references.as_deref() {
            Some(refs) if !refs.is_empty() => {
                part(serde_json::to_string(refs).unwrap_or_default().as_bytes())
            }
            _ => part(b""),
        }
        part(json(self.metadata.as_ref()).as_bytes());
        part(json(self.rule_set.as_ref()).as_bytes());
        part(&[u8::from(normalize)]);
        hasher.finalize().into()
    }
}

/// What a request body's bytes decide, as a key of the remembered answers: the same bytes
/// are the same request. Told apart from [`SchemaRequest::key`]'s by a prefix that no length
/// prefix there starts with.
pub(crate) fn body_key(body: &[u8], normalize: bool) -> RequestKey {
    let mut hasher = Sha256::new();
    hasher.update(b"\xffbody");
    hasher.update([u8::from(normalize)]);
    hasher.update(body);
    hasher.finalize().into()
}

/// The metadata property listing a subject's reserved field names.
const RESERVED_PROPERTY: &str = "confluent:reserved";

/// Identity of a stored schema: format, canonical text, references, metadata and rule set.
pub fn identity_hash(
    context: &str,
    schema_type: SchemaType,
    canonical: &str,
    references: &[Reference],
    metadata: Option<&Value>,
    rule_set: Option<&Value>,
) -> String {
    let mut hasher = Sha256::new();
    // The default context adds nothing, so identities stored before contexts stay as they are.
    if context != crate::model::context::DEFAULT {
        hasher.update(context.as_bytes());
        hasher.update([0u8]);
    }
    for part in [
        schema_type.as_str().to_string(),
        canonical.to_string(),
        serde_json::to_string(references).unwrap_or_default(),
        metadata.map(sorted_json).unwrap_or_default(),
        rule_set.map(sorted_json).unwrap_or_default(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hex::encode(hasher.finalize())
}

/// JSON text with object keys sorted, so key order never changes an identity.
fn sorted_json(value: &Value) -> String {
    fn sort(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sort(&map[k])))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    sort(value).to_string()
}

/// Confluent reads `id` as a Java int, so a larger one is refused as the body mapping error it
/// is there (400); a negative one means "no id" outside IMPORT mode, as in Confluent.
fn check_id_range(id: Option<i64>) -> Result<()> {
    match id {
        Some(id) if id > MAX_SCHEMA_ID || id < i64::from(i32::MIN) => {
            Err(Error::BadRequest(format!(
                "Schema id {id} is out of range: ids are between 1 and {MAX_SCHEMA_ID} (2^31-1), \
                 the largest the 4-byte id of the wire format carries"
            )))
        }
        _ => Ok(()),
    }
}

/// The outcome of a registration.
#[derive(Debug, Clone)]
pub struct Registration {
    pub id: i64,
    pub version: i32,
    pub schema: Arc<SchemaEntry>,
}

const REGISTER_ATTEMPTS: usize = 5;

/// What a registration is checked with: the level and policy in force, and the versions the
/// request was read against (the first attempt's; a retry reads them again).
struct Gating {
    level: CompatibilityLevel,
    policy: CompatibilityPolicy,
    /// The metadata property whose value picks the versions a new one is checked against.
    group: Option<String>,
    seen: Arc<[VersionRow]>,
}

impl Registry {
    /// Parses the schema a request carries, with its references resolved.
    pub(crate) async fn parse_request(
        &self,
        subject: &str,
        request: &SchemaRequest,
        normalize: bool,
        allow_deleted_refs: bool,
    ) -> Result<(Arc<Parsed>, Vec<Reference>)> {
        let schema_type = SchemaType::from_request(request.schema_type.as_deref())?;
        let text = request.schema.as_deref().unwrap_or_default();
        if text.trim().is_empty() {
            return Err(Error::InvalidSchemaBare("Empty schema".into()));
        }
        // Stored as they resolve: a reference without a context is in the subject's.
        let mut references = request.references();
        context::place_references(subject, &mut references);
        let deps = self
            .resolve_references_from(Some(subject), &references, allow_deleted_refs)
            .await?;
        let text = text.to_string();
        let parsed = crate::limits::offload(move || {
            formats::parse(schema_type, &text, &deps, normalize).map(Arc::from)
        })
        .await?;
        Ok((parsed, references))
    }

    /// Completes the request's metadata and rule set as Confluent does: the latest live
    /// version's where the request has none, then the config's defaults under and overrides
    /// over them. True when something was taken from the latest version.
    async fn complete_metadata(
        &self,
        rows: &[VersionRow],
        request: &mut SchemaRequest,
        settings: &ConfigSettings,
    ) -> Result<bool> {
        let mut inherited = false;
        if request.metadata.is_none() || request.rule_set.is_none() {
            if let Some(latest) = rows.iter().rev().find(|r| !r.deleted) {
                let entry = self.schema_by_id(latest.schema_id).await?;
                if request.metadata.is_none() && entry.metadata.is_some() {
                    request.metadata = entry.metadata.clone();
                    inherited = true;
                }
                if request.rule_set.is_none() && entry.rule_set.is_some() {
                    request.rule_set = entry.rule_set.clone();
                    inherited = true;
                }
            }
        }
        let metadata = merge_metadata(
            settings.default_metadata.as_ref(),
            request.metadata.as_ref(),
        );
        request.metadata = merge_metadata(metadata.as_ref(), settings.override_metadata.as_ref());
        let rules = merge_rule_set(
            settings.default_rule_set.as_ref(),
            request.rule_set.as_ref(),
        );
        request.rule_set = merge_rule_set(rules.as_ref(), settings.override_rule_set.as_ref());
        Ok(inherited)
    }

    fn incompatible_code(&self) -> u32 {
        match self.dialect {
            Dialect::V7 => 409,
            Dialect::V8 => 40901,
        }
    }

    /// With `validateFields` on, the names the metadata property `confluent:reserved` lists
    /// (comma-separated) may not be fields of the schema, and none the latest live version
    /// reserved may be dropped from the list.
    async fn reserved_field_problems(
        &self,
        rows: &[VersionRow],
        parsed: &Parsed,
        metadata: Option<&Value>,
    ) -> Result<Vec<String>> {
        let reserved = |m: Option<&Value>| -> Vec<String> {
            super::metadata::property(m, RESERVED_PROPERTY)
                .map(|list| {
                    list.split(',')
                        .map(str::trim)
                        .filter(|n| !n.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        };
        let now = reserved(metadata);
        let fields = formats::field_names(parsed);
        let mut messages: Vec<String> = now
            .iter()
            .filter(|name| fields.contains(name))
            .map(|name| {
                format!(
                    "{{errorType:'FIELD_CONFLICTS_WITH_RESERVED_FIELD', description:'The new \
                     schema has field that conflicts with the reserved field {name}.'}}"
                )
            })
            .collect();
        if let Some(latest) = rows.iter().rev().find(|r| !r.deleted) {
            let entry = self.schema_by_id(latest.schema_id).await?;
            for name in reserved(entry.metadata.as_ref()) {
                if !now.contains(&name) {
                    messages.push(format!(
                        "{{errorType:'RESERVED_FIELD_REMOVED', description:'The new schema has \
                         reserved field {name} removed from its metadata provided by the old \
                         schema (version {}).'}}",
                        latest.version
                    ));
                }
            }
        }
        Ok(messages)
    }

    async fn normalize_for(&self, subject: &str, requested: bool) -> Result<bool> {
        Ok(requested
            || self
                .effective_config(subject)
                .await?
                .normalize
                .unwrap_or(false))
    }

    /// `POST /subjects/{s}/versions`.
    pub async fn register(
        &self,
        subject: &str,
        request: &SchemaRequest,
        requested_normalize: bool,
    ) -> Result<Registration> {
        self.register_gated(subject, request, requested_normalize, true)
            .await
    }

    /// Registers a breaking change the catalog records an approval for: the subject's
    /// compatibility level is not applied to this one version.
    pub(crate) async fn register_approved(
        &self,
        subject: &str,
        request: &SchemaRequest,
    ) -> Result<Registration> {
        self.register_gated(subject, request, false, false).await
    }

    async fn register_gated(
        &self,
        subject: &str,
        request: &SchemaRequest,
        requested_normalize: bool,
        compatibility_gate: bool,
    ) -> Result<Registration> {
        validate_subject(subject)?;
        check_id_range(request.id)?;
        let explicit_id = request.id.filter(|id| *id >= 0);
        let explicit_version = request.version.filter(|v| *v > 0);
        let plain = explicit_id.is_none() && explicit_version.is_none();
        // The fast path: a schema this subject already holds, answered from memory.
        if plain && self.cached_mode(subject) == Mode::ReadWrite {
            let key = request.key(requested_normalize || self.cached_normalize(subject));
            let hit = self.cache.registered(subject, &key);
            self.metrics.cache_lookup("registration", hit.is_some());
            if let Some((id, version)) = hit {
                let schema = self.schema_by_id(id).await?;
                return Ok(Registration {
                    id,
                    version,
                    schema,
                });
            }
        }

        let SubjectSettings { mode, config } = self.subject_settings(subject).await?;
        let in_context = context::of(subject);
        if mode.is_read_only() {
            return Err(Error::not_permitted(format!(
                "Subject {subject} in context {in_context} is in read-only mode"
            )));
        }
        if let Some(id) = request.id.filter(|id| *id < 1 && mode == Mode::Import) {
            return Err(Error::not_permitted(format!(
                "Schema id {id} cannot be imported: ids are between 1 and {MAX_SCHEMA_ID}"
            )));
        }
        if explicit_id.is_some() && mode != Mode::Import {
            return Err(Error::not_permitted(format!(
                "Subject {subject} in context {in_context} is not in import mode"
            )));
        }
        if explicit_id.is_none() && mode != Mode::ReadWrite {
            return Err(Error::not_permitted(format!(
                "Subject {subject} in context {in_context} is not in read-write mode"
            )));
        }
        let normalize = requested_normalize || config.normalize.unwrap_or(false);
        let key = request.key(normalize);
        // Read once: what the checks below judge against, confirmed inside the write's
        // transaction.
        let rows = self.versions(subject).await?;

        // An empty schema re-registers the latest version's, e.g. to change only metadata.
        let mut request = request.clone();
        if request
            .schema
            .as_deref()
            .is_none_or(|s| s.trim().is_empty())
        {
            let latest = rows.iter().rev().find(|r| !r.deleted);
            let Some(latest) = latest else {
                return Err(Error::InvalidSchemaBare("Empty schema".into()));
            };
            let entry = self.schema_by_id(latest.schema_id).await?;
            request.schema = Some(entry.schema.clone());
            request.schema_type = Some(entry.schema_type.as_str().to_string());
            request.references = Some(entry.references.clone());
        }
        // Inherited metadata depends on the subject's latest version, which a remembered
        // answer does not follow.
        let mut remember = plain;
        let mut validate_fields = false;
        if mode != Mode::Import {
            remember &= !self
                .complete_metadata(&rows, &mut request, &config.settings)
                .await?;
            validate_fields = config.settings.validate_fields == Some(true);
        }

        let (parsed, references) = self
            .parse_request(subject, &request, normalize, false)
            .await?;
        if validate_fields {
            let messages = self
                .reserved_field_problems(&rows, &*parsed, request.metadata.as_ref())
                .await?;
            if !messages.is_empty() {
                return Err(Error::Incompatible {
                    subject: subject.to_string(),
                    messages,
                    code: self.incompatible_code(),
                });
            }
        }
        let new = NewSchema {
            schema_type: parsed.schema_type(),
            schema: parsed.stored().to_string(),
            hash: identity_hash(
                &context::of(subject),
                parsed.schema_type(),
                parsed.canonical(),
                &references,
                request.metadata.as_ref(),
                request.rule_set.as_ref(),
            ),
            references,
            metadata: request.metadata.clone(),
            rule_set: request.rule_set.clone(),
            context: self.number_context(&in_context).await?,
            file_name: parsed.file_name().map(str::to_string),
        };
        let placement = match (explicit_id, explicit_version) {
            (Some(id), version) => Placement::Import {
                id: context::stored_id(new.context, id),
                version,
            },
            (None, Some(v)) => Placement::Version(v),
            (None, None) => Placement::Next,
        };
        let level = if mode == Mode::Import || !compatibility_gate {
            CompatibilityLevel::None
        } else {
            config.compatibility.unwrap_or_default()
        };
        let policy = config
            .settings
            .compatibility_policy
            .unwrap_or(CompatibilityPolicy::Strict);

        let registered = match self
            .live_equivalent(subject, &rows, &new, normalize, placement)
            .await?
        {
            Some(existing) => existing,
            None => {
                let gate = Gating {
                    level,
                    policy,
                    group: config.settings.compatibility_group.clone(),
                    seen: rows,
                };
                self.register_checked(subject, &new, placement, gate, parsed.clone())
                    .await?
            }
        };
        // The new schema goes into memory first: the summary's refresh reads it for the index.
        let schema = match registered {
            Registered::Created { id, .. } => self.cache.put_schema(SchemaEntry {
                id,
                schema_type: new.schema_type,
                schema: new.schema,
                references: new.references,
                metadata: new.metadata,
                rule_set: new.rule_set,
                file_name: new.file_name,
                parsed: OnceLock::from(parsed.clone()),
                fields: OnceLock::new(),
                answers: OnceLock::new(),
            }),
            Registered::Existing { id, .. } => self.schema_by_id(id).await?,
        };
        if let Registered::Created { version, added, .. } = registered {
            self.apply_registration(subject, added, true).await;
            self.metrics.registrations.inc();
            if schema.metadata.is_some() || schema.rule_set.is_some() {
                // Requests without metadata now inherit this version's.
                self.cache.forget_subject(subject);
            }
            self.report_broken_examples(subject, version, &*parsed)
                .await;
        }
        if remember {
            self.cache
                .remember_registered(subject, key, registered.id(), registered.version());
        }
        Ok(Registration {
            id: registered.id(),
            version: registered.version(),
            schema,
        })
    }

    /// A live version of `subject` that holds the same schema as `new` though its stored text
    /// was written by an earlier canonical form (Confluent's fallback scan over the subject's
    /// versions): such a version is answered instead of a new one.
    async fn live_equivalent(
        &self,
        subject: &str,
        rows: &[VersionRow],
        new: &NewSchema,
        normalize: bool,
        placement: Placement,
    ) -> Result<Option<Registered>> {
        if placement != Placement::Next {
            return Ok(None);
        }
        for row in rows.iter().rev().filter(|r| !r.deleted) {
            let entry = self.schema_by_id(row.schema_id).await?;
            if entry.schema_type != new.schema_type || entry.schema == new.schema {
                continue;
            }
            let stored = if normalize {
                formats::normalized(entry.schema_type, &entry.schema)
            } else {
                formats::identity_text(entry.schema_type, &entry.schema)
            };
            let hash = identity_hash(
                &context::of(subject),
                entry.schema_type,
                &stored,
                &entry.references,
                entry.metadata.as_ref(),
                entry.rule_set.as_ref(),
            );
            if hash == new.hash {
                return Ok(Some(Registered::Existing {
                    id: entry.id,
                    version: row.version,
                }));
            }
        }
        Ok(None)
    }

    /// Writes through the store with the compatibility gate; the earlier versions are parsed
    /// before the transaction, and if the subject moved on meanwhile the attempt starts over.
    async fn register_checked(
        &self,
        subject: &str,
        new: &NewSchema,
        placement: Placement,
        gating: Gating,
        parsed: Arc<Parsed>,
    ) -> Result<Registered> {
        let Gating {
            level,
            policy,
            group,
            seen,
        } = gating;
        let mut seen = Some(seen);
        let incompatible_code = self.incompatible_code();
        let actor = Arc::new(super::current_actor());
        let target: Arc<str> = format!("subject/{subject}").into();
        for _ in 0..REGISTER_ATTEMPTS {
            let (actor, target) = (actor.clone(), target.clone());
            let audit = Box::new(move |id: i64, version: i32| {
                AuditEntry::new(
                    &actor,
                    "schema.register",
                    &target,
                    None,
                    Some(serde_json::json!({"id": context::wire_id(id), "version": version})),
                )
            });
            let rows = match seen.take() {
                Some(rows) => rows,
                None => self.versions(subject).await?,
            };
            let live: Vec<VersionRow> = rows.iter().filter(|r| !r.deleted).cloned().collect();
            let members = self
                .group_members(group.as_deref(), &live, new.metadata.as_ref())
                .await?;
            let live = in_group(&live, &members).unwrap_or_default();
            let loaded = self.load_earlier(&versions_to_check(level, &live)).await?;
            let checked: Vec<(i32, i64)> = loaded.iter().map(|(v, e, _)| (*v, e.id)).collect();
            // The verdict is reached on the work pool, outside the write transaction; the
            // transaction only confirms that the versions it was reached against are still the
            // ones the level asks for.
            let new_parsed = parsed.clone();
            let messages = crate::limits::offload(move || {
                let earlier: Vec<Earlier<'_>> = loaded
                    .iter()
                    .map(|(version, entry, parsed_old)| Earlier {
                        version: *version,
                        entry,
                        parsed: &**parsed_old,
                    })
                    .collect();
                Ok(check(level, policy, &*new_parsed, &earlier))
            })
            .await?;
            let gated = subject.to_string();
            let gate = Box::new(move |committed: &[VersionRow]| -> Result<()> {
                let changed = || Error::Timeout(format!("subject '{gated}' changed"));
                let committed = in_group(committed, &members).ok_or_else(changed)?;
                let now: Vec<(i32, i64)> = versions_to_check(level, &committed)
                    .iter()
                    .map(|r| (r.version, r.schema_id))
                    .collect();
                if now != checked {
                    return Err(changed());
                }
                if messages.is_empty() {
                    Ok(())
                } else {
                    Err(Error::Incompatible {
                        subject: gated.clone(),
                        messages: messages.clone(),
                        code: incompatible_code,
                    })
                }
            });
            let written = self
                .store
                .register(subject, new, placement, gate, audit)
                .await;
            self.versions_changed(subject);
            match written {
                Err(Error::Timeout(_)) => continue,
                Err(e @ Error::Incompatible { .. }) => {
                    self.metrics
                        .compatibility_failures
                        .with_label_values(&[subject])
                        .inc();
                    return Err(e);
                }
                other => return other,
            }
        }
        Err(Error::Timeout(format!(
            "subject '{subject}' kept changing during registration"
        )))
    }

    /// `POST /subjects/{s}`: the version of `subject` that holds this schema.
    pub async fn lookup(
        &self,
        subject: &str,
        request: &SchemaRequest,
        normalize: bool,
        deleted: bool,
    ) -> Result<SubjectVersion> {
        let key = request.key(normalize || self.cached_normalize(subject));
        if let Some((id, version)) = self.cache.registered(subject, &key) {
            return Ok(SubjectVersion {
                subject: subject.to_string(),
                version,
                deleted: false,
                created_at: 0,
                schema: self.schema_by_id(id).await?,
            });
        }
        let normalize = self.normalize_for(subject, normalize).await?;
        let key = request.key(normalize);
        let rows = self.versions(subject).await?;
        if !rows.iter().any(|r| deleted || !r.deleted) {
            return Err(Error::SubjectNotFound(subject.to_string()));
        }
        let (parsed, references) = self
            .parse_request(subject, request, normalize, true)
            .await?;
        let wanted = identity_hash(
            &context::of(subject),
            parsed.schema_type(),
            parsed.canonical(),
            &references,
            request.metadata.as_ref(),
            request.rule_set.as_ref(),
        );
        for row in rows.iter().rev().filter(|r| deleted || !r.deleted) {
            let entry = self.schema_by_id(row.schema_id).await?;
            let stored = if normalize {
                formats::normalized(entry.schema_type, &entry.schema)
            } else {
                formats::identity_text(entry.schema_type, &entry.schema)
            };
            let hash = identity_hash(
                &context::of(subject),
                entry.schema_type,
                &stored,
                &entry.references,
                entry.metadata.as_ref(),
                entry.rule_set.as_ref(),
            );
            if hash == wanted {
                if !row.deleted {
                    self.cache
                        .remember_registered(subject, key, entry.id, row.version);
                }
                return self.subject_version(row).await;
            }
        }
        Err(Error::SchemaNotFound)
    }
}
