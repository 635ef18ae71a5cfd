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
        herald::server::spawn(herald::serve_settings::ServeConfig {
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

/// The demo's `orders.order.placed` gets a version in which `amount` (a long, in cents) is a
/// decimal string, declared as `version`, with an example of its own.
fn amount_becomes_a_string(root: &Path, version: &str) -> PathBuf {
    let folder = root.join("events/orders.order.placed");
    let mut schema: Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("v3.avsc")).unwrap()).unwrap();
    for field in schema["fields"].as_array_mut().unwrap() {
        if field["name"] == "amount" {
            field["type"] = "string".into();
        }
    }
    std::fs::write(
        folder.join("v4.avsc"),
        serde_json::to_string_pretty(&schema).unwrap(),
    )
    .unwrap();
    let mut example: Value = serde_json::from_str(
        &std::fs::read_to_string(folder.join("examples/typical.json")).unwrap(),
    )
    .unwrap();
    example["amount"] = "12.50".into();
    std::fs::write(folder.join("examples/decimal.json"), example.to_string()).unwrap();
    set_newest(&folder.join("event.yaml"), version, &[]);
    folder.join("event.yaml")
}

/// Declares v4.avsc as `version` (replacing an earlier declaration of it) with its example,
/// and `extra` lines appended to the event file.
fn set_newest(event_file: &Path, version: &str, extra: &[&str]) {
    let text = std::fs::read_to_string(event_file).unwrap();
    let mut kept: Vec<&str> = text
        .lines()
        .take_while(|l| !l.starts_with("approvals:"))
        .filter(|l| !l.contains("v4.avsc") && !l.contains("decimal.json"))
        .collect();
    let at = kept
        .iter()
        .position(|l| l.contains("v3.avsc"))
        .expect("v3 is declared")
        + 1;
    let declared = format!("      - {{ version: {version}, file: v4.avsc }}");
    kept.insert(at, &declared);
    let example =
        format!("  - {{ name: decimal, version: {version}, file: examples/decimal.json }}");
    kept.push(&example);
    let mut out = kept.join("\n");
    out.push('\n');
    for line in extra {
        out.push_str(line);
        out.push('\n');
    }
    std::fs::write(event_file, out).unwrap();
}

#[tokio::test]
async fn a_breaking_change_is_refused_until_approved_then_registered_and_audited() {
    let s = TestServer::start().await;
    let (_tmp, root) = demo_copy();
    let dir = root.to_str().unwrap();
    let (code, out) = herald(&["catalog", "apply", dir, "--registry", &s.base]).await;
    assert_eq!(code, 0, "{out}");
    let subject = "orders.order.placed-value";
    let (_, before) = s.get(&format!("/subjects/{subject}/versions")).await;

    // Declared as a minor version, the break is named and the first way through is a major.
    let event_file = amount_becomes_a_string(&root, "1.3.0");
    let (code, out) = herald(&["catalog", "plan", dir, "--registry", &s.base]).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("a breaking change is a new major version: declare it as 2.0.0, not 1.3.0"),
        "{out}"
    );

    // Declared as 2.0.0: the reason, every service it breaks with whom to tell, the ways through.
    set_newest(&event_file, "2.0.0", &[]);
    let (code, out) = herald(&["catalog", "plan", dir, "--registry", &s.base]).await;
    assert_eq!(code, 1, "{out}");
    for expected in [
        "+ schema orders.order.placed-value 2.0.0 (orders.order.placed) BREAKING, major bump",
        "TYPE_MISMATCH [backward]: field `amount` changed type from long to string: consumers on 2.0.0 cannot read messages written with 1.2.0",
        "it breaks:",
        "consumer payment-service on 1.2.0, team payments (payments@shop.example): field `amount` changed type from long to string: consumers on 1.2.0 cannot read messages written with 2.0.0",
        "consumer inventory-service on 1.0.0, team fulfilment (fulfilment@shop.example)",
        "consumer analytics-service on 1.2.0, team engagement (engagement@shop.example)",
        "producer order-service on 1.2.0, team checkout (checkout@shop.example)",
        "ways through:",
        "publish it as a new event `orders.order.placed.v2` (subject `orders.order.placed.v2-value`)",
        "add `approvals: [{version: 2.0.0, by: <who accepts it>, reason:",
    ] {
        assert!(out.contains(expected), "{expected}\n---\n{out}");
    }
    assert!(
        !out.contains("notification-service"),
        "it reads only orderId and userId: {out}"
    );
    let (code, out) = herald(&[
        "catalog",
        "plan",
        dir,
        "--registry",
        &s.base,
        "--format",
        "json",
    ])
    .await;
    assert_eq!(code, 1, "{out}");
    let plan: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(plan["ok"], false);
    let change = plan["schemas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["version"] == "2.0.0")
        .unwrap();
    let reason = &change["reasons"][0];
    assert_eq!(
        (
            &reason["kind"],
            &reason["field"],
            &reason["old"],
            &reason["new"],
            &reason["breaks"]
        ),
        (
            &json!("TYPE_MISMATCH"),
            &json!("amount"),
            &json!("long"),
            &json!("string"),
            &json!(["backward"])
        )
    );
    let breaking = &change["breaking"];
    assert_eq!(breaking["major_declared"], true);
    assert_eq!(breaking["approval"], Value::Null);
    let mut affected: Vec<&str> = breaking["affected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["service"].as_str().unwrap())
        .collect();
    affected.sort();
    assert_eq!(
        affected,
        [
            "analytics-service",
            "inventory-service",
            "order-service",
            "payment-service"
        ]
    );

    let (code, out) = herald(&["catalog", "apply", dir, "--registry", &s.base]).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("refused:") && out.contains("ways through:"),
        "{out}"
    );
    let (_, after) = s.get(&format!("/subjects/{subject}/versions")).await;
    assert_eq!(before, after, "a refused breaking change registers nothing");

    // The approval lets it through, and apply records who accepted it and why.
    set_newest(
        &event_file,
        "2.0.0",
        &[
            "approvals:",
            "  - version: 2.0.0",
            "    by: dara@shop.example",
            "    reason: amounts become decimal strings; every consumer moves in release 42",
        ],
    );
    // check keeps the registry's level, and says where the approval takes effect.
    let (code, out) = herald(&["check", "--catalog", dir, "--registry", &s.base]).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("note: the catalog approves this break (by dara@shop.example: amounts become decimal strings; every consumer moves in release 42); `herald catalog apply` registers it"),
        "{out}"
    );
    let (code, out) = herald(&["catalog", "plan", dir, "--registry", &s.base]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("BREAKING, approved")
            && out.contains("approved by dara@shop.example: amounts become decimal strings")
            && out.contains("consumer payment-service on 1.2.0"),
        "{out}"
    );
    let (code, out) = herald(&["catalog", "apply", dir, "--registry", &s.base]).await;
    assert_eq!(code, 0, "{out}");
    let (_, versions) = s.get(&format!("/subjects/{subject}/versions")).await;
    assert_eq!(
        versions.as_array().unwrap().len(),
        before.as_array().unwrap().len() + 1
    );
    let (_, audit) = s.get("/herald/v1/audit?action=schema.break.approved").await;
    let line = &audit[0];
    assert_eq!(line["target"], format!("subject/{subject}"));
    assert_eq!(line["after"]["event"], "orders.order.placed");
    assert_eq!(line["after"]["version"], "2.0.0");
    assert_eq!(line["after"]["approved_by"], "dara@shop.example");
    assert!(line["after"]["reason"]
        .as_str()
        .unwrap()
        .contains("release 42"));
    assert_eq!(line["after"]["affected"].as_array().unwrap().len(), 4);
    assert!(line["after"]["affected"]
        .as_array()
        .unwrap()
        .contains(&json!({"service": "payment-service", "role": "consumer", "team": "payments", "contact": "payments@shop.example"})));
    let (code, out) = herald(&["catalog", "plan", dir, "--registry", &s.base]).await;
    assert_eq!((code, out.contains("no changes")), (0, true), "{out}");
    // The event keeps the approval, and its page shows it.
    let (status, _, body) = page(&s, "/ui/events/orders.order.placed").await;
    assert_eq!(status, 200);
    assert!(
        body.contains("<li><strong>2.0.0</strong>, accepted by dara@shop.example: amounts become decimal strings; every consumer moves in release 42</li>"),
        "{body}"
    );
}

#[tokio::test]
async fn a_new_versioned_event_beside_the_deprecated_one_needs_no_approval() {
    let s = TestServer::start().await;
    let (_tmp, root) = demo_copy();
    let dir = root.to_str().unwrap();
    let (code, out) = herald(&["catalog", "apply", dir, "--registry", &s.base]).await;
    assert_eq!(code, 0, "{out}");
    amount_becomes_a_string(&root, "2.0.0");
    // The break moves to a new event of its own, and the old one is deprecated.
    let old = root.join("events/orders.order.placed");
    let new = root.join("events/orders.order.placed.v2");
    std::fs::create_dir_all(new.join("examples")).unwrap();
    std::fs::rename(old.join("v4.avsc"), new.join("v1.avsc")).unwrap();
    std::fs::rename(
        old.join("examples/decimal.json"),
        new.join("examples/typical.json"),
    )
    .unwrap();
    let text = std::fs::read_to_string(old.join("event.yaml")).unwrap();
    let kept: String = text
        .lines()
        .filter(|l| !l.contains("v4.avsc") && !l.contains("decimal.json"))
        .map(|l| {
            if l.starts_with("lifecycle:") {
                "lifecycle: deprecated\nsunset: 2027-06-30\nreplacement: orders.order.placed.v2\n"
                    .to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(old.join("event.yaml"), kept).unwrap();
    std::fs::write(
        new.join("event.yaml"),
        "kind: event\nname: orders.order.placed.v2\ndomain: orders\nowner: checkout\n\
         schemas:\n  - subject: orders.order.placed.v2-value\n    versions:\n      - { version: 2.0.0, file: v1.avsc }\n\
         examples:\n  - { name: typical, version: 2.0.0, file: examples/typical.json }\n",
    )
    .unwrap();

    let (code, out) = herald(&["catalog", "plan", dir, "--registry", &s.base]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("+ event orders.order.placed.v2"), "{out}");
    assert!(
        out.contains("note: event 'orders.order.placed' is deprecated, sunset 2027-06-30, replaced by orders.order.placed.v2: its consumers move: analytics-service reads ^1.2 (engagement, engagement@shop.example)"),
        "{out}"
    );
    assert!(!out.contains("BREAKING"), "{out}");
    let (code, out) = herald(&["catalog", "apply", dir, "--registry", &s.base]).await;
    assert_eq!(code, 0, "{out}");
    let (_, versions) = s
        .get("/subjects/orders.order.placed.v2-value/versions")
        .await;
    assert_eq!(versions, json!([1]));
}

/// A catalog with one of each lint finding: `pay.payment.captured` written only as 2.x while
/// order-service reads ^1.0; `pay.payment.processed` deprecated with consumers (sunset
/// `sunset`); `pay.refund.issued` without examples, produced without a declared version.
fn linted_catalog(root: &Path, sunset: &str) {
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("domains/pay.yaml", "kind: domain\nname: pay\n");
    write(
        "teams/payments.yaml",
        "kind: team\nname: payments\ncontact: { email: payments@shop.example }\n",
    );
    write(
        "teams/checkout.yaml",
        "kind: team\nname: checkout\ncontact: { chat: \"#checkout\" }\n",
    );
    write(
        "services/payment-service.yaml",
        "kind: service\nname: payment-service\ndomain: pay\nowner: payments\nproduces:\n  - { event: pay.payment.processed, version: \"1.0.0\" }\n  - { event: pay.payment.captured, version: \"2.0.0\" }\n  - { event: pay.refund.issued }\n",
    );
    write(
        "services/order-service.yaml",
        "kind: service\nname: order-service\ndomain: pay\nowner: checkout\nconsumes:\n  - { event: pay.payment.processed, version: \"^1.0\" }\n  - { event: pay.payment.captured, version: \"^1.0\" }\n  - { event: pay.refund.issued, version: \"^1.0\" }\n",
    );
    let schema = |name: &str, extra: &str| {
        format!(
            r#"{{"type":"record","name":"{name}","fields":[{{"name":"eventId","type":"string"}},{{"name":"eventType","type":"string"}},{{"name":"timestamp","type":"long"}},{{"name":"source","type":"string"}}{extra}]}}"#
        )
    };
    let example = r#"{"eventId":"e","eventType":"t","timestamp":1,"source":"s"}"#;
    write(
        "events/pay.payment.processed/event.yaml",
        &format!("kind: event\nname: pay.payment.processed\ndomain: pay\nowner: payments\nlifecycle: deprecated\nsunset: {sunset}\nreplacement: pay.payment.captured\nschemas:\n  - subject: pay.payment.processed-value\n    versions: [{{ version: 1.0.0, file: v1.avsc }}]\nexamples: [{{ name: typical, version: 1.0.0, file: typical.json }}]\n"),
    );
    write(
        "events/pay.payment.processed/v1.avsc",
        &schema("Processed", ""),
    );
    write("events/pay.payment.processed/typical.json", example);
    write(
        "events/pay.payment.captured/event.yaml",
        "kind: event\nname: pay.payment.captured\ndomain: pay\nowner: payments\nschemas:\n  - subject: pay.payment.captured-value\n    versions: [{ version: 1.0.0, file: v1.avsc }, { version: 2.0.0, file: v2.avsc }]\nexamples: [{ name: typical, version: 2.0.0, file: typical.json }]\n",
    );
    write(
        "events/pay.payment.captured/v1.avsc",
        &schema("Captured", ""),
    );
    write(
        "events/pay.payment.captured/v2.avsc",
        &schema(
            "Captured",
            r#",{"name":"amount","type":"string","default":""}"#,
        ),
    );
    write("events/pay.payment.captured/typical.json", example);
    write(
        "events/pay.refund.issued/event.yaml",
        "kind: event\nname: pay.refund.issued\ndomain: pay\nowner: payments\nschemas:\n  - subject: pay.refund.issued-value\n    versions: [{ version: 1.0.0, file: v1.avsc }]\n",
    );
    write("events/pay.refund.issued/v1.avsc", &schema("Refunded", ""));
}

#[tokio::test]
async fn lint_reports_each_finding_with_whom_to_tell_and_plan_lists_them() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("catalog");
    linted_catalog(&root, "2027-03-31");
    let dir = root.to_str().unwrap();

    let (code, out) = herald(&[
        "catalog",
        "lint",
        dir,
        "--today",
        "2027-03-01",
        "--format",
        "json",
    ])
    .await;
    assert_eq!(code, 0, "findings are warnings: {out}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["ok"], false);
    let found: Vec<(String, String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["event"].as_str().unwrap().to_string(),
                f["service"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String)> = [
        ("unwritten-major", "pay.payment.captured", "order-service"),
        ("sunset-near", "pay.payment.processed", "order-service"),
        (
            "producer-version-missing",
            "pay.refund.issued",
            "payment-service",
        ),
        ("no-examples", "pay.refund.issued", "-"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(found, expected);
    let near = &doc["findings"][1];
    assert_eq!(
        (near["team"].as_str(), near["contact"].as_str()),
        (Some("checkout"), Some("#checkout"))
    );

    // Text names the rule and whom to tell; --strict fails on findings; past the sunset it is
    // a passed sunset.
    let (code, out) = herald(&[
        "catalog",
        "lint",
        "--catalog",
        dir,
        "--today",
        "2027-04-02",
        "--strict",
    ])
    .await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("warning: [sunset-passed] order-service still consumes pay.payment.processed, which is deprecated and passed its sunset on 2027-03-31, 2 days ago: move to pay.payment.captured (tell checkout, #checkout)"), "{out}");
    assert!(out.contains("4 findings in 3 events"), "{out}");
    let (code, out) = herald(&[
        "catalog",
        "lint",
        dir,
        "--today",
        "2026-01-01",
        "--format",
        "github",
    ])
    .await;
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "no sunset finding a year ahead: {out}");
    assert!(
        lines.iter().all(|l| l.starts_with("::warning file=")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "file={}/events/pay.refund.issued/event.yaml,title=lint no-examples%3A pay.refund.issued::",
            dir.replace(':', "%3A").replace(',', "%2C")
        )),
        "{out}"
    );

    // plan lists the same findings among its warnings (a sunset long past, whatever the day).
    let s = TestServer::start().await;
    linted_catalog(&root, "2000-01-01");
    let (code, out) = herald(&["catalog", "plan", dir, "--registry", &s.base]).await;
    assert_eq!(code, 0, "{out}");
    for expected in [
        "warning: [unwritten-major] order-service reads pay.payment.captured ^1.0 (major 1)",
        "warning: [sunset-passed] order-service still consumes pay.payment.processed",
        "warning: [producer-version-missing] payment-service produces pay.refund.issued without declaring the version it writes",
        "warning: [no-examples] pay.refund.issued has no examples",
    ] {
        assert!(out.contains(expected), "{expected}\n---\n{out}");
    }
}

#[tokio::test]
async fn the_breaking_change_in_the_readme_is_what_herald_prints() {
    // The README's case: a Herald that loaded the demo, and the demo folder with
    // `orders.order.placed` 2.0.0 making `amount` a string.
    let s = demo().await;
    let (tmp, root) = demo_copy();
    amount_becomes_a_string(&root, "2.0.0");
    let section = crate::readme::use_in_ci();
    let shown = crate::readme::shown_outputs(&section, "breaking change");
    assert!(shown.len() >= 2, "{shown:?}");
    for (command, lines) in shown {
        let (code, out, err) = crate::readme::run_as_written(&command, tmp.path(), &s.base).await;
        assert_eq!(code, 1, "`{command}`\n{out}{err}");
        crate::readme::assert_shown(&command, &lines, &out);
    }
}
