//! Avro schema references: registration, resolution, `referencedby`, and delete protection.

mod common;
use common::*;
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
