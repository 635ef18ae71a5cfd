//! A service's side of the catalog as an AsyncAPI 3.0 document: the events it produces as
//! `send` operations, those it consumes as `receive`, one channel per event channel, and each
//! message carrying the schema of the version the service declared, in its own format.

use serde_json::{json, Map, Value};

use crate::catalog_entities::contents::{parse_link_version, CatalogState, SERVICE};
use crate::catalog_entities::model::{Event, EventSchema, Link, SchemaVersion, Service};
use crate::error::{Error, Result};
use crate::model::{SchemaType, VersionSpec};
use crate::registry::Registry;

/// The schema a message carries: its format and text.
#[derive(Debug, Clone)]
pub struct MessageSchema {
    pub schema_type: SchemaType,
    pub text: String,
    /// The catalog version it is (e.g. `1.2.0`).
    pub version: String,
}

/// One event the service sends or receives, with the schema of the version it declared.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    pub event: &'a Event,
    pub send: bool,
    pub schema: Option<MessageSchema>,
}

/// AsyncAPI's `schemaFormat` for a registry format.
pub fn schema_format(t: SchemaType) -> &'static str {
    match t {
        SchemaType::Avro => "application/vnd.apache.avro;version=1.9.0",
        SchemaType::Json => "application/schema+json;version=draft-07",
        SchemaType::Protobuf => "application/vnd.google.protobuf;version=3",
    }
}

/// Keys in AsyncAPI maps are limited to letters, digits, `.`, `-` and `_`.
fn key(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn payload(schema: &MessageSchema) -> Value {
    // Avro and JSON Schema texts are JSON and go in as objects; a .proto file stays text.
    let body = match schema.schema_type {
        SchemaType::Protobuf => Value::String(schema.text.clone()),
        _ => serde_json::from_str(&schema.text).unwrap_or_else(|_| schema.text.clone().into()),
    };
    json!({ "schemaFormat": schema_format(schema.schema_type), "schema": body })
}

/// The document for `service`, given its messages.
pub fn document(service: &Service, messages: &[Message]) -> Value {
    let mut channels = Map::new();
    let mut operations = Map::new();
    for m in messages {
        let event = m.event;
        let address = event
            .channel
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_else(|| event.name.clone());
        let channel_id = key(&address);
        let message_id = key(&event.name);
        let channel = channels
            .entry(channel_id.clone())
            .or_insert_with(|| json!({ "address": address, "messages": {} }));
        let mut message = json!({
            "name": event.name,
            "title": event.name,
        });
        let summary = event
            .description
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or_default();
        if !summary.is_empty() {
            message["summary"] = summary.into();
        }
        if !event.description.trim().is_empty() {
            message["description"] = event.description.trim().into();
        }
        if let Some(schema) = &m.schema {
            message["payload"] = payload(schema);
            message["x-herald-version"] = schema.version.clone().into();
        }
        if let Some(subject) = event.value_subject() {
            message["x-herald-subject"] = subject.subject.clone().into();
        }
        channel["messages"][&message_id] = message;
        let action = if m.send { "send" } else { "receive" };
        operations.insert(
            key(&format!("{action}.{}", event.name)),
            json!({
                "action": action,
                "channel": { "$ref": format!("#/channels/{channel_id}") },
                "messages": [{ "$ref": format!("#/channels/{channel_id}/messages/{message_id}") }],
            }),
        );
    }
    let mut info = json!({
        "title": service.name,
        "version": "1.0.0",
    });
    if !service.description.trim().is_empty() {
        info["description"] = service.description.trim().into();
    }
    if let Some(owner) = &service.owner {
        info["x-herald-owner"] = owner.clone().into();
    }
    let mut doc = json!({
        "asyncapi": "3.0.0",
        "id": format!("urn:herald:service:{}", key(&service.name)),
        "info": info,
        "channels": channels,
        "operations": operations,
    });
    if let Some(repo) = &service.repository {
        doc["info"]["externalDocs"] = json!({ "url": repo });
    }
    doc
}

/// The catalog version a link names: the producer's exact one, the newest in a consumer's range.
fn declared<'a>(schema: &'a EventSchema, link: &Link, send: bool) -> Option<&'a SchemaVersion> {
    let wanted = parse_link_version(&link.version, send).ok()?;
    schema
        .versions
        .iter()
        .filter_map(|v| semver::Version::parse(&v.version).ok().map(|sv| (sv, v)))
        .filter(|(sv, _)| wanted.matches(sv))
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, v)| v)
}

impl Registry {
    async fn version_text(
        &self,
        schema: &EventSchema,
        version: &SchemaVersion,
    ) -> Result<Option<MessageSchema>> {
        let entry = if let Some(id) = version.id {
            Some(self.schema_by_id(id).await?)
        } else if let Some(n) = version.registry_version {
            Some(
                self.get_version(&schema.subject, VersionSpec::Number(n), true)
                    .await?
                    .schema
                    .clone(),
            )
        } else {
            None
        };
        Ok(match entry {
            Some(e) => Some(MessageSchema {
                schema_type: e.schema_type,
                text: e.schema.clone(),
                version: version.version.clone(),
            }),
            None => match &version.schema {
                Some(text) => Some(MessageSchema {
                    schema_type: SchemaType::from_request(version.schema_type.as_deref())?,
                    text: text.clone(),
                    version: version.version.clone(),
                }),
                None => None,
            },
        })
    }

    /// The AsyncAPI 3.0 document of the service named `name`.
    pub async fn asyncapi(&self, name: &str) -> Result<Value> {
        let catalog: CatalogState = self.catalog().await?;
        let service = catalog
            .services
            .get(name)
            .ok_or_else(|| Error::CatalogNotFound {
                kind: SERVICE.into(),
                name: name.into(),
            })?;
        let mut messages = Vec::new();
        let links = service
            .produces
            .iter()
            .map(|l| (l, true))
            .chain(service.consumes.iter().map(|l| (l, false)));
        for (link, send) in links {
            let Some(event) = catalog.events.get(&link.event) else {
                continue;
            };
            let schema = match event
                .value_subject()
                .and_then(|s| declared(s, link, send).map(|v| (s, v)))
            {
                Some((s, v)) => self.version_text(s, v).await?,
                None => None,
            };
            messages.push(Message {
                event,
                send,
                schema,
            });
        }
        Ok(document(service, &messages))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn produced_events_are_sent_consumed_ones_received_each_on_its_channel() {
        let service: Service = serde_json::from_value(json!({
            "name": "order-service", "description": "Takes orders."
        }))
        .unwrap();
        let placed: Event = serde_json::from_value(json!({
            "name": "orders.order.placed", "kind": "event",
            "channel": {"type": "kafka", "name": "orders"},
            "description": "An order.\n\nMore."
        }))
        .unwrap();
        let paid: Event =
            serde_json::from_value(json!({"name": "payments.paid", "kind": "event"})).unwrap();
        let doc = document(
            &service,
            &[
                Message {
                    event: &placed,
                    send: true,
                    schema: Some(MessageSchema {
                        schema_type: SchemaType::Avro,
                        text: r#"{"type":"record","name":"P","fields":[]}"#.into(),
                        version: "1.0.0".into(),
                    }),
                },
                Message {
                    event: &paid,
                    send: false,
                    schema: Some(MessageSchema {
                        schema_type: SchemaType::Protobuf,
                        text: "syntax = \"proto3\";".into(),
                        version: "1.0.0".into(),
                    }),
                },
            ],
        );
        assert_eq!(doc["asyncapi"], "3.0.0");
        let message = &doc["channels"]["orders"]["messages"]["orders.order.placed"];
        assert_eq!(doc["channels"]["orders"]["address"], "orders");
        assert_eq!(message["summary"], "An order.");
        assert_eq!(
            message["payload"]["schemaFormat"],
            "application/vnd.apache.avro;version=1.9.0"
        );
        assert_eq!(message["payload"]["schema"]["name"], "P");
        let send = &doc["operations"]["send.orders.order.placed"];
        assert_eq!(send["action"], "send");
        assert_eq!(send["channel"]["$ref"], "#/channels/orders");
        let receive = &doc["operations"]["receive.payments.paid"];
        assert_eq!(receive["action"], "receive");
        assert_eq!(
            receive["messages"][0]["$ref"],
            "#/channels/payments.paid/messages/payments.paid"
        );
        assert!(
            doc["channels"]["payments.paid"]["messages"]["payments.paid"]["payload"]["schema"]
                .is_string()
        );
    }
}
