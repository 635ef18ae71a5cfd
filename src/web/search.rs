//! Search across events, services, teams, domains, subjects and the field names of every
//! subject's latest schema, grouped by kind.

use askama::Template;
use axum::extract::State;

use super::{page_param, segment, with_query, Page, PageResult, Pager, PAGE_SIZE};
use crate::api::wire::Params;
use crate::api::AppState;

/// How many hits each group shows when all groups are shown together.
const PREVIEW: usize = 10;

#[derive(Debug, Clone)]
pub struct Hit {
    pub title: String,
    pub href: String,
    pub detail: String,
    /// A second link, for field hits: the schema version that carries the field.
    pub extra: Option<(String, String)>,
}

pub struct Group {
    pub kind: &'static str,
    pub label: &'static str,
    pub total: usize,
    pub hits: Vec<Hit>,
    pub more: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    title: String,
    q: String,
    groups: Vec<Group>,
    pager: Option<Pager>,
    total: usize,
}

fn contains(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(needle)
}

pub async fn search(State(state): State<AppState>, params: Params) -> PageResult {
    let registry = &state.registry;
    let q = params.get("q").unwrap_or_default().trim().to_string();
    let only = params.get("kind").unwrap_or_default().to_string();
    let needle = q.to_lowercase();
    let mut found: Vec<(&'static str, &'static str, Vec<Hit>)> = Vec::new();
    if !needle.is_empty() {
        let catalog = registry.catalog().await?;
        let in_registry = registry.search_registry(&needle).await?;
        found.push((
            "events",
            "Events",
            catalog
                .events
                .values()
                .filter(|e| contains(&e.name, &needle) || contains(&e.description, &needle))
                .map(|e| Hit {
                    title: e.name.clone(),
                    href: format!("/ui/events/{}", segment(&e.name)),
                    detail: e
                        .description
                        .lines()
                        .find(|l| !l.trim().is_empty())
                        .unwrap_or_default()
                        .to_string(),
                    extra: None,
                })
                .collect(),
        ));
        found.push((
            "services",
            "Services",
            catalog
                .services
                .values()
                .filter(|s| contains(&s.name, &needle) || contains(&s.description, &needle))
                .map(|s| Hit {
                    title: s.name.clone(),
                    href: format!("/ui/services/{}", segment(&s.name)),
                    detail: s.description.clone(),
                    extra: None,
                })
                .collect(),
        ));
        found.push((
            "teams",
            "Teams",
            catalog
                .teams
                .values()
                .filter(|t| contains(&t.name, &needle) || contains(&t.description, &needle))
                .map(|t| Hit {
                    title: t.name.clone(),
                    href: format!("/ui/teams/{}", segment(&t.name)),
                    detail: t.description.clone(),
                    extra: None,
                })
                .collect(),
        ));
        found.push((
            "domains",
            "Domains",
            catalog
                .domains
                .values()
                .filter(|d| contains(&d.name, &needle) || contains(&d.description, &needle))
                .map(|d| Hit {
                    title: d.name.clone(),
                    href: format!("/ui/domains/{}", segment(&d.name)),
                    detail: d.description.clone(),
                    extra: None,
                })
                .collect(),
        ));
        found.push((
            "subjects",
            "Subjects",
            in_registry
                .subjects
                .into_iter()
                .map(|s| Hit {
                    href: format!("/ui/subjects/{}", segment(&s)),
                    detail: catalog
                        .event_for_subject(&s)
                        .map(|e| format!("value of {}", e.name))
                        .unwrap_or_else(|| "not claimed by a catalog event".into()),
                    title: s,
                    extra: None,
                })
                .collect(),
        ));
        found.push((
            "fields",
            "Schema fields",
            in_registry
                .fields
                .into_iter()
                .map(|h| {
                    let version_href = format!(
                        "/ui/subjects/{}/versions/{}",
                        segment(&h.subject),
                        h.version
                    );
                    let version_label = format!("{} v{}", h.subject, h.version);
                    let detail = format!("{}: {}", h.field.path, h.field.type_name);
                    match catalog.event_for_subject(&h.subject) {
                        Some(e) => Hit {
                            title: e.name.clone(),
                            href: format!("/ui/events/{}", segment(&e.name)),
                            detail,
                            extra: Some((version_href, version_label)),
                        },
                        None => Hit {
                            title: version_label,
                            href: version_href,
                            detail,
                            extra: None,
                        },
                    }
                })
                .collect(),
        ));
    }
    let total = found.iter().map(|(_, _, hits)| hits.len()).sum();
    let mut pager = None;
    let mut groups = Vec::new();
    for (kind, label, hits) in found {
        if !only.is_empty() && only != kind {
            continue;
        }
        let base = with_query("/ui/search", &[("q", &q), ("kind", kind)]);
        let (shown, more) = if only.is_empty() {
            let more = (hits.len() > PREVIEW).then(|| base.clone());
            (hits.iter().take(PREVIEW).cloned().collect(), more)
        } else {
            let p = Pager::new(page_param(&params), hits.len(), &base);
            let shown = hits
                .iter()
                .skip(p.offset())
                .take(PAGE_SIZE)
                .cloned()
                .collect();
            pager = Some(p);
            (shown, None)
        };
        groups.push(Group {
            kind,
            label,
            total: hits.len(),
            hits: shown,
            more,
        });
    }
    // Kinds with hits first; the empty ones stay listed, saying so.
    groups.sort_by_key(|g| g.total == 0);
    Page::render(&SearchPage {
        title: if q.is_empty() {
            "Search".into()
        } else {
            format!("Search: {q}")
        },
        q,
        groups,
        pager,
        total,
    })
}
