//! Avro schema references: registration, resolution, `referencedby`, and delete protection.

use crate::common::*;
use serde_json::json;

fn address(fields: serde_json::Value) -> serde_json::Value {
    json!({"type": "record", "name": "Address", "namespace": "shop", "fields": fields})
}

async fn register_customer(
    s: &TestServer,
    customer_fields: serde_json::Value,
) -> (u16, serde_json::Value) {
    let customer = json!({"type": "record", "name": "Customer", "namespace": "shop", "fields": customer_fields});
    s.post(
        "/subjects/customer-value/versions",
        json!({
            "schema": customer.to_string(),
            "references": [{"name": "shop.Address", "subject": "address", "version": 1}]
        }),
    )
    .await
}

#[tokio::test]
async fn a_schema_referencing_another_registers_and_reads_back_its_references() {
    let s = TestServer::start().await;
    let address_id = s
        .register_ok(
            "address",
            &address(json!([{"name": "street", "type": "string"}])),
        )
        .await;
    let (status, body) = register_customer(&s, json!([{"name": "home", "type": "Address"}])).await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_i64().unwrap();
    assert_ne!(id, address_id);

    let (_, by_id) = s.get(&format!("/schemas/ids/{id}")).await;
    assert_eq!(
        by_id["references"],
        json!([{"name": "shop.Address", "subject": "address", "version": 1}])
    );
    let (_, version) = s.get("/subjects/customer-value/versions/1").await;
    assert_eq!(version["references"][0]["subject"], "address");

    let (status, referrers) = s.get("/subjects/address/versions/1/referencedby").await;
    assert_eq!(status, 200);
    assert_eq!(referrers, json!([id]));
}

#[tokio::test]
async fn an_unresolvable_reference_is_an_invalid_schema_naming_it() {
    let s = TestServer::start().await;
    let (status, body) = register_customer(&s, json!([{"name": "home", "type": "Address"}])).await;
    assert_eq!(status, 422);
    assert_eq!(body["error_code"], 42201);
    assert!(
        body["message"].as_str().unwrap().contains("shop.Address"),
        "{body}"
    );
}

#[tokio::test]
async fn a_referenced_version_cannot_be_deleted() {
    let s = TestServer::start().await;
    s.register_ok(
        "address",
        &address(json!([{"name": "street", "type": "string"}])),
    )
    .await;
    let (status, _) = register_customer(&s, json!([{"name": "home", "type": "Address"}])).await;
    assert_eq!(status, 200);

    let (status, body) = s.delete("/subjects/address/versions/1").await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (422, Some(42206)),
        "{body}"
    );
    let (status, body) = s.delete("/subjects/address").await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (422, Some(42206)),
        "{body}"
    );

    // A soft delete is blocked only by live referrers, a permanent one by any referrer.
    assert_eq!(s.delete("/subjects/customer-value").await.0, 200);
    assert_eq!(s.delete("/subjects/address/versions/1").await.0, 200);
    let (status, body) = s
        .delete("/subjects/address/versions/1?permanent=true")
        .await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (422, Some(42206)),
        "{body}"
    );
    assert_eq!(
        s.delete("/subjects/customer-value?permanent=true").await.0,
        200
    );
    assert_eq!(
        s.delete("/subjects/address/versions/1?permanent=true")
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn compatibility_follows_types_defined_in_referenced_schemas() {
    let s = TestServer::start().await;
    s.register_ok(
        "address",
        &address(json!([{"name": "street", "type": "string"}])),
    )
    .await;
    let (status, _) = register_customer(&s, json!([{"name": "home", "type": "Address"}])).await;
    assert_eq!(status, 200);
    // Address v2 adds a field without a default; a customer that reads it breaks BACKWARD.
    s.register_ok(
        "address",
        &address(json!([{"name": "street", "type": "string"}, {"name": "zip", "type": "string", "default": ""}])),
    )
    .await;
    let customer_v2 = json!({"type": "record", "name": "Customer", "namespace": "shop", "fields": [
        {"name": "home", "type": "Address"}]});
    let (status, body) = s
        .post(
            "/compatibility/subjects/customer-value/versions/latest?verbose=true",
            json!({
                "schema": customer_v2.to_string(),
                "references": [{"name": "shop.Address", "subject": "address", "version": 2}]
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["is_compatible"], true,
        "a field with a default is fine: {body}"
    );

    s.put("/config/address", json!({"compatibility": "NONE"}))
        .await;
    s.register_ok(
        "address",
        &address(
            json!([{"name": "street", "type": "string"}, {"name": "country", "type": "string"}]),
        ),
    )
    .await;
    let (_, body) = s
        .post(
            "/compatibility/subjects/customer-value/versions/latest?verbose=true",
            json!({
                "schema": customer_v2.to_string(),
                "references": [{"name": "shop.Address", "subject": "address", "version": 3}]
            }),
        )
        .await;
    assert_eq!(body["is_compatible"], false, "{body}");
    let messages = body["messages"].to_string();
    assert!(
        messages.contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{messages}"
    );
}

#[tokio::test]
async fn a_reference_cycle_is_an_invalid_schema() {
    let s = TestServer::start().await;
    s.register_ok(
        "address",
        &address(json!([{"name": "street", "type": "string"}])),
    )
    .await;
    let person = json!({"type": "record", "name": "Person", "namespace": "shop", "fields": [
        {"name": "home", "type": "Address"}]});
    let (status, body) = s
        .post(
            "/subjects/person/versions",
            json!({"schema": person.to_string(),
                   "references": [{"name": "shop.Address", "subject": "address", "version": -1}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // Address v2 would reference Person, which references Address's latest: Address v2 itself.
    s.put("/config/address", json!({"compatibility": "NONE"}))
        .await;
    let (status, body) = s
        .post(
            "/subjects/address/versions",
            json!({"schema": address(json!([{"name": "owner", "type": ["null", "Person"], "default": null}])).to_string(),
                   "references": [{"name": "shop.Person", "subject": "person", "version": -1}]}),
        )
        .await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (422, Some(42201)),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("cycle"),
        "{body}"
    );
}

#[tokio::test]
async fn a_chain_three_deep_registers_resolves_checks_compatibility_and_lists_referrers() {
    let s = TestServer::start().await;
    let money = |amount: &str| {
        json!({"type": "record", "name": "Money", "namespace": "shop", "fields": [
            {"name": "amount", "type": amount}, {"name": "currency", "type": "string"}]})
    };
    let price = json!({"type": "record", "name": "Price", "namespace": "shop", "fields": [
        {"name": "gross", "type": "Money"}, {"name": "discounted", "type": "boolean", "default": false}]});
    let order = json!({"type": "record", "name": "Order", "namespace": "shop", "fields": [
        {"name": "id", "type": "string"}, {"name": "price", "type": "Price"}]});
    let with_ref = |schema: &serde_json::Value, name: &str, subject: &str, version: i32| {
        json!({"schema": schema.to_string(),
               "references": [{"name": name, "subject": subject, "version": version}]})
    };

    let money_id = s.register_ok("money", &money("long")).await;
    let (status, body) = s
        .post(
            "/subjects/price/versions",
            with_ref(&price, "shop.Money", "money", 1),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let price_id = body["id"].as_i64().unwrap();
    let (status, body) = s
        .post(
            "/subjects/order-value/versions",
            with_ref(&order, "shop.Price", "price", 1),
        )
        .await;
    assert_eq!(
        status, 200,
        "order resolves Price and, through it, Money: {body}"
    );
    let order_id = body["id"].as_i64().unwrap();

    // Each link names only its direct reference; referrers are listed at each level.
    let (_, by_id) = s.get(&format!("/schemas/ids/{order_id}")).await;
    assert_eq!(
        by_id["references"],
        json!([{"name": "shop.Price", "subject": "price", "version": 1}])
    );
    let (_, referrers) = s.get("/subjects/price/versions/1/referencedby").await;
    assert_eq!(referrers, json!([order_id]));
    let (_, referrers) = s.get("/subjects/money/versions/1/referencedby").await;
    assert_eq!(referrers, json!([price_id]));
    assert_ne!(money_id, price_id);

    // Looking the order up again finds it, references and all.
    let (status, found) = s
        .post(
            "/subjects/order-value",
            with_ref(&order, "shop.Price", "price", 1),
        )
        .await;
    assert_eq!(
        (status, found["id"].as_i64()),
        (200, Some(order_id)),
        "{found}"
    );

    // A change at the bottom of the chain (amount long → string) reaches the top: an order that
    // reads through the new Price and Money cannot read orders written with the old ones, and
    // the reason points into Order.price.gross.amount.
    s.put("/config/money", json!({"compatibility": "NONE"}))
        .await;
    s.put("/config/price", json!({"compatibility": "NONE"}))
        .await;
    s.register_ok("money", &money("string")).await;
    let (status, body) = s
        .post(
            "/subjects/price/versions",
            with_ref(&price, "shop.Money", "money", 2),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, verdict) = s
        .post(
            "/compatibility/subjects/order-value/versions/latest?verbose=true",
            with_ref(&order, "shop.Price", "price", 2),
        )
        .await;
    assert_eq!(status, 200, "{verdict}");
    assert_eq!(verdict["is_compatible"], false, "{verdict}");
    assert!(
        verdict["messages"][0]
            .as_str()
            .unwrap()
            .contains("TYPE_MISMATCH"),
        "{verdict}"
    );
    assert!(
        verdict["messages"][0]
            .as_str()
            .unwrap()
            .contains("/fields/1/type/fields/0/type/fields/0/type"),
        "{verdict}"
    );
    let (status, body) = s
        .post(
            "/subjects/order-value/versions",
            with_ref(&order, "shop.Price", "price", 2),
        )
        .await;
    assert_eq!(status, 409, "{body}");

    // The middle of a chain cannot go while the top still uses it.
    let (status, body) = s.delete("/subjects/price/versions/1").await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (422, Some(42206)),
        "{body}"
    );
}

fn leaf(name: &str) -> serde_json::Value {
    json!({"type": "record", "name": name, "fields": [{"name": "v", "type": "int"}]})
}

/// A record with one field of each named type, and the references that define them.
fn using(name: &str, types: &[&str]) -> serde_json::Value {
    let fields: Vec<_> = types
        .iter()
        .map(|t| json!({"name": t.to_lowercase(), "type": t}))
        .collect();
    let references: Vec<_> = types
        .iter()
        .map(|t| json!({"name": t, "subject": t.to_lowercase(), "version": 1}))
        .collect();
    json!({
        "schema": json!({"type": "record", "name": name, "fields": fields}).to_string(),
        "references": references,
    })
}

#[track_caller]
fn assert_over_limit((status, body): (u16, serde_json::Value), limit: usize) {
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (422, Some(42201)),
        "{body}"
    );
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("more than {limit} references"))
            && message.contains("max_references"),
        "{message}"
    );
}

#[tokio::test]
async fn references_past_the_limit_are_refused_naming_it() {
    let s = TestServer::start_with(|c| c.max_references = 3).await;
    for name in ["L1", "L2", "L3", "L4"] {
        s.register_ok(&name.to_lowercase(), &leaf(name)).await;
    }
    // Direct references.
    let four = using("X", &["L1", "L2", "L3", "L4"]);
    assert_over_limit(s.post("/subjects/x/versions", four.clone()).await, 3);
    assert_over_limit(s.post("/subjects/l1", four.clone()).await, 3);
    let three = using("X", &["L1", "L2", "L3"]);
    let (status, body) = s.post("/subjects/x/versions", three).await;
    assert_eq!(status, 200, "{body}");

    // References of references count too: M1 and M2 bring L1 and L2 along.
    for (m, l) in [("M1", "L1"), ("M2", "L2")] {
        let (status, body) = s
            .post(
                &format!("/subjects/{}/versions", m.to_lowercase()),
                using(m, &[l]),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    assert_over_limit(
        s.post("/subjects/y/versions", using("Y", &["M1", "M2"]))
            .await,
        3,
    );
    assert_eq!(s.get("/subjects/y/versions").await.0, 404);
    let (status, body) = s
        .post("/subjects/y/versions", using("Y", &["M1", "L3"]))
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn the_default_limit_is_a_thousand_references() {
    let s = TestServer::start().await;
    let references: Vec<_> = (0..1001)
        .map(|i| json!({"name": format!("T{i}"), "subject": format!("t{i}"), "version": 1}))
        .collect();
    let body = json!({"schema": leaf("Big").to_string(), "references": references});
    let started = std::time::Instant::now();
    assert_over_limit(s.post("/subjects/big/versions", body).await, 1000);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}
