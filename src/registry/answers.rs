//! The Confluent JSON of a stored schema as the reads serializers make on every new message type
//! answer it: encoded once per schema (a registry speaks one dialect) and kept with the cached
//! entry, so a hit copies bytes instead of rebuilding and re-serializing a JSON object.

use std::io::Write;

use bytes::Bytes;
use serde_json::{Map, Value};

use super::{SchemaEntry, SubjectVersion};
use crate::model::SchemaType;
use crate::serve_settings::Dialect;

/// What is encoded once per schema.
#[derive(Debug)]
pub(crate) struct Answers {
    /// The whole answer of `GET /schemas/ids/{id}` (schema first, then its fields).
    by_id: Bytes,
    /// The schema's fields then `"schema"`, without the braces: the tail of a version object.
    fields: Bytes,
}

impl Answers {
    fn of(entry: &SchemaEntry, dialect: Dialect) -> Answers {
        let mut by_id = Map::new();
        by_id.insert("schema".into(), entry.schema.clone().into());
        put_schema_fields(&mut by_id, entry, dialect);
        let mut fields = Map::new();
        put_schema_fields(&mut fields, entry, dialect);
        fields.insert("schema".into(), entry.schema.clone().into());
        let fields = serde_json::to_vec(&Value::Object(fields)).unwrap_or_default();
        let end = fields.len().saturating_sub(1).max(1);
        Answers {
            by_id: serde_json::to_vec(&Value::Object(by_id))
                .unwrap_or_default()
                .into(),
            // `{...}` without its braces; it always holds `"schema"`, so it is never empty.
            fields: Bytes::from(fields).slice(1..end),
        }
    }
}

/// `schemaType`, `references`, `metadata`, `ruleSet` as Confluent writes them (as
/// `api::schema_answers` types them; a test there holds the two together): `schemaType` is
/// left out for AVRO in the 7.9 dialect, empty lists and absent objects are left out always;
/// the 8.x dialect adds the `guid`.
fn put_schema_fields(out: &mut Map<String, Value>, entry: &SchemaEntry, dialect: Dialect) {
    if dialect == Dialect::V8 {
        out.insert("guid".into(), super::guid::guid(entry).into());
    }
    if dialect == Dialect::V8 || entry.schema_type != SchemaType::Avro {
        out.insert("schemaType".into(), entry.schema_type.as_str().into());
    }
    if !entry.references.is_empty() {
        out.insert(
            "references".into(),
            serde_json::to_value(&entry.references).unwrap_or_default(),
        );
    }
    if let Some(m) = entry.metadata.as_ref().filter(|m| !is_empty_object(m)) {
        out.insert("metadata".into(), m.clone());
    }
    if let Some(r) = entry.rule_set.as_ref().filter(|r| !is_empty_object(r)) {
        out.insert("ruleSet".into(), r.clone());
    }
}

fn is_empty_object(v: &Value) -> bool {
    v.is_null() || v.as_object().is_some_and(Map::is_empty)
}

impl SchemaEntry {
    fn answers(&self, dialect: Dialect) -> &Answers {
        self.answers.get_or_init(|| Answers::of(self, dialect))
    }
}

impl super::Registry {
    /// The answer of `GET /schemas/ids/{id}` without query options.
    pub fn schema_answer(&self, entry: &SchemaEntry) -> Bytes {
        schema_answer(entry, self.dialect)
    }

    /// The Schema object of version reads and lookups: subject, version and id, the schema's
    /// fields, and in the 8.x dialect its timestamp and deleted flag.
    pub fn version_answer(&self, sv: &SubjectVersion) -> Bytes {
        version_object(sv, self.dialect)
    }

    /// `GET /schemas/ids/{id}` (default context) when memory holds the schema, without
    /// touching the store; `None` leaves the request to its route.
    pub fn schema_answer_in_memory(&self, id: i64) -> Option<Bytes> {
        let entry = self.cache.schema(id)?;
        self.metrics.cache_lookup("schema_by_id", true);
        Some(self.schema_answer(&entry))
    }

    /// `POST /subjects/{s}` (lookup, no query) of a request body when memory remembers where
    /// that body's schema is in the subject: first by the body's bytes, then by the schema it
    /// reads as (remembering the bytes for next time). `None` leaves the request to its route,
    /// which also answers every refusal.
    pub fn lookup_answer_in_memory(&self, subject: &str, body: &[u8]) -> Option<Bytes> {
        let normalize = self.cached_normalize(subject);
        let raw = super::register::body_key(body, normalize);
        let (id, version) = match self.cache.registered(subject, &raw) {
            Some(found) => found,
            // A body with an escaped NUL is refused by its route, never remembered.
            None if body.windows(5).any(|w| w == b"u0000") => return None,
            None => {
                let request: super::SchemaRequest = serde_json::from_slice(body).ok()?;
                let found = self.cache.registered(subject, &request.key(normalize))?;
                self.cache
                    .remember_registered(subject, raw, found.0, found.1);
                found
            }
        };
        self.metrics.cache_lookup("registration", true);
        let schema = self.cache.schema(id)?;
        Some(self.version_answer(&SubjectVersion {
            subject: subject.to_string(),
            version,
            deleted: false,
            created_at: 0,
            schema,
        }))
    }

    /// `GET /subjects/{s}/versions/latest` when memory holds the subject's versions (this
    /// process is the store's one writer) and the latest live one's schema; `None` leaves
    /// the request to its route (a subject without live versions, one to look for in other
    /// contexts, one not read yet).
    pub fn latest_answer_in_memory(&self, subject: &str) -> Option<Bytes> {
        if !self.sole_writer {
            return None;
        }
        let rows = self.cache.versions(subject)?;
        let row = rows.iter().rev().find(|r| !r.deleted)?;
        let schema = self.cache.schema(row.schema_id)?;
        self.metrics.cache_lookup("schema_by_id", true);
        Some(self.version_answer(&SubjectVersion {
            subject: row.subject.clone(),
            version: row.version,
            deleted: row.deleted,
            created_at: row.created_at,
            schema,
        }))
    }
}

/// `GET /schemas/ids/{id}` of `entry` in `dialect`, encoded on first use.
pub fn schema_answer(entry: &SchemaEntry, dialect: Dialect) -> Bytes {
    entry.answers(dialect).by_id.clone()
}

/// The version object around the schema's prepared fields: only the subject, numbers and flags
/// are written per request.
pub fn version_object(sv: &SubjectVersion, dialect: Dialect) -> Bytes {
    let fields = &sv.schema.answers(dialect).fields;
    let mut out = Vec::with_capacity(fields.len() + sv.subject.len() + 96);
    out.extend_from_slice(b"{\"subject\":");
    let _ = serde_json::to_writer(&mut out, &sv.subject);
    let _ = write!(
        out,
        ",\"version\":{},\"id\":{},",
        sv.version,
        crate::model::context::wire_id(sv.schema.id)
    );
    out.extend_from_slice(fields);
    if dialect == Dialect::V8 {
        if sv.created_at > 0 {
            let _ = write!(out, ",\"ts\":{}", sv.created_at);
        }
        let _ = write!(out, ",\"deleted\":{}", sv.deleted);
    }
    out.push(b'}');
    out.into()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::model::Reference;
    use crate::store::SchemaRow;

    fn entry(schema_type: SchemaType, with_extras: bool) -> Arc<SchemaEntry> {
        Arc::new(SchemaEntry::from(SchemaRow {
            id: 7,
            schema_type,
            schema: r#"{"type":"string","doc":"a \"quoted\" text"}"#.into(),
            references: if with_extras {
                vec![Reference {
                    name: "a.proto".into(),
                    subject: "a-value".into(),
                    version: 2,
                }]
            } else {
                Vec::new()
            },
            metadata: with_extras.then(|| json!({"properties": {"owner": "ops"}})),
            rule_set: Some(json!({})),
            file_name: None,
        }))
    }

    fn version(entry: Arc<SchemaEntry>, created_at: i64, deleted: bool) -> SubjectVersion {
        SubjectVersion {
            subject: "orders-\"value\"".into(),
            version: 3,
            deleted,
            created_at,
            schema: entry,
        }
    }

    fn text(bytes: &Bytes) -> &str {
        std::str::from_utf8(bytes).unwrap()
    }

    #[test]
    fn the_7_9_dialect_leaves_out_avro_types_guids_and_empty_parts() {
        let avro = entry(SchemaType::Avro, false);
        assert_eq!(
            text(&avro.answers(Dialect::V7).by_id),
            r#"{"schema":"{\"type\":\"string\",\"doc\":\"a \\\"quoted\\\" text\"}"}"#
        );
        assert_eq!(
            text(&version_object(&version(avro, 99, false), Dialect::V7)),
            r#"{"subject":"orders-\"value\"","version":3,"id":7,"schema":"{\"type\":\"string\",\"doc\":\"a \\\"quoted\\\" text\"}"}"#
        );
    }

    #[test]
    fn prepared_answers_are_the_json_objects_the_routes_describe() {
        for dialect in [Dialect::V7, Dialect::V8] {
            for (created_at, deleted) in [(0, false), (1_700_000_000_000, true)] {
                let json = entry(SchemaType::Json, true);
                let mut by_id = Map::new();
                by_id.insert("schema".into(), json.schema.clone().into());
                put_schema_fields(&mut by_id, &json, dialect);
                assert_eq!(
                    json.answers(dialect).by_id,
                    serde_json::to_vec(&by_id).unwrap()
                );

                let mut object = Map::new();
                object.insert("subject".into(), "orders-\"value\"".into());
                object.insert("version".into(), 3.into());
                object.insert("id".into(), 7.into());
                put_schema_fields(&mut object, &json, dialect);
                object.insert("schema".into(), json.schema.clone().into());
                if dialect == Dialect::V8 {
                    if created_at > 0 {
                        object.insert("ts".into(), created_at.into());
                    }
                    object.insert("deleted".into(), deleted.into());
                }
                let sv = version(json.clone(), created_at, deleted);
                assert_eq!(
                    text(&version_object(&sv, dialect)),
                    serde_json::to_string(&object).unwrap()
                );
            }
        }
        let v8 = entry(SchemaType::Avro, true);
        let by_id: Value = serde_json::from_slice(&v8.answers(Dialect::V8).by_id).unwrap();
        assert_eq!(by_id["schemaType"], "AVRO");
        assert_eq!(by_id["references"][0]["version"], 2);
        assert_eq!(by_id["metadata"]["properties"]["owner"], "ops");
        assert!(by_id["guid"].is_string());
        assert!(
            by_id.get("ruleSet").is_none(),
            "an empty rule set is left out"
        );
    }
}
