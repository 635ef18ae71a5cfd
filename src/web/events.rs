//! The events list and an event's page: owner, schemas and versions, producers and consumers,
//! examples checked against their versions, and code for each consumer's version.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;

use super::dates::datetime;
use super::fieldtree;
use super::maps::flow_graph;
use super::markdown;
use super::rows::{lifecycle_name, link_row, missing, EventRow, LinkRow};
use super::warnings::{link_warnings, Warning};
use super::{page_param, with_query, Page, PageError, PageResult, Pager};
use crate::catalog_entities::contents::EVENT;
use crate::catalog_entities::model::{Event, EventSchema, Lifecycle};
use crate::formats::{self, PayloadError};
use crate::http::wire::{Params, PathParams};
use crate::http::AppState;

#[derive(Template)]
#[template(path = "events.html")]
struct EventsPage {
    title: String,
    rows: Vec<EventRow>,
    pager: Pager,
    filter: String,
    domains: Vec<String>,
    owners: Vec<String>,
    lifecycles: [&'static str; 4],
    domain: String,
    owner: String,
    lifecycle: String,
}

pub async fn events(
    State(state): State<AppState>,
    access: crate::http::access::Access,
    params: Params,
) -> PageResult {
    let catalog = state.registry.catalog_view().await?;
    let domain = params.get("domain").unwrap_or_default();
    let owner = params.get("owner").unwrap_or_default();
    let lifecycle = params.get("lifecycle").unwrap_or_default();
    let all: Vec<&Event> = catalog
        .events
        .values()
        // A token with grants lists the events whose subjects it may read.
        .filter(|e| access.sees_all(e.schemas.iter().map(|s| s.subject.as_str())))
        .filter(|e| domain.is_empty() || e.domain.as_deref() == Some(domain))
        .filter(|e| owner.is_empty() || e.owner.as_deref() == Some(owner))
        .filter(|e| lifecycle.is_empty() || lifecycle_name(e.lifecycle) == lifecycle)
        .collect();
    let base = with_query(
        "/ui/events",
        &[
            ("domain", domain),
            ("owner", owner),
            ("lifecycle", lifecycle),
        ],
    );
    let pager = Pager::new(page_param(&params), all.len(), &base);
    let rows = pager.slice(&all).into_iter().map(EventRow::of).collect();
    let filter = [
        ("domain", domain),
        ("owner", owner),
        ("lifecycle", lifecycle),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k} {v}"))
    .collect::<Vec<_>>()
    .join(", ");
    Page::render(&EventsPage {
        title: "Events".into(),
        rows,
        pager,
        filter,
        domains: catalog.domains.keys().cloned().collect(),
        owners: catalog.teams.keys().cloned().collect(),
        lifecycles: ["draft", "active", "deprecated", "retired"],
        domain: domain.to_string(),
        owner: owner.to_string(),
        lifecycle: lifecycle.to_string(),
    })
}

pub struct VersionLine {
    pub number: i32,
    pub semver: String,
    /// The id as its context counts it, shown on the page.
    pub id: i64,
    /// The id as stored, to read the schema by.
    pub schema_id: i64,
    pub when: String,
    pub previous: Option<i32>,
}

pub struct SubjectBlock {
    pub subject: String,
    pub role: String,
    pub versions: Vec<VersionLine>,
}

pub struct TeamCard {
    pub name: String,
    pub email: Option<String>,
    pub chat: Option<String>,
}

/// A catalog example and whether it matches the version it names.
pub struct ExampleView {
    pub name: String,
    pub version: String,
    pub payload: String,
    /// `None` when the version is not registered, so there was nothing to check against.
    pub errors: Option<Vec<PayloadError>>,
}

/// The latest registered version of the event's value subject, with its fields.
pub struct Latest {
    pub subject: String,
    pub number: i32,
    pub semver: String,
    pub fields: String,
}

/// The version of the value subject a consumer's declared range picks (the highest that
/// matches), for the Code section's links.
pub struct ConsumerCode {
    pub service: String,
    pub range: String,
    pub subject: String,
    pub number: i32,
    pub semver: String,
}

/// Each consumer's read version among the value subject's registered ones, when one matches.
fn consumer_code(consumers: &[LinkRow], block: Option<&SubjectBlock>) -> Vec<ConsumerCode> {
    let Some(block) = block else {
        return Vec::new();
    };
    consumers
        .iter()
        .filter_map(|c| {
            let wanted =
                crate::catalog_entities::contents::parse_link_version(&c.version, false).ok()?;
            let line =
                block.versions.iter().rev().find(|v| {
                    semver::Version::parse(&v.semver).is_ok_and(|sv| wanted.matches(&sv))
                })?;
            Some(ConsumerCode {
                service: c.service.clone(),
                range: c.version.clone(),
                subject: block.subject.clone(),
                number: line.number,
                semver: line.semver.clone(),
            })
        })
        .collect()
}

#[derive(Template)]
#[template(path = "event.html")]
struct EventPage {
    /// The version each consumer reads, with its code links.
    reads: Vec<ConsumerCode>,
    summary: String,
    latest: Option<Latest>,
    examples: Vec<ExampleView>,
    sample: String,
    warnings: Vec<Warning>,
    /// Consumers of a deprecated or retired event: who must move before the sunset.
    still_consumed: Vec<String>,
    title: String,
    event: Event,
    lifecycle: &'static str,
    kind: String,
    owner: Option<TeamCard>,
    channel: Option<String>,
    description: String,
    producers: Vec<LinkRow>,
    consumers: Vec<LinkRow>,
    subjects: Vec<SubjectBlock>,
    graph: String,
}

/// The semvers an event declares for a subject, by registry version and by schema id, so that
/// an event of a thousand versions finds each in one step.
struct Declared<'a> {
    /// (position in the declaration, semver) of the first declaration naming each.
    by_version: HashMap<i32, (usize, &'a str)>,
    by_id: HashMap<i64, (usize, &'a str)>,
}

impl<'a> Declared<'a> {
    fn of(schema: &'a EventSchema) -> Self {
        let mut by_version = HashMap::new();
        let mut by_id = HashMap::new();
        for (i, sv) in schema.versions.iter().enumerate() {
            match (sv.registry_version, sv.id) {
                (Some(n), _) => {
                    by_version.entry(n).or_insert((i, sv.version.as_str()));
                }
                (None, Some(id)) => {
                    by_id.entry(id).or_insert((i, sv.version.as_str()));
                }
                (None, None) => {}
            }
        }
        Declared { by_version, by_id }
    }

    /// The first declaration of this registered version: by its number, or (declared without
    /// one) by its schema id.
    fn semver(&self, version: i32, id: i64) -> String {
        let candidates = [self.by_version.get(&version), self.by_id.get(&id)];
        candidates
            .into_iter()
            .flatten()
            .min_by_key(|(i, _)| *i)
            .map(|(_, s)| s.to_string())
            .unwrap_or_default()
    }
}

pub async fn event(
    State(state): State<AppState>,
    access: crate::http::access::Access,
    PathParams(name): PathParams<String>,
) -> PageResult {
    let registry = &state.registry;
    let catalog = registry.catalog_view().await?;
    let event = catalog
        .events
        .get(&name)
        .cloned()
        .ok_or_else(|| missing(EVENT, &name))?;
    // The page shows its subjects' schemas and examples.
    if let Some(subject) = event.schemas.iter().find(|s| !access.sees(&s.subject)) {
        return Err(crate::error::Error::Forbidden(format!(
            "the token is not granted subject '{}'",
            subject.subject
        ))
        .into());
    }
    let mut producers = Vec::new();
    let mut consumers = Vec::new();
    for (service, role, link) in catalog.links_to(&name) {
        let row = link_row(&catalog, service, link);
        if role == "producer" {
            producers.push(row);
        } else {
            consumers.push(row);
        }
    }
    let mut subjects = Vec::new();
    for schema in &event.schemas {
        let declared = Declared::of(schema);
        let rows = registry
            .subject_versions(&schema.subject)
            .await
            .unwrap_or_default();
        let mut versions = Vec::new();
        let mut previous = None;
        for v in rows.iter().filter(|v| !v.deleted) {
            versions.push(VersionLine {
                number: v.version,
                semver: declared.semver(v.version, v.schema_id),
                id: crate::model::context::wire_id(v.schema_id),
                schema_id: v.schema_id,
                when: datetime(v.created_at),
                previous,
            });
            previous = Some(v.version);
        }
        subjects.push(SubjectBlock {
            subject: schema.subject.clone(),
            role: schema.role.clone(),
            versions,
        });
    }
    let owner = event.owner.as_ref().map(|o| {
        let team = catalog.teams.get(o);
        TeamCard {
            name: o.clone(),
            email: team.and_then(|t| t.contact.email.clone()),
            chat: team.and_then(|t| t.contact.chat.clone()),
        }
    });
    let graph = flow_graph(
        &format!("Producers and consumers of {name}"),
        &catalog,
        std::slice::from_ref(&name),
        None,
    );
    let links = catalog.links_to(&name);
    let mut warnings = event
        .value_subject()
        .map(|s| link_warnings(s, &links))
        .unwrap_or_default();
    for block in &subjects {
        for v in block.versions.iter().filter(|v| v.semver.is_empty()) {
            warnings.push(Warning {
                kind: "undeclared",
                service: None,
                text: format!(
                    "{} v{} (schema id {}) was registered outside the catalog: no catalog version declares it",
                    block.subject, v.number, v.id
                ),
            });
        }
    }
    let still_consumed = if matches!(event.lifecycle, Lifecycle::Deprecated | Lifecycle::Retired) {
        consumers.iter().map(|c| c.service.clone()).collect()
    } else {
        Vec::new()
    };
    let latest = match event.value_subject() {
        Some(schema) => latest_fields(registry, schema, &subjects).await?,
        None => None,
    };
    let examples = examples(registry, &event).await?;
    // The form starts from the example for the latest version, else any example.
    let sample = latest
        .as_ref()
        .and_then(|l| event.examples.iter().find(|e| e.version == l.semver))
        .or(event.examples.first())
        .map(|e| serde_json::to_string_pretty(&e.payload).unwrap_or_default())
        .unwrap_or_default();
    let reads = consumer_code(
        &consumers,
        event
            .value_subject()
            .and_then(|v| subjects.iter().find(|b| b.subject == v.subject)),
    );
    Page::render(&EventPage {
        reads,
        summary: markdown::first_paragraph_text(&event.description),
        latest,
        examples,
        sample,
        warnings,
        still_consumed,
        title: name.clone(),
        lifecycle: lifecycle_name(event.lifecycle),
        kind: serde_json::to_value(event.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        owner,
        channel: event
            .channel
            .as_ref()
            .map(|c| format!("{} topic {}", c.kind, c.name)),
        description: markdown::render(&event.description),
        producers,
        consumers,
        subjects,
        graph,
        event,
    })
}

async fn latest_fields(
    registry: &crate::registry::Registry,
    schema: &EventSchema,
    subjects: &[SubjectBlock],
) -> Result<Option<Latest>, PageError> {
    let Some(line) = subjects
        .iter()
        .find(|b| b.subject == schema.subject)
        .and_then(|b| b.versions.last())
    else {
        return Ok(None);
    };
    let entry = registry.schema_by_id(line.schema_id).await?;
    let fields = registry.field_table(&entry).await?;
    Ok(Some(Latest {
        subject: schema.subject.clone(),
        number: line.number,
        semver: line.semver.clone(),
        fields: fieldtree::render(&fields),
    }))
}

/// Each example checked against the registered schema of the version it names.
async fn examples(
    registry: &crate::registry::Registry,
    event: &Event,
) -> Result<Vec<ExampleView>, PageError> {
    let mut out = Vec::new();
    let schema = event.value_subject();
    for example in &event.examples {
        let version = schema.and_then(|s| {
            s.versions
                .iter()
                .find(|v| v.version == example.version)
                .map(|v| (s, v))
        });
        let parsed = match version {
            Some((s, v)) if v.id.is_some() || v.registry_version.is_some() => {
                registry.catalog_version_schema(s, v).await.ok().flatten()
            }
            _ => None,
        };
        out.push(ExampleView {
            name: example.name.clone(),
            version: example.version.clone(),
            payload: serde_json::to_string_pretty(&example.payload).unwrap_or_default(),
            errors: parsed.map(|p| formats::validate_payload(&*p, &example.payload)),
        });
    }
    Ok(out)
}
