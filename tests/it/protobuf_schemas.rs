//! Protobuf schemas over the Confluent API: registration and reads, identity across text and
//! descriptor input, `format=serialized`, imports (well-known and through references), errors,
//! and payload validation through the JSON mapping.

use crate::common::TestServer;
use base64::Engine;
use prost::Message;
use prost_types::FileDescriptorProto;
use serde_json::{json, Value};

const ORDER: &str = r#"
syntax = "proto3";
package shop.orders;

option java_package = "com.shop.orders";

// An order a customer placed.
message OrderPlaced {
  string order_id = 1;
  repeated Line lines = 2;
  map<string, string> tags = 3;
  Status status = 4;
  oneof payment {
    string card = 5;
    string voucher = 6;
  }
  optional int64 total_cents = 7;

  message Line {
    string sku = 1;
    int32 quantity = 2;
  }
}

enum Status {
  STATUS_UNKNOWN = 0;
  STATUS_PLACED = 1;
}
"#;

/// The same schema, laid out and commented differently.
const ORDER_REFORMATTED: &str = r#"syntax="proto3";   package shop.orders;
option java_package="com.shop.orders";
/* the order */ message OrderPlaced { string order_id=1; repeated Line lines=2;
  map<string,string> tags=3; Status status=4;
  oneof payment { string card=5; string voucher=6; }
  optional int64 total_cents=7;
  message Line { string sku=1; int32 quantity=2; } }
enum Status { STATUS_UNKNOWN=0; STATUS_PLACED=1; }"#;

async fn register(s: &TestServer, subject: &str, schema: &str, refs: Value) -> (u16, Value) {
    s.post(
        &format!("/subjects/{subject}/versions"),
        json!({"schema": schema, "schemaType": "PROTOBUF", "references": refs}),
    )
    .await
}

async fn register_ok(s: &TestServer, subject: &str, schema: &str, refs: Value) -> i64 {
    let (status, body) = register(s, subject, schema, refs).await;
    assert_eq!(status, 200, "register {subject}: {body}");
    body["id"].as_i64().unwrap()
}

fn error_code(body: &Value) -> i64 {
    body["error_code"].as_i64().unwrap_or_default()
}

/// The schema as the Python and JavaScript serializers send it, custom options included (the
/// serializers encode the descriptor their generated code holds, extensions and all).
fn as_descriptor_with_options(schema: &str, name: &str) -> String {
    let mut compiler = protox::Compiler::with_file_resolver({
        let mut chain = protox::file::ChainFileResolver::new();
        chain.add(OneFile(name.to_string(), schema.to_string()));
        chain.add(protox::file::GoogleFileResolver::new());
        chain
    });
    compiler.open_file(name).unwrap();
    let fd = compiler.descriptor_pool().get_file_by_name(name).unwrap();
    base64::engine::general_purpose::STANDARD.encode(fd.encode_to_vec())
}

/// The schema as a descriptor without its extensions.
fn as_descriptor(schema: &str, name: &str) -> String {
    let mut compiler = protox::Compiler::with_file_resolver({
        let mut chain = protox::file::ChainFileResolver::new();
        chain.add(OneFile(name.to_string(), schema.to_string()));
        chain.add(protox::file::GoogleFileResolver::new());
        chain
    });
    compiler.open_file(name).unwrap();
    let pool = compiler.descriptor_pool();
    let fd = pool.get_file_by_name(name).unwrap();
    base64::engine::general_purpose::STANDARD.encode(fd.file_descriptor_proto().encode_to_vec())
}

struct OneFile(String, String);

impl protox::file::FileResolver for OneFile {
    fn open_file(&self, name: &str) -> Result<protox::file::File, protox::Error> {
        if name == self.0 {
            protox::file::File::from_source(name, &self.1)
        } else {
            Err(protox::Error::file_not_found(name))
        }
    }
}

#[tokio::test]
async fn register_lookup_and_read_back() {
    let s = TestServer::start().await;
    let id = register_ok(&s, "orders-value", ORDER, json!([])).await;

    let (status, body) = s.get(&format!("/schemas/ids/{id}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["schemaType"], "PROTOBUF");
    let text = body["schema"].as_str().unwrap();
    assert!(text.contains("message OrderPlaced {"), "{text}");
    assert!(text.contains("map<string, string> tags = 3;"), "{text}");
    assert!(text.contains("oneof payment {"), "{text}");
    assert!(text.contains("optional int64 total_cents = 7;"), "{text}");
    assert!(
        text.contains("option java_package = \"com.shop.orders\";"),
        "{text}"
    );
    assert!(
        !text.contains("//"),
        "comments are not part of the canonical text: {text}"
    );

    let (status, body) = s
        .post(
            "/subjects/orders-value",
            json!({"schema": ORDER, "schemaType": "protobuf"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], id);
    assert_eq!(body["version"], 1);
    assert_eq!(body["schemaType"], "PROTOBUF");

    let (status, body) = s.get("/subjects/orders-value/versions/latest").await;
    assert_eq!(status, 200);
    assert_eq!(body["schemaType"], "PROTOBUF");
    assert_eq!(body["schema"].as_str().unwrap(), text);

    // The canonical text is itself a schema with the same identity.
    let again = register_ok(&s, "orders-copy", text, json!([])).await;
    assert_eq!(again, id);
}

#[tokio::test]
async fn layout_comments_and_descriptor_input_keep_the_id() {
    let s = TestServer::start().await;
    let id = register_ok(&s, "orders-value", ORDER, json!([])).await;
    assert_eq!(
        register_ok(&s, "orders-value", ORDER_REFORMATTED, json!([])).await,
        id
    );
    let descriptor = as_descriptor(ORDER, "shop/orders.proto");
    assert_eq!(
        register_ok(&s, "orders-value", &descriptor, json!([])).await,
        id
    );
    let (_, versions) = s.get("/subjects/orders-value/versions").await;
    assert_eq!(versions, json!([1]));
}

#[tokio::test]
async fn serialized_format_answers_a_base64_descriptor() {
    let s = TestServer::start().await;
    let id = register_ok(&s, "orders-value", ORDER, json!([])).await;
    for path in [
        format!("/schemas/ids/{id}?format=serialized"),
        "/subjects/orders-value/versions/1?format=serialized".to_string(),
    ] {
        let (status, body) = s.get(&path).await;
        assert_eq!(status, 200, "{path}: {body}");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(body["schema"].as_str().unwrap())
            .expect("base64");
        let file = FileDescriptorProto::decode(bytes.as_slice()).expect("a FileDescriptorProto");
        assert_eq!(file.package(), "shop.orders");
        assert_eq!(file.syntax(), "proto3");
        let names: Vec<&str> = file.message_type.iter().map(|m| m.name()).collect();
        assert_eq!(names, ["OrderPlaced"]);
        let order = &file.message_type[0];
        assert_eq!(order.field.len(), 7);
        assert_eq!(order.field[1].type_name(), ".shop.orders.OrderPlaced.Line");
        assert_eq!(file.enum_type[0].name(), "Status");
    }
    // The default stays the text; a format the schema type lacks is ignored.
    let (_, body) = s.get(&format!("/schemas/ids/{id}?format=resolved")).await;
    assert!(body["schema"]
        .as_str()
        .unwrap()
        .starts_with("syntax = \"proto3\";"));
}

#[tokio::test]
async fn serialized_format_keeps_the_file_name_a_descriptor_was_registered_under() {
    let s = TestServer::start().await;
    let name_of = |body: &Value| {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(body["schema"].as_str().unwrap())
            .expect("base64");
        FileDescriptorProto::decode(bytes.as_slice())
            .expect("a FileDescriptorProto")
            .name()
            .to_string()
    };
    let id = register_ok(
        &s,
        "orders-value",
        &as_descriptor(ORDER, "shop/orders.proto"),
        json!([]),
    )
    .await;
    for path in [
        format!("/schemas/ids/{id}?format=serialized"),
        "/subjects/orders-value/versions/1?format=serialized".to_string(),
    ] {
        let (status, body) = s.get(&path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(name_of(&body), "shop/orders.proto", "{path}");
    }
    // The same schema as text elsewhere is the same id, and keeps the name it came with.
    assert_eq!(register_ok(&s, "mirror-value", ORDER, json!([])).await, id);
    let (_, body) = s
        .get("/subjects/mirror-value/versions/1?format=serialized")
        .await;
    assert_eq!(name_of(&body), "shop/orders.proto");
    // A schema registered as text has no name of its own to keep.
    let other = ORDER.replace("OrderPlaced", "OrderShipped");
    let other_id = register_ok(&s, "shipped-value", &other, json!([])).await;
    let (_, body) = s
        .get(&format!("/schemas/ids/{other_id}?format=serialized"))
        .await;
    assert_eq!(name_of(&body), "herald/schema.proto");
}

#[tokio::test]
async fn syntax_errors_are_42201_with_line_and_column() {
    let s = TestServer::start().await;
    let broken = "syntax = \"proto3\";\nmessage A {\n  string a = 1\n}\n";
    let (status, body) = register(&s, "broken", broken, json!([])).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_code(&body), 42201);
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("line 4:1"), "{message}");

    let (status, body) = register(
        &s,
        "broken",
        "syntax = \"proto3\"; message A { strin a = 1; }",
        json!([]),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(error_code(&body), 42201);
    assert!(
        body["message"].as_str().unwrap().contains("strin"),
        "{body}"
    );
}

#[tokio::test]
async fn well_known_imports_need_no_reference() {
    let s = TestServer::start().await;
    let schema = r#"syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";
message Stamped {
  google.protobuf.Timestamp at = 1;
  google.protobuf.StringValue note = 2;
}"#;
    let id = register_ok(&s, "stamped", schema, json!([])).await;
    let (_, body) = s.get(&format!("/schemas/ids/{id}")).await;
    let text = body["schema"].as_str().unwrap();
    assert!(
        text.contains("import \"google/protobuf/timestamp.proto\";"),
        "{text}"
    );
    assert!(text.contains("google.protobuf.Timestamp at = 1;"), "{text}");
}

const A: &str = r#"syntax = "proto3";
package chain.a;
message Money { int64 cents = 1; string currency = 2; }"#;
const A_INCOMPATIBLE: &str = r#"syntax = "proto3";
package chain.a;
message Money { double cents = 1; string currency = 2; }"#;
const B: &str = r#"syntax = "proto3";
package chain.b;
import "chain/a.proto";
message Price { chain.a.Money amount = 1; }"#;
const C: &str = r#"syntax = "proto3";
package chain.c;
import "chain/b.proto";
message Item { string sku = 1; chain.b.Price price = 2; }"#;

#[tokio::test]
async fn an_import_chain_through_references() {
    let s = TestServer::start().await;
    let a = register_ok(&s, "chain-a", A, json!([])).await;
    let b = register_ok(
        &s,
        "chain-b",
        B,
        json!([{"name": "chain/a.proto", "subject": "chain-a", "version": 1}]),
    )
    .await;
    let c_refs = json!([{"name": "chain/b.proto", "subject": "chain-b", "version": 1}]);
    let c = register_ok(&s, "chain-c", C, c_refs.clone()).await;
    assert!(a < b && b < c);

    let (_, body) = s.get(&format!("/schemas/ids/{c}")).await;
    assert_eq!(body["references"], c_refs);
    assert!(body["schema"]
        .as_str()
        .unwrap()
        .contains("chain.b.Price price = 2;"));
    let (_, body) = s.get("/subjects/chain-b/versions/1/referencedby").await;
    assert_eq!(body, json!([c]));
    let (_, body) = s.get("/subjects/chain-a/versions/1/referencedby").await;
    assert_eq!(body, json!([b]));

    // A second version of A that changes a field's type, and B and C built on it: the
    // change two imports away is found from C.
    s.put("/config/chain-a", json!({"compatibility": "NONE"}))
        .await;
    register_ok(&s, "chain-a", A_INCOMPATIBLE, json!([])).await;
    s.put("/config/chain-b", json!({"compatibility": "NONE"}))
        .await;
    register_ok(
        &s,
        "chain-b",
        B,
        json!([{"name": "chain/a.proto", "subject": "chain-a", "version": 2}]),
    )
    .await;
    let c2_refs = json!([{"name": "chain/b.proto", "subject": "chain-b", "version": 2}]);
    let (status, body) = s
        .post(
            "/compatibility/subjects/chain-c/versions/latest?verbose=true",
            json!({"schema": C, "schemaType": "PROTOBUF", "references": c2_refs}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["is_compatible"], false, "{body}");
    let messages = body["messages"].to_string();
    assert!(messages.contains("FIELD_NAMED_TYPE_CHANGED"), "{messages}");
    assert!(messages.contains("#/Item/2"), "{messages}");
    let (status, body) = register(&s, "chain-c", C, c2_refs).await;
    assert_eq!(status, 409, "{body}");

    // A referenced version cannot be deleted.
    let (status, body) = s.delete("/subjects/chain-b/versions/1").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_code(&body), 42206);
}

#[tokio::test]
async fn an_import_that_is_neither_well_known_nor_referenced_is_named() {
    let s = TestServer::start().await;
    let (status, body) = register(&s, "lonely", C, json!([])).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_code(&body), 42201);
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("chain/b.proto"), "{message}");
    assert!(message.contains("not found"), "{message}");
}

#[tokio::test]
async fn reference_cycles_are_refused() {
    let s = TestServer::start().await;
    s.put("/config", json!({"compatibility": "NONE"})).await;
    let first = r#"syntax = "proto3"; package cyc; message First { string id = 1; }"#;
    let second = r#"syntax = "proto3"; package cyc; import "first.proto";
message Second { First first = 1; }"#;
    let first_again = r#"syntax = "proto3"; package cyc; import "second.proto";
message Wrapper { Second second = 1; }"#;
    register_ok(&s, "first.proto", first, json!([])).await;
    register_ok(
        &s,
        "second.proto",
        second,
        json!([{"name": "first.proto", "subject": "first.proto", "version": -1}]),
    )
    .await;
    // Through `latest`, first.proto v2 → second.proto → first.proto (then v2) → ... : the
    // registration that would close the loop is refused, so no stored schema depends on itself.
    let (status, body) = register(
        &s,
        "first.proto",
        first_again,
        json!([{"name": "second.proto", "subject": "second.proto", "version": -1}]),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_code(&body), 42201);
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("cycle"), "{body}");
    assert!(message.contains("second.proto"), "{body}");
    let (_, versions) = s.get("/subjects/first.proto/versions").await;
    assert_eq!(versions, json!([1]), "nothing was written");

    // A file that imports a version that does not exist (yet) is refused, naming it.
    let (status, body) = register(
        &s,
        "selfish",
        r#"syntax = "proto3"; import "first.proto"; message S { string a = 1; }"#,
        json!([{"name": "first.proto", "subject": "first.proto", "version": 2}]),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_code(&body), 42201);
    assert!(
        body["message"].as_str().unwrap().contains("first.proto"),
        "{body}"
    );
}

#[tokio::test]
async fn schema_types_include_protobuf() {
    let s = TestServer::start().await;
    let (status, body) = s.get("/schemas/types").await;
    assert_eq!(status, 200);
    assert!(
        body.as_array().unwrap().contains(&json!("PROTOBUF")),
        "{body}"
    );
    assert!(body.as_array().unwrap().contains(&json!("AVRO")), "{body}");
}

fn parsed(schema: &str) -> Box<herald::formats::Parsed> {
    herald::formats::parse(herald::model::SchemaType::Protobuf, schema, &[], false).unwrap()
}

#[test]
fn field_names_are_the_first_messages_json_names() {
    let p = parsed(ORDER);
    assert_eq!(
        herald::formats::field_names(&*p),
        [
            "orderId",
            "lines",
            "tags",
            "status",
            "card",
            "voucher",
            "totalCents"
        ]
    );
}

#[test]
fn a_valid_payload_has_no_errors() {
    let p = parsed(ORDER);
    let payload = json!({
        "orderId": "o-1",
        "lines": [{"sku": "a", "quantity": 2}],
        "tags": {"channel": "web"},
        "status": "STATUS_PLACED",
        "card": "visa",
        "totalCents": "1250"
    });
    assert_eq!(herald::formats::validate_payload(&*p, &payload), vec![]);
    // Proto field names are accepted as well as JSON names, and numbers for 64-bit integers.
    let payload = json!({"order_id": "o-1", "total_cents": 1250, "status": 1});
    assert_eq!(herald::formats::validate_payload(&*p, &payload), vec![]);
}

#[test]
fn every_unknown_field_and_wrong_type_is_reported_with_its_path() {
    let p = parsed(ORDER);
    let payload = json!({
        "orderId": 7,
        "colour": "red",
        "lines": [{"sku": "a", "quantity": "many"}, {"sku": "b", "weight": 3}],
        "status": "STATUS_LOST",
        "card": "visa",
        "voucher": "v-1"
    });
    let errors = herald::formats::validate_payload(&*p, &payload);
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/orderId",
            "/colour",
            "/lines/0/quantity",
            "/lines/1/weight",
            "/status",
            "/voucher"
        ],
        "{errors:?}"
    );
    assert!(
        errors[1].message.contains("unknown field 'colour'"),
        "{errors:?}"
    );
    assert!(
        errors[0].message.contains("expected a string"),
        "{errors:?}"
    );
    assert!(errors[5].message.contains("oneof 'payment'"), "{errors:?}");
}

#[test]
fn a_payload_that_is_not_an_object_is_refused() {
    let p = parsed(ORDER);
    let errors = herald::formats::validate_payload(&*p, &json!([1, 2]));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].path, "");
}

#[tokio::test]
async fn normalize_orders_declarations_by_number() {
    let s = TestServer::start().await;
    let in_order = r#"syntax = "proto3"; message N { string a = 1; int32 b = 2; }"#;
    let reordered = r#"syntax = "proto3"; message N { int32 b = 2; string a = 1; }"#;
    let body = |schema: &str| json!({"schema": schema, "schemaType": "PROTOBUF"});
    let (_, first) = s
        .post("/subjects/norm/versions?normalize=true", body(in_order))
        .await;
    let (_, second) = s
        .post("/subjects/norm/versions?normalize=true", body(reordered))
        .await;
    assert_eq!(first["id"], second["id"], "{first} {second}");
    let (status, found) = s
        .post("/subjects/norm?normalize=true", body(reordered))
        .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["version"], 1);
    // Without normalize, declaration order is part of the text.
    let (_, third) = s.post("/subjects/other/versions", body(reordered)).await;
    assert_ne!(third["id"], first["id"]);
}

/// proto2 with what proto3 lacks: defaults, required, extensions, groups of options.
const RICH: &str = r#"
syntax = "proto2";
package rich.v1;

import "google/protobuf/duration.proto";

option go_package = "example.com/rich/v1;richv1";
option java_multiple_files = true;
option optimize_for = SPEED;

message Shape {
  option deprecated = true;
  reserved 4, 9 to 11, 5000 to max;
  reserved "old", "older";
  required string name = 1 [default = "un\"named"];
  optional int32 sides = 2 [default = -3, deprecated = true];
  repeated int32 points = 3 [packed = true];
  optional string label = 5 [json_name = "tag"];
  optional google.protobuf.Duration ttl = 6;
  optional Kind kind = 7 [default = ROUND];
  map<string, Shape> children = 8;
  oneof colour {
    string named = 12;
    uint32 rgb = 13;
  }
  extensions 1000 to 1999;

  enum Kind {
    option allow_alias = true;
    ROUND = 0;
    CIRCLE = 0;
    SQUARE = 1 [deprecated = true];
  }
  message Inner {
    optional Kind kind = 1;
    optional .rich.v1.Shape.Inner next = 2;
  }
}

extend Shape {
  optional string note = 1000;
}

service Shapes {
  rpc Get(Shape) returns (Shape);
  rpc Watch(stream Shape) returns (stream Shape.Inner);
}
"#;

#[tokio::test]
async fn a_rich_proto2_file_prints_to_a_fixed_point() {
    let s = TestServer::start().await;
    let id = register_ok(&s, "rich", RICH, json!([])).await;
    let (_, body) = s.get(&format!("/schemas/ids/{id}")).await;
    let text = body["schema"].as_str().unwrap().to_string();
    for expected in [
        "reserved 4, 9 to 11, 5000 to max;",
        "reserved \"old\", \"older\";",
        "required string name = 1 [default = \"un\\\"named\"];",
        "optional int32 sides = 2 [default = -3, deprecated = true];",
        "repeated int32 points = 3 [packed = true];",
        "optional string label = 5 [json_name = \"tag\"];",
        "optional google.protobuf.Duration ttl = 6;",
        "optional Kind kind = 7 [default = ROUND];",
        "map<string, Shape> children = 8;",
        "extensions 1000 to 1999;",
        "option allow_alias = true;",
        "SQUARE = 1 [deprecated = true];",
        "optional Inner next = 2;",
        "extend Shape {",
        "rpc Watch(stream Shape) returns (stream Shape.Inner);",
        "option go_package = \"example.com/rich/v1;richv1\";",
        "option optimize_for = SPEED;",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // The printed text and the descriptor both come back to the same schema.
    assert_eq!(register_ok(&s, "rich", &text, json!([])).await, id);
    assert_eq!(
        register_ok(
            &s,
            "rich",
            &as_descriptor(RICH, "rich/v1/shape.proto"),
            json!([])
        )
        .await,
        id
    );
}

/// `package {package};` with messages `D0` … `D{depth}`: each `D{i}` has two fields of type
/// `D{i+1}`; the last holds one field of type `leaf`.
fn doubling_proto(package: &str, depth: usize, leaf: &str) -> String {
    let mut text = format!("syntax = \"proto3\";\npackage {package};\n");
    for i in 0..depth {
        text.push_str(&format!(
            "message D{i} {{ D{n} left = 1; D{n} right = 2; }}\n",
            n = i + 1
        ));
    }
    text.push_str(&format!("message D{depth} {{ {leaf} leaf = 1; }}\n"));
    text
}

#[test]
fn a_message_used_twice_at_every_level_is_listed_once_per_level() {
    use herald::formats::{protobuf, ParsedSchema};
    let schema = protobuf::parse(&doubling_proto("deep", 19, "string"), &[], false).unwrap();
    let rows = herald::limits::bounded(|| Ok(schema.field_table())).expect("within budget");
    assert_eq!(rows.len(), 19 * 2 + 1);
    let right = rows.iter().find(|r| r.path == "right").expect("right");
    assert_eq!(right.doc.as_deref(), Some("Fields as listed under 'left'."));
    let deepest = vec!["left"; 19].join(".") + ".leaf";
    assert!(rows.iter().any(|r| r.path == deepest));
}

#[test]
fn imported_messages_used_twice_at_every_level_are_compared_once_per_pair() {
    use herald::formats::{protobuf, Dependency, ParsedSchema};
    use herald::model::SchemaType;
    let user = |package: &str| {
        format!("syntax = \"proto3\";\nimport \"deep.proto\";\nmessage Top {{ {package}.D0 root = 1; }}")
    };
    let dep = |package: &str, leaf: &str| {
        vec![Dependency {
            name: "deep.proto".into(),
            schema_type: SchemaType::Protobuf,
            schema: doubling_proto(package, 24, leaf),
        }]
    };
    let old = protobuf::parse(&user("a"), &dep("a", "string"), false).unwrap();
    // The same definitions in another package: nothing changed.
    let moved = protobuf::parse(&user("b"), &dep("b", "string"), false).unwrap();
    let found = herald::limits::bounded(|| Ok(moved.differences(&old, true))).expect("bounded");
    assert!(found.is_empty(), "{found:?}");
    // The leaf changed 2^24 paths down: found, at the leaf and at the field using it.
    let changed = protobuf::parse(&user("b"), &dep("b", "double"), false).unwrap();
    let found = herald::limits::bounded(|| Ok(changed.differences(&old, true))).expect("bounded");
    let text = format!("{found:?}");
    assert!(
        text.contains("FIELD_SCALAR_KIND_CHANGED") && text.contains("#/D24/1"),
        "{text}"
    );
    assert!(
        text.contains("FIELD_NAMED_TYPE_CHANGED") && text.contains("#/Top/1"),
        "{text}"
    );
}

#[tokio::test]
async fn an_extension_number_with_a_declaration_is_accepted() {
    let s = TestServer::start().await;
    // As google/protobuf/descriptor.proto writes it since protobuf 29: one number, options.
    let schema = r#"syntax = "proto2";
package ext;
message Holder {
  optional string name = 1;
  extensions 100 [declaration = { number: 100, full_name: ".ext.note", type: "string" }];
  extensions 200, 0x12c [verification = UNVERIFIED];
  extensions 1000 to 2000 [verification = UNVERIFIED];
}"#;
    let (status, body) = register(&s, "ext-holder", schema, json!([])).await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_i64().unwrap();
    let (_, body) = s.get(&format!("/schemas/ids/{id}")).await;
    let text = body["schema"].as_str().unwrap();
    assert!(text.contains("extensions 100"), "{text}");
    assert!(text.contains("300"), "{text}");
    // Its own canonical text reads back to the same schema.
    let (status, again) = register(&s, "ext-holder", text, json!([])).await;
    assert_eq!((status, again["id"].as_i64()), (200, Some(id)), "{again}");
}

#[tokio::test]
async fn confluents_builtin_protos_need_no_reference() {
    let s = TestServer::start().await;
    let proto = r#"syntax = "proto3";
package shop;

import "google/type/money.proto";
import "google/type/date.proto";
import "confluent/meta.proto";
import "confluent/type/decimal.proto";

message Order {
  option (confluent.message_meta).doc = "An order";
  google.type.Money total = 1;
  google.type.Date placed = 2;
  confluent.type.Decimal discount = 3 [(confluent.field_meta).tags = "PII"];
}
"#;
    let (status, body) = s
        .post(
            "/subjects/builtin-value/versions",
            json!({"schemaType": "PROTOBUF", "schema": proto}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, version) = s.get("/subjects/builtin-value/versions/1").await;
    assert_eq!(status, 200);
    let text = version["schema"].as_str().unwrap();
    assert!(text.contains("google.type.Money"), "{text}");
    // Registering again (the stored text re-parses) keeps the id.
    let (status, again) = s
        .post(
            "/subjects/builtin-value/versions",
            json!({"schemaType": "PROTOBUF", "schema": text}),
        )
        .await;
    assert_eq!(
        (status, again["id"].clone()),
        (200, body["id"].clone()),
        "{again}"
    );
}

/// Custom options on every kind of element, and a proto2 group.
const CUSTOM_OPTIONS: &str = r#"
syntax = "proto2";
package acme.audit;

import "google/protobuf/descriptor.proto";

option (file_owner) = "payments";

message Rule {
  optional string level = 1;
  repeated string tags = 2;
}

extend google.protobuf.FileOptions { optional string file_owner = 50000; }
extend google.protobuf.MessageOptions {
  optional Rule rule = 50001;
  optional bool sensitive = 50002;
}
extend google.protobuf.FieldOptions {
  optional string pii = 50003;
  repeated int32 retention_days = 50004;
  optional Level level = 50005;
}
extend google.protobuf.EnumValueOptions { optional string label = 50006; }
extend google.protobuf.ServiceOptions { optional string route = 50007; }
extend google.protobuf.MethodOptions { optional bool idempotent = 50008; }
extend google.protobuf.OneofOptions { optional bool exclusive = 50009; }

enum Level {
  LOW = 0 [(label) = "low"];
  HIGH = 1;
}

message Payment {
  option (rule) = { level: "strict" tags: "a" tags: "b" };
  option (sensitive) = true;
  optional string card = 1 [(pii) = "card", (retention_days) = 30, (retention_days) = 90, deprecated = true];
  optional int64 cents = 2 [(level) = HIGH];
  oneof method {
    option (exclusive) = true;
    string iban = 3;
    string voucher = 4;
  }
  optional group Line = 5 {
    optional string sku = 1 [(pii) = "no"];
    optional int32 quantity = 2;
  }
}

service Payments {
  option (route) = "/payments";
  rpc Pay(Payment) returns (Payment) {
    option (idempotent) = true;
  }
}
"#;

#[tokio::test]
async fn custom_options_and_groups_survive_in_the_canonical_text() {
    let s = TestServer::start().await;
    let id = register_ok(&s, "custom", CUSTOM_OPTIONS, json!([])).await;
    let (_, body) = s.get(&format!("/schemas/ids/{id}")).await;
    let text = body["schema"].as_str().unwrap().to_string();
    for expected in [
        "option (acme.audit.file_owner) = \"payments\";",
        "option (acme.audit.rule) = { level:\"strict\",tags:[\"a\",\"b\"] };",
        "option (acme.audit.sensitive) = true;",
        "optional string card = 1 [deprecated = true, (acme.audit.pii) = \"card\", \
         (acme.audit.retention_days) = 30, (acme.audit.retention_days) = 90];",
        "optional int64 cents = 2 [(acme.audit.level) = HIGH];",
        "option (acme.audit.exclusive) = true;",
        "optional group Line = 5 {",
        "optional string sku = 1 [(acme.audit.pii) = \"no\"];",
        "LOW = 0 [(acme.audit.label) = \"low\"];",
        "option (acme.audit.route) = \"/payments\";",
        "rpc Pay(Payment) returns (Payment) {\n    option (acme.audit.idempotent) = true;\n  }",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // A group is a field with its own wire type, not a message field plus a nested message.
    assert!(!text.contains("message Line"), "{text}");
    // The printed text is the same schema, with or without normalization.
    assert_eq!(register_ok(&s, "custom", &text, json!([])).await, id);
    let (status, body) = s
        .post(
            "/subjects/custom?normalize=true",
            json!({"schema": CUSTOM_OPTIONS, "schemaType": "PROTOBUF"}),
        )
        .await;
    assert_eq!((status, body["id"].as_i64()), (200, Some(id)), "{body}");
    // A changed option value is a different schema.
    let changed = CUSTOM_OPTIONS.replace("(pii) = \"card\"", "(pii) = \"pan\"");
    let (_, body) = s
        .post(
            "/subjects/custom",
            json!({"schema": changed, "schemaType": "PROTOBUF"}),
        )
        .await;
    assert_eq!(error_code(&body), 40403, "{body}");
}

#[tokio::test]
async fn custom_options_of_a_serializers_descriptor_are_kept() {
    let s = TestServer::start().await;
    let from_text = register_ok(&s, "custom", CUSTOM_OPTIONS, json!([])).await;
    let encoded = as_descriptor_with_options(CUSTOM_OPTIONS, "acme/audit.proto");
    // The descriptor is the same schema as its text: same id, same stored text.
    assert_eq!(
        register_ok(&s, "custom", &encoded, json!([])).await,
        from_text
    );
    let from_descriptor = register_ok(&s, "custom-descriptor", &encoded, json!([])).await;
    assert_eq!(from_descriptor, from_text);
    let (_, body) = s
        .get("/subjects/custom-descriptor/versions/latest/schema")
        .await;
    let text = body.as_str().unwrap_or_default().to_string();
    for expected in [
        "option (acme.audit.file_owner) = \"payments\";",
        "option (acme.audit.sensitive) = true;",
        "(acme.audit.pii) = \"card\"",
        "rpc Pay(Payment) returns (Payment) {\n    option (acme.audit.idempotent) = true;\n  }",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

const EDITION: &str = r#"edition = "2023";
package shop.v1;

option features.enum_type = CLOSED;

// An order, in an edition.
message Order {
  string id = 1;
  int32 qty = 2 [features.field_presence = IMPLICIT];
  repeated string tags = 3;
  map<string, int32> counts = 4;
  oneof pay {
    string card = 5;
    string iban = 6;
  }
  Status status = 7;
}

enum Status {
  NEW = 0;
  DONE = 1;
}
"#;

#[tokio::test]
async fn files_in_an_edition_are_registered_answered_as_written_and_checked() {
    let s = TestServer::start().await;
    let id = register_ok(&s, "orders", EDITION, json!([])).await;
    let (_, text) = s.get("/subjects/orders/versions/1/schema").await;
    assert_eq!(text.as_str(), Some(EDITION.trim()));
    // Other spacing and comments are the same schema.
    let respaced = EDITION
        .replace("// An order, in an edition.\n", "")
        .replace("  ", "    ");
    assert_eq!(register_ok(&s, "orders", &respaced, json!([])).await, id);
    let (status, body) = s
        .post(
            "/subjects/orders",
            json!({"schema": respaced, "schemaType": "PROTOBUF"}),
        )
        .await;
    assert_eq!((status, body["id"].as_i64()), (200, Some(id)), "{body}");
    // A feature set aside for the compiler still tells two schemas apart.
    let explicit = EDITION.replace(" [features.field_presence = IMPLICIT]", "");
    let (_, body) = s
        .post(
            "/subjects/orders",
            json!({"schema": explicit, "schemaType": "PROTOBUF"}),
        )
        .await;
    assert_eq!(error_code(&body), 40403, "{body}");
    // Compatibility is checked as for any other file.
    let retyped = EDITION.replace("string id = 1;", "int64 id = 1;");
    let (status, body) = register(&s, "orders", &retyped, json!([])).await;
    assert_eq!(status, 409, "{body}");
    let added = EDITION.replace(
        "Status status = 7;",
        "Status status = 7;\n  string note = 8;",
    );
    let second = register_ok(&s, "orders", &added, json!([])).await;
    assert_ne!(second, id);
    let (status, body) = s.get("/subjects/orders/versions/2?format=serialized").await;
    assert_eq!(status, 200, "{body}");
    assert!(body["schema"].as_str().is_some_and(|b| !b.is_empty()));
}

#[tokio::test]
async fn normalized_lookup_keeps_built_in_options() {
    let s = TestServer::start().await;
    let id = register_ok(&s, "orders", ORDER, json!([])).await;
    let (status, body) = s
        .post(
            "/subjects/orders?normalize=true",
            json!({"schema": ORDER, "schemaType": "PROTOBUF"}),
        )
        .await;
    assert_eq!((status, body["id"].as_i64()), (200, Some(id)), "{body}");
    // Without its java_package the schema is another one, normalized or not.
    let other = ORDER.replace("option java_package = \"com.shop.orders\";", "");
    let (_, body) = s
        .post(
            "/subjects/orders?normalize=true",
            json!({"schema": other, "schemaType": "PROTOBUF"}),
        )
        .await;
    assert_eq!(error_code(&body), 40403, "{body}");
}
