// Domain values -> Avro records (our mapping) -> Avro binary (avsc, our schemas) -> back, for every variant
// of every contract, plus the wire-level shape the mapping promises (wrapped unions, enums, derived fields).
import { readdirSync } from 'node:fs';
import avro from 'avsc';
import fc from 'fast-check';
import {
  AVRO_OPTIONS,
  SCHEMA_DIR,
  commandFromAvro,
  commandToAvro,
  eventFromAvro,
  eventToAvro,
  poolToAvro,
  readSchema,
  reservationToAvro,
  resultFromAvro,
  resultToAvro,
  type SchemaName,
} from '../../../src/contracts';
import type { Command, CommandEnvelope, Event, EventEnvelope } from '../../../src/domain';
import { ContractError } from '../../../src/errors';
import {
  CONTRACTS,
  POOL,
  commandResults,
  commands,
  events,
  poolStates,
  reservations,
} from '../../fixtures/avro/samples';

const typeOf = (name: SchemaName): avro.Type => avro.Type.forSchema(readSchema(name), { ...AVRO_OPTIONS });

/** The record names of a union field's branches, without namespace. */
function unionBranches(name: SchemaName, field: string): string[] {
  const schema = readSchema(name) as { fields: { name: string; type: { name: string }[] }[] };
  return (schema.fields.find((f) => f.name === field)?.type ?? []).map((branch) => branch.name);
}

test('every schema in schemas/ has a contract with samples', () => {
  const files = readdirSync(SCHEMA_DIR)
    .filter((file) => file.endsWith('.avsc'))
    .map((file) => file.replace(/\.avsc$/, ''))
    .sort();
  expect(CONTRACTS.map((c) => c.schema).sort()).toEqual(files);
  for (const c of CONTRACTS) expect(Object.keys(c.samples).length).toBeGreaterThanOrEqual(2);
});

test('the samples cover every command and event variant of the schemas', () => {
  const samplesOf = (schema: SchemaName) =>
    Object.values(CONTRACTS.find((c) => c.schema === schema)!.samples);
  const commandTypes = new Set(samplesOf('command').map((c) => (c as CommandEnvelope).command.type));
  const eventTypes = new Set(samplesOf('event').map((e) => (e as EventEnvelope).event.type));
  expect([...commandTypes].sort()).toEqual(unionBranches('command', 'command').sort());
  expect([...eventTypes].sort()).toEqual(unionBranches('event', 'event').sort());
  expect(commandTypes.size).toBe(5);
  expect(eventTypes.size).toBe(6);
});

describe.each(CONTRACTS.map((c) => [c.schema, c] as const))('%s', (schema, c) => {
  const type = typeOf(schema);

  test.each(Object.entries(c.samples))(
    '%s round-trips: domain -> Avro binary -> domain',
    (_variant, value) => {
      const record = c.toAvro(value);
      expect(type.isValid(record)).toBe(true);
      const bytes = type.toBuffer(record);
      const decoded = c.fromAvro(type.fromBuffer(bytes) as Record<string, unknown>);
      expect(decoded).toStrictEqual(value);
    },
  );

  test('different variants encode to different bytes', () => {
    const encoded = Object.values(c.samples).map((value) => type.toBuffer(c.toAvro(value)).toString('hex'));
    expect(new Set(encoded).size).toBe(encoded.length);
  });
});

describe('wire shape', () => {
  test('a command is a wrapped union branch named by its full record name', () => {
    const record = commandToAvro(commands['define-pool']);
    expect(record.command).toEqual({
      'com.grocer.capacity.command.DefinePool': {
        poolId: POOL,
        zone: 'north-1',
        slotStart: commands['define-pool'].command.slotStart,
        slotEnd: commands['define-pool'].command.slotEnd,
        capacity: 40,
        bookableUntil: null,
      },
    });
    // expectedVersion 0 ("must not exist") is a value, not absence: it must not collapse to null.
    expect(record.expectedVersion).toEqual({ long: 0 });
    expect(commandToAvro(commands['reserve-capacity']).expectedVersion).toBeNull();
  });

  test('an event is a wrapped union branch; PoolClosed is an empty record', () => {
    expect(eventToAvro(events['pool-closed']).event).toEqual({ 'com.grocer.capacity.event.PoolClosed': {} });
    expect(eventToAvro(events['capacity-released']).event).toEqual({
      'com.grocer.capacity.event.CapacityReleased': {
        reservationId: events['capacity-released'].event.reservationId,
        units: 3,
      },
    });
  });

  test('pool state carries status as an enum and available = max(0, capacity - reserved)', () => {
    expect(poolToAvro(poolStates.open)).toMatchObject({ status: 'OPEN', available: 37 });
    expect(poolToAvro(poolStates['closed-oversubscribed'])).toMatchObject({ status: 'CLOSED', available: 0 });
  });

  test('reservation status is an enum and releasedAt a wrapped optional long', () => {
    expect(reservationToAvro(reservations.reserved)).toMatchObject({ status: 'RESERVED', releasedAt: null });
    expect(reservationToAvro(reservations.released)).toMatchObject({
      status: 'RELEASED',
      releasedAt: { long: reservations.released.releasedAt },
    });
  });

  test('command result optionals are wrapped strings, null when absent', () => {
    expect(resultToAvro(commandResults['accepted-reserve'])).toMatchObject({
      status: 'ACCEPTED',
      reasonCode: null,
      reservationId: { string: commandResults['accepted-reserve'].reservationId },
    });
    expect(resultToAvro(commandResults.undecodable)).toMatchObject({
      status: 'REJECTED',
      requestId: null,
      poolId: null,
      reasonCode: { string: 'UNDECODABLE' },
    });
  });

  test.each(['reserved', 'released'] as const)(
    "a result's reservation units and status (v3) round-trip: %s",
    (reservationStatus) => {
      const result = { ...commandResults['accepted-reserve'], units: 3, reservationStatus };
      const record = resultToAvro(result);
      expect(record).toMatchObject({
        units: { int: 3 },
        reservationStatus: {
          'com.grocer.capacity.result.ReservationStatus': reservationStatus.toUpperCase(),
        },
      });
      const type = typeOf('command-result');
      expect(resultFromAvro(type.fromBuffer(type.toBuffer(record)) as Record<string, unknown>)).toStrictEqual(
        result,
      );
    },
  );
});

describe('records the mapping refuses', () => {
  const base = commandToAvro(commands['close-pool']);

  test('an unknown command branch', () => {
    const record = { ...base, command: { 'com.grocer.capacity.command.ExplodePool': { poolId: POOL } } };
    expect(() => commandFromAvro(record)).toThrow(ContractError);
    expect(() => commandFromAvro(record)).toThrow('command: unknown command type ExplodePool');
  });

  test('a union value with no branch or with two branches', () => {
    expect(() => commandFromAvro({ ...base, command: {} })).toThrow(/expected exactly one union branch/);
    expect(() => commandFromAvro({ ...base, command: null })).toThrow(/expected exactly one union branch/);
    const two = eventToAvro(events['pool-closed']);
    const twoBranches = {
      ...two,
      event: { 'com.grocer.capacity.event.PoolClosed': {}, 'com.grocer.capacity.event.PoolDefined': {} },
    };
    expect(() => eventFromAvro(twoBranches)).toThrow(ContractError);
  });

  test('an unknown event branch', () => {
    const record = { ...eventToAvro(events['pool-closed']), event: { 'com.grocer.capacity.event.Boom': {} } };
    expect(() => eventFromAvro(record)).toThrow('event: unknown event type Boom');
  });
});

describe('property: any valid-shaped command or event round-trips', () => {
  const commandType = typeOf('command');
  const eventType = typeOf('event');
  const text = fc.string({ unit: 'grapheme', maxLength: 40 });
  // avsc writes JavaScript numbers as Avro longs exactly only within +-2^52 (zig-zag doubles the magnitude);
  // every long in our contracts (epoch ms, versions, offsets) is far below that.
  const long = fc.integer({ min: -(2 ** 52), max: 2 ** 52 });
  const int = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

  const command: fc.Arbitrary<Command> = fc.oneof(
    fc.record(
      {
        type: fc.constant('DefinePool' as const),
        poolId: text,
        zone: text,
        slotStart: long,
        slotEnd: long,
        capacity: int,
        bookableUntil: long,
      },
      // Absent, not null, when it has none: that is how a decoded DefinePool without one looks.
      { requiredKeys: ['type', 'poolId', 'zone', 'slotStart', 'slotEnd', 'capacity'] },
    ),
    fc.record({ type: fc.constant('ChangeCapacity' as const), poolId: text, capacity: int }),
    fc.record({ type: fc.constant('ReserveCapacity' as const), poolId: text, units: int }),
    fc.record({ type: fc.constant('ReleaseCapacity' as const), reservationId: text }),
    fc.record({ type: fc.constant('ClosePool' as const), poolId: text }),
  );
  const event: fc.Arbitrary<Event> = fc.oneof(
    fc.record({
      type: fc.constant('PoolDefined' as const),
      zone: text,
      slotStart: long,
      slotEnd: long,
      capacity: int,
      bookableUntil: fc.option(long, { nil: null }),
    }),
    fc.record({ type: fc.constant('CapacityChanged' as const), capacity: int, previousCapacity: int }),
    fc.record({
      type: fc.constant('CapacityReserved' as const),
      reservationId: text,
      units: int,
      requestId: text,
    }),
    fc.record({ type: fc.constant('CapacityReleased' as const), reservationId: text, units: int }),
    fc.record({ type: fc.constant('PoolClosed' as const) }),
    fc.record({ type: fc.constant('PoolExpired' as const) }),
  );

  test('commands', () => {
    const envelope: fc.Arbitrary<CommandEnvelope> = fc.record({
      commandId: text,
      requestId: text,
      issuedAt: long,
      expectedVersion: fc.option(long, { nil: null }),
      command,
    });
    fc.assert(
      fc.property(envelope, (value) => {
        const decoded = commandFromAvro(commandType.fromBuffer(commandType.toBuffer(commandToAvro(value))));
        expect(decoded).toEqual(value); // not toStrictEqual: fast-check builds null-prototype objects
      }),
    );
  });

  test('events', () => {
    const envelope: fc.Arbitrary<EventEnvelope> = fc.record({
      poolId: text,
      version: long,
      commandId: text,
      occurredAt: long,
      event,
    });
    fc.assert(
      fc.property(envelope, (value) => {
        const decoded = eventFromAvro(eventType.fromBuffer(eventType.toBuffer(eventToAvro(value))));
        expect(decoded).toEqual(value); // not toStrictEqual: fast-check builds null-prototype objects
      }),
    );
  });
});
