//! The domains list and a domain's page with its service map.

use askama::Template;
use axum::extract::State;

use super::maps::flow_graph;
use super::markdown;
use super::rows::{missing, EventRow, NamedList, NamedRow, ServiceRow};
use super::{page_param, Page, PageResult, Pager};
use crate::catalog_entities::contents::DOMAIN;
use crate::catalog_entities::model::{Event, Service};
use crate::http::wire::{Params, PathParams};
use crate::http::AppState;

pub async fn domains(State(state): State<AppState>, params: Params) -> PageResult {
    let catalog = state.registry.catalog_view().await?;
    let all: Vec<_> = catalog.domains.values().collect();
    let pager = Pager::new(page_param(&params), all.len(), "/ui/domains");
    let rows = pager
        .slice(&all)
        .into_iter()
        .map(|d| NamedRow {
            name: d.name.clone(),
            description: d.description.clone(),
            events: catalog
                .events
                .values()
                .filter(|e| e.domain.as_ref() == Some(&d.name))
                .count(),
            services: catalog
                .services
                .values()
                .filter(|s| s.domain.as_ref() == Some(&d.name))
                .count(),
        })
        .collect();
    Page::render(&NamedList {
        title: "Domains".into(),
        base: "/ui/domains",
        rows,
        pager,
    })
}

#[derive(Template)]
#[template(path = "domain.html")]
struct DomainPage {
    title: String,
    domain: crate::catalog_entities::model::Domain,
    description: String,
    events: Vec<EventRow>,
    services: Vec<ServiceRow>,
    graph: String,
}

pub async fn domain(
    State(state): State<AppState>,
    PathParams(name): PathParams<String>,
) -> PageResult {
    let catalog = state.registry.catalog_view().await?;
    let domain = catalog
        .domains
        .get(&name)
        .cloned()
        .ok_or_else(|| missing(DOMAIN, &name))?;
    let events: Vec<&Event> = catalog
        .events
        .values()
        .filter(|e| e.domain.as_ref() == Some(&name))
        .collect();
    let services: Vec<&Service> = catalog
        .services
        .values()
        .filter(|s| s.domain.as_ref() == Some(&name))
        .collect();
    // The domain's map: its own events, and those its services produce or consume.
    let mut shown: Vec<String> = events.iter().map(|e| e.name.clone()).collect();
    for s in &services {
        for l in s.produces.iter().chain(&s.consumes) {
            if !shown.contains(&l.event) {
                shown.push(l.event.clone());
            }
        }
    }
    let graph = flow_graph(
        &format!("Service map of domain {name}"),
        &catalog,
        &shown,
        Some(&name),
    );
    Page::render(&DomainPage {
        title: name.clone(),
        description: markdown::render(&domain.description),
        events: events.into_iter().map(EventRow::of).collect(),
        services: services.iter().map(|s| ServiceRow::of(s)).collect(),
        graph,
        domain,
    })
}
