//! Models for every declared version of every event in a catalog folder (as
//! [`read_folder`](crate::catalog::bundle::read_folder) reads it), with references resolved
//! among the folder's own schemas.

use crate::catalog::bundle::Bundle;
use crate::catalog_entities::model::{Event, EventSchema, SchemaVersion};
use crate::error::{Error, Result};
use crate::formats::{self, Dependency, Parsed};
use crate::model::{Reference, SchemaType};

use super::{code, Generated, Lang};

/// One declared version of an event's schema, parsed, with the label its files are named by.
pub struct CatalogVersion<'a> {
    pub event: &'a Event,
    pub schema: &'a EventSchema,
    pub version: &'a SchemaVersion,
    pub label: String,
    pub parsed: Box<Parsed>,
}

fn schema_type(version: &SchemaVersion) -> Result<SchemaType> {
    version.schema_type.as_deref().unwrap_or("AVRO").parse()
}

/// The label of a catalog version: the event, the role when it is not the value, the semver.
pub fn label(event: &Event, schema: &EventSchema, version: &SchemaVersion) -> String {
    if schema.role == "value" {
        format!("{} v{}", event.name, version.version)
    } else {
        format!("{} {} v{}", event.name, schema.role, version.version)
    }
}

/// Every declared version, parsed, events in name order and versions as declared.
pub fn versions(bundle: &Bundle) -> Result<Vec<CatalogVersion<'_>>> {
    let mut events: Vec<&Event> = bundle.events.iter().collect();
    events.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = Vec::new();
    for event in events {
        for schema in &event.schemas {
            for version in &schema.versions {
                let text = version.schema.as_deref().ok_or_else(|| {
                    Error::InvalidSchema(format!(
                        "event {} version {} has no schema text",
                        event.name, version.version
                    ))
                })?;
                let mut deps = Vec::new();
                dependencies(bundle, &schema.references, 0, &mut deps)?;
                let parsed =
                    formats::parse(schema_type(version)?, text, &deps, false).map_err(|e| {
                        Error::InvalidSchema(format!(
                            "event {} version {}: {e}",
                            event.name, version.version
                        ))
                    })?;
                out.push(CatalogVersion {
                    event,
                    schema,
                    version,
                    label: label(event, schema, version),
                    parsed,
                });
            }
        }
    }
    Ok(out)
}

/// The folder's schemas `references` name, transitively, dependencies first. A reference's
/// version counts the subject's declared versions from 1 (-1 is the last), as registering
/// them in order numbers them.
fn dependencies(
    bundle: &Bundle,
    references: &[Reference],
    depth: usize,
    out: &mut Vec<Dependency>,
) -> Result<()> {
    if depth > 32 {
        return Err(Error::InvalidSchema(
            "references nest more than 32 deep".into(),
        ));
    }
    for reference in references {
        let found = bundle
            .events
            .iter()
            .flat_map(|e| &e.schemas)
            .find(|s| s.subject == reference.subject);
        let Some(schema) = found else {
            return Err(Error::InvalidSchema(format!(
                "reference '{}' names subject {}, which no event in the folder declares",
                reference.name, reference.subject
            )));
        };
        let version = if reference.version < 0 {
            schema.versions.last()
        } else {
            usize::try_from(reference.version - 1)
                .ok()
                .and_then(|i| schema.versions.get(i))
        };
        let Some(version) = version else {
            return Err(Error::InvalidSchema(format!(
                "reference '{}' names version {} of {}, which the folder does not declare",
                reference.name, reference.version, reference.subject
            )));
        };
        dependencies(bundle, &schema.references, depth + 1, out)?;
        if !out.iter().any(|d| d.name == reference.name) {
            out.push(Dependency {
                name: reference.name.clone(),
                schema_type: schema_type(version)?,
                schema: version.schema.clone().unwrap_or_default(),
            });
        }
    }
    Ok(())
}

/// One file per declared version.
pub fn files(bundle: &Bundle, lang: Lang) -> Result<Vec<Generated>> {
    versions(bundle)?
        .iter()
        .map(|v| {
            let source = format!("event {} version {}", v.event.name, v.version.version);
            code(lang, v.parsed.as_ref(), &v.label, &source)
        })
        .collect()
}
