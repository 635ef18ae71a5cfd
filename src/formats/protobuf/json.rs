//! Payload validation through the Protobuf JSON mapping: the payload is walked beside the
//! message descriptor so every unknown field and wrong value is reported with its JSON Pointer,
//! and what the walk accepts is then read by prost-reflect's own JSON reader as the last word.

use base64::Engine;
use prost_reflect::{DynamicMessage, FieldDescriptor, Kind, MessageDescriptor};
use serde_json::Value;

use crate::formats::PayloadError;
use crate::limits;

pub fn validate(message: &MessageDescriptor, payload: &Value) -> Vec<PayloadError> {
    let mut errors = Vec::new();
    check_message(message, payload, "", &mut errors);
    if errors.is_empty() {
        if let Err(e) = DynamicMessage::deserialize(message.clone(), payload) {
            errors.push(PayloadError::new("", e.to_string()));
        }
    }
    errors
}

fn pointer(path: &str, token: &str) -> String {
    format!("{path}/{}", token.replace('~', "~0").replace('/', "~1"))
}

/// Well-known types have JSON forms of their own (a Timestamp is an RFC 3339 string, a Struct
/// any object); their checking is left to prost-reflect's reader, at their path.
fn is_well_known(message: &MessageDescriptor) -> bool {
    message.full_name().starts_with("google.protobuf.")
}

fn check_message(
    message: &MessageDescriptor,
    value: &Value,
    path: &str,
    out: &mut Vec<PayloadError>,
) {
    if !limits::spend(1) {
        return;
    }
    if is_well_known(message) {
        if let Err(e) = DynamicMessage::deserialize(message.clone(), value) {
            out.push(PayloadError::new(path, e.to_string()));
        }
        return;
    }
    let Value::Object(map) = value else {
        out.push(PayloadError::new(
            path,
            format!("expected an object for message {}", message.full_name()),
        ));
        return;
    };
    let mut oneofs_set: Vec<(String, String)> = Vec::new();
    for (key, item) in map {
        let at = pointer(path, key);
        let field = message
            .get_field_by_json_name(key)
            .or_else(|| message.get_field_by_name(key));
        let Some(field) = field else {
            out.push(PayloadError::new(
                &at,
                format!("unknown field '{key}' in message {}", message.full_name()),
            ));
            continue;
        };
        if item.is_null() {
            continue;
        }
        if let Some(oneof) = field.containing_oneof().filter(|o| !o.is_synthetic()) {
            if let Some((_, other)) = oneofs_set.iter().find(|(o, _)| o == oneof.name()) {
                out.push(PayloadError::new(
                    &at,
                    format!(
                        "'{key}' and '{other}' are both set but belong to oneof '{}'",
                        oneof.name()
                    ),
                ));
                continue;
            }
            oneofs_set.push((oneof.name().to_string(), key.clone()));
        }
        check_field(&field, item, &at, out);
    }
}

fn check_field(field: &FieldDescriptor, value: &Value, path: &str, out: &mut Vec<PayloadError>) {
    if field.is_map() {
        let Kind::Message(entry) = field.kind() else {
            return;
        };
        let Value::Object(map) = value else {
            out.push(PayloadError::new(path, "expected an object (a map)"));
            return;
        };
        let key_field = entry.map_entry_key_field();
        let value_field = entry.map_entry_value_field();
        for (key, item) in map {
            let at = pointer(path, key);
            if let Err(why) = check_map_key(&key_field.kind(), key) {
                out.push(PayloadError::new(&at, why));
            }
            check_single(&value_field.kind(), item, &at, out);
        }
        return;
    }
    if field.is_list() {
        let Value::Array(items) = value else {
            out.push(PayloadError::new(path, "expected an array"));
            return;
        };
        for (i, item) in items.iter().enumerate() {
            check_single(&field.kind(), item, &pointer(path, &i.to_string()), out);
        }
        return;
    }
    check_single(&field.kind(), value, path, out);
}

fn check_map_key(kind: &Kind, key: &str) -> Result<(), String> {
    match kind {
        Kind::String => Ok(()),
        Kind::Bool => match key {
            "true" | "false" => Ok(()),
            _ => Err(format!("map key '{key}' is not a bool")),
        },
        other => check_integer(other, &Value::String(key.to_string()))
            .map_err(|why| format!("map key: {why}")),
    }
}

fn check_single(kind: &Kind, value: &Value, path: &str, out: &mut Vec<PayloadError>) {
    let result = match kind {
        Kind::Message(m) => {
            if !value.is_null() {
                check_message(m, value, path, out);
            }
            return;
        }
        Kind::Enum(e) => match value {
            Value::String(s) if e.get_value_by_name(s).is_some() => Ok(()),
            Value::String(s) => Err(format!("'{s}' is not a value of enum {}", e.full_name())),
            Value::Number(n) if n.as_i64().is_some_and(|v| i32::try_from(v).is_ok()) => Ok(()),
            Value::Null => Ok(()),
            other => Err(format!(
                "expected a name of enum {} (or its number), found {}",
                e.full_name(),
                describe(other)
            )),
        },
        Kind::Bool => match value {
            Value::Bool(_) | Value::Null => Ok(()),
            other => Err(format!("expected a boolean, found {}", describe(other))),
        },
        Kind::String => match value {
            Value::String(_) | Value::Null => Ok(()),
            other => Err(format!("expected a string, found {}", describe(other))),
        },
        Kind::Bytes => match value {
            Value::String(s) if decodes_base64(s) => Ok(()),
            Value::String(_) => {
                Err("expected base64 bytes, found a string that is not base64".into())
            }
            Value::Null => Ok(()),
            other => Err(format!("expected base64 bytes, found {}", describe(other))),
        },
        Kind::Float | Kind::Double => match value {
            Value::Number(_) | Value::Null => Ok(()),
            Value::String(s)
                if matches!(s.as_str(), "NaN" | "Infinity" | "-Infinity")
                    || s.parse::<f64>().is_ok() =>
            {
                Ok(())
            }
            other => Err(format!("expected a number, found {}", describe(other))),
        },
        integer => {
            if value.is_null() {
                Ok(())
            } else {
                check_integer(integer, value)
            }
        }
    };
    if let Err(message) = result {
        out.push(PayloadError::new(path, message));
    }
}

fn decodes_base64(s: &str) -> bool {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .any(|engine| engine.decode(s).is_ok())
}

/// Integers may be JSON numbers or strings (64-bit ones are strings in canonical JSON).
fn check_integer(kind: &Kind, value: &Value) -> Result<(), String> {
    let (min, max): (i128, i128) = match kind {
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => (i32::MIN.into(), i32::MAX.into()),
        Kind::Uint32 | Kind::Fixed32 => (0, u32::MAX.into()),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => (i64::MIN.into(), i64::MAX.into()),
        Kind::Uint64 | Kind::Fixed64 => (0, u64::MAX.into()),
        _ => return Ok(()),
    };
    let name = format!("{kind:?}").to_ascii_lowercase();
    let number: Option<i128> = match value {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.is_finite())
                    .map(|f| f as i128)
            }),
        Value::String(s) => s.trim().parse::<i128>().ok(),
        other => {
            return Err(format!(
                "expected an integer ({name}), found {}",
                describe(other)
            ));
        }
    };
    match number {
        Some(n) if n >= min && n <= max => Ok(()),
        Some(n) => Err(format!("{n} is out of range for {name}")),
        None => Err(format!("expected an integer ({name}), found {value}")),
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
