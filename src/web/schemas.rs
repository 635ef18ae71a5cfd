//! Raw registry views: the subjects (all, or those no catalog event claims), one subject's
//! versions, and a version's field table, schema text and payload check.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;

use super::dates::datetime;
use super::markup::pretty_schema;
use super::{page_param, with_query, Page, PageResult, Pager, PAGE_SIZE};
use crate::formats::{self, FieldRow, PayloadError};
use crate::http::wire::{Params, PathParams};
use crate::http::AppState;
use crate::model::VersionSpec;

pub struct SubjectRow {
    pub subject: String,
    pub versions: usize,
    pub latest: i32,
    pub id: i64,
    pub schema_type: &'static str,
    pub when: String,
    pub event: Option<String>,
    pub owner: Option<String>,
}

#[derive(Template)]
#[template(path = "subjects.html")]
struct SubjectsPage {
    title: String,
    rows: Vec<SubjectRow>,
    pager: Pager,
    filter: String,
    unclaimed: bool,
}

pub async fn subjects(
    State(state): State<AppState>,
    access: crate::http::access::Access,
    params: Params,
) -> PageResult {
    let registry = &state.registry;
    let catalog = registry.catalog_view().await?;
    let filter = params.get("q").unwrap_or_default().trim().to_string();
    let unclaimed = params.flag("unclaimed");
    let claimed: HashMap<&str, &str> = catalog
        .events
        .values()
        .flat_map(|e| {
            e.schemas
                .iter()
                .map(move |s| (s.subject.as_str(), e.name.as_str()))
        })
        .collect();
    let requested = page_param(&params);
    let (total, page) = registry
        .subject_page(
            &filter,
            |s| access.sees(s) && (!unclaimed || !claimed.contains_key(s)),
            (requested - 1) * PAGE_SIZE,
            PAGE_SIZE,
        )
        .await?;
    let base = with_query(
        "/ui/subjects",
        &[
            ("q", &filter),
            ("unclaimed", if unclaimed { "true" } else { "" }),
        ],
    );
    let pager = Pager::new(requested, total, &base);
    let rows = page
        .into_iter()
        .map(|s| SubjectRow {
            event: claimed.get(s.subject.as_str()).map(|e| e.to_string()),
            owner: catalog.owner_of_subject(&s.subject).map(str::to_string),
            versions: s.versions,
            latest: s.latest.version,
            id: crate::model::context::wire_id(s.latest.schema.id),
            schema_type: s.latest.schema.schema_type.as_str(),
            when: datetime(s.latest.created_at),
            subject: s.subject,
        })
        .collect();
    Page::render(&SubjectsPage {
        title: if unclaimed {
            "Subjects no event claims".into()
        } else {
            "Subjects".into()
        },
        rows,
        pager,
        filter,
        unclaimed,
    })
}

pub struct VersionRow {
    pub number: i32,
    pub id: i64,
    pub when: String,
    pub deleted: bool,
    pub previous: Option<i32>,
}

#[derive(Template)]
#[template(path = "subject.html")]
struct SubjectPage {
    title: String,
    subject: String,
    event: Option<String>,
    owner: Option<String>,
    level: String,
    versions: Vec<VersionRow>,
}

pub async fn subject(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
) -> PageResult {
    let registry = &state.registry;
    let catalog = registry.catalog_view().await?;
    let mut versions = Vec::new();
    let mut previous = None;
    for v in registry.subject_versions(&subject).await? {
        versions.push(VersionRow {
            number: v.version,
            id: crate::model::context::wire_id(v.schema_id),
            when: datetime(v.created_at),
            deleted: v.deleted,
            previous: if v.deleted { None } else { previous },
        });
        if !v.deleted {
            previous = Some(v.version);
        }
    }
    versions.reverse();
    let level = registry
        .effective_level(&subject)
        .await?
        .as_str()
        .to_string();
    Page::render(&SubjectPage {
        title: subject.clone(),
        event: catalog.event_for_subject(&subject).map(|e| e.name.clone()),
        owner: registry.owner_of_subject(&subject).await?,
        level,
        versions,
        subject,
    })
}

#[derive(Template)]
#[template(path = "version.html")]
struct VersionPage {
    title: String,
    subject: String,
    version: i32,
    id: i64,
    schema_type: &'static str,
    when: String,
    deleted: bool,
    event: Option<String>,
    semver: Option<String>,
    previous: Option<i32>,
    fields: Vec<FieldRow>,
    schema: String,
    sample: String,
    /// `None` when no sample was sent; else the reasons it is invalid (empty when valid).
    verdict: Option<Vec<PayloadError>>,
    /// Typed-model downloads: (language path segment, language name).
    code: Vec<(&'static str, &'static str)>,
}

pub async fn version(
    State(state): State<AppState>,
    PathParams((subject, version)): PathParams<(String, String)>,
    params: Params,
) -> PageResult {
    let registry = &state.registry;
    let spec = VersionSpec::parse(&version)?;
    let v = registry.get_version(&subject, spec, true).await?;
    let parsed = registry.parsed_version(&v).await?;
    let catalog = registry.catalog_view().await?;
    let event = catalog.event_for_subject(&subject);
    let semver = event
        .and_then(|e| e.schemas.iter().find(|s| s.subject == subject))
        .and_then(|s| {
            s.versions.iter().find(|sv| {
                sv.registry_version == Some(v.version)
                    || (sv.registry_version.is_none() && sv.id == Some(v.schema.id))
            })
        })
        .map(|sv| sv.version.clone());
    let live = registry
        .list_versions(&subject, false, false)
        .await
        .unwrap_or_default();
    let previous = live.iter().rev().find(|n| **n < v.version).copied();
    let sample = params.get("sample").unwrap_or_default().to_string();
    let verdict = if sample.trim().is_empty() {
        None
    } else {
        Some(match serde_json::from_str::<serde_json::Value>(&sample) {
            Ok(payload) => formats::validate_payload(&*parsed, &payload),
            Err(e) => vec![PayloadError::new("", format!("not JSON: {e}"))],
        })
    };
    // Until a payload is sent, the form starts from the catalog's example for this version.
    let sample = if sample.trim().is_empty() {
        event
            .zip(semver.as_ref())
            .and_then(|(e, sv)| e.examples.iter().find(|x| &x.version == sv))
            .map(|x| serde_json::to_string_pretty(&x.payload).unwrap_or_default())
            .unwrap_or_default()
    } else {
        sample
    };
    Page::render(&VersionPage {
        title: format!("{subject} v{}", v.version),
        version: v.version,
        id: crate::model::context::wire_id(v.schema.id),
        schema_type: v.schema.schema_type.as_str(),
        when: datetime(v.created_at),
        deleted: v.deleted,
        event: event.map(|e| e.name.clone()),
        semver,
        previous,
        fields: registry.field_table(&v.schema).await?.to_vec(),
        schema: pretty_schema(&v.schema.schema),
        sample,
        verdict,
        code: crate::codegen::Lang::ALL
            .iter()
            .map(|l| (l.name(), l.title()))
            .collect(),
        subject,
    })
}
