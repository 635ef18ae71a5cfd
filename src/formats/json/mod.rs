//! JSON Schema: validation against its draft's meta-schema and payload validation with the
//! `jsonschema` crate, references by name, a canonical text, and Confluent's compatibility
//! rules.

pub mod canonical;
pub mod compat;
pub mod diff;
pub mod fields;
pub mod reasons;
pub mod refs;
pub mod validate;
mod walk;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::formats::{Dependency, Difference, Parsed, PayloadError};
use crate::model::SchemaType;
use refs::Documents;

pub struct JsonSchema {
    pub canonical: String,
    /// The registered text, compact with its keys in their order (what is stored and answered).
    pub stored: String,
    /// The schema and the schemas it references, by reference name.
    docs: Documents,
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for JsonSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonSchema")
            .field("canonical", &self.canonical)
            .finish_non_exhaustive()
    }
}

impl JsonSchema {
    pub fn value(&self) -> &Value {
        self.docs.root()
    }

    /// The schema with the schemas it references, for walks that follow `$ref`s.
    pub fn documents(&self) -> &Documents {
        &self.docs
    }
}

/// Parses and validates a JSON schema with its referenced schemas (by reference name).
pub fn parse(text: &str, deps: &[Dependency], normalize: bool) -> Result<JsonSchema> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Error::InvalidSchema(format!("schema is not valid JSON: {e}")))?;
    if !(value.is_object() || value.is_boolean()) {
        return Err(Error::InvalidSchema(
            "a JSON schema must be a JSON object or a boolean".into(),
        ));
    }
    let mut referenced = Vec::with_capacity(deps.len());
    for dep in deps {
        if dep.schema_type != SchemaType::Json {
            return Err(Error::InvalidSchema(format!(
                "reference '{}' is a {} schema; a JSON schema can only reference JSON schemas",
                dep.name, dep.schema_type
            )));
        }
        let dep_value: Value = serde_json::from_str(&dep.schema).map_err(|e| {
            Error::InvalidSchema(format!(
                "referenced schema '{}' is not valid JSON: {e}",
                dep.name
            ))
        })?;
        referenced.push((dep.name.clone(), dep_value));
    }
    let docs = Documents::new(value, referenced);
    if let Some((holder, reference)) = docs.first_unresolved() {
        let place = if holder.is_empty() {
            String::new()
        } else {
            format!(" in referenced schema '{holder}'")
        };
        return Err(Error::InvalidSchema(format!(
            "$ref '{reference}'{place} cannot be resolved: it names neither one of the schema's references nor a location inside a schema"
        )));
    }
    let validator = validate::compile(&docs)?;
    let canonical = if normalize {
        canonical::normalized_text(docs.root())
    } else {
        canonical::canonical_text(docs.root())
    };
    // Answered as registered (compact, keys in their order), as Confluent answers it; with
    // `normalize` the normal form is what is stored.
    let stored = if normalize {
        canonical.clone()
    } else {
        docs.root().to_string()
    };
    Ok(JsonSchema {
        canonical,
        stored,
        docs,
        validator,
    })
}

/// JSON Schema as a [`Format`](crate::formats::Format).
pub struct JsonFormat;

impl crate::formats::Format for JsonFormat {
    fn schema_type(&self) -> SchemaType {
        SchemaType::Json
    }

    fn parse(&self, text: &str, deps: &[Dependency], normalize: bool) -> Result<Box<Parsed>> {
        Ok(Box::new(parse(text, deps, normalize)?))
    }

    fn normalized(&self, canonical: &str) -> String {
        serde_json::from_str(canonical)
            .map(|v| canonical::normalized_text(&v))
            .unwrap_or_else(|_| canonical.to_string())
    }

    fn identity_text(&self, stored: &str) -> String {
        serde_json::from_str(stored)
            .map(|v| canonical::canonical_text(&v))
            .unwrap_or_else(|_| stored.to_string())
    }
}

impl crate::formats::ParsedSchema for JsonSchema {
    fn schema_type(&self) -> SchemaType {
        SchemaType::Json
    }

    fn canonical(&self) -> &str {
        &self.canonical
    }

    fn stored(&self) -> &str {
        &self.stored
    }

    fn differences(&self, writer: &Parsed, reader_is_new: bool) -> Vec<Difference> {
        match writer.as_any().downcast_ref::<JsonSchema>() {
            Some(w) => differences(self, w, reader_is_new),
            None => Vec::new(),
        }
    }

    fn field_names(&self) -> Vec<String> {
        field_names(self)
    }

    fn field_table(&self) -> Vec<crate::formats::FieldRow> {
        fields::field_table(&self.docs)
    }

    fn validate_payload(&self, payload: &Value) -> Vec<PayloadError> {
        validate::payload_errors(&self.validator, payload)
    }

    fn without_docs(&self) -> String {
        canonical::without_docs_text(self.docs.root())
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Why `reader` does not accept everything `writer` accepts: Confluent diffs the writer
/// (original) against the reader (update) and reports what its STRICT policy does not allow.
pub fn differences(
    reader: &JsonSchema,
    writer: &JsonSchema,
    reader_is_new: bool,
) -> Vec<Difference> {
    let (update, original) = if reader_is_new {
        ("new", "old")
    } else {
        ("old", "new")
    };
    compat::differences(&writer.docs, &reader.docs)
        .into_iter()
        .filter(|c| !c.kind.is_compatible())
        .map(|c| {
            let message = c.describe(update, original);
            Difference {
                reason: reasons::reason(&c, &writer.docs, &reader.docs, reader_is_new, &message),
                field: c.property(),
                message,
            }
        })
        .collect()
}

/// The top-level property names, through `$ref`s and `allOf` parts.
pub fn field_names(schema: &JsonSchema) -> Vec<String> {
    let mut names = Vec::new();
    let mut seen = std::collections::HashSet::new();
    collect_fields(
        &schema.docs,
        refs::ROOT,
        schema.docs.root(),
        &mut names,
        &mut seen,
    );
    names
}

fn collect_fields(
    docs: &Documents,
    doc: refs::DocId,
    value: &Value,
    names: &mut Vec<String>,
    seen: &mut std::collections::HashSet<usize>,
) {
    if !seen.insert(value as *const Value as usize) {
        return;
    }
    if let Some(props) = value.get("properties").and_then(Value::as_object) {
        for name in props.keys() {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    if let Some(Value::String(reference)) = value.get("$ref") {
        if let Some((target_doc, target)) = docs.resolve(doc, reference) {
            collect_fields(docs, target_doc, target, names, seen);
        }
    }
    for part in value
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect_fields(docs, doc, part, names, seen);
    }
}
