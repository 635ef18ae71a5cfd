//! Mutated schema texts, payloads and wire messages through every format's parse,
//! compatibility, field table, validation and decoding paths: nothing panics, no request gets a
//! 5xx. A fixed seed and a fixed number of cases, so a run is repeatable and a failure names the
//! input that caused it.

use crate::common::*;
use herald::formats::{self, Parsed};
use herald::model::SchemaType;
use serde_json::{json, Value};

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const AVRO_SEEDS: &[&str] = &[
    r#"{"type":"record","name":"Order","namespace":"shop","doc":"An order","fields":[
        {"name":"id","type":"string"},
        {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
        {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
        {"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID"],"default":"NEW"}},
        {"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[
            {"name":"sku","type":"string"},{"name":"qty","type":"int","default":1}]}}},
        {"name":"tags","type":{"type":"map","values":"string"}},
        {"name":"note","type":["null","string"],"default":null},
        {"name":"hash","type":{"type":"fixed","name":"Hash","size":4}}]}"#,
    r#"{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"]}]}"#,
    r#"["null","string",{"type":"array","items":"long"}]"#,
];

const JSON_SEEDS: &[&str] = &[
    r##"{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","title":"Order",
        "properties":{"id":{"type":"string","minLength":1},"amount":{"type":"number","minimum":0},
        "lines":{"type":"array","items":{"$ref":"#/definitions/line"}},
        "kind":{"enum":["a","b"]},"meta":{"type":"object","additionalProperties":{"type":"string"}},
        "choice":{"oneOf":[{"type":"string"},{"type":"integer"}]},
        "both":{"allOf":[{"type":"object"},{"required":["x"]}]}},
        "required":["id"],"additionalProperties":false,
        "definitions":{"line":{"type":"object","properties":{"sku":{"type":"string"},
        "child":{"$ref":"#/definitions/line"}}}}}"##,
    r##"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"array",
        "prefixItems":[{"type":"string"},{"type":"integer"}],"items":false,
        "$defs":{"a":{"anyOf":[{"type":"null"},{"$ref":"#"}]}}}"##,
    r#"{"type":["string","null"],"pattern":"^[a-z]+$","not":{"const":"x"}}"#,
];

const PROTO_SEEDS: &[&str] = &[
    r#"syntax = "proto3";
package shop.v1;
import "google/protobuf/timestamp.proto";
// An order.
message Order {
  string id = 1;
  int64 amount = 2;
  google.protobuf.Timestamp at = 3;
  repeated Line lines = 4;
  map<string, string> tags = 5;
  oneof payment { string card = 6; string iban = 7; }
  Status status = 8;
  message Line { string sku = 1; int32 qty = 2; Line child = 3; }
  enum Status { NEW = 0; PAID = 1; }
  reserved 9, 10 to 12;
}"#,
    r#"syntax = "proto2";
message A { required int32 a = 1; optional string b = 2 [default = "x"]; extensions 100 to 200; }"#,
];

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "null",
    "\"type\"",
    "\"record\"",
    "\"name\"",
    "\"fields\"",
    "\"items\"",
    "\"$ref\":\"#/definitions/line\"",
    "\"anyOf\":[",
    "\"oneOf\":[",
    "\"allOf\":[",
    "\"not\":",
    "\"properties\":{",
    "\"required\":[\"",
    "\"enum\"",
    "\"symbols\"",
    "\"default\":",
    "-1",
    "1e999",
    "\"\\u0000\"",
    "true",
    "message ",
    "oneof ",
    "enum ",
    "repeated ",
    "map<",
    ">",
    "= 1;",
    ";",
    "import \"",
    "package ",
    "syntax = \"proto3\";",
    "option ",
    "[",
    "(",
    ")",
    "extend ",
    "group ",
    "\u{1F600}",
    "\\",
    "9999999999999999999999",
];

/// One random change to `text`: a deleted range, a duplicated range, an inserted token, or a
/// replaced character.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let at = rng.below(n + 1);
    let mut out: Vec<char> = chars.clone();
    match rng.below(4) {
        0 if n > 0 => {
            let len = 1 + rng.below(16.min(n - at.min(n - 1)));
            let start = at.min(n - 1);
            out.drain(start..(start + len).min(n));
        }
        1 if n > 0 => {
            let start = at.min(n - 1);
            let end = (start + 1 + rng.below(64)).min(n);
            let piece: Vec<char> = chars[start..end].to_vec();
            for (i, c) in piece.into_iter().enumerate() {
                out.insert(start + i, c);
            }
        }
        2 => {
            for (i, c) in rng.pick(TOKENS).chars().enumerate() {
                out.insert(at + i, c);
            }
        }
        _ if n > 0 => {
            let i = at.min(n - 1);
            out[i] = *rng.pick(&['{', '}', '"', '0', 'a', ' ', ':', ';', '=', '\n']);
        }
        _ => {}
    }
    out.into_iter().collect()
}

/// Every node of a JSON value, as JSON Pointers.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers(
                    v,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

const TYPE_WORDS: &[&str] = &[
    "string", "int", "long", "float", "double", "bytes", "boolean", "null", "integer", "number",
    "object", "array", "int32", "int64", "uint32", "sint64", "bool", "fixed32", "sfixed64",
];

/// A change that keeps the text well-formed: for JSON texts, a node replaced by another node of
/// the same schema, a type word swapped, a key or array item dropped; for .proto texts, a line
/// dropped or duplicated, a type word swapped, a field number changed.
fn mutate_structured(rng: &mut Rng, text: &str) -> String {
    if let Ok(mut value) = serde_json::from_str::<Value>(text) {
        let mut all = Vec::new();
        pointers(&value, String::new(), &mut all);
        let target = rng.pick(&all).clone();
        let from = rng.pick(&all).clone();
        let donor = value.pointer(&from).cloned().unwrap_or(Value::Null);
        match rng.below(4) {
            0 => {
                if let Some(slot) = value.pointer_mut(&target) {
                    *slot = donor;
                }
            }
            1 => {
                if let Some(Value::String(s)) = value.pointer_mut(&target) {
                    *s = rng.pick(TYPE_WORDS).to_string();
                }
            }
            _ => {
                if let Some((parent, key)) = target.rsplit_once('/') {
                    match value.pointer_mut(parent) {
                        Some(Value::Object(map)) => {
                            map.shift_remove(&key.replace("~1", "/").replace("~0", "~"));
                        }
                        Some(Value::Array(items)) => {
                            if let Ok(i) = key.parse::<usize>() {
                                if i < items.len() {
                                    items.remove(i);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        return value.to_string();
    }
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        return text.to_string();
    }
    let i = rng.below(lines.len());
    match rng.below(4) {
        0 => {
            lines.remove(i);
        }
        1 => {
            let copy = lines[i].clone();
            lines.insert(i, copy);
        }
        2 => {
            let word = rng.pick(TYPE_WORDS);
            let replaced = TYPE_WORDS
                .iter()
                .find(|w| lines[i].contains(&format!(" {w} ")))
                .map(|w| lines[i].replacen(&format!(" {w} "), &format!(" {word} "), 1));
            if let Some(r) = replaced {
                lines[i] = r;
            }
        }
        _ => {
            let n = 1 + rng.below(20);
            if let Some(pos) = lines[i].find("= ") {
                let end = lines[i][pos + 2..]
                    .find(|c: char| !c.is_ascii_digit())
                    .map_or(lines[i].len(), |e| pos + 2 + e);
                lines[i].replace_range(pos + 2..end, &n.to_string());
            }
        }
    }
    lines.join("\n")
}

/// A random JSON value a few levels deep.
fn random_value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 3 { 5 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.below(2) == 0),
        2 => json!(rng.next() as i64),
        3 => json!(f64::from(rng.below(1000) as u32) / 7.0),
        4 => json!(
            [
                "",
                "a",
                "NEW",
                "2024-01-01",
                "\u{0}",
                "x".repeat(40).as_str()
            ][rng.below(6)]
        ),
        5 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let keys = [
                "id", "amount", "lines", "sku", "string", "int", "v", "next", "x", "tags",
            ];
            Value::Object(
                (0..rng.below(5))
                    .map(|_| (rng.pick(&keys).to_string(), random_value(rng, depth + 1)))
                    .collect(),
            )
        }
    }
}

fn exercise(parsed: &Parsed, seed: &Parsed, payloads: &[Value]) {
    let _ = parsed.canonical();
    let _ = parsed.field_table();
    let _ = parsed.without_docs();
    let _ = parsed.in_format("serialized", None);
    let _ = formats::differences(parsed, seed, true);
    let _ = formats::differences(seed, parsed, false);
    for p in payloads {
        let _ = formats::validate_payload(parsed, p);
    }
}

#[test]
fn mutated_schemas_and_payloads_never_panic_the_format_code() {
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    let families = [
        (SchemaType::Avro, AVRO_SEEDS),
        (SchemaType::Json, JSON_SEEDS),
        (SchemaType::Protobuf, PROTO_SEEDS),
    ];
    let mut parsed_ok = 0;
    for (schema_type, seeds) in families {
        let seed_parsed: Vec<Box<Parsed>> = seeds
            .iter()
            .map(|s| formats::parse(schema_type, s, &[], false).expect("seeds parse"))
            .collect();
        for case in 0..1000 {
            let which = rng.below(seeds.len());
            let mut text = seeds[which].to_string();
            for _ in 0..1 + rng.below(4) {
                text = if rng.below(4) == 0 {
                    mutate(&mut rng, &text)
                } else {
                    mutate_structured(&mut rng, &text)
                };
            }
            let payloads: Vec<Value> = (0..3).map(|_| random_value(&mut rng, 0)).collect();
            let seed = &*seed_parsed[which];
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                herald::limits::bounded(|| {
                    // Every format reads every text: a Protobuf parser meets JSON too.
                    for t in [schema_type, SchemaType::Avro, SchemaType::Json] {
                        if let Ok(p) = formats::parse(t, &text, &[], case % 2 == 0) {
                            if t == schema_type {
                                exercise(&*p, seed, &payloads);
                            }
                        }
                    }
                    Ok(())
                })
            }));
            assert!(
                outcome.is_ok(),
                "{schema_type:?} case {case} panicked on:\n{text}\npayloads: {payloads:?}"
            );
            if formats::parse(schema_type, &text, &[], false).is_ok() {
                parsed_ok += 1;
            }
        }
    }
    // The mutations must leave many texts valid, or the deeper paths go unexercised.
    assert!(parsed_ok > 600, "only {parsed_ok} mutated schemas parsed");
}

#[tokio::test]
async fn mutated_requests_never_get_a_5xx() {
    let s = TestServer::start().await;
    let mut rng = Rng(0x5eed_cafe_f00d_0002);
    let families = [
        ("AVRO", AVRO_SEEDS),
        ("JSON", JSON_SEEDS),
        ("PROTOBUF", PROTO_SEEDS),
    ];
    let mut ids = Vec::new();
    for (kind, seeds) in families {
        for (i, seed) in seeds.iter().enumerate() {
            let subject = format!("fuzz-{kind}-{i}");
            let (status, body) = s
                .post(
                    &format!("/subjects/{subject}/versions"),
                    json!({"schemaType": kind, "schema": seed}),
                )
                .await;
            assert_eq!(status, 200, "{kind} seed {i}: {body}");
            ids.push((subject, body["id"].as_i64().unwrap(), kind, *seed));
        }
    }
    for case in 0..240 {
        let (subject, id, kind, seed) = rng.pick(&ids).clone();
        let mut text = seed.to_string();
        for _ in 0..1 + rng.below(3) {
            text = if rng.below(3) == 0 {
                mutate(&mut rng, &text)
            } else {
                mutate_structured(&mut rng, &text)
            };
        }
        let payload = random_value(&mut rng, 0);
        let (status, body) = match case % 6 {
            0 => {
                s.post(
                    &format!("/subjects/{subject}/versions"),
                    json!({"schemaType": kind, "schema": text}),
                )
                .await
            }
            1 => {
                s.post(
                    &format!("/compatibility/subjects/{subject}/versions/latest?verbose=true"),
                    json!({"schemaType": kind, "schema": text}),
                )
                .await
            }
            2 => {
                s.post(
                    &format!("/subjects/{subject}"),
                    json!({"schemaType": kind, "schema": text}),
                )
                .await
            }
            3 => {
                s.post(
                    &format!("/herald/v1/schemas/ids/{id}/validate"),
                    json!({ "payload": payload }),
                )
                .await
            }
            4 => {
                // A raw body that is not even JSON, under the JSON content type.
                let resp = s
                    .client
                    .post(s.url(&format!("/subjects/{subject}/versions")))
                    .header("content-type", CT)
                    .body(text.clone())
                    .send()
                    .await
                    .unwrap();
                (resp.status().as_u16(), Value::Null)
            }
            _ => {
                let len = rng.below(48);
                let bytes: String = (0..len)
                    .map(|_| format!("{:02x}", rng.below(256)))
                    .collect();
                let message = format!("00{id:08x}{bytes}");
                let resp = s
                    .client
                    .get(s.url(&format!("/ui/decode?message={message}")))
                    .send()
                    .await
                    .unwrap();
                (resp.status().as_u16(), Value::Null)
            }
        };
        assert!(
            status < 500,
            "case {case} ({kind}) answered {status} {body} for:\n{text}"
        );
    }
    let (status, _) = s.get("/health/live").await;
    assert_eq!(status, 200);
}
