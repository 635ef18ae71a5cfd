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
    fn missing_paths_and_non_json_give_none() {
        assert_eq!(line_of(SCHEMA, "/fields/5"), None);
        assert_eq!(line_of(SCHEMA, "/nope"), None);
        assert_eq!(line_of("syntax = \"proto3\";", "/fields/0"), None);
    }
}
