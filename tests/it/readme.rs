//! The README's "Use in CI" section as a test: every `herald` command in it runs as written
//! against a Herald that loaded the demo catalog, and the output it shows is what Herald prints
//! (the demo's here; a breaking change's in `catalog_code`). A README edit that breaks a
//! command or makes its output untrue fails here.

use std::path::Path;

use crate::common::*;
use serde_json::Value;

/// The README's `## Use in CI` section, its subsections included.
pub fn use_in_ci() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let start = readme
        .find("\n## Use in CI\n")
        .expect("a Use in CI section");
    let rest = &readme[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    rest[..end].to_string()
}

/// The lines of code in a Markdown text: fenced blocks and indented ones.
fn code_lines(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if fenced || line.starts_with("    ") {
            out.push(line.trim().to_string());
        }
    }
    out
}

/// A code line as the shell would run it: a `$ ` prompt, a YAML `run: ` or list `- `
/// dropped, a trailing `# comment` cut.
fn as_command(line: &str) -> Option<String> {
    let line = ["$ ", "run: ", "- "]
        .iter()
        .find_map(|p| line.strip_prefix(p))
        .unwrap_or(line);
    if !line.starts_with("herald ") {
        return None;
    }
    let line = match line.find(" #") {
        Some(i) => &line[..i],
        None => line,
    };
    Some(line.trim().to_string())
}

/// Every `herald` command in the code of `section`.
pub fn commands(section: &str) -> Vec<String> {
    code_lines(section)
        .iter()
        .filter_map(|l| as_command(l))
        .collect()
}

/// The console blocks after `<!-- output: {label} -->`: each `$ command` with the lines shown
/// for it.
pub fn shown_outputs(section: &str, label: &str) -> Vec<(String, Vec<String>)> {
    let marker = format!("<!-- output: {label} -->");
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (i, _) in section.match_indices(&marker) {
        let block = &section[i + marker.len()..];
        let body = block
            .split_once("```console\n")
            .and_then(|(_, b)| b.split_once("\n```"))
            .map(|(b, _)| b)
            .expect("a console block after the marker");
        for line in body.lines() {
            match line.strip_prefix("$ ") {
                Some(command) => out.push((command.to_string(), Vec::new())),
                None => out
                    .last_mut()
                    .expect("output follows a command")
                    .1
                    .push(line.to_string()),
            }
        }
    }
    out
}

/// Runs a command line as written (its words split on spaces; `> file` sends standard output
/// to the caller instead of a file) in `cwd` against `registry`: (exit code, stdout, stderr).
pub async fn run_as_written(command: &str, cwd: &Path, registry: &str) -> (i32, String, String) {
    let words: Vec<&str> = command.split_whitespace().collect();
    let words = match words.iter().position(|w| *w == ">") {
        Some(i) => &words[..i],
        None => &words[..],
    };
    assert_eq!(words[0], "herald", "{command}");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(&words[1..])
        .current_dir(cwd)
        .env("HERALD_REGISTRY_URL", registry)
        .env_remove("HERALD_TOKEN")
        .env_remove("HERALD_BASIC_AUTH")
        .env("CI", "true")
        .output()
        .await
        .expect("herald runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every line shown appears in the output, in the order shown; `…` marks lines left out.
pub fn assert_shown(command: &str, shown: &[String], output: &str) {
    let lines: Vec<&str> = output.lines().map(str::trim_end).collect();
    let mut at = 0;
    for want in shown.iter().filter(|l| l.trim() != "…") {
        match lines[at..].iter().position(|l| *l == want.trim_end()) {
            Some(i) => at += i + 1,
            None => panic!(
                "`{command}` does not print, in this order, the README's line\n{want}\n--- it prints ---\n{output}"
            ),
        }
    }
}

#[tokio::test]
async fn every_use_in_ci_command_runs_as_written_against_the_demo() {
    let s = demo().await;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let section = use_in_ci();
    let commands = commands(&section);
    for expected in [
        "herald check --catalog catalog/ --format json > herald-report.json",
        "herald catalog plan catalog/ --format github",
        "herald catalog lint catalog/",
    ] {
        assert!(
            commands
                .iter()
                .any(|c| c.split_whitespace().eq(expected.split_whitespace())),
            "{expected} in {commands:#?}"
        );
    }
    for command in &commands {
        let (code, out, err) = run_as_written(command, root, &s.base).await;
        assert_eq!(code, 0, "`{command}`\n{out}{err}");
        assert!(!out.trim().is_empty(), "`{command}` prints a report");
        if command.contains("--format json") {
            let doc: Value = serde_json::from_str(&out).expect("one JSON document on stdout");
            assert_eq!(doc["ok"], true, "`{command}`: {doc}");
        }
        if command.contains("--format github") {
            assert!(
                out.lines().all(|l| l.starts_with("::")),
                "`{command}` prints only workflow commands:\n{out}"
            );
        }
    }
    let shown = shown_outputs(&section, "demo");
    assert!(!shown.is_empty());
    for (command, lines) in shown {
        let (code, out, err) = run_as_written(&command, root, &s.base).await;
        assert_eq!(code, 0, "`{command}`\n{out}{err}");
        assert_shown(&command, &lines, &out);
    }
}
