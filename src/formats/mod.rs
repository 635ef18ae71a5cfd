//! Schema formats behind one trait: parsing and validation, the canonical text that decides
//! identity, compatibility as reader/writer differences, the fields a schema carries, and
//! payload validation. Adding a format is one module implementing [`Format`] and
//! [`ParsedSchema`], plus its line in [`format`].

pub mod avro;
pub mod json;
pub mod protobuf;
pub mod reason;

use std::any::Any;
use std::fmt::Debug;

use crate::error::Result;
use crate::model::SchemaType;

/// A schema this one depends on through a reference, already in canonical text.
#[derive(Debug, Clone)]
pub struct Dependency {
    pub name: String,
    pub schema_type: SchemaType,
    pub schema: String,
}

pub use reason::{Direction, Reason};

/// One way a reader cannot read what a writer wrote: in Confluent's words (what the Confluent
/// API answers), with the reader's top-level field it concerns when there is one, and as data
/// ([`Reason`]) for everything else that shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub message: String,
    pub field: Option<String>,
    pub reason: Reason,
}

/// One reason a payload does not match a schema: where (a JSON Pointer into the payload, empty
/// for the payload itself) and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct PayloadError {
    pub path: String,
    pub message: String,
}

impl PayloadError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        PayloadError {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// One row of a schema's field table, nested fields included: `path` joins the names from the
/// top (`customer.address.city`, `lines[].sku` for the items of a list), `depth` counts the dots.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldRow {
    pub path: String,
    pub name: String,
    pub depth: usize,
    pub type_name: String,
    /// The default as JSON text, when the field has one.
    pub default: Option<String>,
    pub doc: Option<String>,
    pub required: bool,
}

impl FieldRow {
    /// A top-level field of which only the name is known.
    pub fn named(name: &str) -> Self {
        FieldRow {
            path: name.to_string(),
            name: name.to_string(),
            depth: 0,
            type_name: String::new(),
            default: None,
            doc: None,
            required: false,
        }
    }
}

impl std::fmt::Display for PayloadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Joins payload errors into one line for messages.
pub fn describe_payload_errors(errors: &[PayloadError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A schema format (stateless).
pub trait Format: Send + Sync {
    fn schema_type(&self) -> SchemaType;
    /// Parses and validates `text` with its referenced schemas; `normalize` asks for the
    /// stricter normal form (Confluent's `normalize=true`). An invalid schema is 42201.
    fn parse(&self, text: &str, deps: &[Dependency], normalize: bool) -> Result<Box<Parsed>>;
    /// The normal form of stored canonical text, to match a normalised lookup.
    fn normalized(&self, canonical: &str) -> String;
    /// The identity text of a stored schema text ([`ParsedSchema::stored`] gives it back as
    /// [`ParsedSchema::canonical`] would): the same for formats that store their canonical text.
    fn identity_text(&self, stored: &str) -> String {
        stored.to_string()
    }
}

/// A parsed, validated schema of some format.
pub trait ParsedSchema: Debug + Send + Sync + Any {
    fn schema_type(&self) -> SchemaType;
    /// The text hashed for identity.
    fn canonical(&self) -> &str;
    /// The text that is stored and returned to clients; the canonical text unless the format
    /// answers a schema as it was registered.
    fn stored(&self) -> &str {
        self.canonical()
    }
    /// Why `self` (the reader) cannot read data written with `writer` (same format);
    /// `reader_is_new` picks the wording ("in the new schema" or "in the old schema").
    fn differences(&self, writer: &Parsed, reader_is_new: bool) -> Vec<Difference>;
    /// Top-level field names (the record's fields, the object's properties, the message's fields).
    fn field_names(&self) -> Vec<String>;
    /// Every field at every level, parents before their children, in declaration order.
    /// Formats that know no more than their top-level names list just those.
    fn field_table(&self) -> Vec<FieldRow> {
        self.field_names()
            .iter()
            .map(|n| FieldRow::named(n))
            .collect()
    }
    /// Every reason a JSON payload (in the format's JSON encoding) is not valid for this
    /// schema; empty when it is.
    fn validate_payload(&self, payload: &serde_json::Value) -> Vec<PayloadError>;
    /// Canonical text with documentation removed: versions equal here differ only in docs.
    fn without_docs(&self) -> String;
    /// The schema in one of the format's alternative encodings (the `format` query parameter
    /// of schema reads, e.g. Protobuf's `serialized`); `None` for an encoding the format lacks.
    /// `file_name` is the name the schema was registered under, where the encoding has one.
    fn in_format(&self, _format: &str, _file_name: Option<&str>) -> Option<String> {
        None
    }
    /// The file name the registered text gave the schema (a Protobuf descriptor's), if any.
    fn file_name(&self) -> Option<&str> {
        None
    }
    fn as_any(&self) -> &dyn Any;
}

pub type Parsed = dyn ParsedSchema;

/// The implementation of a schema type.
pub fn format(schema_type: SchemaType) -> &'static dyn Format {
    match schema_type {
        SchemaType::Avro => &avro::AvroFormat,
        SchemaType::Protobuf => &protobuf::ProtobufFormat,
        SchemaType::Json => &json::JsonFormat,
    }
}

pub fn parse(
    schema_type: SchemaType,
    text: &str,
    deps: &[Dependency],
    normalize: bool,
) -> Result<Box<Parsed>> {
    // The parsers are third-party code fed untrusted text: a panic in one is an invalid
    // schema, not a dropped connection.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        format(schema_type).parse(text, deps, normalize)
    }))
    .unwrap_or_else(|_| {
        Err(crate::error::Error::InvalidSchema(format!(
            "the {} parser could not read this schema",
            schema_type.as_str()
        )))
    })
}

pub fn normalized(schema_type: SchemaType, canonical: &str) -> String {
    format(schema_type).normalized(canonical)
}

/// The identity text of a stored schema text (see [`Format::identity_text`]).
pub fn identity_text(schema_type: SchemaType, stored: &str) -> String {
    format(schema_type).identity_text(stored)
}

/// Reader/writer differences; schemas of different formats never read each other.
pub fn differences(reader: &Parsed, writer: &Parsed, reader_is_new: bool) -> Vec<Difference> {
    if reader.schema_type() != writer.schema_type() {
        let message = "Incompatible because of different schema type".to_string();
        let (old, new) = if reader_is_new {
            (writer.schema_type(), reader.schema_type())
        } else {
            (reader.schema_type(), writer.schema_type())
        };
        return vec![Difference {
            reason: Reason::new(reason::Found {
                kind: "SCHEMA_TYPE_CHANGED".into(),
                pointer: String::new(),
                pointer_into: reason::Side::reader(reader_is_new),
                subject: reason::subject_of(None),
                field: None,
                aspect: Some("format".into()),
                old: Some(old.as_str().to_string()),
                new: Some(new.as_str().to_string()),
                direction: Direction::of(reader_is_new),
                message: message.clone(),
                change: None,
            }),
            message,
            field: None,
        }];
    }
    reader.differences(writer, reader_is_new)
}

/// Why `new` cannot follow `old` in each of `directions`, each difference once with every
/// direction it breaks, the two versions named by `old_label` and `new_label`.
pub fn reasons(
    new: &Parsed,
    old: &Parsed,
    directions: &[Direction],
    old_label: &str,
    new_label: &str,
) -> Vec<Reason> {
    let mut found = Vec::new();
    for direction in directions {
        let diffs = match direction {
            Direction::Backward => differences(new, old, true),
            Direction::Forward => differences(old, new, false),
        };
        found.extend(diffs.into_iter().map(|d| d.reason));
    }
    reason::merge(found)
        .into_iter()
        .map(|r| r.labelled(old_label, new_label))
        .collect()
}

/// Confluent-worded reasons why `reader` cannot read what `writer` wrote; empty when it can.
pub fn incompatibilities(reader: &Parsed, writer: &Parsed, reader_is_new: bool) -> Vec<String> {
    differences(reader, writer, reader_is_new)
        .into_iter()
        .map(|d| d.message)
        .collect()
}

pub fn field_names(parsed: &Parsed) -> Vec<String> {
    parsed.field_names()
}

pub fn field_table(parsed: &Parsed) -> Vec<FieldRow> {
    parsed.field_table()
}

/// The rows of a field table whose name contains `needle` (case-insensitive): how a search for
/// `customerId` finds every schema that carries one, at any depth, whatever its format.
pub fn fields_matching<'a>(
    table: &'a [FieldRow],
    needle: &str,
) -> impl Iterator<Item = &'a FieldRow> + 'a {
    let needle = needle.to_lowercase();
    table
        .iter()
        .filter(move |row| !needle.is_empty() && row.name.to_lowercase().contains(&needle))
}

pub fn validate_payload(parsed: &Parsed, payload: &serde_json::Value) -> Vec<PayloadError> {
    parsed.validate_payload(payload)
}

pub fn without_docs(parsed: &Parsed) -> String {
    parsed.without_docs()
}
