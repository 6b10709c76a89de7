// A bounded command stream for failure tests: a fixed number of commands over many pools, a fixed number
// in flight, and hooks at given progress points (kill a process, start another...). Loopback only.
import type { CapacityClient } from '../../src/client';
import type { CommandResult } from '../../src/contracts';

export interface LoadOptions {
  readonly poolPrefix: string;
  readonly pools: number;
  readonly capacity: number;
  readonly commands: number;
  readonly inFlight: number;
  /** Called once when `sent` first reaches each key. */
  readonly at?: Readonly<Record<number, () => Promise<void> | void>>;
}

export interface LoadReport {
  readonly sent: number;
  readonly results: readonly CommandResult[];
  readonly failures: readonly string[];
}

const slot = { slotStart: Date.UTC(2030, 11, 2, 8), slotEnd: Date.UTC(2030, 11, 2, 10) };

export async function definePools(
  client: CapacityClient,
  prefix: string,
  count: number,
  capacity: number,
): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const results = await Promise.all(
    ids.map((poolId) =>
      client.submit({ type: 'DefinePool', poolId, zone: `z${ids.indexOf(poolId) % 5}`, ...slot, capacity }),
    ),
  );
  const bad = results.filter((r) => r.status !== 'accepted');
  if (bad.length > 0) throw new Error(`pool definitions rejected: ${JSON.stringify(bad[0])}`);
  return ids;
}

/** Mostly reserves, some releases of earlier reservations, a few capacity changes; deterministic mix. */
export async function runLoad(client: CapacityClient, options: LoadOptions): Promise<LoadReport> {
  const pools = await definePools(client, options.poolPrefix, options.pools, options.capacity);
  const reservations: string[] = [];
  const results: CommandResult[] = [];
  const failures: string[] = [];
  let sent = 0;
  const hooks = new Map(Object.entries(options.at ?? {}).map(([k, v]) => [Number(k), v]));

  const next = async (): Promise<void> => {
    while (sent < options.commands) {
      const n = sent++;
      const hook = hooks.get(n);
      if (hook) {
        hooks.delete(n);
        await hook();
      }
      const pool = pools[(n * 7919) % pools.length] as string;
      let outcome: Promise<CommandResult>;
      if (n % 10 === 9)
        outcome = client.submit({
          type: 'ChangeCapacity',
          poolId: pool,
          capacity: options.capacity + (n % 3),
        });
      else if (n % 5 === 3 && reservations.length > 0)
        outcome = client.release(reservations.shift() as string);
      else outcome = client.reserve(pool, 1 + (n % 3));
      try {
        const result = await outcome;
        results.push(result);
        if (result.status === 'accepted' && result.reservationId && n % 5 !== 3)
          reservations.push(result.reservationId);
      } catch (error) {
        failures.push(`command #${n}: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, () => next()));
  return { sent, results, failures };
}
