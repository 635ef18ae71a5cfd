//! Files written in an edition (`edition = "2023";`), which the compiler reads only as
//! proto2/proto3: such a file is compiled as the proto2 file it means (a singular field has
//! explicit presence in both; proto2 spells it `optional`), with its `features` options set
//! aside, since the descriptors the compiler knows have no `features` field. The schema is kept
//! and answered as registered; its identity is the proto2 file's canonical text with the edition
//! and the features it set aside.

/// A file in an edition, as the proto2 file the compiler reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    pub edition: String,
    pub proto2: String,
    /// Each `features` option in the order written (`field_presence = IMPLICIT`, …), with the
    /// path of the element it was set on.
    pub features: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Message,
    Extend,
    Other,
}

/// The proto2 reading of `text` when it declares an edition; `None` for any other file.
pub fn translate(text: &str) -> Option<Translated> {
    let tokens = tokenize(text);
    let mut out = String::with_capacity(text.len() + 64);
    let mut features = Vec::new();
    let mut edition = None;
    let mut stack: Vec<(Block, String)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] == "}" {
            stack.pop();
            out.push_str("}\n");
            i += 1;
            continue;
        }
        // One statement: from here to its `;`, `{` or `}`.
        let end = statement_end(&tokens, i);
        let statement = &tokens[i..end];
        let first = statement.first().map(String::as_str).unwrap_or_default();
        let path = stack
            .iter()
            .map(|(_, name)| name.as_str())
            .collect::<Vec<_>>()
            .join(".");
        match first {
            "edition" if stack.is_empty() => {
                edition = statement.get(2).map(|v| v.trim_matches('"').to_string());
                out.push_str("syntax = \"proto2\";\n");
                i = end + 1;
                continue;
            }
            "option" if statement.get(1).is_some_and(|t| t.starts_with("features.")) => {
                features.push(format!("{path}: {}", statement[1..].join(" ")));
                i = end + 1;
                continue;
            }
            _ => {}
        }
        let opens = tokens.get(end).is_some_and(|t| t == "{");
        let in_fields = matches!(stack.last(), Some((Block::Message | Block::Extend, _)));
        let labelled = matches!(
            first,
            "optional"
                | "required"
                | "repeated"
                | "map"
                | "oneof"
                | "message"
                | "enum"
                | "extend"
                | "option"
                | "reserved"
                | "extensions"
                | "group"
                | ";"
        );
        let is_field = in_fields && !labelled && !opens && statement.iter().any(|t| t == "=");
        let mut written: Vec<String> = Vec::with_capacity(statement.len() + 1);
        if is_field {
            written.push("optional".into());
        }
        let field_name = if is_field { statement.get(1) } else { None };
        written.extend(strip_feature_options(
            statement,
            &match field_name {
                Some(name) if path.is_empty() => name.clone(),
                Some(name) => format!("{path}.{name}"),
                None => path.clone(),
            },
            &mut features,
        ));
        out.push_str(&written.join(" "));
        if opens {
            let kind = match first {
                "message" => Block::Message,
                "extend" => Block::Extend,
                _ => Block::Other,
            };
            let name = statement.get(1).cloned().unwrap_or_default();
            stack.push((kind, name));
            out.push_str(" {\n");
        } else if end < tokens.len() && tokens[end] == ";" {
            out.push_str(";\n");
        } else if end < tokens.len() {
            // A statement cut short by the `}` of its block: the block still closes.
            out.push('\n');
            i = end;
            continue;
        }
        i = end + 1;
    }
    Some(Translated {
        edition: edition?,
        proto2: out,
        features,
    })
}

/// The statement without its `[features.… = …]` options (recorded under `path`).
fn strip_feature_options(statement: &[String], path: &str, found: &mut Vec<String>) -> Vec<String> {
    let Some(open) = statement.iter().position(|t| t == "[") else {
        return statement.to_vec();
    };
    let Some(close) = statement.iter().rposition(|t| t == "]") else {
        return statement.to_vec();
    };
    let mut kept: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut depth = 0usize;
    for token in &statement[open + 1..close] {
        match token.as_str() {
            "{" | "[" | "(" => depth += 1,
            "}" | "]" | ")" => depth = depth.saturating_sub(1),
            "," if depth == 0 => {
                kept.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(token.clone());
    }
    if !current.is_empty() {
        kept.push(current);
    }
    let (features, others): (Vec<_>, Vec<_>) = kept
        .into_iter()
        .partition(|option| option.first().is_some_and(|t| t.starts_with("features.")));
    for option in features {
        found.push(format!("{path}: {}", option.join(" ")));
    }
    let mut out = statement[..open].to_vec();
    if !others.is_empty() {
        out.push("[".into());
        let joined: Vec<String> = others.iter().map(|o| o.join(" ")).collect();
        out.push(joined.join(" , "));
        out.push("]".into());
    }
    out.extend_from_slice(&statement[close + 1..]);
    out
}

/// Where the statement starting at `start` ends: the index of its `;`, `{` or `}`.
fn statement_end(tokens: &[String], start: usize) -> usize {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(start) {
        match token.as_str() {
            "[" | "(" | "<" => depth += 1,
            "]" | ")" | ">" => depth = depth.saturating_sub(1),
            // An aggregate option value (`option (x) = { a: 1 };`) is part of its statement.
            "{" if depth > 0
                || tokens[start] == "option"
                || (i > start && matches!(tokens[i - 1].as_str(), "=" | ":")) =>
            {
                depth += 1
            }
            "}" if depth > 0 => depth -= 1,
            ";" | "{" | "}" if depth == 0 => return i,
            _ => {}
        }
    }
    tokens.len()
}

/// Tokens of `text` without comments: identifiers and numbers (dotted names kept whole),
/// strings with their quotes, and single punctuation characters.
fn tokenize(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '"' || c == '\'' {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            tokens.push(chars[start..i.min(chars.len())].iter().collect());
        } else if c.is_alphanumeric() || c == '_' || c == '.' || c == '-' || c == '+' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '.' | '-' | '+'))
            {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
        } else {
            tokens.push(c.to_string());
            i += 1;
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edition_file_reads_as_the_proto2_file_it_means() {
        let text = r#"
// A file in an edition.
edition = "2023";
package shop;
option features.enum_type = CLOSED;
message Order {
  string id = 1;
  int32 qty = 2 [features.field_presence = IMPLICIT, deprecated = true];
  repeated string tags = 3;
  map<string, int32> counts = 4;
  oneof pay { string card = 5; string iban = 6; }
  message Line { string sku = 1 [default = "a;b{"]; }
  reserved 9;
  enum Status { NEW = 0; DONE = 1; }
}
"#;
        let t = translate(text).expect("an edition file");
        assert_eq!(t.edition, "2023");
        assert!(t.proto2.starts_with("syntax = \"proto2\";"), "{}", t.proto2);
        for expected in [
            "optional string id = 1;",
            "optional int32 qty = 2 [ deprecated = true ];",
            "repeated string tags = 3;",
            "map < string , int32 > counts = 4;",
            "oneof pay {\nstring card = 5;\nstring iban = 6;\n}",
            "optional string sku = 1 [ default = \"a;b{\" ];",
            "NEW = 0;",
        ] {
            assert!(
                t.proto2.contains(expected),
                "missing {expected:?} in\n{}",
                t.proto2
            );
        }
        assert_eq!(
            t.features,
            vec![
                ": features.enum_type = CLOSED".to_string(),
                "Order.qty: features.field_presence = IMPLICIT".to_string(),
            ]
        );
        assert_eq!(
            translate("syntax = \"proto3\";\nmessage M { string a = 1; }"),
            None
        );
    }
}
