//! What to check or register: one schema file named on the command line, or every schema that a
//! catalog folder's event files declare.
//!
//! An event file is a YAML file with a `schemas` list; other YAML files (domains, teams,
//! services) are ignored here:
//!
//! ```yaml
//! name: order.placed
//! schemas:
//!   - subject: orders-value
//!     file: order-placed.avsc        # relative to this YAML file
//!     type: AVRO                     # optional: from the extension (.avsc, .json, .proto)
//!     references:                    # optional
//!       - { name: shop.Address, subject: address, version: 1 }
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::Reference;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaSource {
    pub subject: String,
    pub path: PathBuf,
    /// `AVRO`, `JSON` or `PROTOBUF`.
    pub schema_type: String,
    pub references: Vec<Reference>,
}

impl SchemaSource {
    pub fn read(&self) -> Result<String, String> {
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
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "avsc" | "avro" => Some("AVRO"),
        "json" => Some("JSON"),
        "proto" => Some("PROTOBUF"),
        _ => None,
    }
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

#[derive(Debug, Deserialize)]
struct EventFile {
    #[serde(default)]
    schemas: Vec<EventSchema>,
}

#[derive(Debug, Deserialize)]
struct EventSchema {
    subject: String,
    file: PathBuf,
    #[serde(default, rename = "type")]
    schema_type: Option<String>,
    #[serde(default)]
    references: Vec<Reference>,
}

/// Every schema the event files under `dir` declare, in path order.
pub fn from_catalog(dir: &Path) -> Result<Vec<SchemaSource>, String> {
    let mut yaml_files = Vec::new();
    collect_yaml(dir, &mut yaml_files)?;
    yaml_files.sort();
    let mut out = Vec::new();
    for file in yaml_files {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let event: EventFile =
            serde_yaml_ng::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let base = file.parent().unwrap_or(dir);
        for s in event.schemas {
            let path = base.join(&s.file);
            let schema_type = match s.schema_type {
                Some(t) => t.to_ascii_uppercase(),
                None => type_for(&path)
                    .ok_or_else(|| {
                        format!(
                            "{}: cannot tell the schema type of {}; add `type:`",
                            file.display(),
                            s.file.display()
                        )
                    })?
                    .to_string(),
            };
            out.push(SchemaSource {
                subject: s.subject,
                path,
                schema_type,
                references: s.references,
            });
        }
    }
    if out.is_empty() {
        return Err(format!(
            "no event file under {} declares schemas",
            dir.display()
        ));
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
            "name: order.placed\nschemas:\n  - subject: orders-value\n    file: placed.avsc\n",
        )
        .unwrap();
        let found = from_catalog(dir.path()).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "orders-value");
        assert_eq!(found[0].schema_type, "AVRO");
        assert_eq!(found[0].path, events.join("placed.avsc"));
    }
}
