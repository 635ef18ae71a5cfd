//! What to check or register: one schema file named on the command line, or the schema
//! versions a catalog folder's events declare, read by the same parser `herald catalog
//! plan|apply` uses (`catalog/README.md` describes the folder):
//!
//! ```yaml
//! name: orders.order.placed
//! schemas:
//!   - subject: orders.order.placed-value
//!     role: value
//!     versions:
//!       - { version: 1.0.0, file: v1.avsc }     # relative to this YAML file
//!       - { version: 1.1.0, file: v2.avsc }
//!     references: []                          # optional
//! ```
//!
//! `check` checks each subject's newest declared version; `register` registers every declared
//! version, oldest first (registering one already there answers its id again).

use std::path::{Path, PathBuf};

use crate::model::{Reference, SchemaType};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaSource {
    pub subject: String,
    pub path: PathBuf,
    /// The text when it is already read (a catalog version, possibly inline).
    pub text: Option<String>,
    /// `AVRO`, `JSON` or `PROTOBUF`.
    pub schema_type: String,
    pub references: Vec<Reference>,
    /// The catalog's approval of a break in this version, when it has one.
    pub approval: Option<crate::catalog_entities::model::Approval>,
}

impl SchemaSource {
    pub fn read(&self) -> Result<String, String> {
        if let Some(text) = &self.text {
            return Ok(text.clone());
        }
        std::fs::read_to_string(&self.path)
            .map_err(|e| format!("cannot read {}: {e}", self.path.display()))
    }

    /// The registry request body for this schema.
    pub fn request(&self, text: &str) -> serde_json::Value {
        let mut body = serde_json::json!({ "schema": text });
        if self.schema_type != "AVRO" {
            body["schemaType"] = self.schema_type.clone().into();
        }
        if !self.references.is_empty() {
            body["references"] = serde_json::to_value(&self.references).unwrap_or_default();
        }
        body
    }
}

/// The schema type a file's extension implies.
pub fn type_for(path: &Path) -> Option<&'static str> {
    SchemaType::of_file(path).map(SchemaType::as_str)
}

/// `NAME=SUBJECT:VERSION`, as `--reference` takes it.
pub fn parse_reference(raw: &str) -> Result<Reference, String> {
    let err = || format!("--reference '{raw}' is not NAME=SUBJECT:VERSION");
    let (name, rest) = raw.split_once('=').ok_or_else(err)?;
    let (subject, version) = rest.rsplit_once(':').ok_or_else(err)?;
    let version = if version.eq_ignore_ascii_case("latest") {
        -1
    } else {
        version.parse().map_err(|_| err())?
    };
    if name.is_empty() || subject.is_empty() {
        return Err(err());
    }
    Ok(Reference {
        name: name.to_string(),
        subject: subject.to_string(),
        version,
    })
}

/// The declared schema versions of every event under `dir`: each subject's newest, or with
/// `every_version` all of them oldest first.
pub fn from_catalog(dir: &Path, every_version: bool) -> Result<Vec<SchemaSource>, String> {
    let bundle = crate::catalog::bundle::read_folder(dir)?;
    let folders = event_folders(dir)?;
    let mut out = Vec::new();
    for event in &bundle.events {
        let base = folders.get(&event.name).map_or(dir, PathBuf::as_path);
        for schema in &event.schemas {
            let mut versions: Vec<_> = schema.versions.iter().collect();
            versions.sort_by(|a, b| {
                match (
                    semver::Version::parse(&a.version),
                    semver::Version::parse(&b.version),
                ) {
                    (Ok(a), Ok(b)) => a.cmp(&b),
                    _ => std::cmp::Ordering::Equal,
                }
            });
            if !every_version {
                versions = versions.into_iter().next_back().into_iter().collect();
            }
            for version in versions {
                let path = match &version.file {
                    Some(file) => base.join(file),
                    None => base.join(format!(
                        "{} (inline, version {})",
                        event.name, version.version
                    )),
                };
                let schema_type = version
                    .schema_type
                    .as_deref()
                    .or_else(|| type_for(&path))
                    .unwrap_or("AVRO")
                    .to_ascii_uppercase();
                out.push(SchemaSource {
                    subject: schema.subject.clone(),
                    path,
                    text: version.schema.clone(),
                    schema_type,
                    references: schema.references.clone(),
                    approval: event
                        .approvals
                        .iter()
                        .find(|a| a.covers(&schema.subject, &version.version))
                        .cloned(),
                });
            }
        }
    }
    if out.is_empty() {
        return Err(format!(
            "no event under {} declares a schema version",
            dir.display()
        ));
    }
    Ok(out)
}

/// The folder of each event's YAML file, by event name, so that reports name real files.
fn event_folders(dir: &Path) -> Result<std::collections::HashMap<String, PathBuf>, String> {
    Ok(event_files(dir)?
        .into_iter()
        .map(|(name, file)| (name, file.parent().unwrap_or(dir).to_path_buf()))
        .collect())
}

/// Each event's YAML file, by event name.
pub fn event_files(dir: &Path) -> Result<std::collections::HashMap<String, PathBuf>, String> {
    let mut files = Vec::new();
    collect_yaml(dir, &mut files)?;
    let mut out = std::collections::HashMap::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let Ok(value) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&text) else {
            continue;
        };
        if let Some(name) = value.get("name").and_then(|n| n.as_str()) {
            if value.get("schemas").is_some() {
                out.insert(name.to_string(), file);
            }
        }
    }
    Ok(out)
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_yaml(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_from_the_flag_syntax() {
        let r = parse_reference("shop.Address=address:3").unwrap();
        assert_eq!(
            (r.name.as_str(), r.subject.as_str(), r.version),
            ("shop.Address", "address", 3)
        );
        assert_eq!(parse_reference("a=b:latest").unwrap().version, -1);
        assert_eq!(
            parse_reference("google/type/date.proto=google/type/date.proto:1")
                .unwrap()
                .subject,
            "google/type/date.proto"
        );
        assert!(parse_reference("no-equals").is_err());
        assert!(parse_reference("a=b").is_err());
        assert!(parse_reference("a=b:x").is_err());
    }

    #[test]
    fn types_follow_extensions() {
        assert_eq!(type_for(Path::new("a/b.avsc")), Some("AVRO"));
        assert_eq!(type_for(Path::new("b.JSON")), Some("JSON"));
        assert_eq!(type_for(Path::new("b.proto")), Some("PROTOBUF"));
        assert_eq!(type_for(Path::new("b.txt")), None);
    }

    #[test]
    fn a_catalog_folder_yields_its_event_schemas() {
        let dir = tempfile::tempdir().unwrap();
        let events = dir.path().join("orders/events");
        std::fs::create_dir_all(&events).unwrap();
        std::fs::write(dir.path().join("orders/team.yaml"), "name: orders\n").unwrap();
        std::fs::write(
            events.join("order.placed.yaml"),
            "kind: event\nname: order.placed\nschemas:\n  - subject: orders-value\n    role: value\n    versions:\n      - { version: 1.1.0, file: v2.avsc }\n      - { version: 1.0.0, file: v1.avsc }\n",
        )
        .unwrap();
        std::fs::write(events.join("v1.avsc"), r#"{"type":"string"}"#).unwrap();
        std::fs::write(events.join("v2.avsc"), r#"["null","string"]"#).unwrap();
        let newest = from_catalog(dir.path(), false).unwrap();
        assert_eq!(newest.len(), 1);
        assert_eq!(newest[0].subject, "orders-value");
        assert_eq!(newest[0].schema_type, "AVRO");
        assert_eq!(newest[0].path, events.join("v2.avsc"));
        assert_eq!(newest[0].read().unwrap(), r#"["null","string"]"#);
        let all = from_catalog(dir.path(), true).unwrap();
        let paths: Vec<_> = all.iter().map(|s| s.path.clone()).collect();
        assert_eq!(paths, [events.join("v1.avsc"), events.join("v2.avsc")]);
    }
}
