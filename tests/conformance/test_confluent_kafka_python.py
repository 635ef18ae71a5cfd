"""The real confluent-kafka Python client against a running Herald (HERALD_URL).

Every call goes through the client's public API, so a wire detail Herald gets wrong
(a path, a field name, a status, an error code) fails here the way it would fail a user.
"""

import json
import os
import uuid

import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

URL = os.environ["HERALD_URL"]


def client():
    # A fresh client has empty caches, so every assertion reaches the server.
    return SchemaRegistryClient({"url": URL})


def subject(prefix="conf"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def record(name, fields):
    return json.dumps({"type": "record", "name": name, "namespace": "conformance", "fields": fields})


V1 = record("Order", [{"name": "id", "type": "string"}])
V2_COMPATIBLE = record("Order", [{"name": "id", "type": "string"}, {"name": "note", "type": "string", "default": ""}])
V2_BREAKING = record("Order", [{"name": "id", "type": "string"}, {"name": "qty", "type": "int"}])


def test_register_is_idempotent_and_ids_are_shared_across_subjects():
    c = client()
    s1, s2 = subject(), subject()
    first = c.register_schema(s1, Schema(V1, "AVRO"))
    assert first > 0
    assert client().register_schema(s1, Schema(V1, "AVRO")) == first
    assert client().get_versions(s1) == [1]
    assert client().register_schema(s2, Schema(V1, "AVRO")) == first


def test_lookup_get_schema_and_versions():
    c = client()
    s = subject()
    sid = c.register_schema(s, Schema(V1, "AVRO"))
    found = client().lookup_schema(s, Schema(V1, "AVRO"))
    assert (found.subject, found.version, found.schema_id) == (s, 1, sid)

    fetched = client().get_schema(sid)
    assert json.loads(fetched.schema_str) == json.loads(V1)
    assert fetched.schema_type == "AVRO"

    latest = client().get_latest_version(s)
    assert (latest.version, latest.schema_id) == (1, sid)
    assert client().get_version(s, 1).schema_id == sid
    assert s in client().get_subjects()
    assert s in client().get_subjects_by_schema_id(sid)
    assert any(v.subject == s and v.version == 1 for v in client().get_schema_versions(sid))
    assert "AVRO" in client().get_schema_types()


def test_lookup_of_an_unregistered_schema_is_40403_and_of_an_unknown_subject_40401():
    s = subject()
    client().register_schema(s, Schema(V1, "AVRO"))
    with pytest.raises(SchemaRegistryError) as missing_schema:
        client().lookup_schema(s, Schema(V2_COMPATIBLE, "AVRO"))
    assert (missing_schema.value.http_status_code, missing_schema.value.error_code) == (404, 40403)
    with pytest.raises(SchemaRegistryError) as missing_subject:
        client().lookup_schema(subject(), Schema(V1, "AVRO"))
    assert (missing_subject.value.http_status_code, missing_subject.value.error_code) == (404, 40401)


def test_compatibility_levels_and_checks():
    c = client()
    s = subject()
    c.register_schema(s, Schema(V1, "AVRO"))
    with pytest.raises(SchemaRegistryError) as unset:
        client().get_compatibility(s)
    assert (unset.value.http_status_code, unset.value.error_code) == (404, 40408)

    c.set_compatibility(s, "FULL")
    assert client().get_compatibility(s) == "FULL"
    assert client().get_compatibility() == "BACKWARD"

    assert client().test_compatibility(s, Schema(V2_COMPATIBLE, "AVRO")) is True
    assert client().test_compatibility(s, Schema(V2_BREAKING, "AVRO")) is False
    assert client().test_compatibility_all_versions(s, Schema(V2_BREAKING, "AVRO")) is False

    with pytest.raises(SchemaRegistryError) as refused:
        client().register_schema(s, Schema(V2_BREAKING, "AVRO"))
    assert refused.value.http_status_code == 409
    assert client().register_schema(s, Schema(V2_COMPATIBLE, "AVRO")) > 0
    assert client().get_versions(s) == [1, 2]


def test_soft_then_permanent_delete():
    c = client()
    s = subject()
    c.register_schema(s, Schema(V1, "AVRO"))
    c.register_schema(s, Schema(V2_COMPATIBLE, "AVRO"))
    assert client().delete_version(s, 2) == 2
    assert client().get_versions(s) == [1]
    assert client().delete_version(s, 2, permanent=True) == 2
    assert client().delete_subject(s) == [1]
    assert s not in client().get_subjects()
    assert client().delete_subject(s, permanent=True) == [1]
    with pytest.raises(SchemaRegistryError) as gone:
        client().get_versions(s)
    assert (gone.value.http_status_code, gone.value.error_code) == (404, 40401)


def test_modes():
    c = client()
    s = subject()
    c.register_schema(s, Schema(V1, "AVRO"))
    assert client().get_global_mode() == "READWRITE"
    assert client().update_mode(s, "READONLY") == "READONLY"
    assert client().get_mode(s) == "READONLY"
    with pytest.raises(SchemaRegistryError) as refused:
        client().register_schema(s, Schema(V2_COMPATIBLE, "AVRO"))
    assert (refused.value.http_status_code, refused.value.error_code) == (422, 42205)
    assert client().delete_mode(s) == "READONLY"
    assert client().register_schema(s, Schema(V2_COMPATIBLE, "AVRO")) > 0


RICH = json.dumps({
    "type": "record",
    "name": "OrderPlaced",
    "namespace": "shop.orders",
    "fields": [
        {"name": "orderId", "type": "string"},
        {"name": "customer", "type": {"type": "record", "name": "Customer", "fields": [
            {"name": "id", "type": "long"},
            {"name": "email", "type": ["null", "string"], "default": None},
        ]}},
        {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID", "SHIPPED"]}},
        {"name": "placedAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "attributes", "type": {"type": "map", "values": "string"}},
    ],
})


def to_dict(obj, ctx):
    return obj


def test_avro_serializer_round_trip_with_auto_registration():
    topic = subject("orders")
    value = {
        "orderId": "o-1",
        "customer": {"id": 7, "email": None},
        "status": "PAID",
        "placedAt": 1_700_000_000_000,
        "attributes": {"channel": "web"},
    }
    ctx = SerializationContext(topic, MessageField.VALUE)
    payload = AvroSerializer(client(), RICH, to_dict)(value, ctx)

    assert payload[0] == 0, "magic byte"
    registered = client().get_latest_version(f"{topic}-value")
    assert int.from_bytes(payload[1:5], "big") == registered.schema_id

    decoded = AvroDeserializer(client())(payload, ctx)
    assert decoded["orderId"] == "o-1"
    assert decoded["customer"] == {"id": 7, "email": None}
    assert decoded["status"] == "PAID"
    assert decoded["attributes"] == {"channel": "web"}
    # fastavro hands timestamp-millis back as a datetime.
    assert int(decoded["placedAt"].timestamp() * 1000) == 1_700_000_000_000

    evolved = json.loads(RICH)
    evolved["fields"].append({"name": "coupon", "type": ["null", "string"], "default": None})
    payload2 = AvroSerializer(client(), json.dumps(evolved), to_dict)({**value, "coupon": "X1"}, ctx)
    assert client().get_versions(f"{topic}-value") == [1, 2]
    assert AvroDeserializer(client())(payload2, ctx)["coupon"] == "X1"
