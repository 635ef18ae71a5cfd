//! Catalog-as-code on a temporary copy of the demo `catalog/`: apply, idempotent re-apply, an
//! edit showing up in plan, an incompatible schema edit refused; and the demo loaded on first run.

use crate::common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("catalog");
    copy_dir(&demo_dir(), &copy);
    (dir, copy)
}

async fn herald(args: &[&str]) -> (i32, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(args)
        .env_remove("HERALD_REGISTRY_URL")
        .output()
        .await
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// The first event file whose newest value schema is Avro: (yaml path, its parsed YAML).
fn an_avro_event(root: &Path) -> (PathBuf, serde_yaml_ng::Value) {
    let mut stack = vec![root.join("events")];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else if e.path().file_name().is_some_and(|n| n == "event.yaml") {
                files.push(e.path());
            }
        }
    }
    files.sort();
    for f in files {
        let y: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let last = &y["schemas"][0]["versions"]
            .as_sequence()
            .and_then(|v| v.last().cloned());
        if let Some(last) = last {
            if last["file"].as_str().is_some_and(|f| f.ends_with(".avsc"))
                && y["lifecycle"].as_str() != Some("deprecated")
            {
                return (f, y);
            }
        }
    }
    panic!("the demo catalog has an Avro event");
}

/// Adds a version to the event file: `change` edits a copy of the newest schema, which is
/// saved as `file`; the version is the newest one with `bump` applied.
fn add_version(
    event_file: &Path,
    event: &mut serde_yaml_ng::Value,
    file: &str,
    bump: fn(&mut semver::Version),
    change: impl FnOnce(&mut Value),
) {
    let versions = event["schemas"][0]["versions"]
        .as_sequence()
        .unwrap()
        .clone();
    let last = versions.last().unwrap();
    let folder = event_file.parent().unwrap();
    let text = std::fs::read_to_string(folder.join(last["file"].as_str().unwrap())).unwrap();
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    change(&mut schema);
    std::fs::write(folder.join(file), schema.to_string()).unwrap();
    let mut version = semver::Version::parse(last["version"].as_str().unwrap()).unwrap();
    bump(&mut version);
    let mut entry = serde_yaml_ng::Mapping::new();
    entry.insert("version".into(), version.to_string().into());
    entry.insert("file".into(), file.into());
    event["schemas"][0]["versions"]
        .as_sequence_mut()
        .unwrap()
        .push(entry.into());
    std::fs::write(event_file, serde_yaml_ng::to_string(&*event).unwrap()).unwrap();
}

#[tokio::test]
async fn apply_is_idempotent_edits_show_in_plan_and_incompatible_schemas_are_refused() {
    let s = TestServer::start().await;
    let (_tmp, root) = demo_copy();
    let dir = root.to_str().unwrap();

    let (code, out) = herald(&["catalog", "apply", dir, "--registry", &s.base]).await;
    assert_eq!(code, 0, "{out}");
    let (_, teams) = s.get("/herald/v1/teams").await;
    assert!(teams.as_array().unwrap().len() >= 3, "{teams}");

    let (code, out) = herald(&["catalog", "plan", dir, "--registry", &s.base]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("no changes"),
        "re-applying changes nothing: {out}"
    );
    let (code, out) = herald(&["catalog", "apply", dir, "--registry", &s.base]).await;
    assert_eq!((code, out.contains("no changes")), (0, true), "{out}");

    // An edit to a team shows up in the plan.
    let team_file = std::fs::read_dir(root.join("teams"))
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let mut team: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(&team_file).unwrap()).unwrap();
    let team_name = team["name"].as_str().unwrap().to_string();
    team["description"] = "Reorganised.".into();
    std::fs::write(&team_file, serde_yaml_ng::to_string(&team).unwrap()).unwrap();
    let (code, out) = herald(&["catalog", "plan", dir, "--registry", &s.base]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("~ team {team_name}")), "{out}");

    // A new version that breaks BACKWARD is reported by plan and refused by apply.
    let (event_file, mut event) = an_avro_event(&root);
    add_version(
        &event_file,
        &mut event,
        "breaking.avsc",
        |v| *v = semver::Version::new(v.major + 1, 0, 0),
        |schema| {
            schema["fields"]
                .as_array_mut()
                .unwrap()
                .push(json!({"name": "mandatoryNewField", "type": "string"}));
        },
    );
    let subject = event["schemas"][0]["subject"].as_str().unwrap().to_string();
    let (_, before) = s.get(&format!("/subjects/{subject}/versions")).await;

    let (code, out) = herald(&["catalog", "plan", dir, "--registry", &s.base]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("BREAKING") && out.contains(&subject), "{out}");
    let (code, out) = herald(&["catalog", "apply", dir, "--registry", &s.base]).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("refused") && out.contains("incompatible"),
        "{out}"
    );
    let (_, after) = s.get(&format!("/subjects/{subject}/versions")).await;
    assert_eq!(before, after, "a refused apply registers nothing");
    let (_, team_now) = s.get(&format!("/herald/v1/teams/{team_name}")).await;
    assert_ne!(
        team_now["description"], "Reorganised.",
        "a refused apply changes nothing"
    );
}

#[tokio::test]
async fn a_declared_version_that_understates_the_change_is_refused() {
    let s = TestServer::start().await;
    let (_tmp, root) = demo_copy();
    let dir = root.to_str().unwrap();
    let (event_file, mut event) = an_avro_event(&root);
    add_version(
        &event_file,
        &mut event,
        "added.avsc",
        |v| v.patch += 1,
        |schema| {
            schema["fields"].as_array_mut().unwrap().push(
                json!({"name": "optionalNewField", "type": ["null", "string"], "default": null}),
            );
        },
    );

    let (code, out) = herald(&["catalog", "plan", dir, "--registry", &s.base, "--json"]).await;
    assert_eq!(code, 1, "{out}");
    let plan: Value = serde_json::from_str(&out).unwrap();
    let errors = plan["errors"].to_string();
    assert!(
        errors.contains("understates") && errors.contains("minor"),
        "{errors}"
    );
}

#[tokio::test]
async fn serve_loads_the_demo_catalog_into_a_new_database_once() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(dir.path()).await;
    let catalog = demo_dir();
    let start = || {
        herald::server::spawn(herald::config::ServeConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: database.clone(),
            catalog_dir: Some(catalog.clone()),
            ..Default::default()
        })
    };
    let server = start().await.expect("starts and loads the demo");
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("{base}{path}")).send();
    let count = |v: Value| v.as_array().map(Vec::len).unwrap_or(0);
    assert!(count(get("/herald/v1/teams").await.unwrap().json().await.unwrap()) >= 3);
    assert!(
        count(
            get("/herald/v1/services")
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        ) >= 6
    );
    let events: Value = get("/herald/v1/events")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(count(events.clone()) >= 12, "{events}");
    assert!(events
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["lifecycle"] == "deprecated"));
    let subjects: Value = get("/subjects").await.unwrap().json().await.unwrap();
    assert!(count(subjects.clone()) >= 12, "{subjects}");
    let audit_path = "/herald/v1/audit?limit=1000";
    let first: Value = get(audit_path).await.unwrap().json().await.unwrap();
    server.stop().await.unwrap();

    // A second start on the same database leaves it alone.
    let server = start().await.unwrap();
    let base = format!("http://{}", server.addr);
    let second: Value = client
        .get(format!("{base}{audit_path}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(count(first), count(second), "nothing was loaded twice");
    server.stop().await.unwrap();
}
