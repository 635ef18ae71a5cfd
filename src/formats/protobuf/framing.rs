//! Confluent's Protobuf framing after the magic byte and schema id: the message indexes that
//! name which message of the schema wrote the body (a zigzag varint count, then that many
//! zigzag varint indexes, the first into the file's messages and each next into the nested
//! messages of the one before; a lone `0` stands for `[0]`, the file's first message).

use prost_reflect::{DynamicMessage, FileDescriptor, MessageDescriptor};

/// Reads the message indexes off the front of a body: (indexes, the protobuf bytes after them).
pub fn message_indexes(body: &[u8]) -> Result<(Vec<i64>, &[u8]), String> {
    let mut rest = body;
    let count = zigzag_varint(&mut rest)?;
    if count == 0 {
        return Ok((vec![0], rest));
    }
    // Each index takes at least a byte: a count beyond what is left is a broken frame.
    if count < 0 || count as usize > rest.len() {
        return Err(format!(
            "the message index count {count} does not fit the {} bytes that follow",
            rest.len()
        ));
    }
    let indexes = (0..count)
        .map(|_| zigzag_varint(&mut rest))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((indexes, rest))
}

fn zigzag_varint(buf: &mut &[u8]) -> Result<i64, String> {
    let raw = prost::encoding::decode_varint(buf)
        .map_err(|_| "the message indexes are not valid varints".to_string())?;
    Ok((raw >> 1) as i64 ^ -((raw & 1) as i64))
}

/// The message the indexes name in `file`.
pub fn message_at(file: &FileDescriptor, indexes: &[i64]) -> Result<MessageDescriptor, String> {
    let missing = || format!("the schema has no message at indexes {indexes:?}");
    let (&first, nested) = indexes.split_first().ok_or_else(missing)?;
    let mut message = usize::try_from(first)
        .ok()
        .and_then(|i| file.messages().nth(i))
        .ok_or_else(missing)?;
    for &index in nested {
        message = usize::try_from(index)
            .ok()
            .and_then(|i| {
                // Indexes count the messages the schema declares, as Confluent's Java serdes
                // do; the entry types maps compile to are not declared.
                message
                    .child_messages()
                    .filter(|m| !m.is_map_entry())
                    .nth(i)
            })
            .ok_or_else(missing)?;
    }
    Ok(message)
}

/// A framed body (indexes, then the protobuf bytes) decoded with the message the indexes name:
/// that message's full name and its value.
pub fn decode(file: &FileDescriptor, body: &[u8]) -> Result<(String, DynamicMessage), String> {
    let (indexes, bytes) = message_indexes(body)?;
    let message = message_at(file, &indexes)?;
    let value = DynamicMessage::decode(message.clone(), bytes).map_err(|e| {
        format!(
            "the body is not a protobuf {} message: {e}",
            message.full_name()
        )
    })?;
    Ok((message.full_name().to_string(), value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    fn file() -> FileDescriptor {
        crate::formats::protobuf::parse(
            r#"syntax = "proto3";
            package p;
            message A { string id = 1; }
            message B { map<string, int32> m = 2; message C { int32 n = 1; } message D { bool on = 1; } C c = 1; }"#,
            &[],
            false,
        )
        .unwrap()
        .file
    }

    #[test]
    fn indexes_name_top_level_and_nested_messages() {
        assert_eq!(message_indexes(&[0, 9]).unwrap(), (vec![0], &[9u8][..]));
        // Count 2 (zigzag 4), then 1 and 1 (zigzag 2 each).
        assert_eq!(message_indexes(&[4, 2, 2]).unwrap().0, vec![1, 1]);
        assert!(message_indexes(&[6, 2]).is_err());
        assert!(message_indexes(&[]).is_err());
        let f = file();
        assert_eq!(message_at(&f, &[0]).unwrap().full_name(), "p.A");
        assert_eq!(message_at(&f, &[1, 1]).unwrap().full_name(), "p.B.D");
        assert!(message_at(&f, &[2]).is_err());
        assert!(message_at(&f, &[0, 0]).is_err());
    }

    #[test]
    fn a_framed_body_decodes_with_the_message_it_names() {
        let f = file();
        let d = message_at(&f, &[1, 1]).unwrap();
        let mut value = DynamicMessage::new(d.clone());
        value.set_field_by_name("on", prost_reflect::Value::Bool(true));
        let mut body = vec![4, 2, 2];
        body.extend(value.encode_to_vec());
        let (name, decoded) = decode(&f, &body).unwrap();
        assert_eq!(name, "p.B.D");
        assert_eq!(
            serde_json::to_value(&decoded).unwrap(),
            serde_json::json!({"on": true})
        );
        let mut broken = vec![0];
        broken.extend([0x0a, 0x05, b'a']);
        assert!(decode(&f, &broken).unwrap_err().contains("p.A"));
    }
}
