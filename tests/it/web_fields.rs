//! Field tables of JSON Schema and Protobuf versions on the catalog pages (nested types
//! expanded, found by search), and the decoder on Protobuf messages framed with their message
//! indexes.

use crate::common::*;
use prost::Message;
use prost_reflect::{DynamicMessage, MapKey, Value as Proto};
use serde_json::{json, Value};

/// The field table row of `path`: its cells from the path to the end of the row.
fn field_row<'a>(fields: &'a str, path: &str) -> &'a str {
    let start = fields
        .find(&format!("<code>{path}</code>"))
        .unwrap_or_else(|| panic!("no row {path} in:\n{fields}"));
    let rest = &fields[start..];
    &rest[..rest.find("</tr>").unwrap_or(rest.len())]
}

/// The `<tr>` opening the row of `path`, which carries its depth.
fn row_class<'a>(fields: &'a str, path: &str) -> &'a str {
    let at = fields.find(&format!("<code>{path}</code>")).unwrap();
    let open = fields[..at].rfind("<tr class=\"").unwrap();
    let class = &fields[open + 11..];
    &class[..class.find('"').unwrap()]
}

async fn register_typed(s: &TestServer, subject: &str, schema_type: &str, schema: &str) -> i64 {
    let (status, body) = s
        .post(
            &format!("/subjects/{subject}/versions"),
            json!({"schemaType": schema_type, "schema": schema}),
        )
        .await;
    assert_eq!(status, 200, "register {subject}: {body}");
    body["id"].as_i64().unwrap()
}

fn demo_schema(event: &str, file: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("catalog/events")
        .join(event)
        .join(file);
    std::fs::read_to_string(path).unwrap()
}

#[tokio::test]
async fn json_schema_versions_show_typed_and_nested_fields() {
    let s = demo().await;
    let body = html(&s, "/ui/subjects/users.user.created-value/versions/3").await;
    let fields = section(&body, "fields-h");
    assert_has(
        field_row(fields, "eventId"),
        &[
            "<code>string (uuid)</code>",
            "yes",
            "Unique id; consumers de-duplicate on it.",
        ],
    );
    assert_has(
        field_row(fields, "locale"),
        &["<code>&#34;en&#34;</code>", "no", "BCP 47 language tag."],
    );
    assert_has(
        field_row(fields, "referrer"),
        &["<code>string | null</code>", "<code>null</code>"],
    );

    // The next version adds an address (a definition) and a list of devices.
    let mut next: Value =
        serde_json::from_str(&demo_schema("users.user.created", "v3.json")).unwrap();
    next["properties"]["address"] = json!({"$ref": "#/definitions/Address"});
    next["properties"]["devices"] = json!({
        "type": "array",
        "items": {"type": "object", "title": "Device", "properties": {
            "platform": {"enum": ["IOS", "ANDROID", "WEB"]},
            "lastSeen": {"type": "string", "format": "date-time", "description": "Last sign-in."}
        }, "required": ["platform"]}
    });
    next["definitions"] = json!({"Address": {"type": "object", "properties": {
        "city": {"type": "string"},
        "geo": {"type": "object", "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}}}
    }, "required": ["city"]}});
    register_typed(&s, "users.user.created-value", "JSON", &next.to_string()).await;

    let body = html(&s, "/ui/subjects/users.user.created-value/versions/4").await;
    let fields = section(&body, "fields-h");
    assert_has(field_row(fields, "address"), &["<code>Address</code>"]);
    assert_has(
        field_row(fields, "address.city"),
        &["<code>string</code>", "yes"],
    );
    assert_eq!(row_class(fields, "address.city"), "depth-1");
    assert_eq!(row_class(fields, "address.geo.lat"), "depth-2");
    assert_has(
        field_row(fields, "devices"),
        &["<code>array&#60;Device&#62;</code>"],
    );
    assert_has(
        field_row(fields, "devices[].platform"),
        &["<code>enum [IOS, ANDROID, WEB]</code>", "yes"],
    );
    assert_has(
        field_row(fields, "devices[].lastSeen"),
        &["<code>string (date-time)</code>", "Last sign-in."],
    );
    // Children follow their parent.
    assert!(fields.find("<code>address</code>") < fields.find("<code>address.city</code>"));

    // Search reaches the nested properties of the latest version.
    let found = html(&s, "/ui/search?q=lastSeen&kind=fields").await;
    assert_has(
        section(&found, "group-fields"),
        &[
            "devices[].lastSeen: string (date-time)",
            "users.user.created",
        ],
    );
}

const NEXT_DISPATCHED: &str = r#"
  Parcel parcel = 9;
  map<string, string> labels = 10;
  oneof proof {
    string signature = 11;
    string photo_url = 12;
  }
}

message Parcel {
  double weight_kg = 1;
  repeated Item items = 2;
  message Item {
    string sku = 1;
    int32 quantity = 2;
  }
}
"#;

#[tokio::test]
async fn protobuf_versions_show_json_names_and_nested_messages() {
    let s = demo().await;
    let body = html(
        &s,
        "/ui/subjects/shipping.shipment.dispatched-value/versions/2",
    )
    .await;
    let fields = section(&body, "fields-h");
    assert_has(field_row(fields, "eventId"), &["<code>string</code>", "no"]);
    assert_has(
        field_row(fields, "timestamp"),
        &["<code>google.protobuf.Timestamp</code>"],
    );
    assert_has(
        field_row(fields, "trackingUrl"),
        &["<code>optional string</code>"],
    );
    // A well-known type is shown by name, not as its seconds and nanos.
    assert!(!fields.contains("timestamp.seconds"), "{fields}");

    let v2 = demo_schema("shipping.shipment.dispatched", "v2.proto");
    let end = v2.rfind('}').unwrap();
    let v3 = format!("{}{NEXT_DISPATCHED}", &v2[..end]);
    register_typed(&s, "shipping.shipment.dispatched-value", "PROTOBUF", &v3).await;

    let body = html(
        &s,
        "/ui/subjects/shipping.shipment.dispatched-value/versions/3",
    )
    .await;
    let fields = section(&body, "fields-h");
    assert_has(field_row(fields, "parcel"), &["<code>Parcel</code>"]);
    assert_has(
        field_row(fields, "parcel.weightKg"),
        &["<code>double</code>"],
    );
    assert_has(
        field_row(fields, "parcel.items"),
        &["<code>repeated Parcel.Item</code>"],
    );
    assert_has(
        field_row(fields, "parcel.items[].quantity"),
        &["<code>int32</code>"],
    );
    assert_eq!(row_class(fields, "parcel.items[].sku"), "depth-2");
    assert_has(
        field_row(fields, "labels"),
        &["<code>map&#60;string, string&#62;</code>"],
    );
    assert_has(
        field_row(fields, "photoUrl"),
        &["<code>string (oneof proof)</code>"],
    );

    // Search finds fields only a Protobuf event carries, top-level and nested.
    let found = html(&s, "/ui/search?q=trackingUrl&kind=fields").await;
    assert_has(
        section(&found, "group-fields"),
        &[
            "trackingUrl: optional string",
            "shipping.shipment.dispatched",
        ],
    );
    let found = html(&s, "/ui/search?q=weightKg&kind=fields").await;
    assert_has(
        section(&found, "group-fields"),
        &["parcel.weightKg: double", "shipping.shipment.dispatched"],
    );
}

#[tokio::test]
async fn search_finds_fields_only_json_schema_events_carry() {
    let s = demo().await;
    let found = html(&s, "/ui/search?q=changedFields&kind=fields").await;
    let fields = section(&found, "group-fields");
    assert_has(
        fields,
        &["changedFields: array&#60;string&#62;", "users.user.updated"],
    );
    assert!(!fields.contains("orders.order"), "{fields}");
}

const PARCELS: &str = r#"syntax = "proto3";
package shop.parcels;

message ParcelScanned {
  string parcel_id = 1;
  int64 scanned_at_ms = 2;
  Location location = 3;
  map<string, int32> counts = 4;
  message Location {
    string depot = 1;
    double lat = 2;
  }
}

message ParcelLost {
  string parcel_id = 1;
  string reason = 2;
}
"#;

/// A Confluent Protobuf message: magic byte, schema id, message indexes, body.
fn framed(id: i64, indexes: &[u8], message: &DynamicMessage) -> String {
    let mut out = vec![0u8];
    out.extend_from_slice(&(id as u32).to_be_bytes());
    out.extend_from_slice(indexes);
    out.extend(message.encode_to_vec());
    hex::encode(out)
}

fn decode_path(hex: &str) -> String {
    format!(
        "/ui/decode?{}",
        form_urlencoded::Serializer::new(String::new())
            .append_pair("message", hex)
            .finish()
    )
}

#[tokio::test]
async fn decoder_reads_protobuf_messages_by_their_indexes() {
    let s = TestServer::start().await;
    let id = register_typed(&s, "parcels-value", "PROTOBUF", PARCELS).await;
    let pool = herald::formats::protobuf::parse(PARCELS, &[], false)
        .unwrap()
        .file
        .parent_pool()
        .clone();
    let scanned = pool
        .get_message_by_name("shop.parcels.ParcelScanned")
        .unwrap();
    let location = pool
        .get_message_by_name("shop.parcels.ParcelScanned.Location")
        .unwrap();
    let lost = pool.get_message_by_name("shop.parcels.ParcelLost").unwrap();

    let mut at = DynamicMessage::new(location.clone());
    at.set_field_by_name("depot", Proto::String("LYS-2".into()));
    at.set_field_by_name("lat", Proto::F64(45.5));
    let mut message = DynamicMessage::new(scanned);
    message.set_field_by_name("parcel_id", Proto::String("p-77".into()));
    message.set_field_by_name("scanned_at_ms", Proto::I64(1_700_000_000_000));
    message.set_field_by_name("location", Proto::Message(at.clone()));
    message.set_field_by_name(
        "counts",
        Proto::Map([(MapKey::String("bins".into()), Proto::I32(3))].into()),
    );

    // The first message, written as the single index byte 0.
    let body = html(&s, &decode_path(&framed(id, &[0], &message))).await;
    let decoded = section(&body, "decoded");
    assert_has(
        decoded,
        &[
            &format!("Written with schema {id} (PROTOBUF)"),
            "parcels-value v1</a>",
            "&#34;parcelId&#34;: &#34;p-77&#34;",
            // int64 is a string in the Protobuf JSON mapping.
            "&#34;scannedAtMs&#34;: &#34;1700000000000&#34;",
            "&#34;depot&#34;: &#34;LYS-2&#34;",
            "&#34;bins&#34;: 3",
        ],
    );
    assert!(!decoded.contains("decode-problem"), "{decoded}");

    // A nested message: two indexes (count 2, zigzag 4), 0 then 0.
    let body = html(&s, &decode_path(&framed(id, &[4, 0, 0], &at))).await;
    let decoded = section(&body, "decoded");
    assert_has(decoded, &["&#34;lat&#34;: 45.5"]);
    assert!(!decoded.contains("parcelId"), "{decoded}");

    // The second top-level message: one index (zigzag 2), 1 (zigzag 2).
    let mut gone = DynamicMessage::new(lost);
    gone.set_field_by_name("reason", Proto::String("fell off the truck".into()));
    let body = html(&s, &decode_path(&framed(id, &[2, 2], &gone))).await;
    assert_has(
        section(&body, "decoded"),
        &["&#34;reason&#34;: &#34;fell off the truck&#34;"],
    );

    // Indexes naming no message, and a body that is not the message it claims to be.
    let body = html(&s, &decode_path(&framed(id, &[2, 6], &gone))).await;
    assert_has(
        section(&body, "decoded"),
        &["id=\"decode-problem\"", "no message at indexes [3]"],
    );
    let mut broken = framed(id, &[0], &message);
    broken.truncate(broken.len() - 4);
    let body = html(&s, &decode_path(&broken)).await;
    assert_has(
        section(&body, "decoded"),
        &[
            "id=\"decode-problem\"",
            "not a protobuf shop.parcels.ParcelScanned message",
        ],
    );
}
