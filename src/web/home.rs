//! The home page: how much the catalog holds, what changed lately, and which deprecated events
//! are about to be switched off.

use askama::Template;
use axum::extract::State;

use super::dates::{datetime, days_between, today};
use super::{Page, PageResult};
use crate::catalog_entities::model::Lifecycle;
use crate::http::AppState;

pub struct Count {
    pub label: &'static str,
    pub value: usize,
    pub href: &'static str,
}

pub struct Recent {
    pub subject: String,
    pub version: i32,
    pub id: i64,
    pub schema_type: &'static str,
    pub when: String,
    pub event: Option<String>,
}

pub struct Sunset {
    pub event: String,
    pub sunset: String,
    /// Days left; negative once the date has passed.
    pub days: i64,
    pub replacement: Option<String>,
    pub owner: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    title: String,
    counts: Vec<Count>,
    recent: Vec<Recent>,
    sunsets: Vec<Sunset>,
    /// Nothing registered and no catalog: the page says how to load one.
    empty: bool,
}

const RECENT: usize = 10;

pub async fn home(
    State(state): State<AppState>,
    access: crate::http::access::Access,
) -> PageResult {
    let registry = &state.registry;
    let catalog = registry.catalog_view().await?;
    let overview = registry.overview(RECENT).await?;
    let empty = overview.subjects == 0 && catalog.events.is_empty() && catalog.services.is_empty();
    let counts = vec![
        Count {
            label: "events",
            value: catalog.events.len(),
            href: "/ui/events",
        },
        Count {
            label: "services",
            value: catalog.services.len(),
            href: "/ui/services",
        },
        Count {
            label: "teams",
            value: catalog.teams.len(),
            href: "/ui/teams",
        },
        Count {
            label: "domains",
            value: catalog.domains.len(),
            href: "/ui/domains",
        },
        Count {
            label: "subjects",
            value: overview.subjects,
            href: "/ui/subjects",
        },
    ];
    let recent = overview
        .recent
        .into_iter()
        .filter(|v| access.sees(&v.subject))
        .map(|v| Recent {
            event: catalog
                .event_for_subject(&v.subject)
                .map(|e| e.name.clone()),
            subject: v.subject,
            version: v.version,
            id: crate::model::context::wire_id(v.schema.id),
            schema_type: v.schema.schema_type.as_str(),
            when: datetime(v.created_at),
        })
        .collect();
    let today = today();
    let mut sunsets: Vec<Sunset> = catalog
        .events
        .values()
        .filter(|e| e.lifecycle == Lifecycle::Deprecated)
        .map(|e| {
            let sunset = e.sunset.clone().unwrap_or_default();
            Sunset {
                event: e.name.clone(),
                days: days_between(&today, &sunset).unwrap_or(0),
                sunset,
                replacement: e.replacement.clone(),
                owner: e.owner.clone(),
            }
        })
        .collect();
    sunsets.sort_by(|a, b| a.sunset.cmp(&b.sunset).then(a.event.cmp(&b.event)));
    Page::render(&Home {
        title: "Event catalog".into(),
        counts,
        recent,
        sunsets,
        empty,
    })
}
