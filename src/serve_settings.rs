//! Settings of a running `herald serve`, and where they come from: a `herald.toml` file, then the
//! environment, then flags, each overriding the one before.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Which generation of Confluent response shapes to emit.
///
/// 7.9 shapes are the default because every client version accepts them; Java clients older than
/// 6.2 fail on any field they do not know (`guid`, `ts`, `deleted`, `schemaType: "AVRO"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Dialect {
    #[default]
    #[value(name = "7")]
    V7,
    #[value(name = "8")]
    V8,
}

impl Dialect {
    fn as_str(self) -> &'static str {
        match self {
            Dialect::V7 => "7",
            Dialect::V8 => "8",
        }
    }
}

/// `dialect = 7` and `dialect = "7"` both read; a TOML file is likelier to hold the number.
impl<'de> Deserialize<'de> for Dialect {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(i64),
            Text(String),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Number(n) => n.to_string(),
            Raw::Text(s) => s,
        };
        <Dialect as clap::ValueEnum>::from_str(&text, true)
            .map_err(|_| serde::de::Error::custom(format!("dialect '{text}' must be 7 or 8")))
    }
}

impl Serialize for Dialect {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    pub database_url: String,
    pub dialect: Dialect,
    /// Largest request body accepted; Confluent's own default for a schema is 8 MiB.
    pub max_body_bytes: usize,
    /// Largest schema text a registration may carry (42209 beyond it).
    pub max_schema_bytes: usize,
    /// Most references (direct and transitive) a schema may resolve (42201 beyond it).
    pub max_references: usize,
    /// Most remembered (subject, request) answers of registrations and lookups.
    pub lookup_cache_entries: usize,
    /// A request still running after this long is answered 500/50002 (operation timed out).
    pub request_timeout: Duration,
    /// Require a token on every request but the probes.
    pub auth: bool,
    /// With `auth`, let requests without credentials read.
    pub anonymous_read: bool,
    /// A catalog folder loaded at start when the database holds nothing yet.
    pub catalog_dir: Option<PathBuf>,
    /// Serve HTTPS with this certificate chain and private key (PEM files).
    pub tls: Option<TlsFiles>,
    /// Take the audit trail's source address from `X-Forwarded-For` (behind a proxy) rather
    /// than the connection's peer.
    pub trust_forwarded_for: bool,
    /// Serve `/metrics` without a token under `auth` (for a scraper inside a trusted network).
    pub metrics_open: bool,
    /// Origins (`https://host[:port]`) whose browser pages may send writes; others are refused.
    pub allowed_origins: Vec<String>,
    /// Connections served at once; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// Steps of work one request may spend on a schema or payload.
    pub max_work: u64,
    /// A connection that sends no complete request head within this long is closed.
    pub header_read_timeout: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8081";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://herald.db";
pub const DEFAULT_MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// Confluent sets no limit of its own; 1 MiB is far above any schema seen in practice (the
/// largest Avro and Protobuf schemas in public registries are tens of KiB) and keeps one
/// registration from filling the cache.
pub const DEFAULT_MAX_SCHEMA_BYTES: usize = 1024 * 1024;
/// Real schemas reference a handful of others; 1,000 leaves room for generated ones and keeps
/// one registration's resolution well under a second.
pub const DEFAULT_MAX_REFERENCES: usize = 1000;
/// About 100 bytes an entry, so the cache stays near 10 MB however many distinct requests come.
pub const DEFAULT_LOOKUP_CACHE_ENTRIES: usize = 100_000;
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;
pub const DEFAULT_CATALOG: &str = "catalog";
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Generous for a slow link, short enough that idle or half-open connections free their slot.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The configuration file read from the working directory when none is named.
pub const DEFAULT_CONFIG_FILE: &str = "herald.toml";

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            listen: DEFAULT_LISTEN.parse().expect("valid default address"),
            database_url: DEFAULT_DATABASE_URL.to_string(),
            dialect: Dialect::V7,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_schema_bytes: DEFAULT_MAX_SCHEMA_BYTES,
            max_references: DEFAULT_MAX_REFERENCES,
            lookup_cache_entries: DEFAULT_LOOKUP_CACHE_ENTRIES,
            catalog_dir: None,
            auth: false,
            anonymous_read: false,
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS),
            tls: None,
            trust_forwarded_for: false,
            metrics_open: false,
            allowed_origins: Vec::new(),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_work: crate::limits::DEFAULT_WORK,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
        }
    }
}

/// Every `herald serve` setting, each optional so that a layer sets only what it names. The same
/// struct is the `[serve]`-less top level of `herald.toml` and the flags (with their environment
/// variables) of `herald serve`.
#[derive(Debug, Clone, Default, PartialEq, clap::Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct Settings {
    /// Address to listen on [default: 127.0.0.1:8081]. Plain HTTP unless --tls-cert and
    /// --tls-key are given.
    #[arg(long, env = "HERALD_LISTEN")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    /// Database URL: sqlite://PATH (created if missing) or postgres://user:pass@host/db
    /// [default: sqlite://herald.db].
    #[arg(long, env = "HERALD_DATABASE_URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Response shapes: 7 (Confluent 7.9, accepted by every client) or 8 (8.x) [default: 7].
    #[arg(long, env = "HERALD_DIALECT", value_enum)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dialect: Option<Dialect>,
    /// Largest request body accepted, in bytes; larger ones get 413 [default: 8388608].
    #[arg(long, env = "HERALD_MAX_BODY_BYTES")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_body_bytes: Option<usize>,
    /// Largest schema text a registration may carry, in bytes; larger ones get 422/42209
    /// [default: 1048576].
    #[arg(long, env = "HERALD_MAX_SCHEMA_BYTES")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_schema_bytes: Option<usize>,
    /// Most references a schema may resolve, counting those of its references; more get
    /// 422/42201 [default: 1000].
    #[arg(long, env = "HERALD_MAX_REFERENCES")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_references: Option<usize>,
    /// Most answers of repeated registrations and lookups kept in memory; the least recently
    /// used go first [default: 100000].
    #[arg(long, env = "HERALD_LOOKUP_CACHE_ENTRIES")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookup_cache_entries: Option<usize>,
    /// Seconds a request may run before it is answered with 500/50002 (operation timed out)
    /// [default: 30].
    #[arg(long, env = "HERALD_REQUEST_TIMEOUT")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_timeout: Option<u64>,
    /// Log format on stderr: human-readable text, or one JSON object per line [default: text].
    #[arg(long, env = "HERALD_LOG_FORMAT", value_enum)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,
    /// Catalog folder loaded when the database is new (empty); ignored when the folder is
    /// missing [default: catalog].
    #[arg(long, env = "HERALD_CATALOG")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog: Option<PathBuf>,
    /// Require a token on every request but /health and /metrics (create one with
    /// `herald token create`) [default: false].
    #[arg(
        long,
        env = "HERALD_AUTH",
        num_args = 0..=1,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<bool>,
    /// With --auth, let requests without credentials read [default: false].
    #[arg(
        long,
        env = "HERALD_ANONYMOUS_READ",
        num_args = 0..=1,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anonymous_read: Option<bool>,
    /// Certificate chain (PEM) to serve HTTPS with; needs --tls-key [default: none, plain HTTP].
    #[arg(long, env = "HERALD_TLS_CERT")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<PathBuf>,
    /// Private key (PEM: PKCS#8, PKCS#1 or SEC1) of --tls-cert [default: none].
    #[arg(long, env = "HERALD_TLS_KEY")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<PathBuf>,
    /// Record the audit trail's source address from X-Forwarded-For (set this only behind a
    /// proxy that writes it) instead of the connection's peer [default: false].
    #[arg(
        long,
        env = "HERALD_TRUST_FORWARDED_FOR",
        num_args = 0..=1,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_forwarded_for: Option<bool>,
    /// With --auth, serve /metrics without a token (it names subjects: open it only to a
    /// trusted network) [default: false].
    #[arg(
        long,
        env = "HERALD_METRICS_OPEN",
        num_args = 0..=1,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_open: Option<bool>,
    /// Comma-separated origins (https://host[:port]) whose browser pages may send writes;
    /// writes from other sites' pages are refused [default: none].
    #[arg(long, env = "HERALD_ALLOWED_ORIGINS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<String>,
    /// Connections served at once; further ones wait until one closes [default: 1024].
    #[arg(long, env = "HERALD_MAX_CONNECTIONS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<usize>,
    /// Steps of work one request may spend parsing, checking, validating or decoding before it
    /// is refused with 42201 [default: 20000000].
    #[arg(long, env = "HERALD_MAX_WORK")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_work: Option<u64>,
}

/// The keys of `herald.toml` (and the flags without their `--`), in the order `--help` lists them.
pub const SETTING_NAMES: [&str; 19] = [
    "listen",
    "database",
    "dialect",
    "max_body_bytes",
    "max_schema_bytes",
    "max_references",
    "lookup_cache_entries",
    "request_timeout",
    "log_format",
    "catalog",
    "auth",
    "anonymous_read",
    "tls_cert",
    "tls_key",
    "trust_forwarded_for",
    "metrics_open",
    "allowed_origins",
    "max_connections",
    "max_work",
];

impl Settings {
    /// Reads a `herald.toml`; unknown keys and wrong types are errors naming the file.
    pub fn from_file(path: &Path) -> anyhow::Result<Settings> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        Settings::from_toml(&text)
            .map_err(|e| anyhow::anyhow!("invalid configuration file {}: {e}", path.display()))
    }

    pub fn from_toml(text: &str) -> Result<Settings, toml::de::Error> {
        toml::from_str(text)
    }

    /// The file to read: the one named (flag or `HERALD_CONFIG`), which must exist, else
    /// `herald.toml` in the working directory when there is one.
    pub fn load_file(named: Option<&Path>) -> anyhow::Result<Settings> {
        match named {
            Some(path) => Settings::from_file(path),
            None if Path::new(DEFAULT_CONFIG_FILE).is_file() => {
                Settings::from_file(Path::new(DEFAULT_CONFIG_FILE))
            }
            None => Ok(Settings::default()),
        }
    }

    /// `self` with every setting `over` names replaced by its value there.
    pub fn overridden_by(self, over: Settings) -> Settings {
        Settings {
            listen: over.listen.or(self.listen),
            database: over.database.or(self.database),
            dialect: over.dialect.or(self.dialect),
            max_body_bytes: over.max_body_bytes.or(self.max_body_bytes),
            max_schema_bytes: over.max_schema_bytes.or(self.max_schema_bytes),
            max_references: over.max_references.or(self.max_references),
            lookup_cache_entries: over.lookup_cache_entries.or(self.lookup_cache_entries),
            request_timeout: over.request_timeout.or(self.request_timeout),
            log_format: over.log_format.or(self.log_format),
            catalog: over.catalog.or(self.catalog),
            auth: over.auth.or(self.auth),
            anonymous_read: over.anonymous_read.or(self.anonymous_read),
            tls_cert: over.tls_cert.or(self.tls_cert),
            tls_key: over.tls_key.or(self.tls_key),
            trust_forwarded_for: over.trust_forwarded_for.or(self.trust_forwarded_for),
            metrics_open: over.metrics_open.or(self.metrics_open),
            allowed_origins: over.allowed_origins.or(self.allowed_origins),
            max_connections: over.max_connections.or(self.max_connections),
            max_work: over.max_work.or(self.max_work),
        }
    }

    /// Every setting, defaults filled in, as `herald.toml` would spell it.
    pub fn resolved(&self) -> Settings {
        Settings {
            listen: Some(
                self.listen
                    .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("valid")),
            ),
            database: Some(
                self.database
                    .clone()
                    .unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            ),
            dialect: Some(self.dialect.unwrap_or_default()),
            max_body_bytes: Some(self.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES)),
            max_schema_bytes: Some(self.max_schema_bytes.unwrap_or(DEFAULT_MAX_SCHEMA_BYTES)),
            max_references: Some(self.max_references.unwrap_or(DEFAULT_MAX_REFERENCES)),
            lookup_cache_entries: Some(
                self.lookup_cache_entries
                    .unwrap_or(DEFAULT_LOOKUP_CACHE_ENTRIES),
            ),
            request_timeout: Some(self.request_timeout.unwrap_or(DEFAULT_REQUEST_TIMEOUT_SECS)),
            log_format: Some(self.log_format.unwrap_or_default()),
            catalog: Some(
                self.catalog
                    .clone()
                    .unwrap_or_else(|| DEFAULT_CATALOG.into()),
            ),
            auth: Some(self.auth.unwrap_or(false)),
            anonymous_read: Some(self.anonymous_read.unwrap_or(false)),
            tls_cert: self.tls_cert.clone(),
            tls_key: self.tls_key.clone(),
            trust_forwarded_for: Some(self.trust_forwarded_for.unwrap_or(false)),
            metrics_open: Some(self.metrics_open.unwrap_or(false)),
            allowed_origins: Some(self.allowed_origins.clone().unwrap_or_default()),
            max_connections: Some(self.max_connections.unwrap_or(DEFAULT_MAX_CONNECTIONS)),
            max_work: Some(self.max_work.unwrap_or(crate::limits::DEFAULT_WORK)),
        }
    }

    /// The server configuration these settings describe, with defaults for what none names.
    pub fn serve_config(&self) -> anyhow::Result<ServeConfig> {
        let s = self.resolved();
        let tls = match (s.tls_cert, s.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            (None, None) => None,
            _ => anyhow::bail!("tls_cert and tls_key must be given together"),
        };
        Ok(ServeConfig {
            listen: s
                .listen
                .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("valid")),
            database_url: s.database.unwrap_or_default(),
            dialect: s.dialect.unwrap_or_default(),
            max_body_bytes: s.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES),
            max_schema_bytes: s.max_schema_bytes.unwrap_or(DEFAULT_MAX_SCHEMA_BYTES),
            max_references: s.max_references.unwrap_or(DEFAULT_MAX_REFERENCES),
            lookup_cache_entries: s
                .lookup_cache_entries
                .unwrap_or(DEFAULT_LOOKUP_CACHE_ENTRIES),
            request_timeout: Duration::from_secs(s.request_timeout.unwrap_or_default().max(1)),
            auth: s.auth.unwrap_or_default(),
            anonymous_read: s.anonymous_read.unwrap_or_default(),
            catalog_dir: s.catalog,
            tls,
            trust_forwarded_for: s.trust_forwarded_for.unwrap_or_default(),
            metrics_open: s.metrics_open.unwrap_or_default(),
            allowed_origins: s
                .allowed_origins
                .unwrap_or_default()
                .split(',')
                .map(|o| o.trim().trim_end_matches('/').to_string())
                .filter(|o| !o.is_empty())
                .collect(),
            max_connections: s.max_connections.unwrap_or(DEFAULT_MAX_CONNECTIONS).max(1),
            max_work: s.max_work.unwrap_or(crate::limits::DEFAULT_WORK).max(1),
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_is_a_file_key() {
        let full = Settings::default().resolved();
        let keys: std::collections::BTreeSet<String> = match toml::Value::try_from(&full).unwrap() {
            toml::Value::Table(t) => t.keys().cloned().collect(),
            _ => unreachable!(),
        };
        // tls_cert and tls_key have no default, so they are absent from a resolved default.
        let expected: std::collections::BTreeSet<String> = SETTING_NAMES
            .iter()
            .filter(|k| !k.starts_with("tls_"))
            .map(|k| k.to_string())
            .collect();
        assert_eq!(keys, expected);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        let err = Settings::from_toml("listen = \"127.0.0.1:1\"\nlisten_port = 3\n").unwrap_err();
        assert!(err.to_string().contains("listen_port"), "{err}");
        assert!(Settings::from_toml("dialect = 9").is_err());
        assert_eq!(
            Settings::from_toml("dialect = 8").unwrap().dialect,
            Some(Dialect::V8)
        );
    }

    #[test]
    fn later_layers_win_only_where_they_speak() {
        let file =
            Settings::from_toml("database = \"sqlite://a.db\"\nrequest_timeout = 5").unwrap();
        let env = Settings {
            request_timeout: Some(9),
            ..Settings::default()
        };
        let merged = file.overridden_by(env);
        assert_eq!(merged.database.as_deref(), Some("sqlite://a.db"));
        assert_eq!(merged.request_timeout, Some(9));
    }
}
