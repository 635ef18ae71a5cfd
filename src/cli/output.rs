//! What a run found, and how it is shown: text for people, JSON for scripts, annotations for
//! GitHub Actions.

use serde::Serialize;

use super::client::Impact;
use super::locate::{line_for, line_of};

use super::Format;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Compatible,
    Incompatible,
    Registered,
    Error,
}

/// One reason a schema is incompatible: Herald's analysis when the registry is a Herald, else
/// read from the registry's verbose messages (then `field`, `old` and `new` are null and
/// `breaks` is empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The difference type, e.g. `READER_FIELD_MISSING_DEFAULT_VALUE`.
    pub kind: Option<String>,
    /// JSON pointer (Avro) or `#/...` path (JSON Schema, Protobuf) the registry named.
    pub path: Option<String>,
    /// The field, dotted from the top (`payment.amount`).
    pub field: Option<String>,
    /// What the registered version has there, and what the checked schema has.
    pub old: Option<String>,
    pub new: Option<String>,
    /// `backward` (consumers on the checked schema cannot read what was written before),
    /// `forward` (consumers on the registered version cannot read the checked schema's data).
    pub breaks: Vec<String>,
    /// The reason in one sentence.
    pub message: String,
    /// Line in the schema file the reason is about.
    pub line: Option<usize>,
}

impl Reason {
    /// Herald's reason, with the line it is about in the checked file.
    pub fn from_analysis(reason: &crate::formats::Reason, schema_text: &str) -> Reason {
        Reason {
            kind: Some(reason.kind.clone()),
            path: Some(reason.pointer.clone()),
            field: reason.field.clone(),
            old: reason.old.clone(),
            new: reason.new.clone(),
            breaks: reason
                .breaks
                .iter()
                .map(|d| d.as_str().to_string())
                .collect(),
            message: reason.text.clone(),
            line: line_for(reason, schema_text),
        }
    }

    /// The registry's message alone.
    pub fn message(message: String) -> Reason {
        Reason {
            kind: None,
            path: None,
            field: None,
            old: None,
            new: None,
            breaks: Vec::new(),
            message,
            line: None,
        }
    }
}

/// The result for one schema. Every field is always present in JSON (null when unknown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub subject: String,
    pub file: String,
    pub status: Status,
    pub id: Option<i64>,
    pub version: Option<i64>,
    pub level: Option<String>,
    /// The existing version the new schema breaks with.
    pub against_version: Option<i64>,
    pub reasons: Vec<Reason>,
    pub error: Option<String>,
    /// Services the change would break (Herald's impact analysis); null when the registry has none.
    pub impact: Option<Vec<Impact>>,
    pub notes: Vec<String>,
}

impl Outcome {
    pub fn new(subject: &str, file: &str, status: Status) -> Outcome {
        Outcome {
            subject: subject.to_string(),
            file: file.to_string(),
            status,
            id: None,
            version: None,
            level: None,
            against_version: None,
            reasons: Vec::new(),
            error: None,
            impact: None,
            notes: Vec::new(),
        }
    }

    pub fn failed(subject: &str, file: &str, error: impl ToString) -> Outcome {
        let mut o = Outcome::new(subject, file, Status::Error);
        o.error = Some(error.to_string());
        o
    }
}

/// Reads Confluent's verbose message list: difference strings, then `{oldSchemaVersion: N}`,
/// `{oldSchema: '...'}` and `{validateFields: ..., compatibility: 'LEVEL'}`.
pub fn read_messages(outcome: &mut Outcome, messages: &[String], schema_text: &str) {
    for m in messages {
        if let Some(v) = m.strip_prefix("{oldSchemaVersion: ") {
            outcome.against_version = v.trim_end_matches('}').trim().parse().ok();
        } else if m.starts_with("{oldSchema: ") {
            continue;
        } else if m.starts_with("{validateFields: ") {
            if let Some(level) = between(m, "compatibility: '", "'") {
                outcome.level.get_or_insert_with(|| level.to_string());
            }
        } else {
            outcome.reasons.push(reason(m, schema_text));
        }
    }
}

fn reason(message: &str, schema_text: &str) -> Reason {
    let kind = between(message, "errorType:'", "'")
        .or_else(|| between(message, "errorType:\"", "\""))
        .map(str::to_string);
    let description = between(message, "description:'", "', additionalInfo")
        .or_else(|| between(message, "description:'", "'}"))
        // JSON Schema and Protobuf messages open the description with `"` and close it with `'`.
        .or_else(|| between(message, "description:\"", "'}"))
        .or_else(|| between(message, "description:\"", "\""))
        .unwrap_or(message)
        .to_string();
    let path = between(&description, "path '", "'").map(str::to_string);
    // Avro's wording names the reader's side first; only a path into the new schema is a path
    // into the file being checked.
    let new_first = match (
        description.find("new schema"),
        description.find("old schema"),
    ) {
        (Some(n), Some(o)) => n < o,
        (Some(_), None) => true,
        _ => false,
    };
    // A `#/...` path (JSON Schema) is a JSON pointer after its `#`.
    let line = path
        .as_deref()
        .map(|p| p.strip_prefix('#').unwrap_or(p))
        .filter(|p| p.starts_with('/') && new_first)
        .and_then(|p| line_of(schema_text, p));
    Reason {
        kind,
        path,
        message: description,
        line,
        ..Reason::message(String::new())
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

/// One line or annotation per outcome as it completes (text and github formats).
pub fn render_one(format: Format, o: &Outcome) -> Option<String> {
    match format {
        Format::Text => Some(text(o)),
        Format::Github => Some(github(o)),
        Format::Json => None,
    }
}

/// The JSON document for the whole run.
pub fn render_json(outcomes: &[Outcome]) -> String {
    let ok = outcomes
        .iter()
        .all(|o| matches!(o.status, Status::Compatible | Status::Registered));
    serde_json::to_string_pretty(&serde_json::json!({ "ok": ok, "results": outcomes }))
        .unwrap_or_default()
}

fn text(o: &Outcome) -> String {
    let level = o
        .level
        .as_deref()
        .map(|l| format!(" ({l})"))
        .unwrap_or_default();
    let mut out = match o.status {
        Status::Compatible => format!("ok            {}  {}  compatible{level}", o.subject, o.file),
        Status::Registered => format!(
            "registered    {}  {}  id {} version {}",
            o.subject,
            o.file,
            o.id.map(|i| i.to_string()).unwrap_or_else(|| "?".into()),
            o.version
                .map(|v| v.to_string())
                .unwrap_or_else(|| "?".into())
        ),
        Status::Incompatible => {
            let against = o
                .against_version
                .map(|v| format!(" with version {v}"))
                .unwrap_or_default();
            format!(
                "INCOMPATIBLE  {}  {}  incompatible{against}{level}",
                o.subject, o.file
            )
        }
        Status::Error => format!(
            "ERROR         {}  {}  {}",
            o.subject,
            o.file,
            o.error.as_deref().unwrap_or("failed")
        ),
    };
    for r in &o.reasons {
        out.push_str(&format!("\n    {}", reason_line(r)));
    }
    for i in o.impact.iter().flatten() {
        out.push_str(&format!(
            "\n    breaks {} {}{}{}{}",
            i.role,
            i.service,
            i.team
                .as_deref()
                .map(|t| format!(", owned by {t}"))
                .unwrap_or_default(),
            i.contact
                .as_deref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default(),
            i.reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ));
    }
    for n in &o.notes {
        out.push_str(&format!("\n    note: {n}"));
    }
    out
}

/// `/fields/1 (line 9)  READER_FIELD_MISSING_DEFAULT_VALUE [backward]: field `qty` was added…`
pub fn reason_line(r: &Reason) -> String {
    let at = match (&r.path, r.line) {
        (Some(p), Some(l)) if !p.is_empty() => format!("{p} (line {l})"),
        (Some(p), _) if !p.is_empty() => p.clone(),
        _ => "-".into(),
    };
    let breaks = if r.breaks.is_empty() {
        String::new()
    } else {
        format!(" [{}]", r.breaks.join(", "))
    };
    format!(
        "{at}  {}{breaks}{}{}",
        r.kind.as_deref().unwrap_or_default(),
        if r.kind.is_some() || !breaks.is_empty() {
            ": "
        } else {
            ""
        },
        r.message
    )
}

/// GitHub Actions workflow commands: `::error file=F,line=L,title=T::message`.
fn github(o: &Outcome) -> String {
    let file = escape_property(&o.file);
    let mut lines = Vec::new();
    match o.status {
        Status::Incompatible => {
            for r in &o.reasons {
                let message = match &r.kind {
                    Some(k) => format!("{k}: {}", r.message),
                    None => r.message.clone(),
                };
                lines.push(format!(
                    "::error file={file},line={},title={}::{}",
                    r.line.unwrap_or(1),
                    escape_property(&format!("Incompatible schema for {}", o.subject)),
                    escape_data(&message)
                ));
            }
            if o.reasons.is_empty() {
                lines.push(format!(
                    "::error file={file},line=1,title={}::{}",
                    escape_property(&format!("Incompatible schema for {}", o.subject)),
                    escape_data("the registry reports the schema incompatible")
                ));
            }
        }
        Status::Error => lines.push(format!(
            "::error file={file},line=1,title={}::{}",
            escape_property(&format!("herald: {}", o.subject)),
            escape_data(o.error.as_deref().unwrap_or("failed"))
        )),
        Status::Compatible => lines.push(format!(
            "::notice file={file},title={}::{}",
            escape_property(&format!("herald: {}", o.subject)),
            escape_data(&format!(
                "compatible{}",
                o.level
                    .as_deref()
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default()
            ))
        )),
        Status::Registered => lines.push(format!(
            "::notice file={file},title={}::{}",
            escape_property(&format!("herald: {}", o.subject)),
            escape_data(&format!(
                "registered id {} version {}",
                o.id.unwrap_or_default(),
                o.version.unwrap_or_default()
            ))
        )),
    }
    for n in &o.notes {
        lines.push(format!("::notice file={file}::{}", escape_data(n)));
    }
    lines.join("\n")
}

pub(super) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

pub(super) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbose_avro_messages_become_reasons_with_lines() {
        let schema = "{\n  \"type\": \"record\",\n  \"name\": \"O\",\n  \"fields\": [\n    {\"name\": \"a\", \"type\": \"int\"},\n    {\"name\": \"b\", \"type\": \"int\"}\n  ]\n}";
        let messages = vec![
            "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'b'}".to_string(),
            "{oldSchemaVersion: 3}".to_string(),
            "{oldSchema: '{\"type\":\"record\"}'}".to_string(),
            "{validateFields: 'false', compatibility: 'BACKWARD'}".to_string(),
        ];
        let mut o = Outcome::new("s", "f.avsc", Status::Incompatible);
        read_messages(&mut o, &messages, schema);
        assert_eq!(o.against_version, Some(3));
        assert_eq!(o.level.as_deref(), Some("BACKWARD"));
        assert_eq!(o.reasons.len(), 1);
        let r = &o.reasons[0];
        assert_eq!(
            r.kind.as_deref(),
            Some("READER_FIELD_MISSING_DEFAULT_VALUE")
        );
        assert_eq!(r.path.as_deref(), Some("/fields/1"));
        assert_eq!(r.line, Some(6));
        assert!(github(&o).starts_with("::error file=f.avsc,line=6,title=Incompatible schema for s::READER_FIELD_MISSING_DEFAULT_VALUE: The field 'b'"));
    }

    #[test]
    fn verbose_json_schema_messages_become_reasons_with_lines() {
        let schema = "{\n  \"type\": \"object\",\n  \"properties\": {\n    \"age\": {\"type\": \"integer\"}\n  }\n}";
        let messages = vec![
            "{errorType:\"TYPE_NARROWED\", description:\"The type at path '#/properties/age' in the new schema is narrower than in the old schema'}".to_string(),
        ];
        let mut o = Outcome::new("s", "f.json", Status::Incompatible);
        read_messages(&mut o, &messages, schema);
        let r = &o.reasons[0];
        assert_eq!(r.kind.as_deref(), Some("TYPE_NARROWED"));
        assert_eq!(r.path.as_deref(), Some("#/properties/age"));
        assert_eq!(
            r.message,
            "The type at path '#/properties/age' in the new schema is narrower than in the old schema"
        );
        assert_eq!(r.line, Some(4));
    }

    #[test]
    fn annotation_values_are_escaped() {
        assert_eq!(escape_data("50%\nx"), "50%25%0Ax");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
