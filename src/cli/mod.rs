//! The CI client: `herald register` and `herald check` talk HTTP to any Confluent-compatible
//! registry, so teams can adopt them before they run Herald itself.

pub mod catalog;
pub mod client;
pub mod codegen;
pub mod locate;
pub mod output;
pub mod run;
pub mod sources;

use std::time::Duration;

/// Exit codes a pipeline can trust.
pub const EXIT_OK: i32 = 0;
pub const EXIT_INCOMPATIBLE: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

/// Where the registry is and how to talk to it.
#[derive(Debug, Clone, clap::Args)]
pub struct Connection {
    /// Registry base URL.
    #[arg(
        long = "registry",
        env = "HERALD_REGISTRY_URL",
        default_value = "http://127.0.0.1:8081"
    )]
    pub url: String,
    /// Bearer token (sent as `Authorization: Bearer ...`).
    #[arg(long, env = "HERALD_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Basic auth as `user:password` (what Confluent clients send as basic.auth.user.info).
    #[arg(long = "basic-auth", env = "HERALD_BASIC_AUTH", hide_env_values = true)]
    pub basic_auth: Option<String>,
    /// Seconds before one request gives up.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Retries on connection errors and 5xx answers, with exponential backoff.
    #[arg(long, default_value_t = 3)]
    pub retries: u32,
}

impl Connection {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout.max(1))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON document (shape documented in the README), stable for scripts.
    Json,
    /// GitHub Actions workflow annotations pointing at the schema files.
    Github,
}
