use std::net::SocketAddr;

use clap::{Parser, Subcommand};
use herald::config::{
    Dialect, ServeConfig, DEFAULT_DATABASE_URL, DEFAULT_LISTEN, DEFAULT_MAX_BODY_BYTES,
};

/// Herald: a schema registry and event catalog that speaks the Confluent Schema Registry API.
#[derive(Parser)]
#[command(name = "herald", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the registry service.
    ///
    /// Example: herald serve --listen 0.0.0.0:8081 --database sqlite:///var/lib/herald/herald.db
    Serve(ServeArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "HERALD_LISTEN", default_value = DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// Database URL; a SQLite file is created if missing.
    #[arg(long, env = "HERALD_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    database: String,
    /// Response shapes: Confluent 7.9 (accepted by every client) or 8.x.
    #[arg(long, env = "HERALD_DIALECT", value_enum, default_value = "7")]
    dialect: Dialect,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "HERALD_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HERALD_LOG")
                .unwrap_or_else(|_| "herald=info,tower_http=warn".into()),
        )
        .init();
    match Cli::parse().command {
        Command::Serve(args) => {
            herald::server::serve(ServeConfig {
                listen: args.listen,
                database_url: args.database,
                dialect: args.dialect,
                max_body_bytes: args.max_body_bytes,
            })
            .await
        }
    }
}
