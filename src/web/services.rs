//! The services list and a service's page with its service map.

use askama::Template;
use axum::extract::State;

use super::maps::service_graph;
use super::rows::{link_row, missing, LinkRow, ServiceRow};
use super::{page_param, Page, PageResult, Pager};
use crate::catalog_entities::contents::SERVICE;
use crate::catalog_entities::model::{Link, Service};
use crate::http::wire::{Params, PathParams};
use crate::http::AppState;

#[derive(Template)]
#[template(path = "services.html")]
struct ServicesPage {
    title: String,
    rows: Vec<ServiceRow>,
    pager: Pager,
}

pub async fn services(State(state): State<AppState>, params: Params) -> PageResult {
    let catalog = state.registry.catalog_view().await?;
    let all: Vec<&Service> = catalog.services.values().collect();
    let pager = Pager::new(page_param(&params), all.len(), "/ui/services");
    let rows = pager.slice(&all).into_iter().map(ServiceRow::of).collect();
    Page::render(&ServicesPage {
        title: "Services".into(),
        rows,
        pager,
    })
}

#[derive(Template)]
#[template(path = "service.html")]
struct ServicePage {
    graph: String,
    contact: Option<String>,
    chat: Option<String>,
    title: String,
    service: Service,
    produces: Vec<LinkRow>,
    consumes: Vec<LinkRow>,
}

pub async fn service(
    State(state): State<AppState>,
    PathParams(name): PathParams<String>,
) -> PageResult {
    let catalog = state.registry.catalog_view().await?;
    let service = catalog
        .services
        .get(&name)
        .cloned()
        .ok_or_else(|| missing(SERVICE, &name))?;
    let rows = |links: &[Link]| {
        links
            .iter()
            .map(|l| link_row(&catalog, &service, l))
            .collect::<Vec<_>>()
    };
    let team = service.owner.as_ref().and_then(|o| catalog.teams.get(o));
    Page::render(&ServicePage {
        graph: service_graph(&catalog, &service),
        contact: team.and_then(|t| t.contact.email.clone()),
        chat: team.and_then(|t| t.contact.chat.clone()),
        title: name.clone(),
        produces: rows(&service.produces),
        consumes: rows(&service.consumes),
        service: service.clone(),
    })
}
