//! The teams list and a team's page: its events, services and their links.

use askama::Template;
use axum::extract::State;

use super::rows::LinkRow;
use super::rows::{link_row, missing, EventRow, NamedList, NamedRow, ServiceRow};
use super::{page_param, Page, PageResult, Pager};
use crate::catalog_entities::contents::TEAM;
use crate::catalog_entities::model::Service;
use crate::http::wire::{Params, PathParams};
use crate::http::AppState;

pub async fn teams(State(state): State<AppState>, params: Params) -> PageResult {
    let catalog = state.registry.catalog_view().await?;
    let all: Vec<_> = catalog.teams.values().collect();
    let pager = Pager::new(page_param(&params), all.len(), "/ui/teams");
    let rows = pager
        .slice(&all)
        .into_iter()
        .map(|t| NamedRow {
            name: t.name.clone(),
            description: t.description.clone(),
            events: catalog
                .events
                .values()
                .filter(|e| e.owner.as_ref() == Some(&t.name))
                .count(),
            services: catalog
                .services
                .values()
                .filter(|s| s.owner.as_ref() == Some(&t.name))
                .count(),
        })
        .collect();
    Page::render(&NamedList {
        title: "Teams".into(),
        base: "/ui/teams",
        rows,
        pager,
    })
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    title: String,
    team: crate::catalog_entities::model::Team,
    events: Vec<EventRow>,
    services: Vec<ServiceRow>,
    produces: Vec<LinkRow>,
    consumes: Vec<LinkRow>,
}

pub async fn team(
    State(state): State<AppState>,
    PathParams(name): PathParams<String>,
) -> PageResult {
    let catalog = state.registry.catalog_view().await?;
    let team = catalog
        .teams
        .get(&name)
        .cloned()
        .ok_or_else(|| missing(TEAM, &name))?;
    let owned: Vec<&Service> = catalog
        .services
        .values()
        .filter(|s| s.owner.as_ref() == Some(&name))
        .collect();
    let mut produces = Vec::new();
    let mut consumes = Vec::new();
    for s in &owned {
        produces.extend(s.produces.iter().map(|l| link_row(&catalog, s, l)));
        consumes.extend(s.consumes.iter().map(|l| link_row(&catalog, s, l)));
    }
    Page::render(&TeamPage {
        title: name.clone(),
        events: catalog
            .events
            .values()
            .filter(|e| e.owner.as_ref() == Some(&name))
            .map(EventRow::of)
            .collect(),
        services: owned.iter().map(|s| ServiceRow::of(s)).collect(),
        produces,
        consumes,
        team,
    })
}
