//! Payload validation: does this JSON payload match a registered schema? Each format reads the
//! payload in its own JSON encoding (JSON Schema as is, Avro's JSON encoding, Protobuf's JSON
//! mapping) and reports every problem with its JSON Pointer.

use serde::Serialize;

use super::{Registry, SchemaEntry};
use crate::error::Result;
use crate::formats::{self, PayloadError};
use crate::model::{SchemaType, VersionSpec};

/// The verdict on a payload, with the schema it was checked against.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PayloadVerdict {
    pub valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    pub id: i64,
    #[serde(rename = "schemaType")]
    #[schema(value_type = String, example = "AVRO")]
    pub schema_type: SchemaType,
    pub errors: Vec<PayloadError>,
}

impl Registry {
    /// Validates `payload` against a live version of `subject` (40401/40402 when it has none).
    pub async fn validate_payload_for_version(
        &self,
        subject: &str,
        spec: VersionSpec,
        payload: &serde_json::Value,
    ) -> Result<PayloadVerdict> {
        let found = self.get_version(subject, spec, false).await?;
        let mut verdict = self.validate_against(&found.schema, payload).await?;
        verdict.subject = Some(found.subject);
        verdict.version = Some(found.version);
        Ok(verdict)
    }

    /// Validates `payload` against the schema with global id `id` (40403 when unknown).
    pub async fn validate_payload_for_id(
        &self,
        id: i64,
        payload: &serde_json::Value,
    ) -> Result<PayloadVerdict> {
        let entry = self.schema_by_id(id).await?;
        self.validate_against(&entry, payload).await
    }

    async fn validate_against(
        &self,
        entry: &SchemaEntry,
        payload: &serde_json::Value,
    ) -> Result<PayloadVerdict> {
        let parsed = self.parsed(entry).await?;
        let payload = payload.clone();
        let errors =
            crate::limits::offload(move || Ok(formats::validate_payload(&*parsed, &payload)))
                .await?;
        Ok(PayloadVerdict {
            valid: errors.is_empty(),
            subject: None,
            version: None,
            id: entry.id,
            schema_type: entry.schema_type,
            errors,
        })
    }
}
