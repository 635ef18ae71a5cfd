//! Schema formats: parsing, the canonical text that decides identity, and compatibility checks.

pub mod avro;

use crate::error::Result;
use crate::model::SchemaType;

/// A schema this one depends on through a reference, already in canonical text.
#[derive(Debug, Clone)]
pub struct Dependency {
    pub name: String,
    pub schema_type: SchemaType,
    pub schema: String,
}

/// A parsed, validated schema of any format.
#[derive(Debug)]
pub enum Parsed {
    Avro(avro::AvroSchema),
}

impl Parsed {
    pub fn schema_type(&self) -> SchemaType {
        match self {
            Parsed::Avro(_) => SchemaType::Avro,
        }
    }

    /// The text that is stored, returned to clients and hashed for identity.
    pub fn canonical(&self) -> &str {
        match self {
            Parsed::Avro(s) => &s.canonical,
        }
    }
}

/// Parses `text` as `schema_type`; `normalize` asks for the stricter normal form.
pub fn parse(
    schema_type: SchemaType,
    text: &str,
    deps: &[Dependency],
    normalize: bool,
) -> Result<Parsed> {
    match schema_type {
        SchemaType::Avro => {
            let dep_texts: Vec<&str> = deps.iter().map(|d| d.schema.as_str()).collect();
            avro::parse(text, &dep_texts, normalize).map(Parsed::Avro)
        }
    }
}

/// Why `reader` cannot read data written with `writer`, as Confluent words it; empty when it can.
/// `reader_is_new` picks the wording ("in the new schema" vs "in the old schema").
pub fn incompatibilities(reader: &Parsed, writer: &Parsed, reader_is_new: bool) -> Vec<String> {
    match (reader, writer) {
        (Parsed::Avro(r), Parsed::Avro(w)) => avro::incompatibilities(r, w, reader_is_new),
    }
}

/// The `normalize=true` form of stored canonical text, for matching schemas registered without
/// normalisation against a normalised lookup.
pub fn normalized(schema_type: SchemaType, canonical: &str) -> String {
    match schema_type {
        SchemaType::Avro => serde_json::from_str(canonical)
            .map(|v| avro::canonical::canonical_text(&v, true))
            .unwrap_or_else(|_| canonical.to_string()),
    }
}

/// One way `reader` cannot read what `writer` wrote, with the top-level field of the reader it
/// concerns when there is one (so a consumer that never reads that field can be told it is safe).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub message: String,
    pub field: Option<String>,
}

pub fn differences(reader: &Parsed, writer: &Parsed, reader_is_new: bool) -> Vec<Difference> {
    match (reader, writer) {
        (Parsed::Avro(r), Parsed::Avro(w)) => avro::differences(r, w, reader_is_new),
    }
}

/// The top-level field names of a schema (the record's fields, the object's properties).
pub fn field_names(parsed: &Parsed) -> Vec<String> {
    match parsed {
        Parsed::Avro(s) => avro::field_names(s),
    }
}

/// Why a JSON payload is not valid for the schema; empty when it is.
pub fn validate_payload(parsed: &Parsed, payload: &serde_json::Value) -> Vec<String> {
    match parsed {
        Parsed::Avro(s) => avro::validate_payload(s, payload),
    }
}

/// Canonical text with documentation removed: two versions equal here differ only in docs.
pub fn without_docs(parsed: &Parsed) -> String {
    match parsed {
        Parsed::Avro(s) => avro::without_docs(s),
    }
}
