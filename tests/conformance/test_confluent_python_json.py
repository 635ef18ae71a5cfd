"""Conformance: the real confluent-kafka JSON Schema serde against a running Herald.

``JSONSerializer`` registers the schema under ``{topic}-value`` (``schemaType: JSON``), frames
the payload with the id, and ``JSONDeserializer`` reads it back, fetching the writer's schema
(and the schemas it references) from the registry.
"""

import json
import os
import uuid

import pytest
from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

URL = os.environ["HERALD_URL"]


def client():
    return SchemaRegistryClient({"url": URL})


def unique(prefix="json"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def order_schema(tag, extra=None):
    properties = {"id": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}}
    properties.update(extra or {})
    return json.dumps(
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": "Order",
            "description": tag,
            "type": "object",
            "properties": properties,
            "required": ["id"],
            "additionalProperties": False,
        }
    )


def test_json_serde_round_trip_with_auto_registration():
    topic = unique()
    ctx = SerializationContext(topic, MessageField.VALUE)
    schema_str = order_schema(topic)
    value = {"id": "o-1", "qty": 3}

    payload = JSONSerializer(schema_str, client())(value, ctx)
    registered = client().get_latest_version(f"{topic}-value")
    assert registered.version == 1
    assert registered.schema.schema_type == "JSON"
    assert int.from_bytes(payload[1:5], "big") == registered.schema_id

    # With the reader's schema given, and with the writer's schema fetched by id.
    assert JSONDeserializer(schema_str, schema_registry_client=client())(payload, ctx) == value
    assert JSONDeserializer(None, schema_registry_client=client())(payload, ctx) == value

    # The same schema again is the same id, not a new version.
    JSONSerializer(schema_str, client())({"id": "o-2"}, ctx)
    assert client().get_versions(f"{topic}-value") == [1]


def test_json_serde_evolves_a_closed_object_and_refuses_a_breaking_change():
    topic = unique()
    ctx = SerializationContext(topic, MessageField.VALUE)
    JSONSerializer(order_schema(topic), client())({"id": "o-1"}, ctx)

    evolved = order_schema(topic, {"note": {"type": "string"}})
    payload = JSONSerializer(evolved, client())({"id": "o-2", "note": "n"}, ctx)
    assert client().get_versions(f"{topic}-value") == [1, 2]
    assert JSONDeserializer(None, schema_registry_client=client())(payload, ctx) == {"id": "o-2", "note": "n"}

    narrowed = order_schema(topic, {"note": {"type": "string", "maxLength": 3}})
    with pytest.raises(SchemaRegistryError) as err:
        JSONSerializer(narrowed, client())({"id": "o-3"}, ctx)
    assert err.value.http_status_code == 409


def test_json_serde_with_a_referenced_schema():
    topic = unique()
    ctx = SerializationContext(topic, MessageField.VALUE)
    address_subject = unique("address")
    address = json.dumps(
        {"type": "object", "properties": {"zip": {"type": "string"}}, "required": ["zip"]}
    )
    version = client().register_schema(address_subject, Schema(address, "JSON"))
    assert version > 0

    customer = Schema(
        json.dumps({"type": "object", "properties": {"home": {"$ref": "address.json"}}}),
        "JSON",
        [SchemaReference("address.json", address_subject, 1)],
    )
    value = {"home": {"zip": "75001"}}
    payload = JSONSerializer(customer, client())(value, ctx)
    registered = client().get_latest_version(f"{topic}-value")
    assert [r.name for r in registered.schema.references] == ["address.json"]
    assert JSONDeserializer(None, schema_registry_client=client())(payload, ctx) == value
    assert client().get_referenced_by(address_subject, 1) == [registered.schema_id]
