//! The audit trail as a page, with the filters of `GET /herald/v1/audit`, newest first.

use askama::Template;
use axum::extract::State;

use super::dates::{datetime, day_start_millis};
use super::{page_param, with_query, Page, PageResult, Pager, PAGE_SIZE};
use crate::http::wire::Params;
use crate::http::AppState;
use crate::store::AuditQuery;

/// The deepest the page goes back: older lines are read through the JSON API.
const MAX_LINES: usize = 10_000;

pub struct AuditRow {
    pub when: String,
    pub actor: String,
    pub source: String,
    pub action: String,
    pub target: String,
    pub href: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    title: String,
    target: String,
    action: String,
    actor: String,
    source: String,
    since: String,
    rows: Vec<AuditRow>,
    pager: Pager,
}

/// Where a target (`event/orders.order.placed`, `subject/x`) is shown, when it has a page.
fn target_href(target: &str) -> Option<String> {
    let (kind, name) = target.split_once('/')?;
    let base = match kind {
        "event" => "/ui/events",
        "service" => "/ui/services",
        "team" => "/ui/teams",
        "domain" => "/ui/domains",
        "subject" => "/ui/subjects",
        _ => return None,
    };
    let name = name.split('/').next().unwrap_or(name);
    Some(format!("{base}/{}", super::segment(name)))
}

pub async fn audit(
    State(state): State<AppState>,
    access: crate::http::access::Access,
    params: Params,
) -> PageResult {
    let field = |k: &str| params.get(k).unwrap_or_default().trim().to_string();
    let (target, action, actor) = (field("target"), field("action"), field("actor"));
    let source = field("source");
    // A day from the form's date field, or epoch milliseconds as the JSON API takes them.
    let since = field("since");
    let since_millis = day_start_millis(&since).or_else(|| since.parse().ok());
    let requested = page_param(&params);
    // Lines up to the end of the page, one more to tell whether a next page follows. Lines
    // the request may not see are left out after reading; when it sees every line, the store
    // skips to the page itself.
    let wanted = requested
        .saturating_mul(PAGE_SIZE)
        .saturating_add(1)
        .min(MAX_LINES);
    let skip = if access.is_admin() && !access.is_restricted() {
        ((requested - 1).saturating_mul(PAGE_SIZE)).min(wanted)
    } else {
        0
    };
    let query = AuditQuery {
        target_prefix: Some(target.clone()).filter(|t| !t.is_empty()),
        action: Some(action.clone()).filter(|a| !a.is_empty()),
        actor: Some(actor.clone()).filter(|a| !a.is_empty()),
        source: Some(source.clone()).filter(|s| !s.is_empty()),
        since: since_millis,
        offset: skip,
        limit: wanted - skip,
    };
    let entries = if query.limit == 0 {
        Vec::new()
    } else {
        access.audit_view(state.registry.store_audit(&query).await?)
    };
    let base = with_query(
        "/ui/audit",
        &[
            ("target", &target),
            ("action", &action),
            ("actor", &actor),
            ("source", &source),
            ("since", &since),
        ],
    );
    let has_next = skip + entries.len() > requested.saturating_mul(PAGE_SIZE);
    let pager = Pager::open_ended(requested, has_next, &base);
    let json = |v: &Option<serde_json::Value>| {
        v.as_ref()
            .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
    };
    let rows = entries
        .iter()
        .skip(pager.offset().saturating_sub(skip))
        .take(PAGE_SIZE)
        .map(|e| AuditRow {
            when: datetime(e.at),
            actor: e.actor.clone(),
            source: e.source.clone().unwrap_or_default(),
            action: e.action.clone(),
            href: target_href(&e.target),
            target: e.target.clone(),
            before: json(&e.before),
            after: json(&e.after),
        })
        .collect();
    Page::render(&AuditPage {
        title: "Audit trail".into(),
        target,
        action,
        actor,
        source,
        since,
        rows,
        pager,
    })
}
