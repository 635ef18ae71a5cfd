//! `herald register` and `herald check`: gather the schemas, ask the registry, report, and
//! choose the exit code (0 all good, 1 something incompatible, 2 anything else went wrong).

use std::io::IsTerminal;
use std::path::PathBuf;

use super::client::{Client, ClientError};
use super::output::{read_messages, render_json, render_one, Outcome, Status};
use super::sources::{from_catalog, parse_reference, type_for, SchemaSource};
use super::{Connection, Format, EXIT_ERROR, EXIT_INCOMPATIBLE, EXIT_OK};

/// Which schemas a run covers.
#[derive(Debug, Clone, clap::Args)]
pub struct Targets {
    /// Subject to register under or check against.
    #[arg(long, required_unless_present = "catalog", requires = "schema")]
    pub subject: Option<String>,
    /// Schema file (.avsc, .json, .proto).
    #[arg(long, requires = "subject", conflicts_with = "catalog")]
    pub schema: Option<PathBuf>,
    /// Schema type; taken from the file extension when left out.
    #[arg(long = "type", value_parser = ["AVRO", "JSON", "PROTOBUF"], ignore_case = true)]
    pub schema_type: Option<String>,
    /// A reference the schema uses, as NAME=SUBJECT:VERSION (repeatable).
    #[arg(long = "reference", value_name = "NAME=SUBJECT:VERSION")]
    pub references: Vec<String>,
    /// Every schema the event files in a catalog folder declare.
    #[arg(long, conflicts_with_all = ["subject", "schema"])]
    pub catalog: Option<PathBuf>,
    /// Output: text, json (stable, for scripts) or github (workflow annotations).
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    #[command(flatten)]
    pub connection: Connection,
}

impl Targets {
    fn sources(&self, every_version: bool) -> Result<Vec<SchemaSource>, String> {
        if let Some(dir) = &self.catalog {
            return from_catalog(dir, every_version);
        }
        let (Some(subject), Some(path)) = (&self.subject, &self.schema) else {
            return Err("give --subject and --schema, or --catalog".into());
        };
        let schema_type = match &self.schema_type {
            Some(t) => t.to_ascii_uppercase(),
            None => type_for(path).unwrap_or("AVRO").to_string(),
        };
        let references = self
            .references
            .iter()
            .map(|r| parse_reference(r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(vec![SchemaSource {
            subject: subject.clone(),
            path: path.clone(),
            text: None,
            schema_type,
            references,
            approval: None,
        }])
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Register,
    Check,
}

pub async fn register(targets: Targets) -> i32 {
    run(targets, Action::Register).await
}

pub async fn check(targets: Targets) -> i32 {
    run(targets, Action::Check).await
}

async fn run(targets: Targets, action: Action) -> i32 {
    let sources = match targets.sources(action == Action::Register) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("herald: {e}");
            return EXIT_ERROR;
        }
    };
    let client = match Client::new(&targets.connection) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("herald: {e}");
            return EXIT_ERROR;
        }
    };
    let progress = progress_bar(sources.len(), targets.format);
    let mut outcomes = Vec::with_capacity(sources.len());
    for source in &sources {
        let mut outcome = match action {
            Action::Register => register_one(&client, source).await,
            Action::Check => check_one(&client, source).await,
        };
        if let (Status::Incompatible, Some(a)) = (outcome.status, &source.approval) {
            outcome.notes.push(format!(
                "the catalog approves this break (by {}: {}); `herald catalog apply` registers it and records the approval, while `check` and `register` keep the registry's compatibility level",
                a.by, a.reason
            ));
        }
        if let Some(line) = render_one(targets.format, &outcome) {
            match &progress {
                Some(bar) => bar.println(line),
                None => println!("{line}"),
            }
        }
        if let Some(bar) = &progress {
            bar.inc(1);
        }
        outcomes.push(outcome);
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if targets.format == Format::Json {
        println!("{}", render_json(&outcomes));
    }
    exit_code(&outcomes)
}

fn exit_code(outcomes: &[Outcome]) -> i32 {
    if outcomes.iter().any(|o| o.status == Status::Error) {
        EXIT_ERROR
    } else if outcomes.iter().any(|o| o.status == Status::Incompatible) {
        EXIT_INCOMPATIBLE
    } else {
        EXIT_OK
    }
}

/// A bar on an interactive terminal for multi-schema runs; plain lines in CI and pipes.
fn progress_bar(total: usize, format: Format) -> Option<indicatif::ProgressBar> {
    let interactive = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    if total < 2 || !interactive || format == Format::Json {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} schemas") {
        bar.set_style(style);
    }
    Some(bar)
}

async fn register_one(client: &Client, source: &SchemaSource) -> Outcome {
    let file = source.path.display().to_string();
    let text = match source.read() {
        Ok(t) => t,
        Err(e) => return Outcome::failed(&source.subject, &file, e),
    };
    match client
        .register(&source.subject, &source.request(&text))
        .await
    {
        Ok((id, version)) => {
            let mut o = Outcome::new(&source.subject, &file, Status::Registered);
            o.id = Some(id);
            o.version = version;
            o
        }
        Err(ClientError::Server {
            status: 409,
            message,
            ..
        }) => {
            // Explain the refusal with the same reasons `check` gives.
            let mut o = check_one(client, source).await;
            if o.status != Status::Incompatible {
                o = Outcome::new(&source.subject, &file, Status::Incompatible);
                o.reasons.push(super::output::Reason::message(message));
            }
            o
        }
        Err(e) => Outcome::failed(&source.subject, &file, describe(&e)),
    }
}

async fn check_one(client: &Client, source: &SchemaSource) -> Outcome {
    let file = source.path.display().to_string();
    let text = match source.read() {
        Ok(t) => t,
        Err(e) => return Outcome::failed(&source.subject, &file, e),
    };
    match client.check(&source.subject, &source.request(&text)).await {
        Ok(verdict) => {
            let status = if verdict.compatible {
                Status::Compatible
            } else {
                Status::Incompatible
            };
            let mut o = Outcome::new(&source.subject, &file, status);
            read_messages(&mut o, &verdict.messages, &text);
            if !verdict.compatible && o.reasons.is_empty() {
                o.notes
                    .push("the registry gave no reasons (it may not support verbose=true)".into());
            }
            if o.level.is_none() {
                o.level = client.level(&source.subject).await;
            }
            match client.impact(&source.subject, &source.request(&text)).await {
                Ok(Some(analysis)) => {
                    // Herald's reasons say the same as the registry's messages, as data.
                    if !verdict.compatible && !analysis.reasons.is_empty() {
                        o.reasons = analysis
                            .reasons
                            .iter()
                            .map(|r| super::output::Reason::from_analysis(r, &text))
                            .collect();
                        o.against_version = o.against_version.or(analysis.against_version);
                    }
                    o.impact = Some(analysis.breaks);
                }
                Ok(None) => o.notes.push(
                    "consumer impact not shown: this registry offers no Herald impact analysis"
                        .into(),
                ),
                Err(e) => o.notes.push(format!("consumer impact not shown: {e}")),
            }
            o
        }
        Err(e) => Outcome::failed(&source.subject, &file, describe(&e)),
    }
}

/// Errors as a pipeline should read them; an invalid schema says why.
fn describe(err: &ClientError) -> String {
    match err {
        ClientError::Server {
            code: 42201,
            message,
            ..
        } => format!("invalid schema: {message}"),
        ClientError::Server {
            status: 404,
            message,
            ..
        } => {
            format!("not found (HTTP 404): {message}; is --registry the registry's base URL?")
        }
        other => other.to_string(),
    }
}
