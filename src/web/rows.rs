//! Rows the catalog's lists and entity pages share: events, services, links and named groups.

use askama::Template;

use super::{PageError, Pager};
use crate::catalog_entities::contents::CatalogState;
use crate::catalog_entities::model::{Event, Lifecycle, Link, Service};
use crate::error::Error;

pub fn lifecycle_name(l: Lifecycle) -> &'static str {
    match l {
        Lifecycle::Draft => "draft",
        Lifecycle::Active => "active",
        Lifecycle::Deprecated => "deprecated",
        Lifecycle::Retired => "retired",
    }
}

pub fn missing(kind: &str, name: &str) -> PageError {
    PageError(Error::CatalogNotFound {
        kind: kind.into(),
        name: name.into(),
    })
}

/// An event in a list.
pub struct EventRow {
    pub name: String,
    pub domain: Option<String>,
    pub owner: Option<String>,
    pub lifecycle: &'static str,
    pub summary: String,
}

impl EventRow {
    pub fn of(e: &Event) -> EventRow {
        EventRow {
            name: e.name.clone(),
            domain: e.domain.clone(),
            owner: e.owner.clone(),
            lifecycle: lifecycle_name(e.lifecycle),
            summary: first_line(&e.description),
        }
    }
}

fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
        .to_string()
}

/// A service's link to an event, as rows on event, team and service pages show it.
pub struct LinkRow {
    pub service: String,
    pub event: String,
    pub version: String,
    pub fields: String,
    pub team: Option<String>,
    pub lifecycle: &'static str,
}

pub fn link_row(catalog: &CatalogState, service: &Service, link: &Link) -> LinkRow {
    LinkRow {
        service: service.name.clone(),
        event: link.event.clone(),
        version: link.version.clone(),
        fields: link.fields.join(", "),
        team: service.owner.clone(),
        lifecycle: catalog
            .events
            .get(&link.event)
            .map(|e| lifecycle_name(e.lifecycle))
            .unwrap_or("unknown"),
    }
}

pub struct ServiceRow {
    pub name: String,
    pub domain: Option<String>,
    pub owner: Option<String>,
    pub produces: usize,
    pub consumes: usize,
}

impl ServiceRow {
    pub fn of(s: &Service) -> ServiceRow {
        ServiceRow {
            name: s.name.clone(),
            domain: s.domain.clone(),
            owner: s.owner.clone(),
            produces: s.produces.len(),
            consumes: s.consumes.len(),
        }
    }
}

/// A team or domain in a list, with how many events and services it holds.
pub struct NamedRow {
    pub name: String,
    pub description: String,
    pub events: usize,
    pub services: usize,
}

#[derive(Template)]
#[template(path = "named_list.html")]
pub struct NamedList {
    pub title: String,
    pub base: &'static str,
    pub rows: Vec<NamedRow>,
    pub pager: Pager,
}
