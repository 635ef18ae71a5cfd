//! The schema answers Confluent's schema and subject routes share: a version (`SchemaObject`), a
//! schema by id or guid (`SchemaById`) and a registration (`Registered`), with the fields each
//! dialect writes. A field left `None` is left out of the answer.

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::model::{Reference, SchemaType};
use crate::registry::{Registration, SchemaEntry, SubjectVersion};
use crate::serve_settings::Dialect;

/// A schema version as version reads, lookup and `GET /schemas` answer it. `schemaType` is left
/// out for AVRO in the 7.9 dialect; `guid`, `ts` and `deleted` come with the 8.x dialect.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchemaObject {
    pub subject: String,
    pub version: i32,
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub guid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub schema_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub references: Option<Vec<Reference>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Object>)]
    pub metadata: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Object>)]
    pub rule_set: Option<Value>,
    pub schema: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub ts: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub deleted: Option<bool>,
}

/// A schema by its global id or guid.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchemaById {
    pub schema: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub guid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub schema_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub references: Option<Vec<Reference>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Object>)]
    pub metadata: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Object>)]
    pub rule_set: Option<Value>,
    /// With `fetchMaxId=true`: the largest id handed out so far.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub max_id: Option<i64>,
}

/// The answer to a registration: the id (7.9 dialect), or the whole version (8.x dialect).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Registered {
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub version: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub guid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub schema_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub references: Option<Vec<Reference>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Object>)]
    pub metadata: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Object>)]
    pub rule_set: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub schema: Option<String>,
}

/// `guid`, `schemaType`, `references`, `metadata`, `ruleSet` as Confluent writes them: `guid`
/// only in the 8.x dialect, `schemaType` left out for AVRO in the 7.9 dialect, empty lists and
/// absent objects left out always.
struct SchemaFields {
    guid: Option<String>,
    schema_type: Option<String>,
    references: Option<Vec<Reference>>,
    metadata: Option<Value>,
    rule_set: Option<Value>,
}

impl SchemaFields {
    fn of(entry: &SchemaEntry, dialect: Dialect) -> Self {
        let v8 = dialect == Dialect::V8;
        SchemaFields {
            guid: v8.then(|| crate::registry::guid::guid(entry)),
            schema_type: (v8 || entry.schema_type != SchemaType::Avro)
                .then(|| entry.schema_type.as_str().to_string()),
            references: (!entry.references.is_empty()).then(|| entry.references.clone()),
            metadata: entry.metadata.clone().filter(|m| !is_empty_object(m)),
            rule_set: entry.rule_set.clone().filter(|r| !is_empty_object(r)),
        }
    }
}

fn is_empty_object(v: &Value) -> bool {
    v.is_null() || v.as_object().is_some_and(Map::is_empty)
}

impl SchemaObject {
    /// `schema` is the text to answer: the stored one, or another encoding of it.
    pub fn new(sv: &SubjectVersion, schema: String, dialect: Dialect) -> Self {
        let fields = SchemaFields::of(&sv.schema, dialect);
        let v8 = dialect == Dialect::V8;
        SchemaObject {
            subject: sv.subject.clone(),
            version: sv.version,
            id: sv.schema.id,
            guid: fields.guid,
            schema_type: fields.schema_type,
            references: fields.references,
            metadata: fields.metadata,
            rule_set: fields.rule_set,
            schema,
            ts: (v8 && sv.created_at > 0).then_some(sv.created_at),
            deleted: v8.then_some(sv.deleted),
        }
    }
}

impl SchemaById {
    pub fn new(entry: &SchemaEntry, schema: String, dialect: Dialect, max_id: Option<i64>) -> Self {
        let fields = SchemaFields::of(entry, dialect);
        SchemaById {
            schema,
            guid: fields.guid,
            schema_type: fields.schema_type,
            references: fields.references,
            metadata: fields.metadata,
            rule_set: fields.rule_set,
            max_id,
        }
    }
}

impl Registered {
    pub fn new(done: &Registration, dialect: Dialect) -> Self {
        if dialect == Dialect::V7 {
            return Registered {
                id: done.id,
                version: None,
                guid: None,
                schema_type: None,
                references: None,
                metadata: None,
                rule_set: None,
                schema: None,
            };
        }
        let fields = SchemaFields::of(&done.schema, dialect);
        Registered {
            id: done.id,
            version: Some(done.version),
            guid: fields.guid,
            schema_type: fields.schema_type,
            references: fields.references,
            metadata: fields.metadata,
            rule_set: fields.rule_set,
            schema: Some(done.schema.schema.clone()),
        }
    }
}
