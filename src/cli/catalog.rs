//! `herald catalog plan DIR` and `herald catalog apply DIR`: a catalog folder against a Herald.

use std::path::PathBuf;

use serde_json::Value;

use super::client::{Client, ClientError};
use super::{Connection, EXIT_ERROR, EXIT_INCOMPATIBLE, EXIT_OK};
use crate::catalog::bundle::read_folder;

#[derive(Debug, Clone, clap::Args)]
pub struct CatalogArgs {
    /// The catalog folder (YAML files with schema files beside them).
    pub dir: PathBuf,
    /// Print the plan as JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub connection: Connection,
}

/// Exit codes: 0 nothing wrong (plan: applying would succeed), 1 the catalog has errors or an
/// incompatible schema change (apply refused), 2 usage, connection or server errors.
pub async fn run(args: CatalogArgs, apply: bool) -> i32 {
    let bundle = match read_folder(&args.dir) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("herald: {e}");
            return EXIT_ERROR;
        }
    };
    let client = match Client::new(&args.connection) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("herald: {e}");
            return EXIT_ERROR;
        }
    };
    let path = if apply {
        "/herald/v1/catalog/apply"
    } else {
        "/herald/v1/catalog/plan"
    };
    let body = serde_json::to_value(&bundle).unwrap_or_default();
    match client.post(path, &body).await {
        Ok((200, plan)) => {
            print_plan(&plan, args.json, apply);
            let clean = plan["errors"].as_array().is_none_or(|e| e.is_empty())
                && plan["schemas"]
                    .as_array()
                    .is_none_or(|s| s.iter().all(|c| c["compatible"] != false));
            if clean {
                EXIT_OK
            } else {
                EXIT_INCOMPATIBLE
            }
        }
        Ok((404 | 405, _)) => {
            eprintln!("herald: this registry has no Herald catalog API ({path})");
            EXIT_ERROR
        }
        Ok((422, refusal)) => {
            if args.json {
                println!("{refusal}");
            } else {
                println!(
                    "refused: {}",
                    refusal["message"]
                        .as_str()
                        .unwrap_or_default()
                        .replace("; ", "\n  ")
                );
            }
            EXIT_INCOMPATIBLE
        }
        Ok((status, other)) => {
            eprintln!(
                "herald: {}",
                ClientError::Server {
                    status,
                    code: other["error_code"].as_i64().unwrap_or(status as i64),
                    message: other["message"].as_str().unwrap_or_default().to_string()
                }
            );
            EXIT_ERROR
        }
        Err(e) => {
            eprintln!("herald: {e}");
            EXIT_ERROR
        }
    }
}

fn print_plan(plan: &Value, json: bool, applied: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(plan).unwrap_or_default());
        return;
    }
    let changes = plan["changes"].as_array().cloned().unwrap_or_default();
    let schemas: Vec<Value> = plan["schemas"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s["action"] != "unchanged")
        .collect();
    for c in &changes {
        let sign = match c["action"].as_str() {
            Some("create") => "+",
            Some("delete") => "-",
            _ => "~",
        };
        println!(
            "{sign} {} {}",
            c["kind"].as_str().unwrap_or_default(),
            c["name"].as_str().unwrap_or_default()
        );
    }
    for s in &schemas {
        let verdict = if s["compatible"] == false {
            "INCOMPATIBLE"
        } else {
            "compatible"
        };
        println!(
            "+ schema {} {} ({}) {verdict}{}",
            s["subject"].as_str().unwrap_or_default(),
            s["version"].as_str().unwrap_or_default(),
            s["event"].as_str().unwrap_or_default(),
            s["bump"]
                .as_str()
                .map(|b| format!(", {b} bump"))
                .unwrap_or_default()
        );
        for r in s["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if r.starts_with("{errorType") || !r.starts_with('{') {
                println!("    {r}");
            }
        }
    }
    for e in plan["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        println!("error: {e}");
    }
    for w in plan["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        println!("warning: {w}");
    }
    if changes.is_empty() && schemas.is_empty() {
        println!("no changes");
    } else if applied {
        println!(
            "applied: {} catalog changes, {} schema versions registered",
            changes.len(),
            schemas.len()
        );
    }
}
