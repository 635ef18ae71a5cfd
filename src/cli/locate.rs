//! Finds the line of a JSON pointer (`/fields/1/type`) in a schema file's text, so an annotation
//! can point at the field that breaks compatibility.

/// 1-based line where the value at `pointer` starts; `None` when the text is not JSON or the
/// pointer does not lead anywhere.
pub fn line_of(text: &str, pointer: &str) -> Option<usize> {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .filter(|t| !t.is_empty())
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
    };
    scanner.find(&tokens)
}

/// The line of the new schema file a reason is about: where its pointer leads when it points
/// into the new schema, or a JSON Schema path (which names properties, so it leads to the same
/// place in either version); else where the reason's field is declared in an Avro file.
pub fn line_for(reason: &crate::formats::Reason, new_text: &str) -> Option<usize> {
    if let Some(path) = reason.pointer.strip_prefix('#') {
        if path.starts_with('/') {
            return line_of(new_text, path);
        }
    }
    if reason.pointer_into == crate::formats::reason::Side::New && reason.pointer.starts_with('/') {
        if let Some(line) = line_of(new_text, &reason.pointer) {
            return Some(line);
        }
    }
    let field = reason.field.as_deref()?;
    let schema: serde_json::Value = serde_json::from_str(new_text).ok()?;
    line_of(new_text, &avro_field_pointer(&schema, field)?)
}

/// The pointer of a dotted field (`payment.amount`, `lines[].sku`) in an Avro schema: the
/// record field that declares its last part.
pub fn avro_field_pointer(schema: &serde_json::Value, dotted: &str) -> Option<String> {
    use serde_json::Value;
    let mut node = schema;
    let mut pointer = String::new();
    let parts: Vec<&str> = dotted.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let name = part.trim_end_matches("[]").trim_end_matches("{}");
        // A record may sit in a union (`["null", {...}]`).
        if let Value::Array(branches) = node {
            let (j, record) = branches
                .iter()
                .enumerate()
                .find(|(_, b)| b.get("fields").is_some())?;
            pointer.push_str(&format!("/{j}"));
            node = record;
        }
        let fields = node.get("fields")?.as_array()?;
        let index = fields
            .iter()
            .position(|f| f.get("name").and_then(Value::as_str) == Some(name))?;
        pointer.push_str(&format!("/fields/{index}"));
        if i + 1 == parts.len() {
            break;
        }
        pointer.push_str("/type");
        node = &fields[index]["type"];
        for suffix in part.as_bytes()[name.len()..].chunks(2) {
            let (key, step) = if suffix == b"[]" {
                ("items", "/items")
            } else {
                ("values", "/values")
            };
            if let Value::Array(branches) = node {
                let (j, inner) = branches
                    .iter()
                    .enumerate()
                    .find(|(_, b)| b.get(key).is_some())?;
                pointer.push_str(&format!("/{j}"));
                node = inner;
            }
            node = node.get(key)?;
            pointer.push_str(step);
        }
    }
    Some(pointer)
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        if b == b'\n' {
            self.line += 1;
        }
        self.pos += 1;
        Some(b)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.bump();
        }
    }

    /// Walks to the value `path` names, starting at the value under the cursor.
    fn find(&mut self, path: &[String]) -> Option<usize> {
        self.skip_ws();
        let Some((first, rest)) = path.split_first() else {
            return Some(self.line);
        };
        match self.peek()? {
            b'{' => {
                self.bump();
                loop {
                    self.skip_ws();
                    if self.peek()? == b'}' {
                        return None;
                    }
                    let key = self.string()?;
                    self.skip_ws();
                    if self.bump()? != b':' {
                        return None;
                    }
                    if &key == first {
                        return self.find(rest);
                    }
                    self.skip_value()?;
                    self.skip_ws();
                    if self.bump()? != b',' {
                        return None;
                    }
                }
            }
            b'[' => {
                let wanted: usize = first.parse().ok()?;
                self.bump();
                for index in 0.. {
                    self.skip_ws();
                    if self.peek()? == b']' {
                        return None;
                    }
                    if index == wanted {
                        return self.find(rest);
                    }
                    self.skip_value()?;
                    self.skip_ws();
                    if self.bump()? != b',' {
                        return None;
                    }
                }
                None
            }
            _ => None,
        }
    }

    fn string(&mut self) -> Option<String> {
        if self.bump()? != b'"' {
            return None;
        }
        let start = self.pos;
        loop {
            match self.bump()? {
                b'\\' => {
                    self.bump()?;
                }
                b'"' => break,
                _ => {}
            }
        }
        let raw = std::str::from_utf8(&self.bytes[start..self.pos - 1]).ok()?;
        serde_json::from_str(&format!("\"{raw}\"")).ok()
    }

    fn skip_value(&mut self) -> Option<()> {
        self.skip_ws();
        match self.peek()? {
            b'"' => {
                self.string()?;
            }
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.bump();
                loop {
                    self.skip_ws();
                    if self.peek()? == close {
                        self.bump();
                        break;
                    }
                    if open == b'{' {
                        self.string()?;
                        self.skip_ws();
                        self.bump()?;
                    }
                    self.skip_value()?;
                    self.skip_ws();
                    if self.peek()? == b',' {
                        self.bump();
                    }
                }
            }
            _ => {
                while !matches!(
                    self.peek()?,
                    b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'
                ) {
                    self.bump();
                }
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::line_of;

    const SCHEMA: &str = r#"{
  "type": "record",
  "name": "Order",
  "fields": [
    {"name": "id", "type": "string"},
    {
      "name": "qty",
      "type": "int"
    }
  ]
}"#;

    #[test]
    fn pointers_resolve_to_the_line_their_value_starts_on() {
        assert_eq!(line_of(SCHEMA, ""), Some(1));
        assert_eq!(line_of(SCHEMA, "/name"), Some(3));
        assert_eq!(line_of(SCHEMA, "/fields/0"), Some(5));
        assert_eq!(line_of(SCHEMA, "/fields/1"), Some(6));
        assert_eq!(line_of(SCHEMA, "/fields/1/type"), Some(8));
    }

    #[test]
    fn dotted_avro_fields_lead_to_where_they_are_declared() {
        let schema: serde_json::Value = serde_json::from_str(
            r#"{"type":"record","name":"O","fields":[
                {"name":"id","type":"string"},
                {"name":"payment","type":["null",{"type":"record","name":"P","fields":[{"name":"amount","type":"long"}]}]},
                {"name":"lines","type":{"type":"array","items":{"type":"record","name":"L","fields":[{"name":"sku","type":"string"}]}}}]}"#,
        )
        .unwrap();
        let at = |f: &str| super::avro_field_pointer(&schema, f);
        assert_eq!(at("id").as_deref(), Some("/fields/0"));
        assert_eq!(
            at("payment.amount").as_deref(),
            Some("/fields/1/type/1/fields/0")
        );
        assert_eq!(
            at("lines[].sku").as_deref(),
            Some("/fields/2/type/items/fields/0")
        );
        assert_eq!(at("nope"), None);
    }

    #[test]
    fn missing_paths_and_non_json_give_none() {
        assert_eq!(line_of(SCHEMA, "/fields/5"), None);
        assert_eq!(line_of(SCHEMA, "/nope"), None);
        assert_eq!(line_of("syntax = \"proto3\";", "/fields/0"), None);
    }
}
