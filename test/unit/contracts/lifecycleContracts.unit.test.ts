// ADR 12 on the wire: the booking cut-off, PoolExpired and the expired-pool marker. Data written before
// them still reads (the committed fixtures of the first schemas), and what the new fields mean there.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import {
  AVRO_OPTIONS,
  commandFromAvro,
  commandToAvro,
  eventFromAvro,
  eventToAvro,
  expiredPoolFromAvro,
  expiredPoolToAvro,
  poolFromAvro,
  poolToAvro,
  readSchema,
  type SchemaName,
} from '../../../src/contracts';
import { evolve, initialState } from '../../../src/domain';
import {
  BOOKABLE_UNTIL,
  SLOT_START,
  commands,
  events,
  expiredPools,
  lifecycleCommands,
  lifecycleEvents,
  lifecyclePoolStates,
  poolStates,
} from '../../fixtures/avro/samples';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'avro');
const parse = (schema: unknown): avro.Type => avro.Type.forSchema(schema as avro.Schema, { ...AVRO_OPTIONS });
const current = (name: SchemaName) => parse(readSchema(name));
/** The schema the first fixtures of `name` were written with: what a consumer not yet upgraded reads with. */
const original = (name: string) =>
  parse(JSON.parse(readFileSync(join(FIXTURES, name, 'writer.avsc'), 'utf8')));
/** Reads the committed payload of the first schema through the current one, as AvroSerde resolves it. */
function readOld(name: SchemaName, variant: string): Record<string, unknown> {
  const reader = current(name);
  const bytes = readFileSync(join(FIXTURES, name, `${variant}.avro.bin`));
  return reader.fromBuffer(bytes, reader.createResolver(original(name))) as Record<string, unknown>;
}

describe('data written before ADR 12 reads', () => {
  test('an old PoolDefined has bookableUntil null, and its pool is bookable until slotStart', () => {
    const envelope = eventFromAvro(readOld('event', 'pool-defined'));
    expect(envelope.event).toMatchObject({ type: 'PoolDefined', bookableUntil: null });
    expect(evolve(initialState, envelope).pool?.bookableUntil).toBe(SLOT_START);
  });

  test('an old pool-state record reads with bookableUntil = slotStart and its status', () => {
    expect(poolFromAvro(readOld('pool-state', 'open'))).toStrictEqual(poolStates.open);
    expect(poolFromAvro(readOld('pool-state', 'open')).bookableUntil).toBe(SLOT_START);
    expect(poolFromAvro(readOld('pool-state', 'closed-oversubscribed')).status).toBe('closed');
  });

  test('an old DefinePool has no bookableUntil at all (the processor’s default applies)', () => {
    const decoded = commandFromAvro(readOld('command', 'define-pool'));
    expect(decoded).toStrictEqual(commands['define-pool']);
    expect(decoded.command).not.toHaveProperty('bookableUntil');
  });
});

describe('the new shapes on the wire', () => {
  test('DefinePool carries its own cut-off as a wrapped long, null when it has none', () => {
    const withCutoff = lifecycleCommands['define-pool-with-cutoff'];
    const branch = 'com.grocer.capacity.command.DefinePool';
    expect(commandToAvro(withCutoff).command).toMatchObject({
      [branch]: { bookableUntil: { long: withCutoff.command.bookableUntil } },
    });
    expect(commandToAvro(lifecycleCommands['define-pool-default-cutoff']).command).toMatchObject({
      [branch]: { bookableUntil: null },
    });
    expect(commandToAvro({ ...withCutoff, command: { ...withCutoff.command, bookableUntil: null } })).toEqual(
      commandToAvro({ ...withCutoff, command: { ...withCutoff.command, bookableUntil: undefined } }),
    );
  });

  test('PoolDefined carries the resolved cut-off; PoolExpired is an empty record', () => {
    expect(eventToAvro(lifecycleEvents['pool-defined-with-cutoff']).event).toMatchObject({
      'com.grocer.capacity.event.PoolDefined': { bookableUntil: { long: BOOKABLE_UNTIL } },
    });
    expect(eventToAvro(events['pool-defined']).event).toMatchObject({
      'com.grocer.capacity.event.PoolDefined': { bookableUntil: null },
    });
    expect(eventToAvro(lifecycleEvents['pool-expired']).event).toEqual({
      'com.grocer.capacity.event.PoolExpired': {},
    });
  });

  test('pool state carries bookableUntil and the EXPIRED symbol', () => {
    expect(poolToAvro(lifecyclePoolStates['open-with-cutoff'])).toMatchObject({
      status: 'OPEN',
      bookableUntil: { long: BOOKABLE_UNTIL },
    });
    expect(poolToAvro(lifecyclePoolStates.expired)).toMatchObject({ status: 'EXPIRED' });
  });

  test('an expired-pool marker is a flat record', () => {
    const type = current('expired-pool');
    for (const marker of Object.values(expiredPools)) {
      expect(expiredPoolToAvro(marker)).toEqual(marker);
      expect(expiredPoolFromAvro(type.fromBuffer(type.toBuffer(expiredPoolToAvro(marker))))).toStrictEqual(
        marker,
      );
    }
  });

  test('the pool-state mapping refuses a status it does not know', () => {
    const record = { ...poolToAvro(poolStates.open), status: 'PAUSED' };
    expect(() => poolFromAvro(record)).toThrow('pool state: unknown status "PAUSED"');
  });
});

// The registry only checks that the new schemas read old data (BACKWARD_TRANSITIVE). What a consumer still
// on the old schemas makes of new data decides the rollout order (docs/contracts.md, "Evolving a schema"):
// avsc resolves a writer schema as a whole, so one unknown union branch or enum symbol in it makes every
// record written with it unreadable, not just the records that use the new branch or symbol.
describe('a consumer still on the first schemas', () => {
  const resolverFromCurrent = (name: SchemaName) => () => original(name).createResolver(current(name));

  test('reads new commands: DefinePool only gained an optional field, which it skips', () => {
    expect(resolverFromCurrent('command')).not.toThrow();
    const reader = original('command');
    const bytes = current('command').toBuffer(commandToAvro(lifecycleCommands['define-pool-with-cutoff']));
    const record = reader.fromBuffer(bytes, reader.createResolver(current('command'))) as Record<
      string,
      unknown
    >;
    expect(record.command).not.toHaveProperty(['com.grocer.capacity.command.DefinePool', 'bookableUntil']);
  });

  test('refuses every record of the new event and pool-state schemas: upgrade consumers first', () => {
    expect(resolverFromCurrent('event')).toThrow(/cannot read "com\.grocer\.capacity\.event\.PoolExpired"/);
    expect(resolverFromCurrent('pool-state')).toThrow(/PoolStatus/);
  });
});
