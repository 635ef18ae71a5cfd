use clap::{CommandFactory, Parser, Subcommand};
use herald::cli::run::Targets;
use herald::serve_settings::{Dialect, LogFormat, Settings, DEFAULT_DATABASE_URL};

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
    /// Register schemas; prints the id and version of each.
    ///
    /// Exit codes: 0 registered, 1 refused as incompatible, 2 anything else (usage, connection,
    /// invalid schema, server error).
    ///
    /// Examples:
    ///   herald register --registry http://registry:8081 --subject orders-value --schema order.avsc
    ///   herald register --subject customer-value --schema customer.avsc --reference shop.Address=address:1
    ///   herald register --catalog catalog/ --format github
    #[command(verbatim_doc_comment)]
    Register(Targets),
    /// Check schemas against their subjects' compatibility level without registering them.
    ///
    /// Exit codes: 0 compatible, 1 incompatible, 2 anything else (usage, connection, invalid
    /// schema, server error). Each reason is printed with its path in the schema.
    ///
    /// Examples:
    ///   herald check --registry http://registry:8081 --subject orders-value --schema order.avsc
    ///   HERALD_REGISTRY_URL=https://registry.example.com herald check --catalog catalog/ --format json
    ///   herald check --subject orders-value --schema order.avsc --format github
    #[command(verbatim_doc_comment)]
    Check(Targets),
    /// Keep the event catalog as code: plan or apply a catalog folder against a Herald, or
    /// lint it.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Write typed models (TypeScript, Python, Java or Rust) of a registered version, or of
    /// every version a catalog folder declares.
    ///
    /// Examples:
    ///   herald codegen --lang rust --out src/models --subject orders.order.placed-value --version 3
    ///   herald codegen --lang typescript --out models/ --catalog catalog/
    #[command(verbatim_doc_comment)]
    Codegen(herald::cli::codegen::CodegenArgs),
    /// Write everything (schemas with their ids, subjects, versions, deleted flags, config,
    /// modes, catalog) to one JSON document.
    ///
    /// Example: herald export backup.json --database sqlite://herald.db
    Export {
        file: std::path::PathBuf,
        #[arg(long, env = "HERALD_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database: String,
    },
    /// Restore an export, or copy a running Confluent-compatible registry, into an empty
    /// registry with the same ids and versions.
    ///
    /// Examples:
    ///   herald import backup.json --database sqlite://new.db
    ///   herald import --from-registry http://confluent:8081 --database postgres://herald@db/herald
    #[command(verbatim_doc_comment)]
    Import {
        #[arg(
            required_unless_present = "from_registry",
            conflicts_with = "from_registry"
        )]
        file: Option<std::path::PathBuf>,
        /// Base URL of the registry to copy (Confluent, Karapace, Apicurio ccompat, Herald).
        #[arg(long)]
        from_registry: Option<String>,
        /// Bearer token for --from-registry.
        #[arg(long, env = "HERALD_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// Basic auth `user:password` for --from-registry.
        #[arg(long = "basic-auth", env = "HERALD_BASIC_AUTH", hide_env_values = true)]
        basic_auth: Option<String>,
        #[arg(long, env = "HERALD_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database: String,
    },
    /// Manage API tokens (directly on the database, so the first admin token can be made
    /// before the server runs with --auth).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Print a shell completion script.
    ///
    /// Example: herald completions bash > /etc/bash_completion.d/herald
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Show what applying the folder would create, change or remove, each schema change with
    /// its reasons, and for a breaking one what it breaks and the ways through; then what will
    /// break later (lint). Exit codes: 0 applying would succeed, 1 errors or a schema change
    /// that may not go in, 2 other failures.
    ///
    /// Examples:
    ///   herald catalog plan catalog/ --registry http://herald:8081
    ///   herald catalog plan --catalog catalog/ --format github
    #[command(verbatim_doc_comment)]
    Plan(herald::cli::catalog::CatalogArgs),
    /// Apply the folder: all or nothing; an approved breaking change is registered and its
    /// approval recorded in the audit trail. Exit codes as for plan.
    ///
    /// Example: herald catalog apply catalog/ --registry http://herald:8081
    Apply(herald::cli::catalog::CatalogArgs),
    /// Report what will break later, from the folder alone: consumers on a major no producer
    /// writes, consumers of deprecated events near or past their sunset, events without
    /// examples, producers without a declared version. Exit codes: 0 (findings are warnings;
    /// 1 with --strict when there are any), 2 the folder cannot be read.
    ///
    /// Examples:
    ///   herald catalog lint catalog/
    ///   herald catalog lint catalog/ --today 2027-03-01 --strict --format github
    #[command(verbatim_doc_comment)]
    Lint(herald::cli::catalog::LintArgs),
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token and print its secret (shown this once).
    ///
    /// Example: herald token create --name ci-orders --role writer --subjects 'orders.*'
    Create {
        #[arg(long)]
        name: String,
        /// reader, writer or admin.
        #[arg(long, default_value = "reader")]
        role: String,
        /// Subject globs the token may touch (repeatable); none means every subject.
        #[arg(long = "subjects")]
        subjects: Vec<String>,
        #[arg(long, env = "HERALD_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database: String,
    },
    /// List tokens (never their secrets).
    List {
        #[arg(long, env = "HERALD_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database: String,
    },
    /// Delete a token.
    Delete {
        name: String,
        #[arg(long, env = "HERALD_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database: String,
    },
}

async fn open_registry(database: &str) -> anyhow::Result<herald::registry::Registry> {
    let store = herald::store::open(database).await?;
    Ok(herald::registry::Registry::new(store, Dialect::V7).await?)
}

/// `herald serve`: settings come from the configuration file, then the environment, then these
/// flags, each overriding the one before.
#[derive(clap::Args)]
struct ServeArgs {
    /// Configuration file (TOML, keys as the flags below with `_` for `-`) [default: herald.toml
    /// in the working directory, when present].
    #[arg(long, env = "HERALD_CONFIG")]
    config: Option<std::path::PathBuf>,
    /// Print the settings in force (file, environment and flags merged, defaults filled in) as
    /// TOML, and exit.
    #[arg(long)]
    print_config: bool,
    #[command(flatten)]
    settings: Settings,
}

impl ServeArgs {
    fn settings(&self) -> anyhow::Result<Settings> {
        Ok(Settings::load_file(self.config.as_deref())?
            .overridden_by(self.settings.clone())
            .resolved())
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = match &cli.command {
        Command::Serve(args) => Some(args.settings()?),
        _ => None,
    };
    let log_format = settings
        .as_ref()
        .and_then(|s| s.log_format)
        .unwrap_or_default();
    let filter = tracing_subscriber::EnvFilter::try_from_env("HERALD_LOG")
        .unwrap_or_else(|_| "herald=info,tower_http=warn".into());
    // Colours only on a terminal: piped logs stay plain text, and a request's span is cheaper
    // to format without them.
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match log_format {
        LogFormat::Json => logs.json().init(),
        LogFormat::Text => logs.init(),
    }
    match cli.command {
        Command::Serve(args) => {
            let settings = settings.expect("resolved above");
            if args.print_config {
                print!("{}", toml::to_string(&settings)?);
                return Ok(());
            }
            herald::server::serve(settings.serve_config()?).await
        }
        Command::Register(targets) => std::process::exit(herald::cli::run::register(targets).await),
        Command::Check(targets) => std::process::exit(herald::cli::run::check(targets).await),
        Command::Catalog(CatalogCommand::Plan(args)) => {
            std::process::exit(herald::cli::catalog::run(args, false).await)
        }
        Command::Catalog(CatalogCommand::Apply(args)) => {
            std::process::exit(herald::cli::catalog::run(args, true).await)
        }
        Command::Catalog(CatalogCommand::Lint(args)) => {
            std::process::exit(herald::cli::catalog::run_lint(args))
        }
        Command::Codegen(args) => std::process::exit(herald::cli::codegen::run(args).await),
        Command::Export { file, database } => {
            let n = herald::transfer::export_to_file(&database, &file).await?;
            println!("exported {n} subject versions to {}", file.display());
            Ok(())
        }
        Command::Import {
            file,
            from_registry,
            token,
            basic_auth,
            database,
        } => {
            let from = from_registry.map(|url| herald::cli::Connection {
                url,
                token,
                basic_auth,
                timeout: 30,
                retries: 3,
            });
            let report =
                herald::transfer::import_into(&database, file.as_deref(), from.as_ref()).await?;
            println!(
                "imported {} subjects, {} versions ({} soft-deleted), {} schemas, {} configs, {} modes, {} catalog entities",
                report.subjects,
                report.versions,
                report.deleted_versions,
                report.schemas,
                report.configs,
                report.modes,
                report.catalog_entities
            );
            Ok(())
        }
        Command::Token(TokenCommand::Create {
            name,
            role,
            subjects,
            database,
        }) => {
            let registry = open_registry(&database).await?;
            let (token, secret) = registry
                .create_token(&name, role.parse()?, subjects)
                .await?;
            println!("{secret}");
            eprintln!(
                "created token '{}' ({}); the secret above is shown only now",
                token.name, token.role
            );
            Ok(())
        }
        Command::Token(TokenCommand::List { database }) => {
            for t in open_registry(&database).await?.tokens().await? {
                let subjects = if t.subjects.is_empty() {
                    "*".to_string()
                } else {
                    t.subjects.join(",")
                };
                println!("{}\t{}\t{}", t.name, t.role, subjects);
            }
            Ok(())
        }
        Command::Token(TokenCommand::Delete { name, database }) => {
            open_registry(&database).await?.delete_token(&name).await?;
            Ok(())
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "herald", &mut std::io::stdout());
            Ok(())
        }
    }
}
