//! `herald codegen`: typed models for one registered version (fetched from any Herald or
//! Confluent-compatible registry) or for every version a catalog folder declares.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::client::{encode, Client};
use super::{Connection, EXIT_ERROR, EXIT_OK};
use crate::codegen::{self, Generated, Lang};
use crate::formats::Dependency;

#[derive(Debug, Clone, clap::Args)]
pub struct CodegenArgs {
    /// Target language.
    #[arg(long, value_parser = ["typescript", "python", "java", "rust"])]
    pub lang: String,
    /// Folder the files are written to (Java files under their package folders).
    #[arg(long)]
    pub out: PathBuf,
    /// The subject whose version to generate models for.
    #[arg(long, required_unless_present = "catalog", conflicts_with = "catalog")]
    pub subject: Option<String>,
    /// The version of --subject: a number or `latest`.
    #[arg(long, default_value = "latest")]
    pub version: String,
    /// A catalog folder: models for each event's declared versions, read from the folder.
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    #[command(flatten)]
    pub connection: Connection,
}

pub async fn run(args: CodegenArgs) -> i32 {
    let Some(lang) = Lang::parse(&args.lang) else {
        eprintln!("herald: unknown language {}", args.lang);
        return EXIT_ERROR;
    };
    let files = match (&args.catalog, &args.subject) {
        (Some(dir), _) => crate::catalog::bundle::read_folder(dir)
            .and_then(|bundle| codegen::catalog::files(&bundle, lang).map_err(|e| e.to_string())),
        (None, Some(subject)) => from_registry(&args.connection, subject, &args.version, lang)
            .await
            .map(|f| vec![f]),
        (None, None) => Err("give --subject or --catalog".to_string()),
    };
    let files = match files {
        Ok(files) => files,
        Err(e) => {
            eprintln!("herald: {e}");
            return EXIT_ERROR;
        }
    };
    for file in &files {
        if let Err(e) = write(&args.out, file) {
            eprintln!("herald: {e}");
            return EXIT_ERROR;
        }
        println!("{}", args.out.join(&file.path).display());
    }
    EXIT_OK
}

fn write(out: &Path, file: &Generated) -> Result<(), String> {
    let path = out.join(&file.path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(&path, &file.text).map_err(|e| format!("{}: {e}", path.display()))
}

/// One version read through the Confluent API: schema, type and references (fetched
/// transitively, dependencies first), then generated here.
async fn from_registry(
    conn: &Connection,
    subject: &str,
    version: &str,
    lang: Lang,
) -> Result<Generated, String> {
    let client = Client::new(conn).map_err(|e| e.to_string())?;
    let root = fetch(&client, subject, version).await?;
    let mut deps = Vec::new();
    let mut pending: Vec<(Value, usize)> = vec![(root.clone(), 0)];
    // Depth first, so each dependency lands before the schemas that use it.
    let mut order: Vec<(String, Value)> = Vec::new();
    while let Some((node, next)) = pending.pop() {
        let refs = node["references"].as_array().cloned().unwrap_or_default();
        if let Some(reference) = refs.get(next) {
            pending.push((node, next + 1));
            if pending.len() > 32 {
                return Err("references nest more than 32 deep".into());
            }
            let name = reference["name"].as_str().unwrap_or_default().to_string();
            if order.iter().any(|(n, _)| *n == name) {
                continue;
            }
            let found = fetch(
                &client,
                reference["subject"].as_str().unwrap_or_default(),
                &reference["version"].to_string(),
            )
            .await?;
            let mut with_name = found;
            with_name["__name"] = Value::String(name);
            pending.push((with_name, 0));
        } else if let Some(name) = node["__name"].as_str() {
            order.push((name.to_string(), node.clone()));
        }
    }
    for (name, node) in order {
        deps.push(Dependency {
            name,
            schema_type: schema_type(&node)?,
            schema: node["schema"].as_str().unwrap_or_default().to_string(),
        });
    }
    let parsed = crate::formats::parse(
        schema_type(&root)?,
        root["schema"].as_str().unwrap_or_default(),
        &deps,
        false,
    )
    .map_err(|e| e.to_string())?;
    let number = root["version"].as_i64().unwrap_or_default() as i32;
    let label = codegen::version_label(subject, number);
    let source = format!("subject {subject} version {number}");
    codegen::code(lang, parsed.as_ref(), &label, &source).map_err(|e| e.to_string())
}

fn schema_type(node: &Value) -> Result<crate::model::SchemaType, String> {
    node["schemaType"]
        .as_str()
        .unwrap_or("AVRO")
        .parse()
        .map_err(|e: crate::error::Error| e.to_string())
}

async fn fetch(client: &Client, subject: &str, version: &str) -> Result<Value, String> {
    let path = format!("/subjects/{}/versions/{}", encode(subject), encode(version));
    match client.get(&path).await {
        Ok((200, body)) => Ok(body),
        Ok((status, body)) => Err(format!(
            "{path}: {status} {}",
            body["message"].as_str().unwrap_or_default()
        )),
        Err(e) => Err(e.to_string()),
    }
}
