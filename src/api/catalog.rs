//! `/herald/v1/...`: the event catalog's JSON API (entities, links, impact, ownership,
//! catalog-as-code plan and apply, audit trail).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use super::wire::{json_response, JsonBody, Params, PathParams, Wire};
use super::AppState;
use crate::catalog::bundle::Bundle;
use crate::catalog::model::Link;
use crate::catalog::state::{DOMAIN, EVENT, SERVICE, TEAM};
use crate::error::{Error, Result};
use crate::registry::SchemaRequest;
use crate::store::AuditQuery;

pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for (plural, kind) in [
        ("domains", DOMAIN),
        ("teams", TEAM),
        ("services", SERVICE),
        ("events", EVENT),
    ] {
        router = router
            .route(
                &format!("/herald/v1/{plural}"),
                get(move |s, p| list(s, p, kind)).post(move |s, p, b| create(s, p, b, kind)),
            )
            .route(
                &format!("/herald/v1/{plural}/{{name}}"),
                get(move |s, n| read(s, n, kind))
                    .put(move |s, n, p, b| put(s, n, p, b, kind))
                    .delete(move |s, n, p| remove(s, n, p, kind)),
            );
    }
    router
        .route("/herald/v1/links", get(list_links).post(create_link))
        .route(
            "/herald/v1/links/{role}/{service}/{event}",
            delete(delete_link),
        )
        .route("/herald/v1/subjects/{subject}/impact", post(impact))
        .route("/herald/v1/subjects/{subject}/owner", get(owner))
        .route("/herald/v1/catalog/plan", post(plan))
        .route("/herald/v1/catalog/apply", post(apply))
        .route("/herald/v1/audit", get(audit))
        .route("/herald/v1/policy", get(policy))
}

fn created(body: impl serde::Serialize) -> Response {
    json_response(StatusCode::CREATED, &body)
}

async fn list(
    State(state): State<AppState>,
    params: Params,
    kind: &'static str,
) -> Result<Wire<Vec<Value>>> {
    let catalog = state.registry.catalog().await?;
    let filters: Vec<(&str, &str)> = ["domain", "owner", "lifecycle", "type"]
        .into_iter()
        .filter_map(|k| params.get(k).map(|v| (k, v)))
        .collect();
    Ok(Wire(
        catalog
            .rows()
            .into_iter()
            .filter(|(k, _, _)| *k == kind)
            .map(|(_, _, body)| body)
            .filter(|body| {
                filters
                    .iter()
                    .all(|(k, v)| body.get(*k).and_then(Value::as_str) == Some(*v))
            })
            .collect(),
    ))
}

async fn create(
    State(state): State<AppState>,
    params: Params,
    JsonBody(body): JsonBody<Value>,
    kind: &'static str,
) -> Result<Response> {
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::CatalogInvalid(format!("a {kind} needs a name")))?
        .to_string();
    if state.registry.catalog_entity(kind, &name).await.is_ok() {
        return Err(Error::CatalogConflict(format!(
            "{kind} '{name}' already exists"
        )));
    }
    let written = state
        .registry
        .put_catalog_entity(
            kind,
            &name,
            body,
            params.flag("force"),
            &crate::auth::current_actor(),
        )
        .await?;
    Ok(created(written))
}

async fn read(
    State(state): State<AppState>,
    PathParams(name): PathParams<String>,
    kind: &'static str,
) -> Result<Wire<Value>> {
    Ok(Wire(state.registry.catalog_entity(kind, &name).await?))
}

async fn put(
    State(state): State<AppState>,
    PathParams(name): PathParams<String>,
    params: Params,
    JsonBody(body): JsonBody<Value>,
    kind: &'static str,
) -> Result<Response> {
    let written = state
        .registry
        .put_catalog_entity(
            kind,
            &name,
            body,
            params.flag("force"),
            &crate::auth::current_actor(),
        )
        .await?;
    Ok(Wire(written).into_response())
}

async fn remove(
    State(state): State<AppState>,
    PathParams(name): PathParams<String>,
    params: Params,
    kind: &'static str,
) -> Result<StatusCode> {
    state
        .registry
        .delete_catalog_entity(
            kind,
            &name,
            params.flag("force"),
            &crate::auth::current_actor(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
struct LinkBody {
    service: String,
    event: String,
    /// `producer` or `consumer`.
    role: String,
    #[serde(default = "any")]
    version: String,
    #[serde(default)]
    fields: Vec<String>,
}

fn any() -> String {
    "*".into()
}

async fn list_links(State(state): State<AppState>, params: Params) -> Result<Wire<Vec<Value>>> {
    let catalog = state.registry.catalog().await?;
    let mut out = Vec::new();
    for s in catalog.services.values() {
        for (role, links) in [("producer", &s.produces), ("consumer", &s.consumes)] {
            for l in links {
                let row = json!({"service": s.name, "event": l.event, "role": role, "version": l.version, "fields": l.fields});
                let keep = ["service", "event", "role"]
                    .iter()
                    .all(|k| params.get(k).is_none_or(|v| row[*k] == v));
                if keep {
                    out.push(row);
                }
            }
        }
    }
    Ok(Wire(out))
}

async fn create_link(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<LinkBody>,
) -> Result<Response> {
    let link = Link {
        event: body.event.clone(),
        version: body.version,
        fields: body.fields,
    };
    let written = state
        .registry
        .put_link(
            &body.service,
            &body.role,
            link,
            &crate::auth::current_actor(),
        )
        .await?;
    Ok(created(written))
}

async fn delete_link(
    State(state): State<AppState>,
    PathParams((role, service, event)): PathParams<(String, String, String)>,
) -> Result<StatusCode> {
    state
        .registry
        .delete_link(&service, &role, &event, &crate::auth::current_actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn impact(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
    JsonBody(request): JsonBody<SchemaRequest>,
) -> Result<Wire<crate::catalog::impact::ImpactReport>> {
    Ok(Wire(state.registry.impact(&subject, &request).await?))
}

async fn owner(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
) -> Result<Wire<Value>> {
    let team = state.registry.owner_of_subject(&subject).await?;
    Ok(Wire(json!({"subject": subject, "team": team})))
}

async fn plan(
    State(state): State<AppState>,
    JsonBody(bundle): JsonBody<Bundle>,
) -> Result<Wire<Value>> {
    let plan = state.registry.plan_catalog(&bundle).await?;
    Ok(Wire(serde_json::to_value(plan).unwrap_or_default()))
}

async fn apply(
    State(state): State<AppState>,
    JsonBody(bundle): JsonBody<Bundle>,
) -> Result<Wire<Value>> {
    let plan = state
        .registry
        .apply_catalog(&bundle, &crate::auth::current_actor())
        .await?;
    Ok(Wire(serde_json::to_value(plan).unwrap_or_default()))
}

async fn audit(State(state): State<AppState>, params: Params) -> Result<Wire<Value>> {
    let query = AuditQuery {
        target_prefix: params.get("target").map(str::to_string),
        action: params.get("action").map(str::to_string),
        actor: params.get("actor").map(str::to_string),
        since: params.get("since").and_then(|s| s.parse().ok()),
        limit: params.count("limit", 100).min(1000),
    };
    let entries = state.registry.store_audit(&query).await?;
    Ok(Wire(serde_json::to_value(entries).unwrap_or_default()))
}

async fn policy(State(state): State<AppState>) -> Result<Wire<Value>> {
    let catalog = state.registry.catalog().await?;
    Ok(Wire(
        json!({"policy": catalog.policy, "owners": catalog.owners}),
    ))
}
