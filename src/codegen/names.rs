//! Identifier spelling for the target languages: case conversion and reserved words.

/// Splits a wire name into words at separators, lower-to-upper steps and letter/digit runs
/// followed by a capital (`eventId` → event, id; `HTTPServer` → http, server).
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1);
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Digits that follow digits keep an underscore between them (`v1.2.0` → `V1_2_0`).
fn join(parts: Vec<String>, sep_letters: &str) -> String {
    let mut out = String::new();
    for part in parts {
        let digit_after_digit = out.ends_with(|c: char| c.is_ascii_digit())
            && part.starts_with(|c: char| c.is_ascii_digit());
        if digit_after_digit {
            out.push('_');
        } else if !out.is_empty() {
            out.push_str(sep_letters);
        }
        out.push_str(&part);
    }
    out
}

pub fn pascal(name: &str) -> String {
    let out = join(words(name).iter().map(|w| capitalized(w)).collect(), "");
    lead_letter(out, "T")
}

pub fn camel(name: &str) -> String {
    let words = words(name);
    let parts = words
        .iter()
        .enumerate()
        .map(|(i, w)| if i == 0 { w.clone() } else { capitalized(w) })
        .collect();
    lead_letter(join(parts, ""), "f")
}

pub fn snake(name: &str) -> String {
    lead_letter(join(words(name), "_"), "f")
}

pub fn upper_snake(name: &str) -> String {
    snake(name).to_ascii_uppercase()
}

/// Identifiers may not start with a digit or be empty.
fn lead_letter(name: String, prefix: &str) -> String {
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{prefix}{name}")
    } else {
        name
    }
}

/// `name` made unique among `taken` by a numeric suffix, then recorded there.
pub fn unique(name: String, taken: &mut Vec<String>) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{name}{n}");
        n += 1;
    }
    taken.push(candidate.clone());
    candidate
}

/// A string literal in the syntax Rust, Java, TypeScript and Python share (double quotes,
/// backslash escapes, `\u` for control characters).
pub fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Doc text made safe inside a block comment and split into lines.
pub fn doc_lines(doc: &str) -> Vec<String> {
    doc.replace("*/", "*\u{2215}")
        .lines()
        .map(|l| l.trim_end().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(
            pascal("orders.order.placed-value v3"),
            "OrdersOrderPlacedValueV3"
        );
        assert_eq!(pascal("x v1.2.0"), "XV1_2_0");
        assert_eq!(snake("eventId"), "event_id");
        assert_eq!(snake("HTTPServer2Go"), "http_server2_go");
        assert_eq!(camel("event_id"), "eventId");
        assert_eq!(upper_snake("salesChannel"), "SALES_CHANNEL");
        assert_eq!(pascal("9lives"), "T9lives");
        assert_eq!(quoted("a\"b\n"), "\"a\\\"b\\n\"");
    }
}
