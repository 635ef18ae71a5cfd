// Confluent's JavaScript client (@confluentinc/schemaregistry) against a live `herald serve
// --dialect 8`: metadata lookup, serializers pinned by `useLatestWithMetadata`, and schema ids
// carried as guids in record headers. Run by scripts/conformance with HERALD_URL and
// HERALD_SR_MODULES (the folder holding the installed package).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(`${process.env.HERALD_SR_MODULES}/`);
const sr = require('@confluentinc/schemaregistry');
const url = process.env.HERALD_URL;
assert.ok(url, 'HERALD_URL is set');

const client = () => new sr.SchemaRegistryClient({ baseURLs: [url] });
// Each run gets its own subjects, so the file can run twice against one registry.
const unique = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;

const orderV1 = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [{ name: 'id', type: 'string' }],
};
const orderV2 = {
  ...orderV1,
  fields: [...orderV1.fields, { name: 'note', type: 'string', default: '' }],
};

async function registerMajors(c, subject) {
  const v1 = await c.registerFullResponse(subject, {
    schemaType: 'AVRO',
    schema: JSON.stringify(orderV1),
    metadata: { properties: { major: '1', owner: 'payments' } },
  });
  const v2 = await c.registerFullResponse(subject, {
    schemaType: 'AVRO',
    schema: JSON.stringify(orderV2),
    metadata: { properties: { major: '2', owner: 'payments' } },
  });
  return [v1, v2];
}

test('getLatestWithMetadata finds the newest version whose properties match', async () => {
  const c = client();
  const subject = `meta-${unique}-value`;
  const [v1, v2] = await registerMajors(c, subject);
  assert.notEqual(v1.id, v2.id);

  const one = await c.getLatestWithMetadata(subject, { major: '1' });
  assert.equal(one.version, 1);
  assert.equal(one.id, v1.id);
  assert.deepEqual(one.metadata.properties, { major: '1', owner: 'payments' });

  const both = await c.getLatestWithMetadata(subject, { owner: 'payments' });
  assert.equal(both.version, 2, 'the newest of the matching versions');

  const latest = await c.getLatestSchemaMetadata(subject);
  assert.equal(latest.version, 2);

  await assert.rejects(c.getLatestWithMetadata(subject, { major: '3' }), (e) => {
    assert.equal(e.errorCode, 40403);
    return true;
  });
  await assert.rejects(c.getLatestWithMetadata(`missing-${unique}`, { major: '1' }), (e) => {
    assert.equal(e.errorCode, 40401);
    return true;
  });
});

test('a serializer pinned by useLatestWithMetadata writes with the matching version', async () => {
  const topic = `pinned-${unique}`;
  await registerMajors(client(), `${topic}-value`);
  const v1 = await client().getLatestWithMetadata(`${topic}-value`, { major: '1' });

  const serializer = new sr.AvroSerializer(client(), sr.SerdeType.VALUE, {
    autoRegisterSchemas: false,
    useLatestWithMetadata: { major: '1' },
  });
  const bytes = await serializer.serialize(topic, { id: 'o-1' });
  assert.equal(bytes[0], 0, 'magic byte');
  assert.equal(bytes.readInt32BE(1), v1.id, 'the id of the version with major=1, not the latest');

  const deserializer = new sr.AvroDeserializer(client(), sr.SerdeType.VALUE, {});
  const value = await deserializer.deserialize(topic, bytes);
  assert.deepEqual({ ...value }, { id: 'o-1' });

  const reader = new sr.AvroDeserializer(client(), sr.SerdeType.VALUE, {
    useLatestWithMetadata: { major: '2' },
  });
  const migrated = await reader.deserialize(topic, bytes);
  assert.deepEqual({ ...migrated }, { id: 'o-1', note: '' }, 'read with the major=2 schema');
});

test('schema ids travel as guids in headers and resolve through /schemas/guids', async () => {
  const topic = `guids-${unique}`;
  const serializer = new sr.AvroSerializer(client(), sr.SerdeType.VALUE, {
    autoRegisterSchemas: true,
    schemaIdSerializer: sr.HeaderSchemaIdSerializer,
  });
  const headers = {};
  const payload = await serializer.serialize(topic, { id: 'o-2' }, headers);
  const header = headers[sr.VALUE_SCHEMA_ID_HEADER];
  assert.ok(header, 'the serializer set the schema id header');
  assert.equal(header.length, 17, 'magic byte 1 and a 16-byte guid');
  assert.equal(header[0], 1);

  const registered = await client().getLatestSchemaMetadata(`${topic}-value`);
  assert.match(registered.guid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const byGuid = await client().getByGuid(registered.guid);
  // The serializer inferred the schema from the value: a record with the one field.
  assert.deepEqual(JSON.parse(byGuid.schema).fields.map((f) => f.name), ['id']);

  // A fresh client has nothing cached, so the header's guid is looked up on the registry.
  const deserializer = new sr.AvroDeserializer(client(), sr.SerdeType.VALUE, {
    schemaIdDeserializer: sr.DualSchemaIdDeserializer,
  });
  const value = await deserializer.deserialize(topic, payload, headers);
  assert.deepEqual({ ...value }, { id: 'o-2' });

  await assert.rejects(client().getByGuid('00000000-0000-0000-0000-000000000000'), (e) => {
    assert.equal(e.errorCode, 40403);
    return true;
  });
});
