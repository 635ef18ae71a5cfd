//! The catalog's entities, in the shape the JSON API and the catalog folder's YAML share.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::model::Reference;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Domain {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Team {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub contact: Contact,
    #[serde(default)]
    pub members: Vec<String>,
}

/// A service's side of a produce or consume link: which event, which schema version (an exact
/// semver for producers, a semver range for consumers), and optionally the fields it reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Link {
    pub event: String,
    #[serde(default = "any_version")]
    pub version: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

fn any_version() -> String {
    "*".to_string()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Service {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[serde(default)]
    pub produces: Vec<Link>,
    #[serde(default)]
    pub consumes: Vec<Link>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    #[default]
    Event,
    Command,
    Query,
    Notification,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lifecycle {
    Draft,
    #[default]
    Active,
    Deprecated,
    Retired,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Channel {
    #[serde(rename = "type", default = "kafka")]
    pub kind: String,
    pub name: String,
}

fn kafka() -> String {
    "kafka".to_string()
}

/// One version of an event's schema: its semver, and where its text comes from (a file in a
/// catalog folder, or inline). `id` and `registry_version` are filled in once registered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SchemaVersion {
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub schema_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_version: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EventSchema {
    pub subject: String,
    #[serde(default = "value_role")]
    pub role: String,
    #[serde(default)]
    pub versions: Vec<SchemaVersion>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
}

fn value_role() -> String {
    "value".to_string()
}

/// A named example payload for one version; a contract checked against that version's schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Example {
    pub name: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub payload: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Event {
    pub name: String,
    #[serde(rename = "type", default)]
    pub kind: EventKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default)]
    pub lifecycle: Lifecycle,
    /// `YYYY-MM-DD`; required while deprecated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sunset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub schemas: Vec<EventSchema>,
    #[serde(default)]
    pub examples: Vec<Example>,
    /// Breaking changes someone accepted on this event's subjects, each for one version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<Approval>,
}

/// An accepted breaking change: the one way, besides a new `.vN` event, that a version no
/// consumer of the previous one can read gets into the registry (`herald catalog apply`
/// registers it without the compatibility check and records the approval in the audit trail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Approval {
    /// The version whose break is accepted (a new major version).
    pub version: String,
    /// Who accepted it: a person or a role, as the organisation names them.
    pub by: String,
    /// Why, and what the consumers it breaks do about it.
    pub reason: String,
    /// Only this subject of the event; every one when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

impl Approval {
    pub fn covers(&self, subject: &str, version: &str) -> bool {
        self.version == version && self.subject.as_deref().is_none_or(|s| s == subject)
    }
}

impl Event {
    /// The subject holding this event's value schema.
    pub fn value_subject(&self) -> Option<&EventSchema> {
        self.schemas
            .iter()
            .find(|s| s.role == "value")
            .or(self.schemas.first())
    }
}

/// Subject-name patterns that name an owner team, first match wins (like CODEOWNERS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnerRule {
    pub pattern: String,
    pub team: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    #[default]
    Error,
    Warn,
    Off,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleLevel {
    #[serde(default)]
    pub level: Level,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NameRule {
    #[serde(default)]
    pub level: Level,
    #[serde(default = "default_event_pattern")]
    pub pattern: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvelopeRule {
    #[serde(default)]
    pub level: Level,
    #[serde(default = "default_envelope")]
    pub fields: Vec<String>,
}

/// Governance rules, from one file (`herald-policy.yaml` in a catalog folder).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    #[serde(default = "owner_required")]
    pub owner_required: RuleLevel,
    #[serde(default = "event_name")]
    pub event_name: NameRule,
    #[serde(default = "envelope")]
    pub envelope: EnvelopeRule,
}

/// `{domain}.{entity}.{action}` (or `{domain}.{action}`) in lowercase dots, optionally `.vN`.
pub fn default_event_pattern() -> String {
    r"^[a-z][a-z0-9]*(\.[a-z][a-z0-9]*){1,2}(\.v[0-9]+)?$".to_string()
}

fn default_envelope() -> Vec<String> {
    ["eventId", "eventType", "timestamp", "source"]
        .map(String::from)
        .to_vec()
}

fn owner_required() -> RuleLevel {
    RuleLevel {
        level: Level::Error,
    }
}

fn event_name() -> NameRule {
    NameRule {
        level: Level::Error,
        pattern: default_event_pattern(),
    }
}

fn envelope() -> EnvelopeRule {
    EnvelopeRule {
        level: Level::Error,
        fields: default_envelope(),
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            owner_required: owner_required(),
            event_name: event_name(),
            envelope: envelope(),
        }
    }
}
