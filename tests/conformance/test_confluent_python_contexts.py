"""Conformance: contexts through the real confluent-kafka Python client.

Subjects named ``:.ctx:subject`` live in context ``.ctx``, which counts its own schema ids from 1;
``get_schema(id, subject_name=...)`` finds an id in the subject's context; an unqualified name
missing from the default context is found in another; a serializer whose subject name strategy
qualifies its subjects round-trips through a deserializer with the same strategy.

Every test uses a context of its own (uuid), so each starts from an empty id space.
"""

import json
import os
import uuid

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

URL = os.environ["HERALD_URL"]


def client():
    return SchemaRegistryClient({"url": URL})


def context():
    return f".ctx{uuid.uuid4().hex[:10]}"


def record(name, field):
    return Schema(
        json.dumps({"type": "record", "name": name, "namespace": "contexts", "fields": [{"name": field, "type": "string"}]}),
        "AVRO",
    )


def test_a_context_counts_its_own_ids():
    ctx = context()
    c = client()
    subject = f":{ctx}:orders-value"
    assert c.register_schema(subject, record("Order", "id")) == 1
    assert c.register_schema(subject, record("Order", "id")) == 1
    # The same schema in the default context is not the context's: it has an id of its own there.
    default_subject = f"orders-{uuid.uuid4().hex[:10]}-value"
    default_id = c.register_schema(default_subject, record("Order", "id"))
    assert json.loads(client().get_schema(default_id).schema_str)["name"] == "Order"

    other = f":{ctx}:refunds-value"
    assert c.register_schema(other, record("Refund", "id")) == 2
    # Within the context, the same schema under another subject keeps its id.
    assert c.register_schema(f":{ctx}:copy-value", record("Refund", "id")) == 2

    fresh = client()
    assert json.loads(fresh.get_schema(2, subject_name=other).schema_str)["name"] == "Refund"
    latest = fresh.get_latest_version(other)
    assert (latest.schema_id, latest.version, latest.subject) == (2, 1, other)
    found = fresh.lookup_schema(subject, record("Order", "id"))
    assert (found.schema_id, found.version) == (1, 1)
    assert subject in fresh.get_subjects()
    assert ctx in fresh.get_contexts()
    assert sorted(fresh.get_subjects_by_schema_id(2, subject_name=f":{ctx}:")) == sorted(
        [other, f":{ctx}:copy-value"]
    )


def test_an_unknown_id_in_a_context_is_40403():
    ctx = context()
    c = client()
    c.register_schema(f":{ctx}:a-value", record("A", "a"))
    try:
        client().get_schema(7, subject_name=f":{ctx}:a-value")
    except SchemaRegistryError as e:
        assert (e.http_status_code, e.error_code) == (404, 40403)
    else:
        raise AssertionError("id 7 does not exist in the context")


def test_an_unqualified_subject_is_found_in_its_context():
    ctx = context()
    name = f"payments-{uuid.uuid4().hex[:10]}-value"
    client().register_schema(f":{ctx}:{name}", record("Payment", "id"))
    latest = client().get_latest_version(name)
    assert latest.subject == f":{ctx}:{name}"
    assert latest.schema_id == 1


def test_context_compatibility_and_mode():
    ctx = context()
    c = client()
    scope = f":{ctx}:"
    c.set_compatibility(subject_name=scope, level="NONE")
    assert c.get_compatibility(scope) == "NONE"
    subject = f":{ctx}:orders-value"
    c.register_schema(subject, record("Order", "id"))
    # NONE at the context level lets a change through that BACKWARD refuses.
    breaking = Schema(
        json.dumps({"type": "record", "name": "Order", "namespace": "contexts", "fields": [
            {"name": "id", "type": "string"}, {"name": "qty", "type": "int"}]}),
        "AVRO",
    )
    assert c.register_schema(subject, breaking) == 2
    c.update_mode(scope, "READONLY")
    assert c.get_mode(scope) == "READONLY"
    try:
        c.register_schema(f":{ctx}:other-value", record("Other", "o"))
    except SchemaRegistryError as e:
        assert e.error_code == 42205
    else:
        raise AssertionError("the context is read-only")
    finally:
        c.delete_mode(scope)


def test_serde_with_a_qualifying_subject_name_strategy_round_trips():
    ctx = context()

    def strategy(serialization_ctx, record_name):
        return f":{ctx}:{serialization_ctx.topic}-value"

    conf = {"subject.name.strategy": strategy}
    schema = json.dumps({"type": "record", "name": "Ping", "namespace": "contexts",
                         "fields": [{"name": "n", "type": "int"}]})
    topic = f"pings-{uuid.uuid4().hex[:10]}"
    sctx = SerializationContext(topic, MessageField.VALUE)
    payload = AvroSerializer(client(), schema, conf=conf)({"n": 7}, sctx)
    # The first id of a new context.
    assert payload[0] == 0 and int.from_bytes(payload[1:5], "big") == 1
    assert client().get_latest_version(f":{ctx}:{topic}-value").schema_id == 1
    deserializer = AvroDeserializer(client(), conf={"subject.name.strategy": strategy})
    assert deserializer(payload, sctx) == {"n": 7}
