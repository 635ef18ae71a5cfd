//! Service maps: which services produce and consume which events, drawn as graphs.

use super::graph::{self, Graph, Node};
use super::segment;
use crate::catalog_entities::contents::CatalogState;
use crate::catalog_entities::model::{Lifecycle, Service};

/// An event's box: own (of the page's domain or the page's event), foreign, or deprecated.
fn event_node(catalog: &CatalogState, name: &str, own_domain: Option<&str>) -> Node {
    let event = catalog.events.get(name);
    let own = match own_domain {
        Some(d) => event.and_then(|e| e.domain.as_deref()) == Some(d),
        None => true,
    };
    let deprecated =
        event.is_some_and(|e| matches!(e.lifecycle, Lifecycle::Deprecated | Lifecycle::Retired));
    Node {
        label: name.to_string(),
        href: format!("/ui/events/{}", segment(name)),
        kind: format!(
            "event {}{}",
            if own { "own" } else { "foreign" },
            if deprecated { " deprecated" } else { "" }
        ),
    }
}

fn service_node(name: &str) -> Node {
    Node {
        label: name.to_string(),
        href: format!("/ui/services/{}", segment(name)),
        kind: "service".into(),
    }
}

/// producers → events → consumers for the given events, each service and event once.
pub fn flow_graph(
    title: &str,
    catalog: &CatalogState,
    events: &[String],
    own_domain: Option<&str>,
) -> String {
    let mut graph = Graph::default();
    for event in events {
        let e = graph.node(event_node(catalog, event, own_domain));
        for (service, role, _) in catalog.links_to(event) {
            let s = graph.node(service_node(&service.name));
            if role == "producer" {
                graph.edge(s, e, "produces");
            } else {
                graph.edge(e, s, "consumes");
            }
        }
    }
    graph::render(title, &graph)
}

/// A service's neighbourhood: what it produces and who consumes that, what it consumes and
/// who produces that.
pub fn service_graph(catalog: &CatalogState, service: &Service) -> String {
    let mut graph = Graph::default();
    let me = graph.node(service_node(&service.name));
    for link in &service.produces {
        let e = graph.node(event_node(catalog, &link.event, service.domain.as_deref()));
        graph.edge(me, e, "produces");
        for (other, role, _) in catalog.links_to(&link.event) {
            if role == "consumer" {
                let c = graph.node(service_node(&other.name));
                graph.edge(e, c, "consumes");
            }
        }
    }
    for link in &service.consumes {
        let e = graph.node(event_node(catalog, &link.event, service.domain.as_deref()));
        graph.edge(e, me, "consumes");
        for (other, role, _) in catalog.links_to(&link.event) {
            if role == "producer" {
                let p = graph.node(service_node(&other.name));
                graph.edge(p, e, "produces");
            }
        }
    }
    graph::render(
        &format!("Events {} produces and consumes", service.name),
        &graph,
    )
}
