//! `/herald/v1/...`: the event catalog's JSON API (entities, links, impact, ownership,
//! catalog-as-code plan and apply, audit trail).

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::catalog::bundle::{Bundle, Plan};
use crate::catalog::Written;
use crate::catalog_entities::contents::{DOMAIN, EVENT, SERVICE, TEAM};
use crate::catalog_entities::model::{Domain, Event, Link, OwnerRule, Policy, Service, Team};
use crate::error::{Error, Result};
use crate::http::access::Access;
use crate::http::error::ErrorBody;
use crate::http::wire::{Created, JsonBody, Params, PathParams, Wire};
use crate::http::AppState;
use crate::registry::SchemaRequest;
use crate::store::{AuditEntry, AuditQuery};

/// The answer to a write: the entity as stored and the policy warnings the write raised.
#[derive(Debug, Serialize, ToSchema)]
pub struct WrittenEntity<Entity> {
    pub entity: Entity,
    pub warnings: Vec<String>,
}

impl From<Written> for WrittenEntity<Value> {
    fn from(written: Written) -> Self {
        WrittenEntity {
            entity: written.entity,
            warnings: written.warnings,
        }
    }
}

/// One catalog kind's routes under `/herald/v1/{kind}`: thin handlers for that kind, each
/// documented with the kind's own body schema and operation ids, over the shared handlers below.
macro_rules! kind_routes {
    ($module:ident, $kind:expr, $schema:ident, $one:tt, $many:tt, $list_path:tt, $item_path:tt) => {
        pub(in crate::api) mod $module {
            use super::*;

            #[utoipa::path(
                get,
                path = $list_path,
                tag = "catalog",
                operation_id = concat!("list", $many),
                params(
                    ("domain" = Option<String>, Query, description = "Only this domain's"),
                    ("owner" = Option<String>, Query, description = "Only this team's"),
                    ("lifecycle" = Option<String>, Query, description = "Events: draft, active, deprecated or retired"),
                    ("type" = Option<String>, Query, description = "Events: event, command, query or notification"),
                ),
                responses((status = 200, description = "The entities", body = [$schema]))
            )]
            pub(in crate::api) async fn list(
                state: State<AppState>,
                access: Access,
                params: Params,
            ) -> Result<Wire<Vec<Value>>> {
                super::list(state, access, params, $kind).await
            }

            #[utoipa::path(
                post,
                path = $list_path,
                tag = "catalog",
                operation_id = concat!("create", $one),
                params(
                    ("force" = Option<bool>, Query, description = "For events that still have consumers: do it anyway (recorded as forced)"),
                ),
                request_body = $schema,
                responses(
                    (status = 201, description = "Created", body = WrittenEntity<$schema>),
                    (status = 409, description = "It exists already (40990)", body = ErrorBody),
                    (status = 422, description = "Invalid: a reference, the policy or an example fails (42290)", body = ErrorBody),
                    (status = 400, description = "Malformed body", body = ErrorBody),
                )
            )]
            pub(in crate::api) async fn create(
                state: State<AppState>,
                access: Access,
                params: Params,
                body: JsonBody<Value>,
            ) -> Result<Created<WrittenEntity<Value>>> {
                super::create(state, access, params, body, $kind).await
            }

            #[utoipa::path(
                get,
                path = $item_path,
                tag = "catalog",
                operation_id = concat!("get", $one),
                params(("name" = String, Path, description = "The entity's name")),
                responses(
                    (status = 200, description = "The entity", body = $schema),
                    (status = 404, description = "Not found (40490)", body = ErrorBody),
                )
            )]
            pub(in crate::api) async fn read(
                state: State<AppState>,
                access: Access,
                name: PathParams<String>,
            ) -> Result<Wire<Value>> {
                super::read(state, access, name, $kind).await
            }

            #[utoipa::path(
                put,
                path = $item_path,
                tag = "catalog",
                operation_id = concat!("put", $one),
                params(
                    ("name" = String, Path, description = "The entity's name"),
                    ("force" = Option<bool>, Query, description = "For events that still have consumers: do it anyway (recorded as forced)"),
                ),
                request_body = $schema,
                responses(
                    (status = 200, description = "Created or replaced", body = WrittenEntity<$schema>),
                    (status = 409, description = "The change would orphan a link (40990)", body = ErrorBody),
                    (status = 422, description = "Invalid: a reference, the policy or an example fails (42290)", body = ErrorBody),
                    (status = 400, description = "Malformed body", body = ErrorBody),
                )
            )]
            pub(in crate::api) async fn put(
                state: State<AppState>,
                access: Access,
                name: PathParams<String>,
                params: Params,
                body: JsonBody<Value>,
            ) -> Result<Wire<WrittenEntity<Value>>> {
                super::put(state, access, name, params, body, $kind).await
            }

            #[utoipa::path(
                delete,
                path = $item_path,
                tag = "catalog",
                operation_id = concat!("delete", $one),
                params(
                    ("name" = String, Path, description = "The entity's name"),
                    ("force" = Option<bool>, Query, description = "For events that still have consumers: do it anyway (recorded as forced)"),
                ),
                responses(
                    (status = 204, description = "Deleted"),
                    (status = 404, description = "Not found (40490)", body = ErrorBody),
                    (status = 409, description = "Still referenced (40990)", body = ErrorBody),
                )
            )]
            pub(in crate::api) async fn remove(
                state: State<AppState>,
                access: Access,
                name: PathParams<String>,
                params: Params,
            ) -> Result<StatusCode> {
                super::remove(state, access, name, params, $kind).await
            }
        }
    };
}

kind_routes!(
    domains,
    DOMAIN,
    Domain,
    "Domain",
    "Domains",
    "/herald/v1/domains",
    "/herald/v1/domains/{name}"
);
kind_routes!(
    teams,
    TEAM,
    Team,
    "Team",
    "Teams",
    "/herald/v1/teams",
    "/herald/v1/teams/{name}"
);
kind_routes!(
    services,
    SERVICE,
    Service,
    "Service",
    "Services",
    "/herald/v1/services",
    "/herald/v1/services/{name}"
);
kind_routes!(
    events,
    EVENT,
    Event,
    "Event",
    "Events",
    "/herald/v1/events",
    "/herald/v1/events/{name}"
);

/// The subjects an event names (its `schemas[].subject`).
fn subjects_named(entity: &Value) -> Vec<String> {
    entity
        .get("schemas")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("subject").and_then(Value::as_str))
        .map(str::to_string)
        .collect()
}

/// URL fields of an entity (a service's `repository`) must be http(s): 400 otherwise.
fn check_links(body: &Value) -> Result<()> {
    match body.get("repository").and_then(Value::as_str) {
        Some(link) => match crate::catalog_entities::contents::web_link_problem(link) {
            Some(problem) => Err(Error::BadRequest(format!("repository: {problem}"))),
            None => Ok(()),
        },
        None => Ok(()),
    }
}

/// A token with subject grants writes an event only when it is granted every subject the
/// event names, before and after the change: otherwise it could claim another team's subject.
async fn may_write(
    state: &AppState,
    access: &Access,
    kind: &str,
    existing: Option<&str>,
    body: Option<&Value>,
) -> Result<()> {
    if !access.is_restricted() || kind != EVENT {
        return Ok(());
    }
    let mut named: Vec<String> = body.map(subjects_named).unwrap_or_default();
    if let Some(name) = existing {
        if let Ok(current) = state.registry.catalog_entity(kind, name).await {
            named.extend(subjects_named(&current));
        }
    }
    match named.iter().find(|s| !access.sees(s)) {
        Some(subject) => Err(Error::Forbidden(format!(
            "the token is not granted subject '{subject}', which this {kind} names"
        ))),
        None => Ok(()),
    }
}

async fn list(
    State(state): State<AppState>,
    access: Access,
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
            .filter(|body| shows_event(&access, body))
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
    access: Access,
    params: Params,
    JsonBody(body): JsonBody<Value>,
    kind: &'static str,
) -> Result<Created<WrittenEntity<Value>>> {
    check_links(&body)?;
    may_write(&state, &access, kind, None, Some(&body)).await?;
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
    Ok(Created(written.into()))
}

async fn read(
    State(state): State<AppState>,
    access: Access,
    PathParams(name): PathParams<String>,
    kind: &'static str,
) -> Result<Wire<Value>> {
    let entity = state.registry.catalog_entity(kind, &name).await?;
    if !shows_event(&access, &entity) {
        return Err(Error::CatalogNotFound {
            kind: kind.into(),
            name,
        });
    }
    Ok(Wire(entity))
}

/// An event (with its examples, which are data) is shown to a token with grants only when it
/// is granted every subject the event names; other entities carry no schema data.
fn shows_event(access: &Access, entity: &Value) -> bool {
    access.sees_all(subjects_named(entity).iter().map(String::as_str))
}

async fn put(
    State(state): State<AppState>,
    access: Access,
    PathParams(name): PathParams<String>,
    params: Params,
    JsonBody(body): JsonBody<Value>,
    kind: &'static str,
) -> Result<Wire<WrittenEntity<Value>>> {
    check_links(&body)?;
    may_write(&state, &access, kind, Some(&name), Some(&body)).await?;
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
    Ok(Wire(written.into()))
}

async fn remove(
    State(state): State<AppState>,
    access: Access,
    PathParams(name): PathParams<String>,
    params: Params,
    kind: &'static str,
) -> Result<StatusCode> {
    may_write(&state, &access, kind, Some(&name), None).await?;
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

/// A produce or consume link, as listed and as sent to create one.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LinkBody {
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

#[utoipa::path(
    get,
    path = "/herald/v1/links",
    tag = "catalog",
    operation_id = "listLinks",
    params(
        ("service" = Option<String>, Query, description = "Only this service's"),
        ("event" = Option<String>, Query, description = "Only this event's"),
        ("role" = Option<String>, Query, description = "producer or consumer"),
    ),
    responses((status = 200, description = "Produce and consume links", body = [LinkBody]))
)]
pub(super) async fn list_links(
    State(state): State<AppState>,
    params: Params,
) -> Result<Wire<Vec<LinkBody>>> {
    let catalog = state.registry.catalog().await?;
    let wanted = |key: &str, value: &str| params.get(key).is_none_or(|v| v == value);
    let mut out = Vec::new();
    for s in catalog.services.values() {
        for (role, links) in [("producer", &s.produces), ("consumer", &s.consumes)] {
            for l in links {
                if wanted("service", &s.name) && wanted("event", &l.event) && wanted("role", role) {
                    out.push(LinkBody {
                        service: s.name.clone(),
                        event: l.event.clone(),
                        role: role.to_string(),
                        version: l.version.clone(),
                        fields: l.fields.clone(),
                    });
                }
            }
        }
    }
    Ok(Wire(out))
}

#[utoipa::path(
    post,
    path = "/herald/v1/links",
    tag = "catalog",
    operation_id = "createLink",
    request_body = LinkBody,
    responses(
        (status = 201, description = "The service as it is now", body = WrittenEntity<Service>),
        (status = 404, description = "No such service or event (40490)", body = ErrorBody),
        (status = 422, description = "Invalid link (42290)", body = ErrorBody),
        (status = 400, description = "Malformed body", body = ErrorBody),
    )
)]
pub(super) async fn create_link(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<LinkBody>,
) -> Result<Created<WrittenEntity<Value>>> {
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
    Ok(Created(written.into()))
}

#[utoipa::path(
    delete,
    path = "/herald/v1/links/{role}/{service}/{event}",
    tag = "catalog",
    operation_id = "deleteLink",
    params(
        ("role" = String, Path, description = "producer or consumer"),
        ("service" = String, Path, description = "Service name"),
        ("event" = String, Path, description = "Event name"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such link (40490)", body = ErrorBody),
        (status = 422, description = "Invalid role (42290)", body = ErrorBody),
    )
)]
pub(super) async fn delete_link(
    State(state): State<AppState>,
    PathParams((role, service, event)): PathParams<(String, String, String)>,
) -> Result<StatusCode> {
    state
        .registry
        .delete_link(&service, &role, &event, &crate::auth::current_actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/herald/v1/subjects/{subject}/impact",
    tag = "catalog",
    operation_id = "impact",
    params(("subject" = String, Path, description = "Subject name")),
    request_body = SchemaRequest,
    responses(
        (status = 200, description = "The services the candidate schema would break, and those it would not", body = crate::catalog::impact::ImpactReport),
        (status = 422, description = "Invalid schema (42201)", body = ErrorBody),
        (status = 400, description = "Malformed body", body = ErrorBody),
    )
)]
pub(super) async fn impact(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
    JsonBody(request): JsonBody<SchemaRequest>,
) -> Result<Wire<crate::catalog::impact::ImpactReport>> {
    Ok(Wire(state.registry.impact(&subject, &request).await?))
}

#[utoipa::path(
    get,
    path = "/herald/v1/subjects/{subject}/owner",
    tag = "catalog",
    operation_id = "subjectOwner",
    params(("subject" = String, Path, description = "Subject name")),
    responses((status = 200, description = "The team that owns the subject", body = SubjectOwner))
)]
pub(super) async fn owner(
    State(state): State<AppState>,
    PathParams(subject): PathParams<String>,
) -> Result<Wire<SubjectOwner>> {
    let team = state.registry.owner_of_subject(&subject).await?;
    Ok(Wire(SubjectOwner { subject, team }))
}

/// A subject and the team that owns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectOwner {
    pub subject: String,
    /// `null` when nothing claims the subject.
    pub team: Option<String>,
}

#[utoipa::path(
    post,
    path = "/herald/v1/catalog/plan",
    tag = "catalog",
    operation_id = "planCatalog",
    request_body(content = Object, description = "A catalog bundle, as `herald catalog plan` sends it"),
    responses(
        (status = 200, description = "What applying would create, change or remove, with errors and warnings", body = Object),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 422, description = "A schema in the bundle is larger than the limit (42209)", body = ErrorBody),
    )
)]
pub(super) async fn plan(
    State(state): State<AppState>,
    JsonBody(bundle): JsonBody<Bundle>,
) -> Result<Wire<Plan>> {
    refuse_oversized(&state, &bundle)?;
    Ok(Wire(state.registry.plan_catalog(&bundle).await?))
}

#[utoipa::path(
    post,
    path = "/herald/v1/catalog/apply",
    tag = "catalog",
    operation_id = "applyCatalog",
    request_body(content = Object, description = "A catalog bundle, as `herald catalog apply` sends it"),
    responses(
        (status = 200, description = "The applied plan", body = Object),
        (status = 422, description = "A check failed or a schema is larger than the limit (42209); nothing was written (42290, 409)", body = ErrorBody),
        (status = 400, description = "Malformed body", body = ErrorBody),
    )
)]
pub(super) async fn apply(
    State(state): State<AppState>,
    JsonBody(bundle): JsonBody<Bundle>,
) -> Result<Wire<Plan>> {
    refuse_oversized(&state, &bundle)?;
    let plan = state
        .registry
        .apply_catalog(&bundle, &crate::auth::current_actor())
        .await?;
    Ok(Wire(plan))
}

#[utoipa::path(
    get,
    path = "/herald/v1/audit",
    tag = "audit",
    operation_id = "audit",
    params(
        ("target" = Option<String>, Query, description = "Targets starting with this (`subject/orders-value`, `config/`, `event/`)"),
        ("action" = Option<String>, Query, description = "Exactly this action (`schema.register`, `config.update`, ...)"),
        ("actor" = Option<String>, Query, description = "Changes by this token (`anonymous` without authentication)"),
        ("source" = Option<String>, Query, description = "Changes from this client address"),
        ("since" = Option<i64>, Query, description = "Epoch milliseconds"),
        ("limit" = Option<i64>, Query, description = "At most this many (default 100, at most 1000)"),
    ),
    responses((status = 200, description = "Changes, newest first", body = [crate::store::AuditEntry]))
)]
pub(super) async fn audit(
    State(state): State<AppState>,
    access: crate::http::access::Access,
    params: Params,
) -> Result<Wire<Vec<AuditEntry>>> {
    let query = AuditQuery {
        target_prefix: params.get("target").map(str::to_string),
        action: params.get("action").map(str::to_string),
        actor: params.get("actor").map(str::to_string),
        source: params.get("source").map(str::to_string),
        since: params.get("since").and_then(|s| s.parse().ok()),
        offset: 0,
        limit: params.count("limit", 100).min(1000),
    };
    let entries = access.audit_view(state.registry.store_audit(&query).await?);
    Ok(Wire(entries))
}

#[utoipa::path(
    get,
    path = "/herald/v1/policy",
    tag = "catalog",
    operation_id = "policy",
    responses((status = 200, description = "`{policy, owners}`: the policy and ownership patterns in force", body = Object))
)]
pub(super) async fn policy(State(state): State<AppState>) -> Result<Wire<PolicyAnswer>> {
    let catalog = state.registry.catalog().await?;
    Ok(Wire(PolicyAnswer {
        policy: catalog.policy.clone(),
        owners: catalog.owners.clone(),
    }))
}

/// The governance policy and the ownership patterns in force.
#[derive(Debug, Serialize)]
pub struct PolicyAnswer {
    pub policy: Policy,
    pub owners: Vec<OwnerRule>,
}

/// The registration limit on schema size (42209) also holds for schemas in a bundle.
fn refuse_oversized(state: &AppState, bundle: &Bundle) -> Result<()> {
    if bundle.largest_schema_bytes() > state.max_schema_bytes {
        return Err(Error::SchemaTooLarge);
    }
    Ok(())
}
