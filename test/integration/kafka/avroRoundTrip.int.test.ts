// Avro in the Confluent wire format through the real registry (Apicurio's Confluent-compatible API).
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { ensureTopics } from '../../../src/kafka';
import { testConfig, testKafka, uniqueName } from '../../support/infra';

const config = testConfig();
const kafka = testKafka(config);

const schema = {
  type: 'record',
  name: 'Probe',
  namespace: 'test.capacity',
  fields: [
    { name: 'poolId', type: 'string' },
    { name: 'units', type: 'int' },
  ],
};

test('a record encoded with a registered schema is produced, consumed and decoded', async () => {
  const topic = uniqueName('avro');
  await ensureTopics(kafka, [{ name: topic, partitions: 1, cleanupPolicy: 'delete', configs: {} }], 1);
  const registry = new SchemaRegistry({ host: config.registryUrl });
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
    { subject: `${topic}-value` },
  );
  const encoded = await registry.encode(id, { poolId: 'north-1', units: 3 });
  expect(encoded[0]).toBe(0); // Confluent magic byte
  expect(encoded.readInt32BE(1)).toBe(id);

  const producer = kafka.kafkaJS.producer({ kafkaJS: {} });
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'north-1', value: encoded }] });
  await producer.disconnect();

  const consumer = kafka.kafkaJS.consumer({
    kafkaJS: { groupId: uniqueName('avro-reader'), fromBeginning: true },
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  const value = await new Promise<Buffer>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => resolve(message.value as Buffer) });
  });
  await consumer.disconnect();

  // A fresh client has no cache: decoding must fetch the schema by id from the registry.
  const decoded = await new SchemaRegistry({ host: config.registryUrl }).decode(value);
  expect(decoded).toEqual({ poolId: 'north-1', units: 3 });
});

test('the registry refuses an incompatible schema under BACKWARD_TRANSITIVE', async () => {
  const subject = `${uniqueName('compat')}-value`;
  const registry = new SchemaRegistry({ host: config.registryUrl });
  const options = { subject, compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE };
  await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, options);
  const evolved = {
    ...schema,
    fields: [...schema.fields, { name: 'note', type: ['null', 'string'], default: null }],
  };
  await expect(
    registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(evolved) }, options),
  ).resolves.toHaveProperty('id');

  const broken = { ...schema, fields: [schema.fields[0], { name: 'required', type: 'int' }] };
  await expect(
    registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(broken) }, options),
  ).rejects.toThrow(/incompatible/i);
});
