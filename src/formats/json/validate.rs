//! Checking with the `jsonschema` crate: a schema against its draft's meta-schema, and payloads
//! against a schema whose `$ref`s reach its referenced schemas by name (never the network).

use std::sync::Arc;

use jsonschema::{Draft, Retrieve, Uri, Validator};
use serde_json::Value;

use super::refs::{Documents, ROOT};
use crate::error::{Error, Result};
use crate::formats::PayloadError;

/// How many meta-schema violations a message lists.
const REPORTED_VIOLATIONS: usize = 5;

/// The draft a schema declares with `$schema`; draft 7 when it declares none.
pub fn draft_of(schema: &Value) -> Result<Draft> {
    let Some(declared) = schema.get("$schema") else {
        return Ok(Draft::Draft7);
    };
    let uri = declared.as_str().ok_or_else(|| {
        Error::InvalidSchema("$schema must be a string naming a JSON Schema draft".into())
    })?;
    let bare = uri
        .trim_end_matches('#')
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    Ok(match bare {
        "json-schema.org/draft-04/schema" => Draft::Draft4,
        "json-schema.org/draft-06/schema" => Draft::Draft6,
        "json-schema.org/draft-07/schema" => Draft::Draft7,
        "json-schema.org/draft/2019-09/schema" => Draft::Draft201909,
        "json-schema.org/draft/2020-12/schema" => Draft::Draft202012,
        _ => {
            return Err(Error::InvalidSchema(format!(
                "unsupported $schema '{uri}': use draft 4, 6, 7, 2019-09 or 2020-12"
            )))
        }
    })
}

fn draft_name(draft: Draft) -> &'static str {
    match draft {
        Draft::Draft4 => "draft 4",
        Draft::Draft6 => "draft 6",
        Draft::Draft7 => "draft 7",
        Draft::Draft201909 => "draft 2019-09",
        _ => "draft 2020-12",
    }
}

/// Refuses a schema its draft's meta-schema does not accept, naming where and why.
pub fn check_meta_schema(schema: &Value, draft: Draft) -> Result<()> {
    let meta = match draft {
        Draft::Draft4 => jsonschema::draft4::meta::validator(),
        Draft::Draft6 => jsonschema::draft6::meta::validator(),
        Draft::Draft7 => jsonschema::draft7::meta::validator(),
        Draft::Draft201909 => jsonschema::draft201909::meta::validator(),
        _ => jsonschema::draft202012::meta::validator(),
    };
    let violations: Vec<String> = meta
        .iter_errors(schema)
        .take(REPORTED_VIOLATIONS)
        .map(|e| {
            let at = e.instance_path().as_str();
            if at.is_empty() {
                e.to_string()
            } else {
                format!("at '{at}': {e}")
            }
        })
        .collect();
    if violations.is_empty() {
        return Ok(());
    }
    Err(Error::InvalidSchema(format!(
        "schema does not conform to the {} meta-schema: {}",
        draft_name(draft),
        violations.join("; ")
    )))
}

/// Serves the referenced schemas to the validator by the URIs their `$ref`s resolve to.
struct References(Arc<Documents>);

impl Retrieve for References {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> std::result::Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let wanted = uri.as_str().split('#').next().unwrap_or_default();
        match self.0.document_for(ROOT, wanted) {
            Some(doc) if doc != ROOT => Ok(self.0.value(doc).clone()),
            _ => Err(format!("'{wanted}' is not one of the schema's references").into()),
        }
    }
}

/// The validator of a schema whose references are all in `docs`; the schema must pass its
/// draft's meta-schema.
pub fn compile(docs: &Documents) -> Result<Validator> {
    let root = docs.root();
    let draft = draft_of(root)?;
    check_meta_schema(root, draft)?;
    jsonschema::options()
        .with_draft(draft)
        .should_validate_formats(true)
        .with_retriever(References(Arc::new(docs.clone())))
        .build(root)
        .map_err(|e| Error::InvalidSchema(e.to_string()))
}

/// Every reason `payload` is invalid, each at the JSON Pointer of the value it concerns.
pub fn payload_errors(validator: &Validator, payload: &Value) -> Vec<PayloadError> {
    validator
        .iter_errors(payload)
        .map(|e| PayloadError::new(e.instance_path().as_str(), e.to_string()))
        .collect()
}
