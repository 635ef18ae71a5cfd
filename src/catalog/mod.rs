//! The event catalog: domains, teams, services, events and the links between them, kept in the
//! registry's own database so it is always true to what is registered.

pub mod asyncapi;
pub mod bundle;
pub mod impact;
pub mod lint;

use serde_json::Value;

use crate::catalog_entities::contents::{CatalogState, DOMAIN, EVENT, SERVICE, TEAM};
use crate::catalog_entities::model::{Lifecycle, Link};
use crate::catalog_entities::{contents, model};
use crate::error::{Error, Result};
use crate::registry::Registry;
use crate::store::{AuditEntry, CatalogWrite};

/// The answer to a successful write: the entity as stored and the policy warnings it raised.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Written {
    pub entity: Value,
    pub warnings: Vec<String>,
}

pub fn is_kind(kind: &str) -> bool {
    matches!(kind, DOMAIN | TEAM | SERVICE | EVENT)
}

impl Registry {
    /// The catalog, to change: a copy of [`Self::catalog_view`].
    pub async fn catalog(&self) -> Result<CatalogState> {
        Ok((*self.catalog_view().await?).clone())
    }

    /// The catalog as stored, read once after each change and shared until the next.
    pub async fn catalog_view(&self) -> Result<std::sync::Arc<CatalogState>> {
        let generation = match self.cached_catalog() {
            Ok(state) => return Ok(state),
            Err(generation) => generation,
        };
        let state = std::sync::Arc::new(CatalogState::from_rows(
            &self.store().catalog_entities().await?,
        )?);
        self.keep_catalog(generation, state.clone());
        Ok(state)
    }

    /// Applies catalog changes with their audit lines in one transaction.
    pub(crate) async fn write_catalog(
        &self,
        changes: &[CatalogWrite],
        audit: &[AuditEntry],
    ) -> Result<()> {
        let written = self.store().catalog_write(changes, audit).await;
        if !changes.is_empty() {
            self.forget_catalog();
        }
        written
    }

    pub async fn catalog_entity(&self, kind: &str, name: &str) -> Result<Value> {
        let state = self.catalog_view().await?;
        let json = |v: Option<Value>| v.ok_or(());
        let found = match kind {
            DOMAIN => json(
                state
                    .domains
                    .get(name)
                    .and_then(|e| serde_json::to_value(e).ok()),
            ),
            TEAM => json(
                state
                    .teams
                    .get(name)
                    .and_then(|e| serde_json::to_value(e).ok()),
            ),
            SERVICE => json(
                state
                    .services
                    .get(name)
                    .and_then(|e| serde_json::to_value(e).ok()),
            ),
            EVENT => json(
                state
                    .events
                    .get(name)
                    .and_then(|e| serde_json::to_value(e).ok()),
            ),
            _ => state
                .rows()
                .into_iter()
                .find(|(k, n, _)| k == kind && n == name)
                .map(|(_, _, body)| body)
                .ok_or(()),
        };
        found.map_err(|()| Error::CatalogNotFound {
            kind: kind.to_string(),
            name: name.to_string(),
        })
    }

    /// Creates or replaces an entity. Refused when it breaks a reference or an error-level
    /// policy rule that the catalog did not already break; retiring an event that still has
    /// consumers needs `force`.
    pub async fn put_catalog_entity(
        &self,
        kind: &str,
        name: &str,
        mut body: Value,
        force: bool,
        actor: &str,
    ) -> Result<Written> {
        if let Some(obj) = body.as_object_mut() {
            obj.insert("name".into(), name.into());
            obj.remove("kind");
        }
        let state = self.catalog().await?;
        let mut next = state.clone();
        let before = state
            .rows()
            .into_iter()
            .find(|(k, n, _)| k == kind && n == name)
            .map(|(_, _, b)| b);
        let bad = |e: serde_json::Error| Error::CatalogInvalid(format!("{kind} '{name}': {e}"));
        match kind {
            DOMAIN => {
                next.domains
                    .insert(name.into(), serde_json::from_value(body).map_err(bad)?);
            }
            TEAM => {
                next.teams
                    .insert(name.into(), serde_json::from_value(body).map_err(bad)?);
            }
            SERVICE => {
                next.services
                    .insert(name.into(), serde_json::from_value(body).map_err(bad)?);
            }
            EVENT => {
                let event: model::Event = serde_json::from_value(body).map_err(bad)?;
                let consumers = consumers_of(&state, name);
                if event.lifecycle == Lifecycle::Retired && !consumers.is_empty() && !force {
                    return Err(Error::CatalogConflict(format!(
                        "event '{name}' still has consumers ({}); move them first or retire with force=true",
                        consumers.join(", ")
                    )));
                }
                self.check_examples(&event).await?;
                next.events.insert(name.into(), event);
            }
            _ => return Err(Error::NotFound),
        }
        let warnings = self.check_change(&state, &next, kind, name).await?;
        let after = next
            .rows()
            .into_iter()
            .find(|(k, n, _)| k == kind && n == name)
            .map(|(_, _, b)| b)
            .unwrap_or_default();
        let action = match (&before, force) {
            (_, true) => "catalog.put (forced)",
            (None, _) => "catalog.create",
            (Some(_), _) => "catalog.update",
        };
        let audit = AuditEntry::new(
            &crate::registry::acting_as(actor),
            action,
            &format!("{kind}/{name}"),
            before,
            Some(after.clone()),
        );
        self.write_catalog(
            &[CatalogWrite::Put {
                kind: kind.into(),
                name: name.into(),
                body: after.clone(),
            }],
            &[audit],
        )
        .await?;
        Ok(Written {
            entity: after,
            warnings,
        })
    }

    /// Validation of a changed catalog: only problems the change introduces count, so an old
    /// inconsistency does not block unrelated edits.
    async fn check_change(
        &self,
        before: &CatalogState,
        after: &CatalogState,
        kind: &str,
        name: &str,
    ) -> Result<Vec<String>> {
        let (old_errors, _) = before.validate();
        let (errors, mut warnings) = after.validate();
        let new_errors: Vec<String> = errors
            .into_iter()
            .filter(|e| !old_errors.contains(e))
            .collect();
        contents::refuse(new_errors)?;
        if kind == EVENT {
            if let Some(event) = after.events.get(name) {
                let (errors, envelope_warnings) = self.check_envelope(after, event).await?;
                contents::refuse(errors)?;
                warnings.extend(envelope_warnings);
            }
        }
        Ok(warnings)
    }

    /// Deletes an entity. Refused while something still points at it; an event with declared
    /// producers or consumers can be deleted with `force`, which also removes their links and is
    /// recorded as forced in the audit trail.
    pub async fn delete_catalog_entity(
        &self,
        kind: &str,
        name: &str,
        force: bool,
        actor: &str,
    ) -> Result<()> {
        let state = self.catalog().await?;
        let before = self.catalog_entity(kind, name).await?;
        let dependents = state.dependents(kind, name);
        let mut writes = vec![CatalogWrite::Delete {
            kind: kind.into(),
            name: name.into(),
        }];
        let mut audit = Vec::new();
        if !dependents.is_empty() {
            if !(force && kind == EVENT) {
                return Err(Error::CatalogConflict(format!(
                    "{kind} '{name}' is still referenced by {}",
                    dependents.join(", ")
                )));
            }
            for s in state.services.values() {
                if s.produces
                    .iter()
                    .chain(&s.consumes)
                    .any(|l| l.event == name)
                {
                    let mut s2 = s.clone();
                    s2.produces.retain(|l| l.event != name);
                    s2.consumes.retain(|l| l.event != name);
                    let body = serde_json::to_value(&s2).unwrap_or_default();
                    audit.push(AuditEntry::new(
                        &crate::registry::acting_as(actor),
                        "catalog.update (forced)",
                        &format!("service/{}", s.name),
                        serde_json::to_value(s).ok(),
                        Some(body.clone()),
                    ));
                    writes.push(CatalogWrite::Put {
                        kind: SERVICE.into(),
                        name: s.name.clone(),
                        body,
                    });
                }
            }
            if state
                .events
                .values()
                .any(|e| e.replacement.as_deref() == Some(name))
            {
                return Err(Error::CatalogConflict(format!(
                    "event '{name}' is the replacement of another event"
                )));
            }
        }
        let action = if force {
            "catalog.delete (forced)"
        } else {
            "catalog.delete"
        };
        audit.push(AuditEntry::new(
            &crate::registry::acting_as(actor),
            action,
            &format!("{kind}/{name}"),
            Some(before),
            None,
        ));
        self.write_catalog(&writes, &audit).await
    }

    async fn service(&self, name: &str) -> Result<model::Service> {
        self.catalog()
            .await?
            .services
            .remove(name)
            .ok_or_else(|| Error::CatalogNotFound {
                kind: SERVICE.into(),
                name: name.into(),
            })
    }

    async fn put_service(&self, service: &model::Service, actor: &str) -> Result<Written> {
        let body = serde_json::to_value(service).unwrap_or_default();
        self.put_catalog_entity(SERVICE, &service.name, body, false, actor)
            .await
    }

    /// Adds or replaces a service's link to an event.
    pub async fn put_link(
        &self,
        service: &str,
        role: &str,
        link: Link,
        actor: &str,
    ) -> Result<Written> {
        let mut s = self.service(service).await?;
        let list = link_list(&mut s, role)?;
        list.retain(|l| l.event != link.event);
        list.push(link);
        self.put_service(&s, actor).await
    }

    pub async fn delete_link(
        &self,
        service: &str,
        role: &str,
        event: &str,
        actor: &str,
    ) -> Result<()> {
        let mut s = self.service(service).await?;
        let list = link_list(&mut s, role)?;
        let before = list.len();
        list.retain(|l| l.event != event);
        if list.len() == before {
            return Err(Error::CatalogNotFound {
                kind: "link".into(),
                name: format!("{role}/{service}/{event}"),
            });
        }
        self.put_service(&s, actor).await.map(|_| ())
    }

    pub async fn store_audit(&self, query: &crate::store::AuditQuery) -> Result<Vec<AuditEntry>> {
        self.store().audit_log(query).await
    }

    /// The team that owns a subject: the event that binds it, else the ownership patterns.
    pub async fn owner_of_subject(&self, subject: &str) -> Result<Option<String>> {
        let state = self.catalog_view().await?;
        Ok(state
            .event_for_subject(subject)
            .and_then(|e| e.owner.clone())
            .or_else(|| state.owner_of_subject(subject).map(str::to_string)))
    }
}

fn link_list<'a>(s: &'a mut model::Service, role: &str) -> Result<&'a mut Vec<Link>> {
    match role {
        "producer" | "produces" => Ok(&mut s.produces),
        "consumer" | "consumes" => Ok(&mut s.consumes),
        other => Err(Error::CatalogInvalid(format!(
            "link role '{other}' must be producer or consumer"
        ))),
    }
}

fn consumers_of(state: &CatalogState, event: &str) -> Vec<String> {
    state
        .links_to(event)
        .into_iter()
        .filter(|(_, role, _)| *role == "consumer")
        .map(|(s, _, _)| s.name.clone())
        .collect()
}
