"""The confluent-kafka Python client authenticating to a Herald started with --auth.

scripts/conformance starts that server and creates two tokens: a writer for every subject
(HERALD_AUTH_USER_INFO) and a writer granted only `orders.*` (HERALD_AUTH_SCOPED_USER_INFO),
both in the `name:secret` form `basic.auth.user.info` takes.
"""

import json
import os
import uuid

import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

URL = os.environ["HERALD_AUTH_URL"]
USER_INFO = os.environ["HERALD_AUTH_USER_INFO"]
SCOPED_USER_INFO = os.environ["HERALD_AUTH_SCOPED_USER_INFO"]

SCHEMA = json.dumps({"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]})


def client(user_info=None):
    conf = {"url": URL}
    if user_info:
        conf["basic.auth.user.info"] = user_info
    return SchemaRegistryClient(conf)


def test_basic_auth_user_info_registers_and_reads():
    subject = f"auth-{uuid.uuid4().hex[:8]}-value"
    schema_id = client(USER_INFO).register_schema(subject, Schema(SCHEMA, "AVRO"))
    assert json.loads(client(USER_INFO).get_schema(schema_id).schema_str) == json.loads(SCHEMA)
    assert subject in client(USER_INFO).get_subjects()


def test_without_credentials_the_client_gets_401():
    with pytest.raises(SchemaRegistryError) as refused:
        client().get_subjects()
    assert (refused.value.http_status_code, refused.value.error_code) == (401, 401)


def test_wrong_password_gets_401():
    name = USER_INFO.split(":", 1)[0]
    with pytest.raises(SchemaRegistryError) as refused:
        client(f"{name}:hrld_wrong").get_subjects()
    assert refused.value.http_status_code == 401


def test_a_token_scoped_to_orders_is_refused_on_payments():
    scoped = client(SCOPED_USER_INFO)
    assert scoped.register_schema(f"orders.{uuid.uuid4().hex[:8]}-value", Schema(SCHEMA, "AVRO")) > 0
    with pytest.raises(SchemaRegistryError) as refused:
        scoped.register_schema("payments-value", Schema(SCHEMA, "AVRO"))
    assert (refused.value.http_status_code, refused.value.error_code) == (403, 403)
