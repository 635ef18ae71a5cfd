"""Conformance: the real confluent-kafka Protobuf serializer and deserializer against Herald.

The serializer registers base64 ``FileDescriptorProto`` schemas (with a reference per imported
file that is not well-known) and the deserializer reads them back with ``format=serialized``.
The message classes are built at test time from descriptors written here, so no ``protoc`` is
needed. Each test uses its own package, so its schemas (and ids) are its own.
"""

import json
import os
import urllib.request
import uuid

from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2, descriptor_pool, timestamp_pb2
from google.protobuf.message_factory import GetMessageClass

URL = os.environ["HERALD_URL"]

F = descriptor_pb2.FieldDescriptorProto


def client():
    return SchemaRegistryClient({"url": URL})


def unique_package():
    return f"conformance.p{uuid.uuid4().hex[:12]}"


def field(message, name, number, kind, label=F.LABEL_OPTIONAL, type_name=None):
    f = message.field.add(name=name, number=number, type=kind, label=label)
    if type_name:
        f.type_name = type_name
    return f


def build(files, well_known=()):
    """Message classes by full name from FileDescriptorProtos (dependencies first)."""
    pool = descriptor_pool.DescriptorPool()
    for module in well_known:
        pool.AddSerializedFile(module.DESCRIPTOR.serialized_pb)
    for fdp in files:
        pool.AddSerializedFile(fdp.SerializeToString())
    classes = {}
    for fdp in files:
        for m in fdp.message_type:
            full = f"{fdp.package}.{m.name}"
            classes[full] = GetMessageClass(pool.FindMessageTypeByName(full))
    return classes


def order_file(package, with_timestamp=False):
    fdp = descriptor_pb2.FileDescriptorProto(
        name=f"{package.replace('.', '/')}/order.proto", package=package, syntax="proto3"
    )
    order = fdp.message_type.add(name="Order")
    field(order, "order_id", 1, F.TYPE_STRING)
    field(order, "quantity", 2, F.TYPE_INT64)
    field(order, "skus", 3, F.TYPE_STRING, label=F.LABEL_REPEATED)
    status = fdp.enum_type.add(name="Status")
    status.value.add(name="STATUS_UNKNOWN", number=0)
    status.value.add(name="STATUS_PLACED", number=1)
    field(order, "status", 4, F.TYPE_ENUM, type_name=f".{package}.Status")
    if with_timestamp:
        fdp.dependency.append("google/protobuf/timestamp.proto")
        field(order, "placed_at", 5, F.TYPE_MESSAGE, type_name=".google.protobuf.Timestamp")
    return fdp


def latest_text(subject):
    """What a plain HTTP client sees: the stored schema is .proto text."""
    with urllib.request.urlopen(f"{URL}/subjects/{subject}/versions/latest") as response:
        body = json.load(response)
    assert body["schemaType"] == "PROTOBUF"
    return body["schema"]


def test_protobuf_serializer_registers_a_descriptor_and_reads_back():
    package = unique_package()
    Order = build([order_file(package)])[f"{package}.Order"]
    topic = f"proto-{uuid.uuid4().hex[:12]}"
    ctx = SerializationContext(topic, MessageField.VALUE)

    serializer = ProtobufSerializer(Order, client(), {"use.deprecated.format": False})
    value = Order(order_id="o-1", quantity=3, skus=["a", "b"], status=1)
    payload = serializer(value, ctx)

    subject = f"{topic}-value"
    assert client().get_versions(subject) == [1]
    registered = client().get_latest_version(subject)
    assert registered.schema.schema_type == "PROTOBUF"
    assert int.from_bytes(payload[1:5], "big") == registered.schema_id

    text = latest_text(subject)
    assert text.startswith('syntax = "proto3";')
    assert f"package {package};" in text
    assert "message Order {" in text
    assert "repeated string skus = 3;" in text
    assert "Status status = 4;" in text

    deserializer = ProtobufDeserializer(Order, {"use.deprecated.format": False}, client())
    assert deserializer(payload, ctx) == value

    # The same class again: the descriptor maps to the stored text, so nothing new registers.
    ProtobufSerializer(Order, client(), {"use.deprecated.format": False})(value, ctx)
    assert client().get_versions(subject) == [1]


def test_protobuf_with_a_well_known_import():
    package = unique_package()
    Order = build([order_file(package, with_timestamp=True)], well_known=[timestamp_pb2])[
        f"{package}.Order"
    ]
    topic = f"proto-{uuid.uuid4().hex[:12]}"
    ctx = SerializationContext(topic, MessageField.VALUE)
    value = Order(order_id="o-2", quantity=1)
    value.placed_at.FromSeconds(1767225600)
    payload = ProtobufSerializer(Order, client(), {"use.deprecated.format": False})(value, ctx)

    registered = client().get_latest_version(f"{topic}-value")
    assert not registered.schema.references  # well-known files need no reference
    text = latest_text(f"{topic}-value")
    assert 'import "google/protobuf/timestamp.proto";' in text
    assert "google.protobuf.Timestamp placed_at = 5;" in text

    got = ProtobufDeserializer(Order, {"use.deprecated.format": False}, client())(payload, ctx)
    assert got == value
    assert got.placed_at.seconds == 1767225600


def test_protobuf_with_an_imported_file_registered_as_a_reference():
    package = unique_package()
    money = descriptor_pb2.FileDescriptorProto(
        name=f"{package.replace('.', '/')}/money.proto", package=package, syntax="proto3"
    )
    m = money.message_type.add(name="Money")
    field(m, "cents", 1, F.TYPE_INT64)
    field(m, "currency", 2, F.TYPE_STRING)
    price = descriptor_pb2.FileDescriptorProto(
        name=f"{package.replace('.', '/')}/price.proto", package=package, syntax="proto3"
    )
    price.dependency.append(money.name)
    p = price.message_type.add(name="Price")
    field(p, "sku", 1, F.TYPE_STRING)
    field(p, "amount", 2, F.TYPE_MESSAGE, type_name=f".{package}.Money")
    Price = build([money, price])[f"{package}.Price"]

    topic = f"proto-{uuid.uuid4().hex[:12]}"
    ctx = SerializationContext(topic, MessageField.VALUE)
    value = Price(sku="s-1")
    value.amount.cents = 1250
    value.amount.currency = "EUR"
    payload = ProtobufSerializer(Price, client(), {"use.deprecated.format": False})(value, ctx)

    # The import was registered under its path and is referenced by name.
    registered = client().get_latest_version(f"{topic}-value")
    refs = [(r.name, r.subject, r.version) for r in registered.schema.references]
    assert refs == [(money.name, money.name, 1)]
    assert client().get_referenced_by(money.name, 1) == [registered.schema_id]
    assert f'import "{money.name}";' in latest_text(f"{topic}-value")

    got = ProtobufDeserializer(Price, {"use.deprecated.format": False}, client())(payload, ctx)
    assert got == value
