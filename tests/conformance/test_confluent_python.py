"""Conformance: the real confluent-kafka Python client against a running Herald.

The registry's base URL comes from the environment variable HERALD_URL. Every assertion goes
through the client's public API (``confluent_kafka.schema_registry``), so any wire detail Herald
gets wrong (a path, a query parameter, a field name, a status or an error code) fails here the
way it would fail a user of the real client.

Every test uses its own subjects (uuid), so the tests are independent of each other and of
their order. Tests that change a global setting (compatibility, mode) restore it.

The client's HTTP calls are logged at INFO (logger ``httpx2``/``httpx``), so a failing test shows
the requests it made under "Captured log call".
"""

import datetime
import json
import logging
import os
import uuid

import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

URL = os.environ["HERALD_URL"]

for _name in ("httpx2", "httpx"):
    logging.getLogger(_name).setLevel(logging.INFO)


# ---------------------------------------------------------------------------------------------
# helpers


def client():
    """A fresh client: empty caches, so every call reaches the server."""
    return SchemaRegistryClient({"url": URL})


def unique(prefix="conf"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def avro(schema_str):
    return Schema(schema_str, "AVRO")


def record(name, fields, doc=None):
    schema = {"type": "record", "name": name, "namespace": "conformance", "fields": fields}
    if doc is not None:
        schema["doc"] = doc
    return json.dumps(schema)


def order_v1(tag=None):
    # `tag` goes into the doc so a test can have a schema (and so an id) no other test shares.
    return record("Order", [{"name": "id", "type": "string"}], doc=tag)


def order_v2_compatible(tag=None):
    return record(
        "Order",
        [{"name": "id", "type": "string"}, {"name": "note", "type": "string", "default": ""}],
        doc=tag,
    )


def order_v2_breaking(tag=None):
    # A new field without a default: a BACKWARD reader cannot fill it from old data.
    return record("Order", [{"name": "id", "type": "string"}, {"name": "qty", "type": "int"}], doc=tag)


def requires(name):
    """Skip when the installed client has no such method."""
    return pytest.mark.skipif(
        not hasattr(SchemaRegistryClient, name), reason=f"SchemaRegistryClient.{name} not in this client"
    )


def expect_error(fn, status, codes):
    """Call fn, expect SchemaRegistryError with this HTTP status and one of these error codes."""
    if isinstance(codes, int):
        codes = (codes,)
    with pytest.raises(SchemaRegistryError) as err:
        fn()
    assert err.value.http_status_code == status, str(err.value)
    assert err.value.error_code in codes, str(err.value)
    return err.value


# ---------------------------------------------------------------------------------------------
# registration, identity, reads


def test_register_returns_an_id_and_is_idempotent():
    s = unique()
    sid = client().register_schema(s, avro(order_v1()))
    assert isinstance(sid, int) and sid > 0
    # Re-registering (fresh client, so no cache) answers the same id and creates no version.
    assert client().register_schema(s, avro(order_v1())) == sid
    assert client().get_versions(s) == [1]


def test_the_same_schema_under_a_second_subject_gets_the_same_id():
    s1, s2 = unique(), unique()
    tag = unique("tag")
    sid = client().register_schema(s1, avro(order_v1(tag)))
    assert client().register_schema(s2, avro(order_v1(tag))) == sid
    assert client().get_versions(s2) == [1]
    # A different schema gets a different id.
    assert client().register_schema(unique(), avro(order_v1(unique("tag")))) != sid


def test_lookup_schema():
    s = unique()
    sid = client().register_schema(s, avro(order_v1()))
    found = client().lookup_schema(s, avro(order_v1()))
    assert found.subject == s
    assert found.version == 1
    assert found.schema_id == sid


def test_lookup_of_an_unregistered_schema_is_40403_and_of_an_unknown_subject_40401():
    s = unique()
    client().register_schema(s, avro(order_v1()))
    expect_error(lambda: client().lookup_schema(s, avro(order_v2_compatible())), 404, 40403)
    expect_error(lambda: client().lookup_schema(unique(), avro(order_v1())), 404, 40401)


def test_get_schema_by_id():
    s = unique()
    sid = client().register_schema(s, avro(order_v1()))
    fetched = client().get_schema(sid)
    # The server may canonicalise the text, so compare parsed JSON.
    assert json.loads(fetched.schema_str) == json.loads(order_v1())
    assert fetched.schema_type == "AVRO"
    # The deserializer passes the subject along: same answer.
    assert json.loads(client().get_schema(sid, subject_name=s).schema_str) == json.loads(order_v1())


def test_get_schema_of_an_unknown_id_is_40403():
    expect_error(lambda: client().get_schema(2_000_000_000), 404, 40403)


def test_get_latest_version_and_get_version():
    s = unique()
    id1 = client().register_schema(s, avro(order_v1()))
    latest = client().get_latest_version(s)
    assert (latest.subject, latest.version, latest.schema_id) == (s, 1, id1)
    assert json.loads(latest.schema.schema_str) == json.loads(order_v1())

    id2 = client().register_schema(s, avro(order_v2_compatible()))
    assert id2 != id1
    latest = client().get_latest_version(s)
    assert (latest.subject, latest.version, latest.schema_id) == (s, 2, id2)
    assert json.loads(latest.schema.schema_str) == json.loads(order_v2_compatible())

    v1 = client().get_version(s, 1)
    assert (v1.subject, v1.version, v1.schema_id) == (s, 1, id1)
    assert json.loads(v1.schema.schema_str) == json.loads(order_v1())
    assert client().get_version(s, "latest").version == 2


def test_get_version_errors():
    s = unique()
    client().register_schema(s, avro(order_v1()))
    expect_error(lambda: client().get_version(s, 7), 404, 40402)
    expect_error(lambda: client().get_version(unique(), 1), 404, 40401)
    expect_error(lambda: client().get_latest_version(unique()), 404, 40401)


def test_get_versions_and_get_subjects():
    s = unique()
    client().register_schema(s, avro(order_v1()))
    client().register_schema(s, avro(order_v2_compatible()))
    assert client().get_versions(s) == [1, 2]
    subjects = client().get_subjects()
    assert isinstance(subjects, list)
    assert s in subjects
    expect_error(lambda: client().get_versions(unique()), 404, 40401)


def test_subject_names_are_percent_encoded_by_the_client():
    # The client quotes with safe='' so '/' and ':' arrive as %2F and %3A inside one segment.
    s = unique("team.a/orders:v1")
    sid = client().register_schema(s, avro(order_v1()))
    assert client().get_versions(s) == [1]
    assert client().lookup_schema(s, avro(order_v1())).schema_id == sid
    assert client().get_latest_version(s).subject == s
    assert s in client().get_subjects()


@requires("get_subjects_by_schema_id")
def test_get_subjects_by_schema_id():
    s1, s2 = unique(), unique()
    tag = unique("tag")
    sid = client().register_schema(s1, avro(order_v1(tag)))
    client().register_schema(s2, avro(order_v1(tag)))
    assert sorted(client().get_subjects_by_schema_id(sid)) == sorted([s1, s2])


@requires("get_schema_versions")
def test_get_schema_versions():
    s1, s2 = unique(), unique()
    tag = unique("tag")
    sid = client().register_schema(s1, avro(order_v1(tag)))
    client().register_schema(s2, avro(order_v1(tag)))
    pairs = sorted((v.subject, v.version) for v in client().get_schema_versions(sid))
    assert pairs == sorted([(s1, 1), (s2, 1)])


@requires("get_schema_types")
def test_get_schema_types():
    types = client().get_schema_types()
    assert isinstance(types, list)
    assert "AVRO" in types


# ---------------------------------------------------------------------------------------------
# compatibility


def test_subject_compatibility_level():
    s = unique()
    client().register_schema(s, avro(order_v1()))
    # No subject-level config yet: the client asks without defaultToGlobal, so 404/40408.
    expect_error(lambda: client().get_compatibility(s), 404, 40408)

    answer = client().set_compatibility(s, "FULL")
    assert answer["compatibility"] == "FULL"
    assert client().get_compatibility(s) == "FULL"
    # Lower case in, upper case stored (the client upper-cases too).
    client().set_compatibility(s, "forward_transitive")
    assert client().get_compatibility(s) == "FORWARD_TRANSITIVE"


def test_subject_compatibility_can_be_set_before_the_subject_exists():
    s = unique()
    client().set_compatibility(s, "NONE")
    assert client().get_compatibility(s) == "NONE"
    client().register_schema(s, avro(order_v1()))
    # NONE: a breaking change registers.
    assert client().register_schema(s, avro(order_v2_breaking())) > 0
    assert client().get_versions(s) == [1, 2]


def test_invalid_compatibility_level_is_42203():
    expect_error(lambda: client().set_compatibility(unique(), "SIDEWAYS"), 422, 42203)


def test_global_compatibility_level():
    assert client().get_compatibility() == "BACKWARD"
    try:
        answer = client().set_compatibility(level="FULL")
        assert answer["compatibility"] == "FULL"
        assert client().get_compatibility() == "FULL"
        # A subject without its own level follows the global one.
        s = unique()
        client().register_schema(s, avro(order_v1()))
        assert client().test_compatibility(s, avro(order_v2_compatible())) is True
        assert client().test_compatibility(s, avro(order_v2_breaking())) is False
    finally:
        client().set_compatibility(level="BACKWARD")
    assert client().get_compatibility() == "BACKWARD"


def test_test_compatibility():
    s = unique()
    client().register_schema(s, avro(order_v1()))
    # Default level BACKWARD: adding a field with a default is compatible, without one is not.
    assert client().test_compatibility(s, avro(order_v2_compatible())) is True
    assert client().test_compatibility(s, avro(order_v2_breaking())) is False
    # Against an explicit version number too.
    assert client().test_compatibility(s, avro(order_v2_compatible()), version=1) is True
    assert client().test_compatibility(s, avro(order_v2_breaking()), version=1) is False
    # Nothing was registered by testing.
    assert client().get_versions(s) == [1]


def test_test_compatibility_with_verbose_still_answers_a_bool():
    s = unique()
    client().register_schema(s, avro(order_v1()))
    assert client().test_compatibility(s, avro(order_v2_breaking()), verbose=True) is False
    assert client().test_compatibility(s, avro(order_v2_compatible()), verbose=True) is True


def test_test_compatibility_against_a_missing_version_is_40402():
    s = unique()
    client().register_schema(s, avro(order_v1()))
    expect_error(lambda: client().test_compatibility(s, avro(order_v2_compatible()), version=9), 404, 40402)


@requires("test_compatibility_all_versions")
def test_test_compatibility_all_versions():
    s = unique()
    client().set_compatibility(s, "BACKWARD_TRANSITIVE")
    client().register_schema(s, avro(order_v1()))
    client().register_schema(s, avro(order_v2_compatible()))
    assert client().test_compatibility_all_versions(s, avro(order_v2_compatible())) is True
    assert client().test_compatibility_all_versions(s, avro(order_v2_breaking())) is False


def test_registering_an_incompatible_schema_is_409():
    s = unique()
    client().register_schema(s, avro(order_v1()))
    err = expect_error(lambda: client().register_schema(s, avro(order_v2_breaking())), 409, (409, 40901))
    assert err.error_message
    # Nothing was registered; a compatible one still goes in as version 2.
    assert client().get_versions(s) == [1]
    assert client().register_schema(s, avro(order_v2_compatible())) > 0
    assert client().get_versions(s) == [1, 2]


def test_registering_an_invalid_schema_is_42201():
    bad = json.dumps({"type": "record", "name": "Broken", "fields": [{"name": "x", "type": "no.such.Type"}]})
    expect_error(lambda: client().register_schema(unique(), avro(bad)), 422, 42201)


# ---------------------------------------------------------------------------------------------
# deletes


def test_soft_and_permanent_delete_of_a_version():
    s = unique()
    client().register_schema(s, avro(order_v1()))
    client().register_schema(s, avro(order_v2_compatible()))

    assert client().delete_version(s, 2) == 2
    assert client().get_versions(s) == [1]
    assert client().get_versions(s, deleted=True) == [1, 2]
    assert client().get_latest_version(s).version == 1
    expect_error(lambda: client().get_version(s, 2), 404, 40402)

    assert client().delete_version(s, 2, permanent=True) == 2
    assert client().get_versions(s, deleted=True) == [1]
    # A live version cannot be deleted permanently without a soft delete first.
    expect_error(lambda: client().delete_version(s, 1, permanent=True), 404, 40407)


def test_soft_then_permanent_delete_of_a_subject():
    s = unique()
    tag = unique("tag")  # an id only this subject uses
    sid = client().register_schema(s, avro(order_v1(tag)))

    assert client().delete_subject(s) == [1]
    assert s not in client().get_subjects()
    assert s in client().get_subjects(deleted=True)
    expect_error(lambda: client().get_versions(s), 404, 40401)
    expect_error(lambda: client().get_latest_version(s), 404, 40401)
    # Ids outlive soft deletes.
    assert json.loads(client().get_schema(sid).schema_str) == json.loads(order_v1(tag))

    assert client().delete_subject(s, permanent=True) == [1]
    assert s not in client().get_subjects(deleted=True)
    expect_error(lambda: client().get_versions(s, deleted=True), 404, 40401)
    # No other subject holds the id: it is gone too.
    expect_error(lambda: client().get_schema(sid), 404, 40403)


def test_permanent_delete_of_a_live_subject_is_40405_and_of_an_unknown_one_40401():
    s = unique()
    client().register_schema(s, avro(order_v1()))
    expect_error(lambda: client().delete_subject(s, permanent=True), 404, 40405)
    assert client().get_versions(s) == [1]
    expect_error(lambda: client().delete_subject(unique()), 404, 40401)


# ---------------------------------------------------------------------------------------------
# modes


@requires("get_global_mode")
def test_global_mode_is_readwrite():
    assert client().get_global_mode() == "READWRITE"


@requires("update_mode")
def test_subject_mode():
    s = unique()
    client().register_schema(s, avro(order_v1()))
    # Not configured at subject level: the client asks without defaultToGlobal.
    expect_error(lambda: client().get_mode(s), 404, 40409)

    assert client().update_mode(s, "READONLY") == "READONLY"
    assert client().get_mode(s) == "READONLY"
    expect_error(lambda: client().register_schema(s, avro(order_v2_compatible())), 422, 42205)
    # Reads still work in READONLY.
    assert client().get_versions(s) == [1]
    # Other subjects are unaffected.
    assert client().register_schema(unique(), avro(order_v1())) > 0

    assert client().update_mode(s, "READWRITE") == "READWRITE"
    assert client().register_schema(s, avro(order_v2_compatible())) > 0
    assert client().get_versions(s) == [1, 2]


@requires("delete_mode")
def test_delete_subject_mode():
    s = unique()
    client().register_schema(s, avro(order_v1()))
    client().update_mode(s, "READONLY")
    assert client().delete_mode(s) == "READONLY"
    expect_error(lambda: client().get_mode(s), 404, 40409)
    assert client().register_schema(s, avro(order_v2_compatible())) > 0


@requires("update_mode")
def test_invalid_mode_is_42204():
    expect_error(lambda: client().update_mode(unique(), "SIDEWAYS"), 422, 42204)


@requires("update_global_mode")
def test_global_readonly_mode():
    s = unique()
    try:
        assert client().update_global_mode("READONLY") == "READONLY"
        assert client().get_global_mode() == "READONLY"
        expect_error(lambda: client().register_schema(s, avro(order_v1())), 422, 42205)
    finally:
        assert client().update_global_mode("READWRITE") == "READWRITE"
    assert client().get_global_mode() == "READWRITE"
    assert client().register_schema(s, avro(order_v1())) > 0


# ---------------------------------------------------------------------------------------------
# serde: AvroSerializer / AvroDeserializer with auto-registration

UTC = datetime.timezone.utc

RICH_V1 = json.dumps(
    {
        "type": "record",
        "name": "OrderPlaced",
        "namespace": "shop.orders",
        "fields": [
            {"name": "orderId", "type": "string"},
            {
                "name": "customer",
                "type": {
                    "type": "record",
                    "name": "Customer",
                    "fields": [
                        {"name": "id", "type": "long"},
                        {"name": "email", "type": ["null", "string"], "default": None},
                    ],
                },
            },
            {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID", "SHIPPED"]}},
            {"name": "coupon", "type": ["null", "string"], "default": None},
            {"name": "placedAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "attributes", "type": {"type": "map", "values": "string"}},
        ],
    }
)


def rich_v2():
    schema = json.loads(RICH_V1)
    schema["fields"].append({"name": "channel", "type": "string", "default": "web"})
    return json.dumps(schema)


def order_value(**overrides):
    value = {
        "orderId": "o-1",
        "customer": {"id": 7, "email": "a@example.com"},
        "status": "PAID",
        "coupon": None,
        # fastavro reads timestamp-millis back as an aware UTC datetime.
        "placedAt": datetime.datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC),
        "attributes": {"source": "app", "region": "eu"},
    }
    value.update(overrides)
    return value


def check_framing(payload, subject, schema_str):
    """Magic byte 0, then the big-endian id the registry holds for (subject, schema)."""
    assert isinstance(payload, bytes) and len(payload) > 5
    assert payload[0] == 0, "magic byte"
    wire_id = int.from_bytes(payload[1:5], "big")
    registered = client().lookup_schema(subject, avro(schema_str))
    assert wire_id == registered.schema_id
    return wire_id


def test_associations_probe_answers_like_confluent():
    # confluent-kafka >= 2.14 serializers call GET /associations/resources/-/{topic} first and
    # fall back to TopicNameStrategy only on 404. Real Confluent answers 200 [] when none exist.
    if not hasattr(SchemaRegistryClient, "get_associations_by_resource_name"):
        pytest.skip("client has no associations API")
    topic = unique("orders")
    try:
        found = client().get_associations_by_resource_name(topic, "-", "topic", ["value"])
    except SchemaRegistryError as err:
        assert err.http_status_code == 404, str(err)
    else:
        assert found == []


def test_avro_serde_round_trip_with_auto_registration():
    topic = unique("orders")
    subject = f"{topic}-value"
    ctx = SerializationContext(topic, MessageField.VALUE)

    serializer = AvroSerializer(client(), RICH_V1)
    value = order_value()
    payload = serializer(value, ctx)
    wire_id = check_framing(payload, subject, RICH_V1)

    # The registry shows the auto-registered schema as version 1 of <topic>-value.
    latest = client().get_latest_version(subject)
    assert (latest.version, latest.schema_id) == (1, wire_id)
    assert json.loads(client().get_schema(wire_id).schema_str) == json.loads(RICH_V1)

    # A fresh client and a deserializer given no schema: the writer schema comes from the id.
    assert AvroDeserializer(client())(payload, ctx) == value

    # Other values of the union, enum and map through the same serializer.
    value2 = order_value(
        orderId="o-2",
        customer={"id": 8, "email": None},
        status="SHIPPED",
        coupon="SAVE10",
        attributes={},
    )
    payload2 = serializer(value2, ctx)
    assert int.from_bytes(payload2[1:5], "big") == wire_id
    assert AvroDeserializer(client())(payload2, ctx) == value2

    # A second serializer with the same schema registers nothing new.
    AvroSerializer(client(), RICH_V1)(value, ctx)
    assert client().get_versions(subject) == [1]


def test_avro_serde_with_an_evolved_schema_registers_version_2():
    topic = unique("orders")
    subject = f"{topic}-value"
    ctx = SerializationContext(topic, MessageField.VALUE)

    v1_value = order_value()
    v1_payload = AvroSerializer(client(), RICH_V1)(v1_value, ctx)
    v1_id = check_framing(v1_payload, subject, RICH_V1)

    v2_value = order_value(orderId="o-3", channel="store")
    v2_payload = AvroSerializer(client(), rich_v2())(v2_value, ctx)
    v2_id = check_framing(v2_payload, subject, rich_v2())
    assert v2_id != v1_id

    assert client().get_versions(subject) == [1, 2]
    assert client().get_version(subject, 2).schema_id == v2_id
    assert client().get_latest_version(subject).schema_id == v2_id

    # Fresh deserializers read each message with its own writer schema.
    assert AvroDeserializer(client())(v2_payload, ctx) == v2_value
    assert AvroDeserializer(client())(v1_payload, ctx) == v1_value


def test_avro_serde_refuses_an_incompatible_schema():
    topic = unique("orders")
    ctx = SerializationContext(topic, MessageField.VALUE)
    AvroSerializer(client(), RICH_V1)(order_value(), ctx)

    breaking = json.loads(RICH_V1)
    breaking["fields"].append({"name": "mandatory", "type": "int"})
    with pytest.raises(SchemaRegistryError) as err:
        AvroSerializer(client(), json.dumps(breaking))({**order_value(), "mandatory": 1}, ctx)
    assert err.value.http_status_code == 409
    assert client().get_versions(f"{topic}-value") == [1]


def test_avro_serde_for_a_key_uses_the_key_subject():
    topic = unique("orders")
    ctx = SerializationContext(topic, MessageField.KEY)
    payload = AvroSerializer(client(), '"string"')("order-42", ctx)
    check_framing(payload, f"{topic}-key", '"string"')
    assert client().get_versions(f"{topic}-key") == [1]
    assert AvroDeserializer(client())(payload, ctx) == "order-42"


def test_avro_serializer_without_auto_registration_looks_the_schema_up():
    topic = unique("orders")
    subject = f"{topic}-value"
    ctx = SerializationContext(topic, MessageField.VALUE)
    conf = {"auto.register.schemas": False}

    # Not registered yet: the lookup fails with the registry's 404.
    with pytest.raises(SchemaRegistryError) as err:
        AvroSerializer(client(), RICH_V1, conf=conf)(order_value(), ctx)
    assert err.value.http_status_code == 404

    sid = client().register_schema(subject, avro(RICH_V1))
    payload = AvroSerializer(client(), RICH_V1, conf=conf)(order_value(), ctx)
    assert int.from_bytes(payload[1:5], "big") == sid
    assert AvroDeserializer(client())(payload, ctx) == order_value()


# ---------------------------------------------------------------------------------------------
# metadata: lookup by properties, and serializers pinned to a major by `use.latest.with.metadata`


def register_majors(subject):
    """Version 1 with major=1 and version 2 (a compatible change) with major=2."""
    from confluent_kafka.schema_registry import Metadata, MetadataProperties

    def with_major(text, major):
        props = MetadataProperties({"major": major, "owner": "payments"})
        meta = Metadata(tags=None, properties=props, sensitive=None)
        return Schema(text, "AVRO", metadata=meta)

    c = client()
    v1 = c.register_schema_full_response(subject, with_major(order_v1(), "1"))
    v2 = c.register_schema_full_response(subject, with_major(order_v2_compatible(), "2"))
    return v1, v2


@requires("get_latest_with_metadata")
def test_get_latest_with_metadata_picks_the_newest_matching_version():
    subject = unique("meta")
    v1, v2 = register_majors(subject)
    assert v1.schema_id != v2.schema_id

    found = client().get_latest_with_metadata(subject, {"major": "1"})
    assert found.version == 1
    assert found.schema_id == v1.schema_id
    assert found.schema.metadata.properties.properties == {"major": "1", "owner": "payments"}
    assert client().get_latest_with_metadata(subject, {"owner": "payments"}).version == 2
    assert client().get_latest_with_metadata(subject, {"major": "2", "owner": "payments"}).version == 2

    expect_error(lambda: client().get_latest_with_metadata(subject, {"major": "3"}), 404, 40403)
    expect_error(lambda: client().get_latest_with_metadata(unique("none"), {"major": "1"}), 404, 40401)


@requires("get_latest_with_metadata")
def test_serializer_pinned_by_use_latest_with_metadata_writes_with_that_version():
    topic = unique("pinned")
    v1, _ = register_majors(f"{topic}-value")
    ctx = SerializationContext(topic, MessageField.VALUE)
    conf = {"auto.register.schemas": False, "use.latest.with.metadata": {"major": "1"}}
    payload = AvroSerializer(client(), None, conf=conf)({"id": "o-1"}, ctx)
    assert int.from_bytes(payload[1:5], "big") == v1.schema_id
    assert AvroDeserializer(client())(payload, ctx) == {"id": "o-1"}
