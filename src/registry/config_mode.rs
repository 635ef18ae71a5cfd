//! Compatibility config and mode, per subject, per context and global, with Confluent's
//! resolution order: subject, then its context (the top level for the default context), then
//! `:.__GLOBAL:`, then the server default (BACKWARD, READWRITE).
//!
//! Reads go to the store (one read for all of a subject's scopes), so a change made through
//! any instance applies everywhere at once, unless this process is the store's one writer.
//! Only the re-registration fast path trusts the copies in memory on a shared store.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::{audit_line, Registry};
use crate::error::{Error, Result};
use crate::model::{
    context, CompatibilityLevel, CompatibilityPolicy, ConfigSettings, Mode, GLOBAL_SCOPE,
};
use crate::store::ConfigRecord;

/// The `settings` fields a config request may carry, by their wire names.
const SETTINGS_FIELDS: &[&str] = &[
    "alias",
    "validateFields",
    "validateRules",
    "validateNewSchemas",
    "compatibilityGroup",
    "compatibilityPolicy",
    "defaultMetadata",
    "overrideMetadata",
    "defaultRuleSet",
    "overrideRuleSet",
];

/// A partial config update: a field left out keeps its value, an explicit `null` clears it.
#[derive(Debug, Clone, Default)]
pub struct ConfigUpdate {
    pub compatibility: Option<Option<CompatibilityLevel>>,
    pub normalize: Option<Option<bool>>,
    /// The other fields the request names, `null` for those it clears.
    pub settings: Map<String, Value>,
}

impl ConfigUpdate {
    /// Reads a `PUT /config` body. `compatibilityLevel` is accepted as a synonym because the
    /// Python client's `set_config` sends the GET shape back. Unknown fields are ignored, as
    /// Confluent ignores them.
    pub fn from_json(body: &Value) -> Result<ConfigUpdate> {
        let Some(obj) = body.as_object() else {
            return Err(Error::InvalidCompatibilityLevel);
        };
        let mut update = ConfigUpdate::default();
        for key in ["compatibility", "compatibilityLevel"] {
            if let Some(v) = obj.get(key) {
                update.compatibility = Some(match v {
                    Value::Null => None,
                    Value::String(s) => Some(s.parse()?),
                    _ => return Err(Error::InvalidCompatibilityLevel),
                });
                break;
            }
        }
        if let Some(v) = obj.get("normalize") {
            update.normalize = Some(match v {
                Value::Null => None,
                Value::Bool(b) => Some(*b),
                _ => return Err(Error::BadRequest("normalize must be a boolean".into())),
            });
        }
        for &key in SETTINGS_FIELDS {
            let Some(value) = obj.get(key) else { continue };
            let value = match (key, value) {
                ("compatibilityPolicy", Value::String(s)) => {
                    let policy: CompatibilityPolicy = s.parse()?;
                    serde_json::to_value(policy).unwrap_or_default()
                }
                (
                    "defaultMetadata" | "overrideMetadata" | "defaultRuleSet" | "overrideRuleSet",
                    Value::Object(_) | Value::Null,
                ) => value.clone(),
                (
                    "defaultMetadata" | "overrideMetadata" | "defaultRuleSet" | "overrideRuleSet",
                    _,
                ) => return Err(Error::Unprocessable(format!("{key} must be an object"))),
                _ => value.clone(),
            };
            update.settings.insert(key.to_string(), value);
        }
        // The values' types are checked by reading them into the settings.
        ConfigUpdate::patch(&ConfigSettings::default(), &update.settings)?;
        Ok(update)
    }

    fn patch(settings: &ConfigSettings, changes: &Map<String, Value>) -> Result<ConfigSettings> {
        let mut fields = match serde_json::to_value(settings) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        for (key, value) in changes {
            if value.is_null() {
                fields.remove(key);
            } else {
                fields.insert(key.clone(), value.clone());
            }
        }
        serde_json::from_value(Value::Object(fields))
            .map_err(|e| Error::Unprocessable(format!("Invalid config: {e}")))
    }

    fn apply(&self, mut config: ConfigRecord) -> Result<ConfigRecord> {
        if let Some(c) = self.compatibility {
            config.compatibility = c;
        }
        if let Some(n) = self.normalize {
            config.normalize = n;
        }
        config.settings = ConfigUpdate::patch(&config.settings, &self.settings)?;
        Ok(config)
    }
}

/// A config as the audit trail shows it, in the request's terms.
fn config_json(config: &ConfigRecord) -> Value {
    let mut out = match serde_json::to_value(&config.settings) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    out.insert(
        "compatibility".into(),
        config.compatibility.map(|l| l.as_str()).into(),
    );
    out.insert("normalize".into(), config.normalize.into());
    Value::Object(out)
}

/// Whether `scope` names a whole context (`:.ctx:`, or the top level) rather than a subject.
pub fn is_context_scope(scope: &str) -> bool {
    scope == GLOBAL_SCOPE || context::is_scope(scope)
}

/// The scopes whose config and mode apply to `subject`, nearest first, in Confluent's order:
/// the subject's own, its context's (the top level for the default context), then the
/// cross-context `:.__GLOBAL:`.
fn scopes(subject: &str) -> impl Iterator<Item = Cow<'_, str>> {
    let own = (!is_context_scope(subject)).then_some(Cow::Borrowed(subject));
    let own_context = match context::of(subject) {
        c if c == context::DEFAULT => Some(Cow::Borrowed(GLOBAL_SCOPE)),
        c if c == context::GLOBAL => None,
        c => Some(Cow::Owned(context::scope(&c))),
    };
    own.into_iter()
        .chain(own_context)
        .chain(std::iter::once(Cow::Borrowed(context::CROSS_CONTEXT_SCOPE)))
}

/// What governs writes to a subject, resolved through its scopes.
pub(crate) struct SubjectSettings {
    pub mode: Mode,
    /// Merged field by field, defaults filled in.
    pub config: ConfigRecord,
}

/// Configs of the scopes `scopes` gives, nearest first, merged field by field, defaults
/// filled in.
fn merge_all(found: impl IntoIterator<Item = Option<ConfigRecord>>) -> ConfigRecord {
    let found: Vec<Option<ConfigRecord>> = found.into_iter().collect();
    let under = found
        .into_iter()
        .rev()
        .fold(None, |under: Option<ConfigRecord>, own| {
            match (own, under) {
                (None, under) => under,
                (Some(own), None) => Some(own),
                (Some(own), Some(under)) => Some(ConfigRecord {
                    compatibility: own.compatibility.or(under.compatibility),
                    normalize: own.normalize.or(under.normalize),
                    settings: own.settings.over(under.settings),
                }),
            }
        });
    merge(under, None)
}

/// The subject's config merged field by field over the global one, defaults filled in.
fn merge(own: Option<ConfigRecord>, global: Option<ConfigRecord>) -> ConfigRecord {
    let own = own.unwrap_or_default();
    let global = global.unwrap_or_default();
    ConfigRecord {
        compatibility: Some(
            own.compatibility
                .or(global.compatibility)
                .unwrap_or_default(),
        ),
        normalize: own.normalize.or(global.normalize),
        settings: own.settings.over(global.settings),
    }
}

impl Registry {
    /// The config set at exactly this scope, if any.
    pub async fn config_at(&self, scope: &str) -> Result<Option<ConfigRecord>> {
        self.store.config(scope).await
    }

    /// A subject's mode and config as they resolve: from memory where this process is the
    /// store's one writer, else from the store in one read, so that instances agree.
    pub(crate) async fn subject_settings(&self, subject: &str) -> Result<SubjectSettings> {
        if self.sole_writer {
            return Ok(SubjectSettings {
                mode: self.cached_mode(subject),
                config: merge_all(scopes(subject).map(|scope| self.cache.config(&scope))),
            });
        }
        let scopes: Vec<Cow<'_, str>> = scopes(subject).collect();
        let names: Vec<&str> = scopes.iter().map(AsRef::as_ref).collect();
        let found = self.store.settings_at(&names).await?;
        Ok(SubjectSettings {
            mode: found.iter().find_map(|(_, mode)| *mode).unwrap_or_default(),
            config: merge_all(found.into_iter().map(|(config, _)| config)),
        })
    }

    pub async fn effective_config(&self, subject: &str) -> Result<ConfigRecord> {
        Ok(self.subject_settings(subject).await?.config)
    }

    pub async fn effective_level(&self, subject: &str) -> Result<CompatibilityLevel> {
        Ok(self
            .effective_config(subject)
            .await?
            .compatibility
            .unwrap_or_default())
    }

    /// The fast path's view of `normalize`, from memory.
    pub(crate) fn cached_normalize(&self, subject: &str) -> bool {
        scopes(subject)
            .find_map(|scope| self.cache.normalize_at(&scope))
            .unwrap_or(false)
    }

    pub async fn update_config(&self, scope: &str, update: &ConfigUpdate) -> Result<ConfigRecord> {
        self.refuse_if_read_only(scope).await?;
        let before = self.store.config(scope).await?;
        let config = update.apply(before.clone().unwrap_or_default())?;
        let audit = audit_line(
            "config.update",
            &format!("config/{scope}"),
            before.as_ref().map(config_json),
            Some(config_json(&config)),
        );
        self.store
            .put_config(scope, Some(config.clone()), &audit)
            .await?;
        self.cache.set_config(scope, Some(config.clone()));
        Ok(config)
    }

    /// Removes the scope's config and returns what it was; 40401 for a subject without one.
    pub async fn delete_config(&self, scope: &str) -> Result<ConfigRecord> {
        self.refuse_if_read_only(scope).await?;
        let old = match self.store.config(scope).await? {
            Some(c) => c,
            None if scope == GLOBAL_SCOPE => ConfigRecord::default(),
            None => return Err(Error::SubjectNotFound(scope.to_string())),
        };
        let audit = audit_line(
            "config.delete",
            &format!("config/{scope}"),
            Some(config_json(&old)),
            None,
        );
        self.store.put_config(scope, None, &audit).await?;
        self.cache.set_config(scope, None);
        Ok(old)
    }

    pub async fn mode_at(&self, scope: &str) -> Result<Option<Mode>> {
        self.store.mode(scope).await
    }

    /// From memory where this process is the store's one writer, else from the store.
    pub async fn effective_mode(&self, subject: &str) -> Result<Mode> {
        Ok(self.subject_settings(subject).await?.mode)
    }

    /// The fast path's view of the mode, from memory.
    pub(crate) fn cached_mode(&self, subject: &str) -> Mode {
        scopes(subject)
            .find_map(|scope| self.cache.mode(&scope))
            .unwrap_or_default()
    }

    /// Sets a mode. Entering IMPORT needs a scope without live subjects unless `force`, and
    /// clears out the soft-deleted versions left there so imported numbers cannot collide.
    pub async fn update_mode(&self, scope: &str, mode: Mode, force: bool) -> Result<()> {
        if mode == Mode::Import {
            let rows = if scope == GLOBAL_SCOPE || is_context_scope(scope) {
                let mut rows = self.store.all_versions().await?;
                if scope != GLOBAL_SCOPE {
                    let within = context::of(scope);
                    rows.retain(|r| context::of(&r.subject) == within);
                }
                rows
            } else {
                self.store.versions(scope).await?
            };
            if rows.iter().any(|r| !r.deleted) && !force {
                return Err(Error::not_permitted(
                    "Cannot import since found existing subjects",
                ));
            }
            let mut by_subject: std::collections::BTreeMap<&str, Vec<i32>> = Default::default();
            for r in rows.iter().filter(|r| r.deleted) {
                by_subject.entry(&r.subject).or_default().push(r.version);
            }
            for (subject, versions) in by_subject {
                let audit = audit_line(
                    "subject.delete.permanent",
                    &format!("subject/{subject}"),
                    Some(versions.clone().into()),
                    None,
                );
                self.purge(subject, &versions, &audit).await?;
            }
        }
        let before = self.store.mode(scope).await?;
        let audit = audit_line(
            "mode.update",
            &format!("mode/{scope}"),
            before.map(|m| m.as_str().into()),
            Some(mode.as_str().into()),
        );
        self.store.put_mode(scope, Some(mode), &audit).await?;
        self.cache.set_mode(scope, Some(mode));
        Ok(())
    }

    /// Removes the scope's mode and returns what it was; 40401 for a subject without one.
    pub async fn delete_mode(&self, scope: &str) -> Result<Mode> {
        let old = match self.store.mode(scope).await? {
            Some(m) => m,
            None if scope == GLOBAL_SCOPE => Mode::default(),
            None => return Err(Error::SubjectNotFound(scope.to_string())),
        };
        let audit = audit_line(
            "mode.delete",
            &format!("mode/{scope}"),
            Some(old.as_str().into()),
            None,
        );
        self.store.put_mode(scope, None, &audit).await?;
        self.cache.set_mode(scope, None);
        Ok(old)
    }

    pub(crate) async fn refuse_if_read_only(&self, subject: &str) -> Result<()> {
        if self.effective_mode(subject).await?.is_read_only() {
            let what = if subject == GLOBAL_SCOPE {
                "The registry".to_string()
            } else if is_context_scope(subject) {
                format!("Context {}", context::of(subject))
            } else {
                format!("Subject {subject} in context {}", context::of(subject))
            };
            return Err(Error::not_permitted(format!("{what} is in read-only mode")));
        }
        Ok(())
    }
}
