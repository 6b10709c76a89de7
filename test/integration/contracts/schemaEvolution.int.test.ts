// Schema evolution under BACKWARD_TRANSITIVE against the real registry: a compatible "v2" of the event
// schema (one more optional field) is accepted and data flows both ways between v1 and v2; changes old data
// cannot be read with are refused, with the registry's reason in the error.
import avro from 'avsc';
import { COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import {
  AVRO_OPTIONS,
  AvroSerde,
  createRegistry,
  createSerdes,
  eventFromAvro,
  eventToAvro,
  readSchema,
  topicNames,
  type TopicNames,
} from '../../../src/contracts';
import type { EventEnvelope } from '../../../src/domain';
import { ContractError } from '../../../src/errors';
import { events } from '../../fixtures/avro/samples';
import { testConfig, uniqueName } from '../../support/infra';

const config = testConfig();
const registryOptions = { url: config.registryUrl, auth: config.registryAuth };

type SchemaJson = { fields: ({ name: string } & Record<string, unknown>)[] } & Record<string, unknown>;
const v1 = (): SchemaJson => readSchema('event') as unknown as SchemaJson;
const withFields = (schema: SchemaJson, fields: SchemaJson['fields']): SchemaJson => ({ ...schema, fields });

/** v2: the envelope gains an optional `channel`, default null. */
const v2 = (): SchemaJson =>
  withFields(v1(), [...v1().fields, { name: 'channel', type: ['null', 'string'], default: null }]);

/** Fresh topic names and the v1 event serde, registered: the subject's first version. */
async function registeredV1(): Promise<{
  topics: TopicNames;
  subject: string;
  serde: AvroSerde<EventEnvelope>;
}> {
  const topics = topicNames(uniqueName('evo'));
  const serde = createSerdes(registryOptions, topics).event;
  await serde.register();
  return { topics, subject: serde.subject, serde };
}

/** Registers a schema under the subject with the registry client directly, as another producer would. */
async function registerDirectly(subject: string, schema: SchemaJson): Promise<number> {
  const { id } = await createRegistry(registryOptions).register(
    { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
    { subject, compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE },
  );
  return id;
}

/** Our own serde code path with a different schema under the same subject. */
const serdeWith = (subject: string, schema: SchemaJson) =>
  new AvroSerde<EventEnvelope>(
    createRegistry(registryOptions),
    subject,
    schema as unknown as avro.Schema,
    eventToAvro,
    eventFromAvro,
  );

describe('a compatible v2 (one more optional field)', () => {
  test('is accepted under the same subject, and v1 and v2 data read both ways', async () => {
    const { topics, subject, serde } = await registeredV1();
    expect(subject).toBe(`${topics.events}-value`);
    const v2Id = await registerDirectly(subject, v2());
    expect(v2Id).not.toBe(serde.id);

    const registry = createRegistry(registryOptions);
    const v2Type = avro.Type.forSchema(v2() as unknown as avro.Schema, { ...AVRO_OPTIONS });

    // Old data, new reader: v1 bytes resolve into v2 with channel = null.
    const value = events['capacity-reserved'];
    const v1Bytes = serde.encode(value);
    const v1Writer = (await registry.getSchema(serde.id)) as unknown as avro.Type;
    const asV2 = v2Type.fromBuffer(v1Bytes.subarray(5), v2Type.createResolver(v1Writer)) as Record<
      string,
      unknown
    >;
    expect(asV2.channel).toBeNull();
    expect(eventFromAvro(asV2)).toStrictEqual(value);

    // New data, old reader: a v2 writer's bytes decode through our v1 serde; the unknown field is dropped.
    const v2Bytes = await registry.encode(v2Id, { ...eventToAvro(value), channel: { string: 'web' } });
    expect(v2Bytes.readUInt8(0)).toBe(0);
    expect(v2Bytes.readInt32BE(1)).toBe(v2Id);
    const freshV1 = createSerdes(registryOptions, topics).event;
    await expect(freshV1.decode(v2Bytes)).resolves.toStrictEqual(value);
    for (const other of Object.values(events)) {
      const bytes = await registry.encode(v2Id, { ...eventToAvro(other), channel: null });
      await expect(freshV1.decode(bytes)).resolves.toStrictEqual(other);
    }

    // A v1 service (re)starting after v2 exists gets its original id back: no new version.
    await expect(freshV1.register()).resolves.toBe(serde.id);
    await expect(serdeWith(subject, v2()).register()).resolves.toBe(v2Id);
  });
});

describe('incompatible changes are refused by the registry', () => {
  test('adding a required field without a default', async () => {
    const { subject } = await registeredV1();
    const schema = withFields(v1(), [...v1().fields, { name: 'tenant', type: 'string' }]);
    const error = await serdeWith(subject, schema)
      .register()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractError);
    const { message } = error as ContractError;
    expect(message).toMatch(
      new RegExp(`^schema for ${subject.replace(/\./g, '\\.')} refused by the registry: `),
    );
    expect(message).toMatch(/incompatible/i);
    expect(message).toMatch(/tenant/); // the registry names the offending field
  });

  test('renaming a required field (commandId -> causedBy)', async () => {
    const { subject } = await registeredV1();
    const schema = withFields(
      v1(),
      v1().fields.map((field) => (field.name === 'commandId' ? { ...field, name: 'causedBy' } : field)),
    );
    await expect(serdeWith(subject, schema).register()).rejects.toThrow(
      /refused by the registry: .*incompatible.*causedBy/i,
    );
  });

  test("changing a field's type (version: long -> string)", async () => {
    const { subject } = await registeredV1();
    const schema = withFields(
      v1(),
      v1().fields.map((field) => (field.name === 'version' ? { ...field, type: 'string' } : field)),
    );
    await expect(serdeWith(subject, schema).register()).rejects.toThrow(
      /refused by the registry: .*incompatible.*string.*not compatible with .*long/i,
    );
  });
});

test('removing a required field passes BACKWARD_TRANSITIVE, but v1 readers refuse the data: a rule the registry does not enforce', async () => {
  const { subject, serde } = await registeredV1();
  const withoutCommandId = withFields(
    v1(),
    v1().fields.filter((field) => field.name !== 'commandId'),
  );
  // BACKWARD checks only that the new schema reads old data, and dropping a field never stops that.
  const id = await registerDirectly(subject, withoutCommandId);
  const { commandId: _dropped, ...record } = eventToAvro(events['pool-defined']);
  const bytes = await createRegistry(registryOptions).encode(id, record);
  const error = await serde.decode(bytes).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ContractError);
  expect((error as Error).message).toMatch(
    new RegExp(`writer schema ${id} cannot be read as .*: no matching field for default-less .*commandId`),
  );
});

test('a subject created by someone else without BACKWARD_TRANSITIVE is refused, not silently written to', async () => {
  const topics = topicNames(uniqueName('foreign'));
  const subject = `${topics.events}-value`;
  // First registration without a compatibility level: the subject keeps the registry's global level.
  await createRegistry(registryOptions).register(
    { type: SchemaType.AVRO, schema: JSON.stringify(v1()) },
    { subject, compatibility: undefined },
  );
  const serde = createSerdes(registryOptions, topics).event;
  await expect(serde.register()).rejects.toThrow(ContractError);
  await expect(serde.register()).rejects.toThrow(
    /refused by the registry: Compatibility does not match the configuration \(BACKWARD_TRANSITIVE != /,
  );
});

test('a new event type passes BACKWARD_TRANSITIVE, but v1 readers refuse every record of that schema: consumers first', async () => {
  const { subject, serde } = await registeredV1();
  const withNewType = withFields(
    v1(),
    v1().fields.map((field) =>
      field.name === 'event'
        ? {
            ...field,
            type: [...(field.type as object[]), { type: 'record', name: 'PoolReopened', fields: [] }],
          }
        : field,
    ),
  );
  const id = await registerDirectly(subject, withNewType);
  // Even a PoolDefined, a branch v1 knows, cannot be read: avsc resolves the whole writer schema up front.
  const bytes = await createRegistry(registryOptions).encode(id, eventToAvro(events['pool-defined']));
  await expect(serde.decode(bytes)).rejects.toThrow(
    new RegExp(`writer schema ${id} cannot be read as .*PoolReopened`),
  );
});
