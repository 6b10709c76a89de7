// handleCommand over an in-memory overlay: what a command's result says, and which decode failures are
// poison (a rejected result and a dead letter) and which must abort the transaction to be retried.
import type { CommandEnvelope, Pool, Reservation } from '../../../src/domain';
import { reservationIdFor } from '../../../src/domain';
import { handleCommand, type HandlerContext, type RawCommand } from '../../../src/processor';
import type { WriteOverlay } from '../../../src/state';
import { ContractError, RegistryUnavailableError, UnavailableError } from '../../../src/errors';

const NOW = 1_748_700_000_000;
const POOL: Pool = {
  poolId: 'north-8',
  zone: 'north',
  slotStart: NOW + 86_400_000,
  slotEnd: NOW + 93_600_000,
  bookableUntil: NOW + 82_800_000,
  capacity: 10,
  reserved: 2,
  status: 'open',
  version: 3,
  updatedAt: NOW - 1000,
};

/** The overlay surface handleCommand uses, over plain maps. */
function overlayOf(pools: Pool[], reservations: Reservation[]): WriteOverlay {
  const poolMap = new Map(pools.map((p) => [p.poolId, p]));
  const reservationMap = new Map(reservations.map((r) => [r.reservationId, r]));
  return {
    pool: async (id: string) => poolMap.get(id) ?? null,
    reservation: async (id: string) => reservationMap.get(id) ?? null,
    putPool: (pool: Pool) => poolMap.set(pool.poolId, pool),
    putReservation: (r: Reservation) => reservationMap.set(r.reservationId, r),
  } as unknown as WriteOverlay;
}

const raw = (commandId = 'cmd-1'): RawCommand => ({
  offset: 42,
  key: Buffer.from('north-8'),
  value: Buffer.from([0, 0, 0, 0, 1]),
  headers: { 'capacity-command-id': commandId },
});

function context(decode: () => Promise<CommandEnvelope>): HandlerContext {
  return { partition: 0, now: NOW, decodeCommand: decode, partitionOfPool: () => 0 };
}

const reserve = (requestId: string, units: number): CommandEnvelope => ({
  commandId: 'cmd-1',
  requestId,
  issuedAt: NOW,
  expectedVersion: null,
  command: { type: 'ReserveCapacity', poolId: 'north-8', units },
});

const reservation = (requestId: string, units: number, released: boolean): Reservation => ({
  reservationId: reservationIdFor('north-8', requestId),
  poolId: 'north-8',
  units,
  status: released ? 'released' : 'reserved',
  requestId,
  createdAt: NOW - 5000,
  releasedAt: released ? NOW - 2000 : null,
});

describe('results of reserves', () => {
  test('a new reservation reports its units and status', async () => {
    const handled = await handleCommand(
      raw(),
      overlayOf([POOL], []),
      context(async () => reserve('order-1', 3)),
    );
    expect(handled.result).toMatchObject({
      status: 'accepted',
      events: 1,
      units: 3,
      reservationStatus: 'reserved',
    });
  });

  test('a replay reports the reservation as it is: original units, released since', async () => {
    const handled = await handleCommand(
      raw(),
      overlayOf([{ ...POOL, reserved: 0 }], [reservation('order-1', 2, true)]),
      context(async () => reserve('order-1', 2)),
    );
    expect(handled.result).toMatchObject({
      status: 'accepted',
      events: 0,
      reservationId: reservationIdFor('north-8', 'order-1'),
      units: 2,
      reservationStatus: 'released',
    });
    expect(handled.deadLetter).toBeNull();
  });

  test('the same key with other units is rejected, not dead-lettered', async () => {
    const handled = await handleCommand(
      raw(),
      overlayOf([POOL], [reservation('order-1', 2, false)]),
      context(async () => reserve('order-1', 5)),
    );
    expect(handled.result).toMatchObject({
      status: 'rejected',
      reasonCode: 'IDEMPOTENCY_KEY_REUSED',
      units: null,
      reservationStatus: null,
    });
    expect(handled.events).toEqual([]);
    expect(handled.deadLetter).toBeNull();
  });
});

describe('decode failures', () => {
  test.each([
    [
      'the registry unreachable',
      () => new UnavailableError('schema registry unavailable while fetching schema 7'),
    ],
    [
      'a registry 5xx',
      () =>
        new RegistryUnavailableError('schema registry unavailable while fetching schema 7: status 503', {
          context: { subject: 't.commands-value', schemaId: 7 },
        }),
    ],
  ])(
    'a retriable one (%s) is thrown, not turned into a rejection: the cycle is retried',
    async (_name, make) => {
      const unavailable = make();
      await expect(
        handleCommand(
          raw(),
          overlayOf([POOL], []),
          context(async () => {
            throw unavailable;
          }),
        ),
      ).rejects.toBe(unavailable);
    },
  );

  test('a contract error is poison: an UNDECODABLE result and a dead letter', async () => {
    const handled = await handleCommand(
      raw('cmd-9'),
      overlayOf([POOL], []),
      context(async () => {
        throw new ContractError('unknown schema id 999999 in a t.commands-value payload');
      }),
    );
    expect(handled.result).toMatchObject({
      commandId: 'cmd-9',
      status: 'rejected',
      reasonCode: 'UNDECODABLE',
    });
    expect(handled.deadLetter).toMatchObject({
      code: 'UNDECODABLE',
      reason: expect.stringMatching(/offset 42: unknown schema id 999999/),
    });
  });
});
