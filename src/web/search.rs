//! Search across events, services, teams, domains, subjects and the field names of every
//! subject's latest schema, grouped by kind. Only the hits a page shows are turned into links,
//! so a query that matches ten thousand fields costs little more than one that matches ten.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;

use super::{page_param, segment, with_query, Page, PageResult, Pager, PAGE_SIZE};
use crate::catalog_entities::contents::CatalogState;
use crate::http::wire::Params;
use crate::http::AppState;
use crate::registry::FieldHit;

/// By event: each consumer that declared the fields it reads, with those fields.
type Readers = HashMap<String, Vec<(String, Vec<String>)>>;

fn readers(catalog: &CatalogState) -> Readers {
    let mut out: Readers = HashMap::new();
    for service in catalog.services.values() {
        for link in service.consumes.iter().filter(|l| !l.fields.is_empty()) {
            out.entry(link.event.clone())
                .or_default()
                .push((service.name.clone(), link.fields.clone()));
        }
    }
    out
}

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

/// What matched, by kind, before it is shown.
enum Found {
    Catalog(Vec<Hit>),
    Subjects(Vec<String>),
    /// Only the fields a page shows are read: `hits` are those from `offset` of `total`.
    Fields {
        total: usize,
        offset: usize,
        hits: Vec<FieldHit>,
    },
}

impl Found {
    fn len(&self) -> usize {
        match self {
            Found::Catalog(h) => h.len(),
            Found::Subjects(s) => s.len(),
            Found::Fields { total, .. } => *total,
        }
    }

    fn hits(
        &self,
        skip: usize,
        take: usize,
        claims: &HashMap<&str, &str>,
        readers: &Readers,
    ) -> Vec<Hit> {
        match self {
            Found::Catalog(hits) => hits.iter().skip(skip).take(take).cloned().collect(),
            Found::Subjects(subjects) => subjects
                .iter()
                .skip(skip)
                .take(take)
                .map(|s| Hit {
                    title: s.clone(),
                    href: format!("/ui/subjects/{}", segment(s)),
                    detail: claims
                        .get(s.as_str())
                        .map(|e| format!("value of {e}"))
                        .unwrap_or_else(|| "not claimed by a catalog event".into()),
                    extra: None,
                })
                .collect(),
            Found::Fields { offset, hits, .. } => hits
                .iter()
                .skip(skip.saturating_sub(*offset))
                .take(take)
                .map(|h| field_hit(h, claims, readers))
                .collect(),
        }
    }
}

fn field_hit(h: &FieldHit, claims: &HashMap<&str, &str>, readers: &Readers) -> Hit {
    let version_href = format!(
        "/ui/subjects/{}/versions/{}",
        segment(&h.subject),
        h.version
    );
    let version_label = format!("{} v{}", h.subject, h.version);
    let mut detail = format!("{}: {}", h.field.path, h.field.type_name);
    if let Some(doc) = &h.field.doc {
        detail.push_str(&format!(" — {doc}"));
    }
    let read_by: Vec<&str> = claims
        .get(h.subject.as_str())
        .and_then(|e| readers.get(*e))
        .map(|links| {
            links
                .iter()
                .filter(|(_, fields)| {
                    fields
                        .iter()
                        .any(|f| *f == h.field.path || *f == h.field.name)
                })
                .map(|(s, _)| s.as_str())
                .collect()
        })
        .unwrap_or_default();
    if !read_by.is_empty() {
        detail.push_str(&format!(" · read by {}", read_by.join(", ")));
    }
    let field_href = format!("{version_href}#field-{}", h.field.path);
    match claims.get(h.subject.as_str()) {
        Some(event) => Hit {
            title: event.to_string(),
            href: format!("/ui/events/{}", segment(event)),
            detail,
            extra: Some((
                field_href,
                format!("{version_label}, field {}", h.field.path),
            )),
        },
        None => Hit {
            title: version_label,
            href: field_href,
            detail,
            extra: None,
        },
    }
}

fn contains(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(needle)
}

/// The catalog's entities whose name or description contains `needle`, by kind.
fn catalog_hits(
    catalog: &CatalogState,
    needle: &str,
    access: &crate::http::access::Access,
) -> Vec<(&'static str, &'static str, Found)> {
    let hit = |base: &str, name: &str, detail: &str| Hit {
        title: name.to_string(),
        href: format!("{base}/{}", segment(name)),
        detail: detail
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default()
            .to_string(),
        extra: None,
    };
    let matches =
        |name: &str, description: &str| contains(name, needle) || contains(description, needle);
    vec![
        (
            "events",
            "Events",
            Found::Catalog(
                catalog
                    .events
                    .values()
                    .filter(|e| matches(&e.name, &e.description))
                    .filter(|e| access.sees_all(e.schemas.iter().map(|s| s.subject.as_str())))
                    .map(|e| hit("/ui/events", &e.name, &e.description))
                    .collect(),
            ),
        ),
        (
            "services",
            "Services",
            Found::Catalog(
                catalog
                    .services
                    .values()
                    .filter(|s| matches(&s.name, &s.description))
                    .map(|s| hit("/ui/services", &s.name, &s.description))
                    .collect(),
            ),
        ),
        (
            "teams",
            "Teams",
            Found::Catalog(
                catalog
                    .teams
                    .values()
                    .filter(|t| matches(&t.name, &t.description))
                    .map(|t| hit("/ui/teams", &t.name, &t.description))
                    .collect(),
            ),
        ),
        (
            "domains",
            "Domains",
            Found::Catalog(
                catalog
                    .domains
                    .values()
                    .filter(|d| matches(&d.name, &d.description))
                    .map(|d| hit("/ui/domains", &d.name, &d.description))
                    .collect(),
            ),
        ),
    ]
}

pub async fn search(
    State(state): State<AppState>,
    access: crate::http::access::Access,
    params: Params,
) -> PageResult {
    let registry = &state.registry;
    let q = params.get("q").unwrap_or_default().trim().to_string();
    let only = params.get("kind").unwrap_or_default().to_string();
    let needle = q.to_lowercase();
    let catalog = registry.catalog_view().await?;
    let mut found = Vec::new();
    if !needle.is_empty() {
        found = catalog_hits(&catalog, &needle, &access);
        // The fields a page shows: the preview's first few, or the requested page of them.
        let sees = |s: &str| access.sees(s);
        let (mut offset, limit) = if only == "fields" {
            ((page_param(&params) - 1) * PAGE_SIZE, PAGE_SIZE)
        } else {
            (0, PREVIEW)
        };
        let mut in_registry = registry
            .search_registry(&needle, sees, offset, limit)
            .await?;
        if offset > 0 && offset >= in_registry.field_total {
            // Past the end: the pager shows the last page instead.
            offset = in_registry.field_total.saturating_sub(1) / PAGE_SIZE * PAGE_SIZE;
            in_registry = registry
                .search_registry(&needle, sees, offset, limit)
                .await?;
        }
        found.push((
            "subjects",
            "Subjects",
            Found::Subjects(in_registry.subjects),
        ));
        found.push((
            "fields",
            "Schema fields",
            Found::Fields {
                total: in_registry.field_total,
                offset,
                hits: in_registry.fields,
            },
        ));
    }
    let claims: HashMap<&str, &str> = catalog
        .events
        .values()
        .flat_map(|e| {
            e.schemas
                .iter()
                .map(move |s| (s.subject.as_str(), e.name.as_str()))
        })
        .collect();
    let readers = readers(&catalog);
    let total = found.iter().map(|(_, _, f)| f.len()).sum();
    let mut pager = None;
    let mut groups = Vec::new();
    for (kind, label, matched) in &found {
        if !only.is_empty() && only != *kind {
            continue;
        }
        let base = with_query("/ui/search", &[("q", &q), ("kind", kind)]);
        let (hits, more) = if only.is_empty() {
            let more = (matched.len() > PREVIEW).then(|| base.clone());
            (matched.hits(0, PREVIEW, &claims, &readers), more)
        } else {
            let p = Pager::new(page_param(&params), matched.len(), &base);
            let hits = matched.hits(p.offset(), PAGE_SIZE, &claims, &readers);
            pager = Some(p);
            (hits, None)
        };
        groups.push(Group {
            kind,
            label,
            total: matched.len(),
            hits,
            more,
        });
    }
    // Only kinds with hits; the summary line says when nothing matched at all.
    groups.retain(|g| g.total > 0);
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
