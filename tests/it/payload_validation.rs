//! `/herald/v1/.../validate`: payloads checked against registered schemas, every error with its
//! JSON Pointer, and the documented errors for unknown subjects, versions and ids.

use crate::common::*;
use serde_json::{json, Value};

fn order_v1() -> Value {
    record(
        "Order",
        json!([
            {"name": "orderId", "type": "string"},
            {"name": "amount", "type": "long"},
            {"name": "coupon", "type": ["null", "string"], "default": null},
            {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
            {"name": "lines", "type": {"type": "array", "items": record("Line", json!([
                {"name": "sku", "type": "string"},
                {"name": "qty", "type": "int"}
            ]))}}
        ]),
    )
}

fn order_v2() -> Value {
    let mut v2 = order_v1();
    v2["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "channel", "type": "string", "default": "WEB"}));
    v2
}

fn valid_order() -> Value {
    json!({"orderId": "o-1", "amount": 1250, "coupon": {"string": "SPRING"}, "status": "NEW",
           "lines": [{"sku": "A-1", "qty": 2}]})
}

async fn validate(s: &TestServer, path: &str, payload: Value) -> (u16, Value) {
    s.post(path, json!({ "payload": payload })).await
}

#[tokio::test]
async fn a_valid_payload_is_valid_against_a_version_and_an_id() {
    let s = TestServer::start().await;
    let id = s.register_ok("orders-value", &order_v1()).await;
    s.register_ok("orders-value", &order_v2()).await;

    let (status, body) = validate(
        &s,
        "/herald/v1/subjects/orders-value/versions/1/validate",
        valid_order(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["valid"], true);
    assert_eq!(body["errors"], json!([]));
    assert_eq!(body["subject"], "orders-value");
    assert_eq!(body["version"], 1);
    assert_eq!(body["id"], id);
    assert_eq!(body["schemaType"], "AVRO");

    let (_, latest) = validate(
        &s,
        "/herald/v1/subjects/orders-value/versions/latest/validate",
        valid_order(),
    )
    .await;
    assert_eq!(latest["version"], 2, "{latest}");
    assert_eq!(
        latest["valid"], true,
        "a field with a default may be left out: {latest}"
    );

    let (status, by_id) = validate(
        &s,
        &format!("/herald/v1/schemas/ids/{id}/validate"),
        valid_order(),
    )
    .await;
    assert_eq!(status, 200, "{by_id}");
    assert_eq!(by_id["valid"], true);
    assert!(by_id.get("subject").is_none(), "{by_id}");
}

#[tokio::test]
async fn every_kind_of_error_is_reported_with_its_json_pointer() {
    let s = TestServer::start().await;
    s.register_ok("orders-value", &order_v1()).await;
    let payload = json!({
        "orderId": 7,
        "amount": "12.50",
        "coupon": 3,
        "status": "LOST",
        "lines": [{"sku": "A-1", "qty": 2}, {"qty": 4000000000i64}],
        "note": "not in the schema"
    });
    let (status, body) = validate(
        &s,
        "/herald/v1/subjects/orders-value/versions/1/validate",
        payload,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["valid"], false);
    let errors = body["errors"].as_array().unwrap();
    let paths: Vec<&str> = errors.iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "/orderId",
            "/amount",
            "/coupon",
            "/status",
            "/lines/1/sku",
            "/lines/1/qty",
            "/note"
        ],
        "{body}"
    );
    let message = |i: usize| errors[i]["message"].as_str().unwrap().to_string();
    assert!(message(0).contains("expected a string"), "{}", message(0));
    assert!(message(1).contains("expected an integer"), "{}", message(1));
    assert!(
        message(2).contains("no branch of the union"),
        "{}",
        message(2)
    );
    assert!(
        message(3).contains("'LOST' is not a symbol"),
        "{}",
        message(3)
    );
    assert!(
        message(4).contains("required field 'sku'"),
        "{}",
        message(4)
    );
    assert!(
        message(5).contains("out of range for int"),
        "{}",
        message(5)
    );
    assert!(message(6).contains("no field 'note'"), "{}", message(6));

    // A payload that is not even an object.
    let (_, body) = validate(
        &s,
        "/herald/v1/subjects/orders-value/versions/1/validate",
        json!([1]),
    )
    .await;
    assert_eq!(body["valid"], false);
    assert_eq!(body["errors"][0]["path"], "");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("found an array"),
        "{body}"
    );
}

#[tokio::test]
async fn unknown_subjects_versions_and_ids_get_the_confluent_errors() {
    let s = TestServer::start().await;
    s.register_ok("orders-value", &order_v1()).await;

    let (status, body) = validate(
        &s,
        "/herald/v1/subjects/nope-value/versions/1/validate",
        valid_order(),
    )
    .await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (404, Some(40401)),
        "{body}"
    );

    let (status, body) = validate(
        &s,
        "/herald/v1/subjects/orders-value/versions/9/validate",
        valid_order(),
    )
    .await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (404, Some(40402)),
        "{body}"
    );

    let (status, body) = validate(
        &s,
        "/herald/v1/subjects/orders-value/versions/zero/validate",
        valid_order(),
    )
    .await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (422, Some(42202)),
        "{body}"
    );

    let (status, body) = validate(&s, "/herald/v1/schemas/ids/999/validate", valid_order()).await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (404, Some(40403)),
        "{body}"
    );

    // A soft-deleted version no longer validates anything.
    s.register_ok("orders-value", &order_v2()).await;
    let (status, _) = s.delete("/subjects/orders-value/versions/1").await;
    assert_eq!(status, 200);
    let (status, body) = validate(
        &s,
        "/herald/v1/subjects/orders-value/versions/1/validate",
        valid_order(),
    )
    .await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (404, Some(40402)),
        "{body}"
    );
}

#[tokio::test]
async fn a_malformed_request_is_a_400_not_a_verdict() {
    let s = TestServer::start().await;
    s.register_ok("orders-value", &order_v1()).await;
    let path = "/herald/v1/subjects/orders-value/versions/1/validate";

    let (status, body) = s.post(path, json!({"notPayload": {}})).await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (400, Some(400)),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("payload"),
        "{body}"
    );

    let resp = s
        .client
        .post(s.url(path))
        .header("content-type", CT)
        .body("{\"payload\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);

    // `null` is a payload like any other, and not a valid Order.
    let (status, body) = s.post(path, json!({"payload": null})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["valid"], false);
}

#[tokio::test]
async fn json_schema_payloads_are_validated_with_every_error_path() {
    let s = TestServer::start().await;
    let schema = json!({
        "type": "object",
        "properties": {
            "userId": {"type": "string", "minLength": 3},
            "age": {"type": "integer", "minimum": 0},
            "address": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"]
            }
        },
        "required": ["userId"],
        "additionalProperties": false
    });
    let (status, body) = s
        .post(
            "/subjects/users-value/versions",
            json!({"schemaType": "JSON", "schema": schema.to_string()}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let path = "/herald/v1/subjects/users-value/versions/latest/validate";

    let (_, ok) = validate(
        &s,
        path,
        json!({"userId": "u-1", "age": 30, "address": {"city": "Oslo"}}),
    )
    .await;
    assert_eq!(ok["valid"], true, "{ok}");
    assert_eq!(ok["schemaType"], "JSON");

    let (status, bad) = validate(
        &s,
        path,
        json!({"userId": "u", "age": -1, "address": {}, "extra": 1}),
    )
    .await;
    assert_eq!(status, 200, "{bad}");
    assert_eq!(bad["valid"], false);
    let mut paths: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    paths.sort();
    // minLength on userId, minimum on age, the missing city (reported on its object), and the
    // property the closed model does not allow (reported on the root).
    assert_eq!(paths, ["", "/address", "/age", "/userId"], "{bad}");
}

#[tokio::test]
async fn protobuf_payloads_are_validated_through_the_json_mapping() {
    let s = TestServer::start().await;
    let proto = r#"syntax = "proto3";
package shop;
message Shipment {
  string shipment_id = 1;
  int32 parcels = 2;
  Address address = 3;
  enum Carrier { UNKNOWN = 0; POST = 1; }
  Carrier carrier = 4;
}
message Address { string city = 1; }
"#;
    let (status, body) = s
        .post(
            "/subjects/shipments-value/versions",
            json!({"schemaType": "PROTOBUF", "schema": proto}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_i64().unwrap();
    let path = format!("/herald/v1/schemas/ids/{id}/validate");

    let (_, ok) = validate(
        &s,
        &path,
        json!({"shipmentId": "s-1", "parcels": 2, "address": {"city": "Oslo"}, "carrier": "POST"}),
    )
    .await;
    assert_eq!(ok["valid"], true, "{ok}");
    assert_eq!(ok["schemaType"], "PROTOBUF");

    let (_, bad) = validate(&s, &path, json!({"shipmentId": 5, "parcels": "many", "address": {"town": "Oslo"}, "carrier": "PIGEON"})).await;
    assert_eq!(bad["valid"], false, "{bad}");
    let paths: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    for expected in ["/shipmentId", "/parcels", "/address/town", "/carrier"] {
        assert!(paths.contains(&expected), "{expected} missing from {bad}");
    }
}
