//! Table test for Protobuf compatibility through the HTTP API.
//!
//! Each case is an old and a new schema with the verdict Confluent's Protobuf checker gives:
//! BACKWARD diffs old → new and FORWARD diffs new → old, over every message matched by name,
//! fields by number; additions, removals and renames of fields, messages, enums and whole
//! oneofs are compatible, and the listed kinds (PACKAGE_CHANGED, MESSAGE_REMOVED,
//! FIELD_KIND_CHANGED, FIELD_SCALAR_KIND_CHANGED, FIELD_NAMED_TYPE_CHANGED,
//! FIELD_NUMERIC_LABEL_CHANGED, REQUIRED_FIELD_ADDED/REMOVED, ONEOF_FIELD_REMOVED,
//! MULTIPLE_FIELDS_MOVED_TO_ONEOF, FIELD_MOVED_TO_EXISTING_ONEOF) are not. An incompatible
//! verdict names the error type Confluent reports. Every case runs at BACKWARD, FORWARD and
//! FULL through the compatibility endpoint, and at FULL through registration (409 or 200).

use crate::common::TestServer;
use serde_json::json;

struct Case {
    name: &'static str,
    old: String,
    new: String,
    /// `None` = compatible; otherwise the error type reported.
    backward: Option<&'static str>,
    forward: Option<&'static str>,
}

fn p3(body: &str) -> String {
    format!("syntax = \"proto3\";\npackage t;\n{body}")
}

fn p2(body: &str) -> String {
    format!("syntax = \"proto2\";\npackage t;\n{body}")
}

fn case(
    name: &'static str,
    old: String,
    new: String,
    backward: Option<&'static str>,
    forward: Option<&'static str>,
) -> Case {
    Case {
        name,
        old,
        new,
        backward,
        forward,
    }
}

/// A message `M` with the given body, in proto3.
fn m(body: &str) -> String {
    p3(&format!("message M {{ {body} }}"))
}

const SCALAR: &str = "FIELD_SCALAR_KIND_CHANGED";
const KIND: &str = "FIELD_KIND_CHANGED";
const NAMED: &str = "FIELD_NAMED_TYPE_CHANGED";
const NUMERIC_LABEL: &str = "FIELD_NUMERIC_LABEL_CHANGED";

fn cases() -> Vec<Case> {
    let scalar = |name, a: &str, b: &str, verdict: Option<&'static str>| {
        case(
            name,
            m(&format!("{a} f = 1;")),
            m(&format!("{b} f = 1;")),
            verdict,
            verdict,
        )
    };
    let oneof_ab = "oneof choice { string a = 1; string b = 2; }";
    vec![
        case(
            "identical",
            m("string a = 1;"),
            m("string a = 1;"),
            None,
            None,
        ),
        case(
            "field added",
            m("string a = 1;"),
            m("string a = 1; int32 b = 2;"),
            None,
            None,
        ),
        case(
            "field removed",
            m("string a = 1; int32 b = 2;"),
            m("string a = 1;"),
            None,
            None,
        ),
        case(
            "field renamed",
            m("string a = 1;"),
            m("string renamed = 1;"),
            None,
            None,
        ),
        case(
            "field renumbered (removed and added)",
            m("string a = 1;"),
            m("string a = 2;"),
            None,
            None,
        ),
        scalar("int32 to int64", "int32", "int64", None),
        scalar("int32 to uint64", "int32", "uint64", None),
        scalar("int32 to bool", "int32", "bool", None),
        scalar("bool to uint32", "bool", "uint32", None),
        scalar("int32 to sint32", "int32", "sint32", Some(SCALAR)),
        scalar("sint32 to sint64", "sint32", "sint64", None),
        scalar("string to bytes", "string", "bytes", None),
        scalar("float to double", "float", "double", Some(SCALAR)),
        scalar("fixed32 to sfixed32", "fixed32", "sfixed32", None),
        scalar("fixed64 to sfixed64", "fixed64", "sfixed64", None),
        scalar("fixed32 to fixed64", "fixed32", "fixed64", Some(SCALAR)),
        scalar("int64 to fixed64", "int64", "fixed64", Some(SCALAR)),
        scalar("double to int64", "double", "int64", Some(SCALAR)),
        scalar("string to int32", "string", "int32", Some(SCALAR)),
        case(
            "int32 to an enum",
            p3("message M { int32 f = 1; } enum E { E0 = 0; }"),
            p3("message M { E f = 1; } enum E { E0 = 0; }"),
            None,
            None,
        ),
        case(
            "enum to string",
            p3("message M { E f = 1; } enum E { E0 = 0; }"),
            p3("message M { string f = 1; } enum E { E0 = 0; }"),
            Some(SCALAR),
            Some(SCALAR),
        ),
        case(
            "one enum type to another",
            p3("message M { E f = 1; } enum E { E0 = 0; } enum F { F0 = 0; }"),
            p3("message M { F f = 1; } enum E { E0 = 0; } enum F { F0 = 0; }"),
            None,
            None,
        ),
        case(
            "string to message",
            p3("message M { string f = 1; } message N { string x = 1; }"),
            p3("message M { N f = 1; } message N { string x = 1; }"),
            Some(KIND),
            Some(KIND),
        ),
        case(
            "message to map",
            p3("message M { N f = 1; } message N { string x = 1; }"),
            p3("message M { map<string, string> f = 1; } message N { string x = 1; }"),
            Some(KIND),
            Some(KIND),
        ),
        case(
            "scalar to map",
            m("string f = 1;"),
            m("map<string, string> f = 1;"),
            Some(KIND),
            Some(KIND),
        ),
        case(
            "message field to another message type",
            p3("message M { N f = 1; } message N { string x = 1; } message O { string x = 1; }"),
            p3("message M { O f = 1; } message N { string x = 1; } message O { string x = 1; }"),
            Some(NAMED),
            Some(NAMED),
        ),
        case(
            "a field of a nested message changes group",
            p3("message M { message In { int32 v = 1; } In f = 1; }"),
            p3("message M { message In { double v = 1; } In f = 1; }"),
            Some(SCALAR),
            Some(SCALAR),
        ),
        case(
            "a field of a nested message widens",
            p3("message M { message In { int32 v = 1; } In f = 1; }"),
            p3("message M { message In { int64 v = 1; string w = 2; } In f = 1; }"),
            None,
            None,
        ),
        case(
            "map value widened",
            m("map<string, int32> f = 1;"),
            m("map<string, int64> f = 1;"),
            None,
            None,
        ),
        case(
            "map value changes group",
            m("map<string, int32> f = 1;"),
            m("map<string, string> f = 1;"),
            Some(SCALAR),
            Some(SCALAR),
        ),
        case(
            "map key changes group",
            m("map<string, int32> f = 1;"),
            m("map<int32, int32> f = 1;"),
            Some(SCALAR),
            Some(SCALAR),
        ),
        case(
            "map field renamed",
            m("map<string, int32> tags = 1;"),
            m("map<string, int32> labels = 1;"),
            None,
            None,
        ),
        case(
            "numeric field becomes repeated",
            m("int32 f = 1;"),
            m("repeated int32 f = 1;"),
            Some(NUMERIC_LABEL),
            Some(NUMERIC_LABEL),
        ),
        case(
            "string field becomes repeated",
            m("string f = 1;"),
            m("repeated string f = 1;"),
            None,
            None,
        ),
        case(
            "bytes field stops being repeated",
            m("repeated bytes f = 1;"),
            m("bytes f = 1;"),
            None,
            None,
        ),
        case(
            "implicit field becomes proto3 optional",
            m("int32 f = 1;"),
            m("optional int32 f = 1;"),
            None,
            None,
        ),
        case(
            "enum constant added, renamed and removed",
            p3("message M { E f = 1; } enum E { A = 0; B = 1; C = 2; }"),
            p3("message M { E f = 1; } enum E { A = 0; BEE = 1; D = 3; }"),
            None,
            None,
        ),
        case(
            "enum added",
            p3("message M { string a = 1; }"),
            p3("message M { string a = 1; } enum E { E0 = 0; }"),
            None,
            None,
        ),
        case(
            "message added",
            p3("message M { string a = 1; }"),
            p3("message M { string a = 1; } message N { string b = 1; }"),
            None,
            Some("MESSAGE_REMOVED"),
        ),
        case(
            "message removed",
            p3("message M { string a = 1; } message N { string b = 1; }"),
            p3("message M { string a = 1; }"),
            Some("MESSAGE_REMOVED"),
            None,
        ),
        case(
            "messages reordered",
            p3("message M { string a = 1; } message N { string b = 1; }"),
            p3("message N { string b = 1; } message M { string a = 1; }"),
            None,
            None,
        ),
        case(
            "nested message moved to the top level",
            p3("message M { message In { string x = 1; } In f = 1; }"),
            p3("message M { In f = 1; } message In { string x = 1; }"),
            Some("MESSAGE_REMOVED"),
            Some("MESSAGE_REMOVED"),
        ),
        case(
            "package changed",
            p3("message M { string a = 1; }"),
            "syntax = \"proto3\";\npackage other;\nmessage M { string a = 1; }".into(),
            Some("PACKAGE_CHANGED"),
            Some("PACKAGE_CHANGED"),
        ),
        case(
            "java_package changed",
            p3("option java_package = \"a\";\nmessage M { string a = 1; }"),
            p3("option java_package = \"b\";\nmessage M { string a = 1; }"),
            None,
            None,
        ),
        case(
            "service added",
            m("string a = 1;"),
            p3("message M { string a = 1; } service S { rpc Get(M) returns (M); }"),
            None,
            None,
        ),
        case(
            "field removed and its number reserved",
            m("string a = 1; string b = 2;"),
            m("string a = 1; reserved 2; reserved \"b\";"),
            None,
            None,
        ),
        case(
            "proto2 optional field added",
            p2("message M { optional string a = 1; }"),
            p2("message M { optional string a = 1; optional int32 b = 2; }"),
            None,
            None,
        ),
        case(
            "proto2 required field added",
            p2("message M { optional string a = 1; }"),
            p2("message M { optional string a = 1; required int32 b = 2; }"),
            Some("REQUIRED_FIELD_ADDED"),
            Some("REQUIRED_FIELD_REMOVED"),
        ),
        case(
            "proto2 optional field made required",
            p2("message M { optional string a = 1; }"),
            p2("message M { required string a = 1; }"),
            Some("REQUIRED_FIELD_ADDED"),
            Some("REQUIRED_FIELD_REMOVED"),
        ),
        case(
            "proto2 to proto3 without required fields",
            p2("message M { optional string a = 1; repeated int32 b = 2; }"),
            p3("message M { string a = 1; repeated int32 b = 2; }"),
            None,
            None,
        ),
        case(
            "proto2 with a required field to proto3",
            p2("message M { required string a = 1; }"),
            p3("message M { string a = 1; }"),
            Some("REQUIRED_FIELD_REMOVED"),
            Some("REQUIRED_FIELD_ADDED"),
        ),
        case(
            "oneof added with new fields",
            m("string x = 3;"),
            m("string x = 3; oneof choice { string a = 1; string b = 2; }"),
            None,
            None,
        ),
        case(
            "field added to an existing oneof",
            m("oneof choice { string a = 1; }"),
            m(oneof_ab),
            None,
            Some("ONEOF_FIELD_REMOVED"),
        ),
        case(
            "field removed from a oneof that stays",
            m(oneof_ab),
            m("oneof choice { string a = 1; }"),
            Some("ONEOF_FIELD_REMOVED"),
            None,
        ),
        case(
            "oneof field moved to the top level",
            m(oneof_ab),
            m("oneof choice { string a = 1; } string b = 2;"),
            None,
            Some("FIELD_MOVED_TO_EXISTING_ONEOF"),
        ),
        case(
            "top-level field moved into an existing oneof",
            m("oneof choice { string a = 1; } string b = 2;"),
            m(oneof_ab),
            Some("FIELD_MOVED_TO_EXISTING_ONEOF"),
            None,
        ),
        case(
            "two fields moved into a new oneof",
            m("string a = 1; string b = 2;"),
            m(oneof_ab),
            Some("MULTIPLE_FIELDS_MOVED_TO_ONEOF"),
            None,
        ),
        case(
            "one field moved into a new oneof",
            m("string a = 1; string b = 2;"),
            m("string a = 1; oneof choice { string b = 2; }"),
            None,
            None,
        ),
        case(
            "oneof renamed with the same members",
            m("oneof before { string a = 1; int64 b = 2; }"),
            m("oneof after { string a = 1; int64 b = 2; }"),
            None,
            None,
        ),
        case(
            "member dropped from a renamed oneof",
            m("oneof before { string a = 1; int64 b = 2; }"),
            m("oneof after { string a = 1; }"),
            Some("ONEOF_FIELD_REMOVED"),
            None,
        ),
        case(
            "member moved from one oneof into another",
            m("oneof left { string a = 1; string b = 2; } oneof right { string c = 3; }"),
            m("oneof left { string a = 1; } oneof right { string c = 3; string b = 2; }"),
            Some("FIELD_MOVED_TO_EXISTING_ONEOF"),
            Some("FIELD_MOVED_TO_EXISTING_ONEOF"),
        ),
        case(
            "two oneofs merged into a new one",
            m("oneof left { string a = 1; } oneof right { string b = 2; }"),
            m("oneof both { string a = 1; string b = 2; }"),
            Some("FIELD_MOVED_TO_EXISTING_ONEOF"),
            None,
        ),
        case(
            "member moved alone into a new oneof",
            m("oneof left { string a = 1; string b = 2; }"),
            m("oneof left { string a = 1; } oneof solo { string b = 2; }"),
            None,
            Some("FIELD_MOVED_TO_EXISTING_ONEOF"),
        ),
        case(
            "whole oneof removed",
            m("string x = 3; oneof choice { string a = 1; string b = 2; }"),
            m("string x = 3;"),
            None,
            None,
        ),
    ]
}

async fn verdict(
    s: &TestServer,
    subject: &str,
    level: &str,
    old: &str,
    new: &str,
) -> (bool, String) {
    let (status, body) = s
        .post(
            &format!("/subjects/{subject}/versions"),
            json!({"schema": old, "schemaType": "PROTOBUF"}),
        )
        .await;
    assert_eq!(status, 200, "{subject}: old schema registers: {body}");
    let (status, _) = s
        .put(
            &format!("/config/{subject}"),
            json!({"compatibility": level}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = s
        .post(
            &format!("/compatibility/subjects/{subject}/versions/latest?verbose=true"),
            json!({"schema": new, "schemaType": "PROTOBUF"}),
        )
        .await;
    assert_eq!(status, 200, "{subject}: {body}");
    (
        body["is_compatible"].as_bool().expect("is_compatible"),
        body["messages"].to_string(),
    )
}

#[tokio::test]
async fn protobuf_compatibility_table() {
    let s = TestServer::start().await;
    let cases = cases();
    assert!(cases.len() >= 40);
    let mut failures = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let full = c.backward.or(c.forward);
        for (level, expect) in [
            ("BACKWARD", c.backward),
            ("FORWARD", c.forward),
            ("FULL", full),
        ] {
            let subject = format!("case{i}-{}", level.to_ascii_lowercase());
            let (compatible, messages) = verdict(&s, &subject, level, &c.old, &c.new).await;
            let ok = match expect {
                None => compatible,
                Some(kind) => {
                    !compatible && messages.contains(&format!("errorType:\\\"{kind}\\\""))
                }
            };
            if !ok {
                failures.push(format!(
                    "{} at {level}: expected {}, got compatible={compatible} {messages}",
                    c.name,
                    expect.unwrap_or("compatible")
                ));
            }
        }
        // Registration under FULL agrees with the endpoint.
        let (status, body) = s
            .post(
                &format!("/subjects/case{i}-full/versions"),
                json!({"schema": c.new, "schemaType": "PROTOBUF"}),
            )
            .await;
        let want = if full.is_some() { 409 } else { 200 };
        if status != want {
            failures.push(format!(
                "{}: registration under FULL answered {status}, expected {want}: {body}",
                c.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn messages_name_the_type_the_path_and_the_side() {
    let s = TestServer::start().await;
    let (compatible, messages) = verdict(
        &s,
        "worded",
        "BACKWARD",
        &m("string a = 1; int32 n = 2;"),
        &m("string a = 1; double n = 2;"),
    )
    .await;
    assert!(!compatible);
    let messages: Vec<String> = serde_json::from_str(&messages).unwrap();
    assert_eq!(messages.len(), 4, "{messages:?}");
    assert!(
        messages[0].starts_with("{errorType:\"FIELD_SCALAR_KIND_CHANGED\", description:\""),
        "{messages:?}"
    );
    assert!(messages[0].contains("'#/M/2'"), "{messages:?}");
    assert!(messages[0].contains("in the new schema"), "{messages:?}");
    assert_eq!(messages[1], "{oldSchemaVersion: 1}");
    assert!(
        messages[3].contains("compatibility: 'BACKWARD'"),
        "{messages:?}"
    );

    let (_, messages) = verdict(
        &s,
        "worded-forward",
        "FORWARD",
        &m("string a = 1; int32 n = 2;"),
        &m("string a = 1; double n = 2;"),
    )
    .await;
    assert!(messages.contains("in the old schema"), "{messages}");
}

#[tokio::test]
async fn transitive_levels_check_every_version() {
    let s = TestServer::start().await;
    let v1 = m("int32 n = 1;");
    let v2 = m("int32 n = 1; string s = 2;");
    let v3 = m("sint32 n = 1; string s = 2;");
    s.put(
        "/config/trans",
        json!({"compatibility": "BACKWARD_TRANSITIVE"}),
    )
    .await;
    for (schema, want) in [(&v1, 200), (&v2, 200), (&v3, 409)] {
        let (status, body) = s
            .post(
                "/subjects/trans/versions",
                json!({"schema": schema, "schemaType": "PROTOBUF"}),
            )
            .await;
        assert_eq!(status, want, "{body}");
    }
}

/// Registers `text` under `subject` with `refs`, answering its id.
async fn register_with(s: &TestServer, subject: &str, text: &str, refs: serde_json::Value) -> i64 {
    let (status, body) = s
        .post(
            &format!("/subjects/{subject}/versions"),
            json!({"schema": text, "schemaType": "PROTOBUF", "references": refs}),
        )
        .await;
    assert_eq!(status, 200, "{subject}: {body}");
    body["id"].as_i64().expect("id")
}

/// The BACKWARD verdict of `text` (with `refs`) against the subject's latest version.
async fn backward(
    s: &TestServer,
    subject: &str,
    text: &str,
    refs: serde_json::Value,
) -> (bool, String) {
    let (status, body) = s
        .post(
            &format!("/compatibility/subjects/{subject}/versions/latest?verbose=true"),
            json!({"schema": text, "schemaType": "PROTOBUF", "references": refs}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    (
        body["is_compatible"].as_bool().expect("is_compatible"),
        body["messages"].to_string(),
    )
}

#[tokio::test]
async fn imported_types_are_compared_by_definition_not_by_package() {
    let s = TestServer::start().await;
    let geo = |package: &str, lat: &str| {
        format!(
            "syntax = \"proto3\";\npackage {package};\nmessage Area {{ message Point {{ {lat} lat = 1; double lon = 2; }} }}"
        )
    };
    register_with(&s, "geo-v1", &geo("maps.v1", "double"), json!([])).await;
    register_with(&s, "geo-v2", &geo("maps.v2", "double"), json!([])).await;
    register_with(&s, "geo-v2-float", &geo("maps.v2", "float"), json!([])).await;
    let refs = |subject: &str| json!([{"name": "geo.proto", "subject": subject, "version": 1}]);
    let user = |package: &str| {
        format!(
            "syntax = \"proto3\";\nimport \"geo.proto\";\nmessage Visit {{ string who = 1; {package}.Area.Point where = 2; }}"
        )
    };
    register_with(&s, "visits", &user("maps.v1"), refs("geo-v1")).await;

    // The same definition in another package: one type.
    let (compatible, messages) = backward(&s, "visits", &user("maps.v2"), refs("geo-v2")).await;
    assert!(compatible, "{messages}");

    // A field changed inside it: reported at that field and at the field using the type.
    let (compatible, messages) =
        backward(&s, "visits", &user("maps.v2"), refs("geo-v2-float")).await;
    assert!(!compatible);
    assert!(
        messages.contains("FIELD_SCALAR_KIND_CHANGED") && messages.contains("#/Area/Point/1"),
        "{messages}"
    );
    assert!(
        messages.contains("FIELD_NAMED_TYPE_CHANGED") && messages.contains("#/Visit/2"),
        "{messages}"
    );

    // A type of another name is another type, whatever its fields.
    let renamed = "syntax = \"proto3\";\nimport \"geo.proto\";\nmessage Visit { string who = 1; Spot where = 2; }\nmessage Spot { double lat = 1; double lon = 2; }";
    let (compatible, messages) = backward(&s, "visits", renamed, refs("geo-v1")).await;
    assert!(
        !compatible && messages.contains("FIELD_NAMED_TYPE_CHANGED"),
        "{messages}"
    );

    // The definition moved out of the import into the schema itself, unchanged.
    register_with(
        &s,
        "flat",
        "syntax = \"proto3\";\nimport \"geo.proto\";\nmessage Visit { maps.v1.Area.Point where = 1; }",
        refs("geo-v1"),
    )
    .await;
    let inline = "syntax = \"proto3\";\nmessage Visit { Area.Point where = 1; }\nmessage Area { message Point { double lat = 1; double lon = 2; } }";
    let (compatible, messages) = backward(&s, "flat", inline, json!([])).await;
    assert!(compatible, "{messages}");
    let changed = inline.replace("double lon", "string lon");
    let (compatible, messages) = backward(&s, "flat", &changed, json!([])).await;
    assert!(
        !compatible && messages.contains("#/Area/Point/2"),
        "{messages}"
    );
}
