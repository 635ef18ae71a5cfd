//! `herald catalog plan|apply DIR` (a catalog folder against a Herald) and `herald catalog lint
//! DIR` (the folder on its own), reported as text, one JSON document, or GitHub annotations.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::client::{Client, ClientError};
use super::output::{escape_data, escape_property, reason_line, Reason};
use super::{Connection, Format, EXIT_ERROR, EXIT_INCOMPATIBLE, EXIT_OK};
use crate::catalog::bundle::{read_folder, Bundle};
use crate::catalog::lint::{self, Finding};

/// The folder and the output, as every catalog command takes them.
#[derive(Debug, Clone, clap::Args)]
pub struct Folder {
    /// The catalog folder (YAML files with schema files beside them).
    #[arg(value_name = "DIR", required_unless_present = "catalog")]
    pub dir: Option<PathBuf>,
    /// The catalog folder, as `check` and `register` take it (instead of DIR).
    #[arg(long, value_name = "DIR", conflicts_with = "dir")]
    pub catalog: Option<PathBuf>,
    /// Output: text, json (stable, for scripts) or github (workflow annotations).
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// The same as `--format json`.
    #[arg(long, hide = true)]
    pub json: bool,
}

impl Folder {
    fn path(&self) -> &Path {
        self.dir
            .as_deref()
            .or(self.catalog.as_deref())
            .unwrap_or(Path::new("catalog"))
    }

    fn format(&self) -> Format {
        if self.json {
            Format::Json
        } else {
            self.format
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct CatalogArgs {
    #[command(flatten)]
    pub folder: Folder,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Clone, clap::Args)]
pub struct LintArgs {
    #[command(flatten)]
    pub folder: Folder,
    /// Lint as of this day (YYYY-MM-DD) instead of today, e.g. to see what a sunset will leave.
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
    /// Days before an event's sunset from which its remaining consumers are reported.
    #[arg(long, value_name = "DAYS", default_value_t = lint::SUNSET_HORIZON_DAYS)]
    pub sunset_within: i64,
    /// Exit 1 when there is any finding (by default findings are warnings and lint exits 0).
    #[arg(long)]
    pub strict: bool,
}

/// Where a report can point: each event's YAML file, and the schema text of each version.
struct Files<'a> {
    events: HashMap<String, PathBuf>,
    bundle: &'a Bundle,
}

impl Files<'_> {
    fn read<'a>(dir: &Path, bundle: &'a Bundle) -> Files<'a> {
        Files {
            events: super::sources::event_files(dir).unwrap_or_default(),
            bundle,
        }
    }

    fn event_file(&self, event: &str) -> Option<String> {
        self.events.get(event).map(|p| p.display().to_string())
    }

    /// The file and text of one declared version.
    fn version(&self, event: &str, subject: &str, version: &str) -> Option<(String, String)> {
        let declared = self
            .bundle
            .events
            .iter()
            .find(|e| e.name == event)?
            .schemas
            .iter()
            .find(|s| s.subject == subject)?
            .versions
            .iter()
            .find(|v| v.version == version)?;
        let text = declared.schema.clone().unwrap_or_default();
        let file = match (&declared.file, self.events.get(event)) {
            (Some(f), Some(yaml)) => yaml
                .parent()
                .unwrap_or(Path::new("."))
                .join(f)
                .display()
                .to_string(),
            _ => self.event_file(event)?,
        };
        Some((file, text))
    }

    /// The event file an error message names (`event 'orders.order.placed' ...`).
    fn named_in(&self, message: &str) -> Option<String> {
        let start = message.find("event '")? + "event '".len();
        let len = message[start..].find('\'')?;
        self.event_file(&message[start..start + len])
    }
}

/// Exit codes: 0 nothing wrong (plan: applying would succeed), 1 the catalog has errors or a
/// schema change that may not go in (apply refused), 2 usage, connection or server errors.
pub async fn run(args: CatalogArgs, apply: bool) -> i32 {
    let dir = args.folder.path();
    let format = args.folder.format();
    let bundle = match read_folder(dir) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("herald: {e}");
            return EXIT_ERROR;
        }
    };
    let files = Files::read(dir, &bundle);
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
            print_plan(&plan, format, &files, apply.then_some(Applied::Done));
            if is_ok(&plan) {
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
            let message = refusal["message"].as_str().unwrap_or_default().to_string();
            // The plan says why in full: the reasons, what breaks, and the ways through.
            match client.post("/herald/v1/catalog/plan", &body).await {
                Ok((200, plan)) if apply => {
                    print_plan(&plan, format, &files, Some(Applied::Refused(&message)))
                }
                _ => print_refusal(&refusal, &message, format),
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

/// `herald catalog lint`: needs no registry. Exit 0 (findings are warnings) unless `--strict`
/// and something was found (1); 2 when the folder cannot be read.
pub fn run_lint(args: LintArgs) -> i32 {
    let dir = args.folder.path();
    let bundle = match read_folder(dir) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("herald: {e}");
            return EXIT_ERROR;
        }
    };
    let today = args.today.clone().unwrap_or_else(lint::today);
    if is_day(&today).is_none() {
        eprintln!("herald: --today '{today}' is not YYYY-MM-DD");
        return EXIT_ERROR;
    }
    let findings = lint::lint(&bundle.state(), &today, args.sunset_within);
    let files = Files::read(dir, &bundle);
    match args.folder.format() {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "ok": findings.is_empty(),
                "today": today,
                "findings": findings,
            }))
            .unwrap_or_default()
        ),
        Format::Text => {
            for f in &findings {
                println!("warning: {}", finding_line(f));
            }
            println!(
                "{} finding{} in {} events",
                findings.len(),
                if findings.len() == 1 { "" } else { "s" },
                bundle.events.len()
            );
        }
        Format::Github => {
            for f in &findings {
                println!("{}", finding_annotation(f, &files));
            }
        }
    }
    if args.strict && !findings.is_empty() {
        EXIT_INCOMPATIBLE
    } else {
        EXIT_OK
    }
}

/// `YYYY-MM-DD` in digits.
fn is_day(date: &str) -> Option<()> {
    let parts: Vec<&str> = date.split('-').collect();
    let ok = parts.len() == 3
        && parts[0].len() == 4
        && parts[1].len() == 2
        && parts[2].len() == 2
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    ok.then_some(())
}

fn finding_line(f: &Finding) -> String {
    let whom = match (&f.team, &f.contact) {
        (Some(t), Some(c)) => format!(" (tell {t}, {c})"),
        (Some(t), None) => format!(" (tell {t})"),
        _ => String::new(),
    };
    format!("[{}] {}{whom}", f.rule, f.message)
}

fn finding_annotation(f: &Finding, files: &Files<'_>) -> String {
    let file = files
        .event_file(&f.event)
        .map(|p| format!("file={},", escape_property(&p)))
        .unwrap_or_default();
    format!(
        "::warning {file}title={}::{}",
        escape_property(&format!("lint {}: {}", f.rule, f.event)),
        escape_data(&finding_line(f))
    )
}

fn is_ok(plan: &Value) -> bool {
    match plan["ok"].as_bool() {
        Some(ok) => ok,
        None => {
            plan["errors"].as_array().is_none_or(|e| e.is_empty())
                && plan["schemas"]
                    .as_array()
                    .is_none_or(|s| s.iter().all(|c| c["compatible"] != false))
        }
    }
}

enum Applied<'a> {
    Done,
    Refused(&'a str),
}

fn print_refusal(refusal: &Value, message: &str, format: Format) {
    match format {
        Format::Json => println!("{refusal}"),
        Format::Text => println!("refused: {}", message.replace("; ", "\n  ")),
        Format::Github => println!(
            "::error title=herald catalog::{}",
            escape_data(&format!("refused: {message}"))
        ),
    }
}

fn strings(value: &Value) -> impl Iterator<Item = &str> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

fn text_of(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// The schema changes to show: those that register something.
fn schema_changes(plan: &Value) -> Vec<&Value> {
    plan["schemas"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["action"] != "unchanged")
        .collect()
}

/// Reasons of one schema change as the CLI reports them, with lines in its file.
fn reasons_of(change: &Value, files: &Files<'_>) -> (Option<String>, Vec<Reason>) {
    let (file, text) = files
        .version(
            text_of(&change["event"]),
            text_of(&change["subject"]),
            text_of(&change["version"]),
        )
        .unzip();
    let text = text.unwrap_or_default();
    let reasons = change["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| serde_json::from_value::<crate::formats::Reason>(r.clone()).ok())
        .map(|r| Reason::from_analysis(&r, &text))
        .collect();
    (file, reasons)
}

fn affected_line(i: &Value) -> String {
    let mut out = format!("{} {}", text_of(&i["role"]), text_of(&i["service"]));
    if let Some(v) = i["version"].as_str() {
        out.push_str(&format!(" on {v}"));
    }
    match (i["team"].as_str(), i["contact"].as_str()) {
        (Some(t), Some(c)) => out.push_str(&format!(", team {t} ({c})")),
        (Some(t), None) => out.push_str(&format!(", team {t}")),
        _ => {}
    }
    if let Some(r) = i["reason"].as_str() {
        out.push_str(&format!(": {r}"));
    }
    out
}

fn print_plan(plan: &Value, format: Format, files: &Files<'_>, applied: Option<Applied<'_>>) {
    match format {
        Format::Json => {
            let mut doc = plan.clone();
            if let Some(Applied::Refused(message)) = applied {
                doc["ok"] = false.into();
                doc["refused"] = message.into();
            }
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        Format::Text => print_text(plan, files, applied),
        Format::Github => print_github(plan, files, applied),
    }
}

fn print_text(plan: &Value, files: &Files<'_>, applied: Option<Applied<'_>>) {
    let changes = plan["changes"].as_array().cloned().unwrap_or_default();
    let schemas = schema_changes(plan);
    for c in &changes {
        let sign = match c["action"].as_str() {
            Some("create") => "+",
            Some("delete") => "-",
            _ => "~",
        };
        println!("{sign} {} {}", text_of(&c["kind"]), text_of(&c["name"]));
    }
    for s in &schemas {
        let breaking = &s["breaking"];
        let verdict = match (s["compatible"].as_bool(), breaking.is_object()) {
            (Some(false), true) if !breaking["approval"].is_null() => "BREAKING, approved",
            (Some(false), true) => "BREAKING",
            (Some(false), false) => "INCOMPATIBLE",
            _ => "compatible",
        };
        println!(
            "+ schema {} {} ({}) {verdict}{}",
            text_of(&s["subject"]),
            text_of(&s["version"]),
            text_of(&s["event"]),
            s["bump"]
                .as_str()
                .map(|b| format!(", {b} bump"))
                .unwrap_or_default()
        );
        let (_, reasons) = reasons_of(s, files);
        for r in &reasons {
            println!("    {}", reason_line(r));
        }
        if breaking.is_object() {
            if let Some(a) = breaking["approval"].as_object() {
                println!(
                    "    approved by {}: {}",
                    a.get("by").and_then(Value::as_str).unwrap_or_default(),
                    a.get("reason").and_then(Value::as_str).unwrap_or_default()
                );
            }
            let affected = breaking["affected"].as_array().cloned().unwrap_or_default();
            if affected.is_empty() {
                println!("    it breaks no declared producer or consumer");
            } else {
                println!("    it breaks:");
                for i in &affected {
                    println!("      {}", affected_line(i));
                }
            }
            let approved = !breaking["approval"].is_null() && breaking["major_declared"] == true;
            if !approved {
                println!("    ways through:");
                for o in strings(&breaking["options"]) {
                    println!("      - {o}");
                }
            }
        }
    }
    for e in strings(&plan["errors"]) {
        println!("error: {e}");
    }
    for w in strings(&plan["warnings"]) {
        println!("warning: {w}");
    }
    for f in plan["lint"].as_array().into_iter().flatten() {
        if let Ok(f) = serde_json::from_value::<Finding>(f.clone()) {
            println!("warning: {}", finding_line(&f));
        }
    }
    for n in strings(&plan["notes"]) {
        println!("note: {n}");
    }
    match applied {
        Some(Applied::Refused(message)) => {
            println!("refused: {}", message.replace("; ", "\n  "));
        }
        _ if changes.is_empty() && schemas.is_empty() => println!("no changes"),
        Some(Applied::Done) => println!(
            "applied: {} catalog changes, {} schema versions registered",
            changes.len(),
            schemas.len()
        ),
        None if is_ok(plan) => println!(
            "plan: {} catalog changes, {} schema versions to register",
            changes.len(),
            schemas.len()
        ),
        None => println!("plan: cannot be applied as it is (see above)"),
    }
}

fn print_github(plan: &Value, files: &Files<'_>, applied: Option<Applied<'_>>) {
    let file_of = |path: Option<String>| {
        path.map(|p| format!("file={},", escape_property(&p)))
            .unwrap_or_default()
    };
    let mut lines = Vec::new();
    for s in schema_changes(plan) {
        let (subject, version, event) = (
            text_of(&s["subject"]),
            text_of(&s["version"]),
            text_of(&s["event"]),
        );
        let event_file = file_of(files.event_file(event));
        let breaking = &s["breaking"];
        let approved = !breaking["approval"].is_null() && breaking["major_declared"] == true;
        let level = if approved { "warning" } else { "error" };
        let (file, reasons) = reasons_of(s, files);
        for r in &reasons {
            lines.push(format!(
                "::{level} {}line={},title={}::{}",
                file_of(file.clone()),
                r.line.unwrap_or(1),
                escape_property(&format!(
                    "{} in {subject} {version}",
                    r.kind.as_deref().unwrap_or("Incompatible")
                )),
                escape_data(&r.message)
            ));
        }
        if breaking.is_object() {
            let mut body = Vec::new();
            if let Some(a) = breaking["approval"].as_object() {
                body.push(format!(
                    "approved by {}: {}",
                    a.get("by").and_then(Value::as_str).unwrap_or_default(),
                    a.get("reason").and_then(Value::as_str).unwrap_or_default()
                ));
            }
            for i in breaking["affected"].as_array().into_iter().flatten() {
                body.push(format!("breaks {}", affected_line(i)));
            }
            if !approved {
                body.extend(strings(&breaking["options"]).map(|o| format!("- {o}")));
            }
            lines.push(format!(
                "::{level} {event_file}title={}::{}",
                escape_property(&format!("Breaking change in {subject} {version}")),
                escape_data(&body.join("\n"))
            ));
        }
    }
    for e in strings(&plan["errors"]) {
        lines.push(format!(
            "::error {}title=herald catalog::{}",
            file_of(files.named_in(e)),
            escape_data(e)
        ));
    }
    for w in strings(&plan["warnings"]) {
        lines.push(format!(
            "::warning {}title=herald catalog::{}",
            file_of(files.named_in(w)),
            escape_data(w)
        ));
    }
    for f in plan["lint"].as_array().into_iter().flatten() {
        if let Ok(f) = serde_json::from_value::<Finding>(f.clone()) {
            lines.push(finding_annotation(&f, files));
        }
    }
    for n in strings(&plan["notes"]) {
        lines.push(format!(
            "::notice {}title=herald catalog::{}",
            file_of(files.named_in(n)),
            escape_data(n)
        ));
    }
    let changes = plan["changes"].as_array().map(Vec::len).unwrap_or(0);
    let schemas = schema_changes(plan).len();
    let summary = match applied {
        Some(Applied::Refused(message)) => {
            lines.push(format!(
                "::error title=herald catalog apply::{}",
                escape_data(&format!("refused, nothing written: {message}"))
            ));
            None
        }
        Some(Applied::Done) => Some(format!(
            "applied: {changes} catalog changes, {schemas} schema versions registered"
        )),
        None => Some(format!(
            "plan: {changes} catalog changes, {schemas} schema versions to register"
        )),
    };
    if let Some(summary) = summary {
        lines.push(format!(
            "::notice title=herald catalog::{}",
            escape_data(&summary)
        ));
    }
    for line in lines {
        println!("{line}");
    }
}
