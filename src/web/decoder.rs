//! Decodes a message in the Confluent wire format (magic byte 0, the schema id as 4 bytes big
//! endian, then the body) pasted as hex or base64: which subject versions wrote it, and what it
//! says.

use askama::Template;
use axum::extract::State;
use base64::Engine;

use super::{Page, PageResult};
use crate::formats::avro::AvroSchema;
use crate::formats::protobuf::{framing, ProtobufSchema};
use crate::http::wire::Params;
use crate::http::AppState;
use crate::model::SchemaType;

pub struct Writer {
    pub subject: String,
    pub version: i32,
}

/// What a pasted message turned out to be.
pub struct Decoded {
    pub id: i64,
    pub schema_type: &'static str,
    pub writers: Vec<Writer>,
    pub payload: Option<String>,
    pub problem: Option<String>,
}

#[derive(Template)]
#[template(path = "decode.html")]
struct DecodePage {
    title: String,
    message: String,
    decoded: Option<Decoded>,
    error: Option<String>,
}

/// Hex (spaces and a `0x` allowed) when every character is a hex digit, else base64 (standard
/// or URL-safe, padded or not).
pub fn message_bytes(text: &str) -> Result<Vec<u8>, String> {
    let compact: String = text.split_whitespace().collect();
    let compact = compact
        .strip_prefix("0x")
        .or_else(|| compact.strip_prefix("0X"))
        .unwrap_or(&compact);
    if compact.is_empty() {
        return Err("the message is empty".into());
    }
    if compact.len().is_multiple_of(2) && compact.chars().all(|c| c.is_ascii_hexdigit()) {
        return hex::decode(compact).map_err(|e| format!("not hex: {e}"));
    }
    let unpadded = compact.trim_end_matches('=');
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(unpadded)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(unpadded))
        .map_err(|_| "neither hex nor base64".to_string())
}

/// Splits a wire-format message into its schema id and body.
pub fn split_frame(bytes: &[u8]) -> Result<(i64, &[u8]), String> {
    match bytes {
        [0, a, b, c, d, body @ ..] => Ok((i64::from(u32::from_be_bytes([*a, *b, *c, *d])), body)),
        [0, ..] => Err("the message is shorter than the 5-byte header".into()),
        [magic, ..] => Err(format!(
            "the first byte is {magic:#04x}, not the magic byte 0x00 of the Confluent wire format"
        )),
        [] => Err("the message is empty".into()),
    }
}

pub async fn decode(
    State(state): State<AppState>,
    access: crate::http::access::Access,
    params: Params,
) -> PageResult {
    let message = params.get("message").unwrap_or_default().to_string();
    let (decoded, error) = if message.trim().is_empty() {
        (None, None)
    } else {
        match decode_message(&state, &access, &message).await {
            Ok(d) => (Some(d), None),
            Err(e) => (None, Some(e)),
        }
    };
    Page::render(&DecodePage {
        title: "Decoder".into(),
        message,
        decoded,
        error,
    })
}

async fn decode_message(
    state: &AppState,
    access: &crate::http::access::Access,
    message: &str,
) -> Result<Decoded, String> {
    let registry = &state.registry;
    let bytes = message_bytes(message)?;
    let (id, body) = split_frame(&bytes)?;
    let entry = registry.schema_by_id(id).await.map_err(|e| e.to_string())?;
    access
        .check_id(registry, id)
        .await
        .map_err(|e| e.to_string())?;
    let writers = registry
        .usages_of_id(id, true)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|r| Writer {
            subject: r.subject,
            version: r.version,
        })
        .collect();
    let parsed = registry.parsed(&entry).await.map_err(|e| e.to_string())?;
    let mut decoded = Decoded {
        id,
        schema_type: entry.schema_type.as_str(),
        writers,
        payload: None,
        problem: None,
    };
    if body.len() > MAX_DECODED_BODY {
        decoded.problem = Some(format!(
            "the body is {} bytes; the decoder reads at most {MAX_DECODED_BODY}",
            body.len()
        ));
        return Ok(decoded);
    }
    if recursive_avro(&*parsed) && body.len() > MAX_RECURSIVE_BODY {
        decoded.problem = Some(format!(
            "the body is {} bytes; for a recursive schema the decoder reads at most {MAX_RECURSIVE_BODY}",
            body.len()
        ));
        return Ok(decoded);
    }
    let schema_type = entry.schema_type;
    let body = body.to_vec();
    // Decoding recurses as deep as the message nests (a recursive schema lets a short message
    // nest thousands of levels): it runs on the work pool's large stacks, under its budget.
    let result = crate::limits::offload(move || Ok(decode_body(schema_type, &*parsed, &body)))
        .await
        .unwrap_or_else(|e| Err(e.to_string()));
    match result {
        Ok(payload) => decoded.payload = Some(payload),
        Err(problem) => decoded.problem = Some(problem),
    }
    Ok(decoded)
}

/// Largest message body the decoder reads: far above a pasted event, and small enough that the
/// deepest nesting it can carry fits the work pool's stack.
const MAX_DECODED_BODY: usize = 64 * 1024;

/// Largest body read with a recursive Avro schema. Every level of a recursive value takes at
/// least one byte (a union branch or an array block count), so this bounds the decoder's
/// recursion to a depth the work pool's stack holds, in debug builds too.
const MAX_RECURSIVE_BODY: usize = 4096;

/// Whether an Avro schema names a type inside itself (the only way it can nest without end).
fn recursive_avro(parsed: &crate::formats::Parsed) -> bool {
    parsed
        .as_any()
        .downcast_ref::<AvroSchema>()
        .is_some_and(|a| names_itself(&a.schema))
}

fn names_itself(schema: &apache_avro::Schema) -> bool {
    use apache_avro::Schema;
    fn walk(schema: &Schema, enclosing: &mut Vec<String>, depth: usize) -> bool {
        if depth > crate::limits::MAX_NESTING {
            return true;
        }
        match schema {
            Schema::Ref { name } => enclosing.contains(&name.fullname(None)),
            Schema::Record(r) => {
                enclosing.push(r.name.fullname(None));
                let found = r
                    .fields
                    .iter()
                    .any(|f| walk(&f.schema, enclosing, depth + 1));
                enclosing.pop();
                found
            }
            Schema::Array(a) => walk(&a.items, enclosing, depth + 1),
            Schema::Map(m) => walk(&m.types, enclosing, depth + 1),
            Schema::Union(u) => u.variants().iter().any(|v| walk(v, enclosing, depth + 1)),
            _ => false,
        }
    }
    walk(schema, &mut Vec::new(), 0)
}

fn decode_body(
    schema_type: SchemaType,
    parsed: &crate::formats::Parsed,
    body: &[u8],
) -> Result<String, String> {
    if schema_type == SchemaType::Avro {
        match parsed.as_any().downcast_ref::<AvroSchema>() {
            Some(avro) => decode_avro(avro, body),
            None => Err("the schema is not an Avro schema".into()),
        }
    } else if schema_type == SchemaType::Protobuf {
        match parsed.as_any().downcast_ref::<ProtobufSchema>() {
            Some(proto) => decode_protobuf(proto, body),
            None => Err("the schema is not a Protobuf schema".into()),
        }
    } else {
        decode_json(parsed, body)
    }
}

/// The Avro binary body read with the writer's schema, as JSON.
fn decode_avro(schema: &AvroSchema, body: &[u8]) -> Result<String, String> {
    let mut reader = body;
    let value = apache_avro::from_avro_datum(&schema.schema, &mut reader, None)
        .map_err(|e| format!("the body is not Avro of this schema: {e}"))?;
    if !reader.is_empty() {
        return Err(format!(
            "{} bytes are left after the Avro body",
            reader.len()
        ));
    }
    let json = serde_json::Value::try_from(value)
        .map_err(|e| format!("the value has no JSON form: {e}"))?;
    Ok(serde_json::to_string_pretty(&json).unwrap_or_default())
}

/// The message indexes and the protobuf body, read with the message they name, in the
/// Protobuf JSON mapping.
fn decode_protobuf(schema: &ProtobufSchema, body: &[u8]) -> Result<String, String> {
    let (_, message) = framing::decode(&schema.file, body)?;
    let json =
        serde_json::to_value(&message).map_err(|e| format!("the message has no JSON form: {e}"))?;
    Ok(serde_json::to_string_pretty(&json).unwrap_or_default())
}

/// A JSON body, checked against the schema that claims to have written it.
fn decode_json(schema: &crate::formats::Parsed, body: &[u8]) -> Result<String, String> {
    let json: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let errors = crate::formats::validate_payload(schema, &json);
    let pretty = serde_json::to_string_pretty(&json).unwrap_or_default();
    if errors.is_empty() {
        Ok(pretty)
    } else {
        Err(format!(
            "the body does not match the schema ({}): {pretty}",
            crate::formats::describe_payload_errors(&errors)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_base64_messages() {
        assert_eq!(
            message_bytes("00 00 00 00 2a 02").unwrap(),
            [0, 0, 0, 0, 42, 2]
        );
        assert_eq!(message_bytes("0x0000").unwrap(), [0, 0]);
        assert_eq!(message_bytes("AAAAACoC").unwrap(), [0, 0, 0, 0, 42, 2]);
        assert!(message_bytes("not a message!").is_err());
        assert_eq!(split_frame(&[0, 0, 0, 1, 2, 9]).unwrap(), (258, &[9u8][..]));
        assert!(split_frame(&[1, 0, 0, 0, 1]).is_err());
        assert!(split_frame(&[0, 0]).is_err());
    }

    #[test]
    fn json_bodies_are_checked_against_their_schema() {
        let schema = crate::formats::parse(
            SchemaType::Avro,
            r#"{"type":"record","name":"R","fields":[{"name":"id","type":"string"}]}"#,
            &[],
            false,
        )
        .unwrap();
        let shown = decode_json(&*schema, br#"{"id":"a-1"}"#).unwrap();
        assert!(shown.contains("\"id\": \"a-1\""), "{shown}");
        assert!(decode_json(&*schema, br#"{"id":7}"#)
            .unwrap_err()
            .contains("does not match"));
        assert!(decode_json(&*schema, b"\x01binary")
            .unwrap_err()
            .contains("not JSON"));
    }
}
