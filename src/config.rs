//! Settings of a running `herald serve`.

use std::net::SocketAddr;

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

#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    pub database_url: String,
    pub dialect: Dialect,
    /// Largest request body accepted; Confluent's own default for a schema is 8 MiB.
    pub max_body_bytes: usize,
    /// A request still running after this long is answered 500/50002 (operation timed out).
    pub request_timeout: std::time::Duration,
    /// Require a token on every request but the probes.
    pub auth: bool,
    /// With `auth`, let requests without credentials read.
    pub anonymous_read: bool,
    /// A catalog folder loaded at start when the database holds nothing yet.
    pub catalog_dir: Option<std::path::PathBuf>,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8081";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://herald.db";
pub const DEFAULT_MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            listen: DEFAULT_LISTEN.parse().expect("valid default address"),
            database_url: DEFAULT_DATABASE_URL.to_string(),
            dialect: Dialect::V7,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            catalog_dir: None,
            auth: false,
            anonymous_read: false,
            request_timeout: std::time::Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS),
        }
    }
}
