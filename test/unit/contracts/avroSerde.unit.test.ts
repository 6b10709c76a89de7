// AvroSerde against an in-memory registry: what it registers, the wire format it writes, how it resolves
// other writer schemas, and the ContractError it raises for payloads it cannot read.
import avro from 'avsc';
import {
  AVRO_OPTIONS,
  AvroSerde,
  commandFromAvro,
  commandToAvro,
  createSerdes,
  eventFromAvro,
  eventToAvro,
  readSchema,
  topicNames,
} from '../../../src/contracts';
import type { CommandEnvelope, EventEnvelope } from '../../../src/domain';
import { ContractError, isRetriable, RegistryUnavailableError, UnavailableError } from '../../../src/errors';
import { CONTRACTS, commands, events } from '../../fixtures/avro/samples';
import { FakeRegistry } from './fakeRegistry';

type AvroSchemaJson = { fields: Record<string, unknown>[] } & Record<string, unknown>;

const commandSerde = (registry: FakeRegistry) =>
  new AvroSerde<CommandEnvelope>(
    registry.asClient(),
    't.commands-value',
    readSchema('command'),
    commandToAvro,
    commandFromAvro,
  );
const eventSerde = (registry: FakeRegistry) =>
  new AvroSerde<EventEnvelope>(
    registry.asClient(),
    't.events-value',
    readSchema('event'),
    eventToAvro,
    eventFromAvro,
  );

/** Our event schema with one more optional field on the envelope: a compatible "v2". */
function eventV2(): AvroSchemaJson {
  const v1 = readSchema('event') as unknown as AvroSchemaJson;
  return { ...v1, fields: [...v1.fields, { name: 'channel', type: ['null', 'string'], default: null }] };
}

const wire = (id: number, payload: Buffer): Buffer => {
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, payload]);
};

describe('register', () => {
  test('registers the schema file as written under the subject, BACKWARD_TRANSITIVE', async () => {
    const registry = new FakeRegistry(17);
    const serde = commandSerde(registry);
    await expect(serde.register()).resolves.toBe(17);
    expect(serde.id).toBe(17);
    expect(registry.registrations).toHaveLength(1);
    const [registration] = registry.registrations;
    expect(registration).toMatchObject({ subject: 't.commands-value', compatibility: 'BACKWARD_TRANSITIVE' });
    // Defaults, docs and logical types are part of the contract other consumers read from the registry.
    expect(JSON.parse(registration?.schema ?? '')).toEqual(readSchema('command'));
    expect(registration?.schema).toContain('"default":null');
    expect(registration?.schema).toContain('"logicalType":"timestamp-millis"');
  });

  test('an unreachable registry is a retriable UnavailableError', async () => {
    const registry = new FakeRegistry();
    registry.unreachable = true;
    const error = await commandSerde(registry)
      .register()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({
      retriable: true,
      message: expect.stringMatching(/t\.commands-value.*ECONNREFUSED/),
    });
  });

  test('a refusal by the registry (409) is a ContractError naming the subject', async () => {
    const registry = new FakeRegistry();
    registry.register = async () => {
      throw Object.assign(new Error('Incompatible artifact: t.commands-value [AVRO]'), { status: 409 });
    };
    await expect(commandSerde(registry).register()).rejects.toThrow(ContractError);
    await expect(commandSerde(registry).register()).rejects.toThrow(
      /schema for t\.commands-value refused by the registry: Incompatible artifact/,
    );
  });

  test('encode before register is a programming error', () => {
    expect(() => commandSerde(new FakeRegistry()).encode(commands['close-pool'])).toThrow(
      /register\(\) was not called/,
    );
  });
});

test('serdes for the same schemas can be built more than once in a process', () => {
  // avsc keeps its named-type registry in the options object; the shared options must never collect one.
  const registry = { url: 'http://127.0.0.1:1' };
  expect(() => createSerdes(registry, topicNames('a'))).not.toThrow();
  expect(() => createSerdes(registry, topicNames('a'))).not.toThrow();
  expect(() => avro.Type.forSchema(readSchema('command'), { ...AVRO_OPTIONS })).not.toThrow();
  expect(Object.isFrozen(AVRO_OPTIONS)).toBe(true);
  expect(AVRO_OPTIONS).toStrictEqual({ wrapUnions: true });
});

describe.each(CONTRACTS.map((c) => [c.schema, c] as const))('%s through AvroSerde', (schema, c) => {
  test('every sample encodes to magic byte 0, the schema id, Avro binary, and decodes back', async () => {
    const registry = new FakeRegistry(300);
    const serde = new AvroSerde(
      registry.asClient(),
      `t.${schema}-value`,
      readSchema(schema),
      c.toAvro,
      c.fromAvro,
    );
    await serde.register();
    const type = avro.Type.forSchema(readSchema(schema), { ...AVRO_OPTIONS });
    for (const value of Object.values(c.samples)) {
      const encoded = serde.encode(value);
      expect(encoded.readUInt8(0)).toBe(0);
      expect(encoded.readInt32BE(1)).toBe(300);
      expect(encoded.subarray(5).equals(type.toBuffer(c.toAvro(value)))).toBe(true);
      await expect(serde.decode(encoded)).resolves.toStrictEqual(value);
    }
    expect(registry.getSchemaCalls).toBe(0); // our own id needs no lookup
  });
});

describe('writer schemas other than ours', () => {
  test('a newer writer with an extra optional field reads into our shape, the field dropped', async () => {
    const registry = new FakeRegistry();
    const serde = eventSerde(registry);
    await serde.register();
    registry.put(42, eventV2());
    const v2 = avro.Type.forSchema(eventV2() as avro.Schema, { ...AVRO_OPTIONS });
    const value = events['capacity-reserved'];
    const bytes = wire(42, v2.toBuffer({ ...eventToAvro(value), channel: { string: 'web' } }));
    await expect(serde.decode(bytes)).resolves.toStrictEqual(value);
    await expect(serde.decode(bytes)).resolves.toStrictEqual(value);
    expect(registry.getSchemaCalls).toBe(1); // the resolver is cached per writer id
  });

  test("an older writer without an optional field reads as the field's default", async () => {
    const registry = new FakeRegistry();
    const serde = commandSerde(registry);
    await serde.register();
    const v1 = readSchema('command') as unknown as AvroSchemaJson;
    const older = { ...v1, fields: v1.fields.filter((f) => f.name !== 'expectedVersion') };
    registry.put(5, older);
    const { expectedVersion: _dropped, ...record } = commandToAvro(commands['reserve-capacity']);
    const bytes = wire(5, avro.Type.forSchema(older as avro.Schema, { ...AVRO_OPTIONS }).toBuffer(record));
    await expect(serde.decode(bytes)).resolves.toStrictEqual({
      ...commands['reserve-capacity'],
      expectedVersion: null,
    });
  });

  test('a writer schema that cannot be resolved into ours is a ContractError', async () => {
    const registry = new FakeRegistry();
    const serde = eventSerde(registry);
    await serde.register();
    registry.put(43, readSchema('task-position') as object);
    await expect(serde.decode(wire(43, Buffer.from([0, 0, 0])))).rejects.toThrow(ContractError);
    await expect(serde.decode(wire(43, Buffer.from([0, 0, 0])))).rejects.toThrow(
      /writer schema 43 cannot be read as t\.events-value's schema/,
    );
  });
});

describe('payloads decode refuses', () => {
  let registry: FakeRegistry;
  let serde: AvroSerde<CommandEnvelope>;
  beforeEach(async () => {
    registry = new FakeRegistry(1);
    serde = commandSerde(registry);
    await serde.register();
  });

  const refusal = async (buffer: Buffer | null): Promise<ContractError> => {
    const error = await serde.decode(buffer).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ContractError);
    expect(error).toMatchObject({ code: 'CONTRACT_VIOLATION', retriable: false });
    return error as ContractError;
  };

  test('no value (a tombstone)', async () => {
    expect((await refusal(null)).message).toBe('not a Confluent Avro payload for t.commands-value: no value');
  });

  test('an empty buffer and one shorter than the 5-byte header', async () => {
    expect((await refusal(Buffer.alloc(0))).message).toMatch(/not a Confluent Avro payload .*: 0 bytes/);
    expect((await refusal(Buffer.from([0, 0, 0]))).message).toMatch(
      /not a Confluent Avro payload .*: 3 bytes/,
    );
  });

  test('a wrong magic byte', async () => {
    const json = Buffer.from(JSON.stringify(commands['close-pool']));
    expect((await refusal(json)).message).toMatch(/magic byte is 123, expected 0/);
  });

  test('a header without a body, a truncated body, trailing bytes', async () => {
    const full = serde.encode(commands['define-pool']);
    expect((await refusal(full.subarray(0, 5))).message).toMatch(/does not match writer schema 1: truncated/);
    expect((await refusal(full.subarray(0, full.length - 3))).message).toMatch(/writer schema 1: truncated/);
    expect((await refusal(Buffer.concat([full, Buffer.from([1, 2])]))).message).toMatch(
      /writer schema 1: trailing data/,
    );
  });

  test('an unknown schema id', async () => {
    const message = (await refusal(wire(999999, Buffer.from([2, 0x61])))).message;
    expect(message).toBe('unknown schema id 999999 in a t.commands-value payload');
  });

  test('an unreachable registry while fetching a writer schema is retriable, not a contract violation', async () => {
    registry.unreachable = true;
    const error = await serde.decode(wire(7, Buffer.from([2]))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).message).toMatch(/fetching schema 7: connect ECONNREFUSED/);
  });
});

describe('a registry hiccup while fetching an unseen writer schema', () => {
  let registry: FakeRegistry;
  let serde: AvroSerde<CommandEnvelope>;
  let record: Buffer;
  beforeEach(async () => {
    registry = new FakeRegistry(1);
    serde = commandSerde(registry);
    await serde.register();
    // Written by another producer under schema 7 (the same schema registered elsewhere): unseen here.
    registry.put(7, readSchema('command') as object);
    record = wire(7, serde.encode(commands['reserve-capacity']).subarray(5));
  });

  const decodeError = () => serde.decode(record).catch((e: unknown) => e);

  test.each([
    ['unreachable (connection refused)', () => (registry.unreachable = true)],
    ['5xx', () => (registry.failingStatus = 503)],
    ['a timeout (the client reports status 400 or 408)', () => (registry.failingStatus = 408)],
    ['unauthorized (credentials being rotated)', () => (registry.failingStatus = 401)],
  ])('%s: a retriable RegistryUnavailableError, never a ContractError', async (_name, fail) => {
    fail();
    const error = await decodeError();
    expect(error).toBeInstanceOf(RegistryUnavailableError);
    expect(error).not.toBeInstanceOf(ContractError);
    expect(isRetriable(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'REGISTRY_UNAVAILABLE',
      context: { subject: 't.commands-value', schemaId: 7 },
    });
  });

  test('is not remembered: once the registry answers, the same record decodes', async () => {
    registry.failingStatus = 503;
    expect(await decodeError()).toBeInstanceOf(RegistryUnavailableError);
    registry.failingStatus = null;
    await expect(serde.decode(record)).resolves.toStrictEqual(commands['reserve-capacity']);
  });

  test('an id the registry says does not exist (404) is still poison', async () => {
    const error = await serde.decode(wire(8, Buffer.from([2]))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractError);
    expect(isRetriable(error)).toBe(false);
  });
});

test('encoding a value outside the schema is a ContractError naming the field', async () => {
  const serde = commandSerde(new FakeRegistry());
  await serde.register();
  const bad: CommandEnvelope = {
    ...commands['reserve-capacity'],
    command: { type: 'ReserveCapacity', poolId: 'p', units: 1.5 },
  };
  expect(() => serde.encode(bad)).toThrow(ContractError);
  expect(() => serde.encode(bad)).toThrow(
    'cannot encode for t.commands-value: command.com.grocer.capacity.command.ReserveCapacity.units: invalid value 1.5',
  );
});
