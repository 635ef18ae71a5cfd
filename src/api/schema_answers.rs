//! The schema answers Confluent's schema and subject routes share: a version (`SchemaObject`), a
//! schema by id or guid (`SchemaById`) and a registration (`Registered`), with the fields each
//! dialect writes. A field left `None` is left out of the answer.

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::model::context;
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
            id: context::wire_id(sv.schema.id),
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
                id: context::wire_id(done.id),
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
            id: context::wire_id(done.id),
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::model::{Reference, SchemaType};
    use crate::store::SchemaRow;

    /// The hot reads answer bytes the registry prepared; they must be these types' JSON.
    #[test]
    fn prepared_answers_are_these_answers() {
        // An entry keeps the answers of its registry's one dialect: a fresh one per dialect.
        let cases = [(SchemaType::Avro, false), (SchemaType::Protobuf, true)];
        for ((schema_type, extras), dialect) in cases
            .into_iter()
            .flat_map(|case| [(case, Dialect::V7), (case, Dialect::V8)])
        {
            let entry = Arc::new(SchemaEntry::from(SchemaRow {
                id: 12,
                schema_type,
                schema: r#"{"type":"string","doc":"a \"quoted\" text"}"#.into(),
                references: if extras {
                    vec![Reference {
                        name: "a.proto".into(),
                        subject: "a-value".into(),
                        version: 2,
                    }]
                } else {
                    Vec::new()
                },
                metadata: extras.then(|| json!({"properties": {"owner": "ops"}})),
                rule_set: Some(json!({})),
                file_name: None,
            }));
            {
                let typed = SchemaById::new(&entry, entry.schema.clone(), dialect, None);
                assert_eq!(
                    crate::registry::schema_answer(&entry, dialect),
                    serde_json::to_vec(&typed).unwrap()
                );
                for (created_at, deleted) in [(0, false), (1_700_000_000_000, true)] {
                    let sv = SubjectVersion {
                        subject: "orders-\"value\"".into(),
                        version: 3,
                        deleted,
                        created_at,
                        schema: entry.clone(),
                    };
                    let typed = SchemaObject::new(&sv, entry.schema.clone(), dialect);
                    assert_eq!(
                        crate::registry::version_object(&sv, dialect),
                        serde_json::to_vec(&typed).unwrap()
                    );
                }
            }
        }
    }
}
