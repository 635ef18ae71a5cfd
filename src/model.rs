//! The registry's vocabulary: schema types, compatibility levels, modes, references, versions.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Error;

pub mod context;

/// Global config and mode live under this scope; an empty subject names the default context,
/// which Confluent treats as the top level.
pub const GLOBAL_SCOPE: &str = "";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum SchemaType {
    Avro,
    Protobuf,
    Json,
}

impl SchemaType {
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaType::Avro => "AVRO",
            SchemaType::Protobuf => "PROTOBUF",
            SchemaType::Json => "JSON",
        }
    }

    /// The format a schema file's extension implies (`.avsc`/`.avro`, `.json`, `.proto`).
    pub fn of_file(path: &std::path::Path) -> Option<SchemaType> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "avsc" | "avro" => Some(SchemaType::Avro),
            "json" => Some(SchemaType::Json),
            "proto" => Some(SchemaType::Protobuf),
            _ => None,
        }
    }

    /// The formats this server accepts, as `GET /schemas/types` lists them.
    pub const ALL: [SchemaType; 3] = [SchemaType::Json, SchemaType::Protobuf, SchemaType::Avro];

    /// Parses the request field; absent or empty means AVRO.
    pub fn from_request(value: Option<&str>) -> Result<SchemaType, Error> {
        match value.map(str::trim) {
            None | Some("") => Ok(SchemaType::Avro),
            Some(s) => s.parse(),
        }
    }
}

impl FromStr for SchemaType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_uppercase().as_str() {
            "AVRO" => Ok(SchemaType::Avro),
            "PROTOBUF" => Ok(SchemaType::Protobuf),
            "JSON" => Ok(SchemaType::Json),
            _ => Err(Error::InvalidSchemaBare(format!("Invalid schema type {s}"))),
        }
    }
}

impl fmt::Display for SchemaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = CompatibilityLevelName)]
pub enum CompatibilityLevel {
    None,
    #[default]
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
}

impl CompatibilityLevel {
    pub fn as_str(self) -> &'static str {
        use CompatibilityLevel::*;
        match self {
            None => "NONE",
            Backward => "BACKWARD",
            BackwardTransitive => "BACKWARD_TRANSITIVE",
            Forward => "FORWARD",
            ForwardTransitive => "FORWARD_TRANSITIVE",
            Full => "FULL",
            FullTransitive => "FULL_TRANSITIVE",
        }
    }

    pub fn is_transitive(self) -> bool {
        matches!(
            self,
            CompatibilityLevel::BackwardTransitive
                | CompatibilityLevel::ForwardTransitive
                | CompatibilityLevel::FullTransitive
        )
    }

    /// Does the new schema have to read data written with the old one?
    pub fn checks_backward(self) -> bool {
        use CompatibilityLevel::*;
        matches!(self, Backward | BackwardTransitive | Full | FullTransitive)
    }

    /// Does the old schema have to read data written with the new one?
    pub fn checks_forward(self) -> bool {
        use CompatibilityLevel::*;
        matches!(self, Forward | ForwardTransitive | Full | FullTransitive)
    }
}

impl FromStr for CompatibilityLevel {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        use CompatibilityLevel::*;
        Ok(match s.trim().to_ascii_uppercase().as_str() {
            "NONE" => None,
            "BACKWARD" => Backward,
            "BACKWARD_TRANSITIVE" => BackwardTransitive,
            "FORWARD" => Forward,
            "FORWARD_TRANSITIVE" => ForwardTransitive,
            "FULL" => Full,
            "FULL_TRANSITIVE" => FullTransitive,
            _ => return Err(Error::InvalidCompatibilityLevel),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    ReadWrite,
    ReadOnly,
    /// Deprecated spelling kept by Confluent; behaves like READONLY.
    ReadOnlyOverride,
    Import,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::ReadWrite => "READWRITE",
            Mode::ReadOnly => "READONLY",
            Mode::ReadOnlyOverride => "READONLY_OVERRIDE",
            Mode::Import => "IMPORT",
        }
    }

    pub fn is_read_only(self) -> bool {
        matches!(self, Mode::ReadOnly | Mode::ReadOnlyOverride)
    }
}

impl FromStr for Mode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(match s.trim().to_ascii_uppercase().as_str() {
            "READWRITE" => Mode::ReadWrite,
            "READONLY" => Mode::ReadOnly,
            "READONLY_OVERRIDE" => Mode::ReadOnlyOverride,
            "IMPORT" => Mode::Import,
            _ => return Err(Error::InvalidMode),
        })
    }
}

/// `{"name", "subject", "version"}`: a named dependency on another subject's version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reference {
    pub name: String,
    pub subject: String,
    pub version: i32,
}

/// A version as it appears in a path: a number, or `latest` (also spelled `-1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionSpec {
    Latest,
    Number(i32),
}

impl VersionSpec {
    pub fn parse(raw: &str) -> Result<VersionSpec, Error> {
        let trimmed = raw.trim();
        if trimmed.eq_ignore_ascii_case("latest") {
            return Ok(VersionSpec::Latest);
        }
        match trimmed.parse::<i32>() {
            Ok(-1) => Ok(VersionSpec::Latest),
            Ok(n) if n >= 1 => Ok(VersionSpec::Number(n)),
            _ => Err(Error::InvalidVersion(raw.to_string())),
        }
    }
}

impl fmt::Display for VersionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionSpec::Latest => f.write_str("latest"),
            VersionSpec::Number(n) => write!(f, "{n}"),
        }
    }
}

/// Subjects Confluent reserves for its own bookkeeping.
pub fn validate_subject(subject: &str) -> Result<(), Error> {
    let context = context::of(subject);
    let reserved = matches!(subject, "__GLOBAL" | "__EMPTY")
        || context == context::GLOBAL
        || context == "*"
        || context.contains(char::is_whitespace);
    if reserved || subject.chars().any(char::is_control) {
        return Err(Error::InvalidSubject(subject.to_string()));
    }
    Ok(())
}

/// A subject, or a whole context (`:.ctx:`, `:.__GLOBAL:`) for config and mode.
pub fn validate_scope(scope: &str) -> Result<(), Error> {
    if context::is_scope(scope) {
        let q = context::split(scope);
        if q.context == "*"
            || q.context
                .chars()
                .any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(Error::InvalidSubject(scope.to_string()));
        }
        return Ok(());
    }
    validate_subject(scope)
}

/// Who may do what: token roles and subject grants (checked in `auth`, stored by `store`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Reader,
    Writer,
    Admin,
}

impl FromStr for Role {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "reader" => Ok(Role::Reader),
            "writer" => Ok(Role::Writer),
            "admin" => Ok(Role::Admin),
            _ => Err(Error::BadRequest(format!(
                "role '{s}' must be reader, writer or admin"
            ))),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Reader => "reader",
            Role::Writer => "writer",
            Role::Admin => "admin",
        })
    }
}

/// A token as stored (without its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Token {
    pub name: String,
    pub role: Role,
    /// Subject globs the token may touch; empty means every subject.
    pub subjects: Vec<String>,
    pub created_at: i64,
}

impl Token {
    pub fn covers(&self, subject: &str) -> bool {
        self.subjects.is_empty() || self.subjects.iter().any(|g| glob_match(g, subject))
    }
}

/// Glob over subject names: `*` any run of characters, `?` one character. Matched segment by
/// segment (the text between stars, each at its leftmost place), so the work is at most the
/// pattern's length times the subject's, however many stars a grant holds.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    fn fits(segment: &[char], at: &[char]) -> bool {
        segment.len() <= at.len() && segment.iter().zip(at).all(|(p, c)| *p == '?' || p == c)
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let segments: Vec<&[char]> = p.split(|c| *c == '*').collect();
    let [first, middle @ .., last] = segments.as_slice() else {
        // No star: the pattern is one segment that must cover the whole text.
        return p.len() == t.len() && fits(&p, &t);
    };
    if first.len() + last.len() > t.len() || !fits(first, &t) {
        return false;
    }
    let end = t.len() - last.len();
    if !fits(last, &t[end..]) {
        return false;
    }
    let mut pos = first.len();
    for segment in middle {
        match (pos..=end.saturating_sub(segment.len()))
            .take_while(|i| i + segment.len() <= end)
            .find(|&i| fits(segment, &t[i..end]))
        {
            Some(i) => pos = i + segment.len(),
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_spec_accepts_latest_and_positive_numbers_only() {
        assert_eq!(VersionSpec::parse("latest").unwrap(), VersionSpec::Latest);
        assert_eq!(VersionSpec::parse(" LATEST ").unwrap(), VersionSpec::Latest);
        assert_eq!(VersionSpec::parse("-1").unwrap(), VersionSpec::Latest);
        assert_eq!(VersionSpec::parse("7").unwrap(), VersionSpec::Number(7));
        for bad in ["0", "-2", "abc", "", "2147483648"] {
            assert_eq!(VersionSpec::parse(bad).unwrap_err().code(), 42202, "{bad}");
        }
    }

    #[test]
    fn levels_and_modes_parse_case_insensitively() {
        assert_eq!(
            "full_transitive".parse::<CompatibilityLevel>().unwrap(),
            CompatibilityLevel::FullTransitive
        );
        assert_eq!("readonly".parse::<Mode>().unwrap(), Mode::ReadOnly);
        assert_eq!("bogus".parse::<Mode>().unwrap_err().code(), 42204);
        assert_eq!(
            "bogus".parse::<CompatibilityLevel>().unwrap_err().code(),
            42203
        );
    }

    #[test]
    fn schema_types_parse_case_insensitively() {
        assert_eq!("json".parse::<SchemaType>().unwrap(), SchemaType::Json);
        assert_eq!(
            SchemaType::from_request(Some(" Json ")).unwrap(),
            SchemaType::Json
        );
        assert_eq!(SchemaType::from_request(None).unwrap(), SchemaType::Avro);
        assert_eq!("xml".parse::<SchemaType>().unwrap_err().code(), 42201);
    }

    #[test]
    fn reserved_subjects_are_refused() {
        assert!(validate_subject("orders-value").is_ok());
        assert!(validate_subject("").is_ok());
        assert_eq!(validate_subject("__GLOBAL").unwrap_err().code(), 42208);
        assert_eq!(validate_subject("a\u{7}b").unwrap_err().code(), 42208);
    }
}

/// Which JSON Schema changes count as compatible: Confluent's STRICT rules (the default),
/// LENIENT (changes to what an object allows beyond its declared properties, and properties
/// added or removed under those rules, pass), or LOGICAL (STRICT for JSON Schema).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "UPPERCASE")]
#[schema(as = CompatibilityPolicyName)]
pub enum CompatibilityPolicy {
    Strict,
    Lenient,
    Logical,
}

impl FromStr for CompatibilityPolicy {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_uppercase().as_str() {
            "STRICT" => Ok(CompatibilityPolicy::Strict),
            "LENIENT" => Ok(CompatibilityPolicy::Lenient),
            "LOGICAL" => Ok(CompatibilityPolicy::Logical),
            _ => Err(Error::Unprocessable(format!(
                "Invalid compatibility policy '{s}'. Valid values are STRICT, LENIENT and LOGICAL"
            ))),
        }
    }
}

/// The config fields besides the compatibility level and `normalize`, as Confluent names them
/// on the wire. Each is optional: unset here means inherited from the wider scope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub alias: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub validate_fields: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub validate_rules: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub validate_new_schemas: Option<bool>,
    /// A metadata property: only versions with the new schema's value of it are compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub compatibility_group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub compatibility_policy: Option<CompatibilityPolicy>,
    /// Metadata merged under what a registration brings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Object>)]
    pub default_metadata: Option<serde_json::Value>,
    /// Metadata merged over what a registration brings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Object>)]
    pub override_metadata: Option<serde_json::Value>,
    /// A rule set merged under what a registration brings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Object>)]
    pub default_rule_set: Option<serde_json::Value>,
    /// A rule set merged over what a registration brings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Object>)]
    pub override_rule_set: Option<serde_json::Value>,
}

impl ConfigSettings {
    /// Field by field: this scope's value where it has one, else `wider`'s.
    pub fn over(self, wider: ConfigSettings) -> ConfigSettings {
        ConfigSettings {
            alias: self.alias.or(wider.alias),
            validate_fields: self.validate_fields.or(wider.validate_fields),
            validate_rules: self.validate_rules.or(wider.validate_rules),
            validate_new_schemas: self.validate_new_schemas.or(wider.validate_new_schemas),
            compatibility_group: self.compatibility_group.or(wider.compatibility_group),
            compatibility_policy: self.compatibility_policy.or(wider.compatibility_policy),
            default_metadata: self.default_metadata.or(wider.default_metadata),
            override_metadata: self.override_metadata.or(wider.override_metadata),
            default_rule_set: self.default_rule_set.or(wider.default_rule_set),
            override_rule_set: self.override_rule_set.or(wider.override_rule_set),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == ConfigSettings::default()
    }
}
