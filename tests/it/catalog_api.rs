//! The catalog's JSON API: every entity and link, the validation that keeps it consistent, and
//! the audit trail.

use crate::common::*;
use serde_json::{json, Value};

/// The envelope every event's value schema carries (the default policy requires it).
fn envelope() -> Vec<Value> {
    vec![
        json!({"name": "eventId", "type": "string"}),
        json!({"name": "eventType", "type": "string"}),
        json!({"name": "timestamp", "type": {"type": "long", "logicalType": "timestamp-millis"}}),
        json!({"name": "source", "type": "string"}),
    ]
}

pub fn order_schema(extra: Vec<Value>) -> Value {
    let mut fields = envelope();
    fields.push(json!({"name": "orderId", "type": "string"}));
    fields.extend(extra);
    json!({"type": "record", "name": "OrderPlaced", "namespace": "shop", "fields": fields})
}

async fn seed(s: &TestServer) {
    assert_eq!(
        s.post(
            "/herald/v1/domains",
            json!({"name": "orders", "description": "Orders"})
        )
        .await
        .0,
        201
    );
    assert_eq!(
        s.post("/herald/v1/teams", json!({"name": "checkout", "contact": {"email": "checkout@shop.example"}, "members": ["ana"]}))
            .await
            .0,
        201
    );
    s.register_ok("orders.order.placed-value", &order_schema(vec![]))
        .await;
    let (status, body) = s
        .post(
            "/herald/v1/events",
            json!({"name": "orders.order.placed", "domain": "orders", "owner": "checkout",
                   "channel": {"type": "kafka", "name": "orders.order.placed"},
                   "schemas": [{"subject": "orders.order.placed-value", "versions": [{"version": "1.0.0", "registry_version": 1}]}]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = s
        .post(
            "/herald/v1/services",
            json!({"name": "order-service", "domain": "orders", "owner": "checkout",
                   "produces": [{"event": "orders.order.placed", "version": "1.0.0"}]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn every_entity_can_be_created_read_listed_updated_and_deleted() {
    let s = TestServer::start().await;
    seed(&s).await;
    for (plural, name) in [
        ("domains", "orders"),
        ("teams", "checkout"),
        ("services", "order-service"),
        ("events", "orders.order.placed"),
    ] {
        let (status, body) = s.get(&format!("/herald/v1/{plural}/{name}")).await;
        assert_eq!(
            (status, body["name"].as_str()),
            (200, Some(name)),
            "{plural}"
        );
        let (_, list) = s.get(&format!("/herald/v1/{plural}")).await;
        assert_eq!(list.as_array().unwrap().len(), 1, "{plural}: {list}");
    }
    let (status, body) = s
        .put(
            "/herald/v1/domains/orders",
            json!({"description": "Orders, from checkout to cancellation"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        s.get("/herald/v1/domains/orders").await.1["description"],
        "Orders, from checkout to cancellation"
    );

    let (status, _) = s
        .post("/herald/v1/domains", json!({"name": "orders"}))
        .await;
    assert_eq!(status, 409, "creating twice conflicts");

    // Deleting in dependency order works.
    assert_eq!(s.delete("/herald/v1/services/order-service").await.0, 204);
    assert_eq!(
        s.delete("/herald/v1/events/orders.order.placed").await.0,
        204
    );
    assert_eq!(s.delete("/herald/v1/teams/checkout").await.0, 204);
    assert_eq!(s.delete("/herald/v1/domains/orders").await.0, 204);
    let (status, body) = s.get("/herald/v1/domains/orders").await;
    assert_eq!((status, body["error_code"].as_i64()), (404, Some(40490)));
}

#[tokio::test]
async fn lists_filter_by_domain_owner_and_lifecycle() {
    let s = TestServer::start().await;
    seed(&s).await;
    s.post("/herald/v1/services", json!({"name": "audit-service"}))
        .await;
    let (_, owned) = s.get("/herald/v1/services?owner=checkout").await;
    assert_eq!(owned.as_array().unwrap().len(), 1);
    let (_, active) = s
        .get("/herald/v1/events?lifecycle=active&domain=orders")
        .await;
    assert_eq!(active.as_array().unwrap().len(), 1);
    let (_, none) = s.get("/herald/v1/events?lifecycle=deprecated").await;
    assert_eq!(none, json!([]));
}

#[tokio::test]
async fn references_to_unknown_entities_are_refused() {
    let s = TestServer::start().await;
    seed(&s).await;
    let (status, body) = s
        .post(
            "/herald/v1/services",
            json!({"name": "x-service", "owner": "ghosts"}),
        )
        .await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (422, Some(42290)),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("unknown team 'ghosts'"),
        "{body}"
    );

    let (status, body) = s
        .post(
            "/herald/v1/services",
            json!({"name": "y-service", "consumes": [{"event": "no.such.event", "version": "^1"}]}),
        )
        .await;
    assert_eq!(status, 422, "a dangling link: {body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("unknown event 'no.such.event'"),
        "{body}"
    );

    let (status, body) = s.post("/herald/v1/services", json!({"name": "z-service", "consumes": [{"event": "orders.order.placed", "version": "not-semver"}]})).await;
    assert_eq!(status, 422, "{body}");

    let (status, body) = s
        .post("/herald/v1/teams", json!({"name": "Bad Name"}))
        .await;
    assert_eq!(status, 422, "{body}");
}

#[tokio::test]
async fn policy_refuses_bad_event_names_missing_owners_and_missing_envelopes() {
    let s = TestServer::start().await;
    seed(&s).await;
    let (status, body) = s
        .post(
            "/herald/v1/events",
            json!({"name": "OrderPlaced", "owner": "checkout"}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("policy event_name"),
        "{body}"
    );

    let (status, body) = s
        .post(
            "/herald/v1/events",
            json!({"name": "orders.order.cancelled"}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("policy owner_required"),
        "{body}"
    );

    s.register_ok(
        "bare-value",
        &json!({"type": "record", "name": "Bare", "fields": [{"name": "id", "type": "string"}]}),
    )
    .await;
    let (status, body) = s
        .post(
            "/herald/v1/events",
            json!({"name": "orders.order.bare", "owner": "checkout",
                   "schemas": [{"subject": "bare-value", "versions": [{"version": "1.0.0", "registry_version": 1}]}]}),
        )
        .await;
    assert_eq!(status, 422);
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("policy envelope") && message.contains("eventId"),
        "{body}"
    );
}

#[tokio::test]
async fn deletes_that_would_orphan_are_refused() {
    let s = TestServer::start().await;
    seed(&s).await;
    let (status, body) = s.delete("/herald/v1/teams/checkout").await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (409, Some(40990)),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("order-service"),
        "{body}"
    );
    let (status, _) = s.delete("/herald/v1/domains/orders").await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn an_event_with_consumers_is_deleted_or_retired_only_with_force_and_the_force_is_audited() {
    let s = TestServer::start().await;
    seed(&s).await;
    s.post("/herald/v1/links", json!({"service": "order-service", "event": "orders.order.placed", "role": "consumer", "version": "^1.0"})).await;

    let mut retired = s.get("/herald/v1/events/orders.order.placed").await.1;
    retired["lifecycle"] = "retired".into();
    let (status, body) = s
        .put("/herald/v1/events/orders.order.placed", retired.clone())
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        s.put("/herald/v1/events/orders.order.placed?force=true", retired)
            .await
            .0,
        200
    );

    let (status, _) = s.delete("/herald/v1/events/orders.order.placed").await;
    assert_eq!(status, 409);
    assert_eq!(
        s.delete("/herald/v1/events/orders.order.placed?force=true")
            .await
            .0,
        204
    );
    let (_, links) = s.get("/herald/v1/links?service=order-service").await;
    assert_eq!(links, json!([]), "a forced delete takes the links with it");

    let (_, audit) = s
        .get("/herald/v1/audit?target=event/orders.order.placed")
        .await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"catalog.delete (forced)"), "{actions:?}");
    assert!(actions.contains(&"catalog.put (forced)"), "{actions:?}");
}

#[tokio::test]
async fn a_deprecated_event_needs_a_sunset_and_a_real_replacement() {
    let s = TestServer::start().await;
    seed(&s).await;
    let mut event = s.get("/herald/v1/events/orders.order.placed").await.1;
    event["lifecycle"] = "deprecated".into();
    assert_eq!(
        s.put("/herald/v1/events/orders.order.placed", event.clone())
            .await
            .0,
        422
    );
    event["sunset"] = "2027-03-31".into();
    event["replacement"] = "orders.order.placed.v2".into();
    let (status, body) = s
        .put("/herald/v1/events/orders.order.placed", event.clone())
        .await;
    assert_eq!(status, 422, "unknown replacement: {body}");
    event.as_object_mut().unwrap().remove("replacement");
    assert_eq!(
        s.put("/herald/v1/events/orders.order.placed", event)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn links_are_created_listed_and_deleted() {
    let s = TestServer::start().await;
    seed(&s).await;
    s.post("/herald/v1/services", json!({"name": "analytics-service"}))
        .await;
    let (status, body) = s
        .post("/herald/v1/links", json!({"service": "analytics-service", "event": "orders.order.placed", "role": "consumer", "version": "^1.0", "fields": ["orderId"]}))
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, links) = s
        .get("/herald/v1/links?event=orders.order.placed&role=consumer")
        .await;
    assert_eq!(
        links,
        json!([{"service": "analytics-service", "event": "orders.order.placed", "role": "consumer", "version": "^1.0", "fields": ["orderId"]}])
    );
    let (status, _) = s
        .post(
            "/herald/v1/links",
            json!({"service": "nobody", "event": "orders.order.placed", "role": "consumer"}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = s.post("/herald/v1/links", json!({"service": "analytics-service", "event": "orders.order.placed", "role": "watcher"})).await;
    assert_eq!(status, 422);
    assert_eq!(
        s.delete("/herald/v1/links/consumer/analytics-service/orders.order.placed")
            .await
            .0,
        204
    );
    assert_eq!(
        s.delete("/herald/v1/links/consumer/analytics-service/orders.order.placed")
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn examples_are_contracts_checked_against_their_version() {
    let s = TestServer::start().await;
    seed(&s).await;
    let mut event = s.get("/herald/v1/events/orders.order.placed").await.1;
    let good = json!({"eventId": "e-1", "eventType": "orders.order.placed", "timestamp": 1700000000000i64, "source": "order-service", "orderId": "o-1"});
    event["examples"] = json!([{"name": "first", "version": "1.0.0", "payload": good}]);
    let (status, body) = s
        .put("/herald/v1/events/orders.order.placed", event.clone())
        .await;
    assert_eq!(status, 200, "{body}");

    event["examples"] = json!([{"name": "broken", "version": "1.0.0", "payload": {"orderId": 42}}]);
    let (status, body) = s
        .put("/herald/v1/events/orders.order.placed", event.clone())
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("example 'broken'"),
        "{body}"
    );

    event["examples"] = json!([{"name": "orphan", "version": "9.9.9", "payload": good}]);
    assert_eq!(
        s.put("/herald/v1/events/orders.order.placed", event)
            .await
            .0,
        422
    );
}

#[tokio::test]
async fn registry_and_catalog_changes_are_in_the_audit_trail() {
    let s = TestServer::start().await;
    seed(&s).await;
    s.put(
        "/config/orders.order.placed-value",
        json!({"compatibility": "FULL"}),
    )
    .await;
    let (status, audit) = s.get("/herald/v1/audit").await;
    assert_eq!(status, 200);
    let actions: Vec<(String, String)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["action"].as_str().unwrap().to_string(),
                a["target"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for expected in [
        ("schema.register", "subject/orders.order.placed-value"),
        ("catalog.create", "event/orders.order.placed"),
        ("catalog.create", "service/order-service"),
        ("config.update", "config/orders.order.placed-value"),
    ] {
        assert!(
            actions.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{expected:?} in {actions:?}"
        );
    }
    let (_, only) = s.get("/herald/v1/audit?action=config.update").await;
    assert_eq!(only.as_array().unwrap().len(), 1);
    assert!(only[0]["after"]["compatibility"] == "FULL", "{only}");
}

#[tokio::test]
async fn a_registered_version_that_breaks_a_stored_example_is_reported() {
    let s = TestServer::start().await;
    seed(&s).await;
    let mut event = s.get("/herald/v1/events/orders.order.placed").await.1;
    let example = json!({"eventId": "e-1", "eventType": "orders.order.placed", "timestamp": 1700000000000i64, "source": "order-service", "orderId": "o-1"});
    event["examples"] = json!([{"name": "first", "version": "1.0.0", "payload": example}]);
    assert_eq!(
        s.put("/herald/v1/events/orders.order.placed", event)
            .await
            .0,
        200
    );

    // A serializer registers a version whose new field has no default: the example lacks it.
    s.put(
        "/config/orders.order.placed-value",
        json!({"compatibility": "NONE"}),
    )
    .await;
    s.register_ok(
        "orders.order.placed-value",
        &order_schema(vec![json!({"name": "qty", "type": "int"})]),
    )
    .await;
    let (_, audit) = s.get("/herald/v1/audit?action=example.broken").await;
    assert_eq!(audit.as_array().unwrap().len(), 1, "{audit}");
    assert_eq!(
        audit[0]["target"],
        "subject/orders.order.placed-value/versions/2"
    );
    assert!(
        audit[0]["after"].to_string().contains("example 'first'"),
        "{audit}"
    );
}
