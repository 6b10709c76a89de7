// The soak's clients: an order service and a checkout page against two gateways, open-loop (bench/openLoop.ts),
// keeping a ledger of every answer. Reserves go to a hot pool, to small pools that fill up and to many
// uniform ones; releases cancel reservations answered earlier; availability reads ask for a zone's day. A
// reserve or release without a definite answer (timeout, connection error, 503, 504) is retried later with
// the same idempotency key, as an order service would, and every attempt is in the ledger.
import { MAX_CAPACITY } from '../../src/domain';
import { benchKeyHeader } from '../benchKeys';
import { runOpenLoop, type Completion, type OpenLoopResult, type PlannedRequest } from '../openLoop';
import type { Random } from './random';

export type Op = 'reserve' | 'release' | 'read';

/** One attempt and its answer. */
export interface Attempt {
  readonly gateway: number;
  readonly op: Op;
  /** Idempotency key (reserve, release); the same for a retry. */
  readonly key: string;
  readonly poolId: string;
  /** release: the reservation released; reserve: the one answered (2xx). */
  readonly reservationId: string | null;
  readonly retry: number;
  readonly dueAt: number;
  readonly endAt: number;
  readonly outcome: number | 'error' | 'timeout' | 'notSent';
  /** The problem's code of a 4xx/5xx answer. */
  readonly code: string | null;
}

export interface PoolPlan {
  readonly poolId: string;
  readonly zone: string;
  readonly slotStart: string;
  readonly slotEnd: string;
  readonly capacity: number;
}

const DAY = 86_400_000;
const FIRST_SLOT = Date.parse('2030-06-03T08:00:00Z');
const ZONES = 3;
/** A retry of an attempt without a definite answer, this long after it ended. */
const RETRY_AFTER_MS = 3000;
const MAX_RETRIES = 3;

/** The hot pool (takes a quarter of the reserves), small pools that fill up, and uniform ones. */
export function poolPlans(uniform: number): PoolPlan[] {
  const plan = (poolId: string, i: number, capacity: number): PoolPlan => {
    const start = FIRST_SLOT + (i % 7) * DAY + (Math.floor(i / 7) % 6) * 7_200_000;
    return {
      poolId,
      zone: `sz${i % ZONES}`,
      slotStart: new Date(start).toISOString(),
      slotEnd: new Date(start + 7_200_000).toISOString(),
      capacity,
    };
  };
  return [
    plan('hot', 0, 60),
    ...Array.from({ length: 20 }, (_, i) => plan(`small-${i}`, i + 1, 4)),
    ...Array.from({ length: uniform }, (_, i) => plan(`u-${i}`, i + 21, 25)),
  ].map((p) => ({ ...p, capacity: Math.min(p.capacity, MAX_CAPACITY) }));
}

/** A definite answer: the command was decided (2xx) or refused (4xx); anything else may or may not have happened. */
export const definite = (outcome: Attempt['outcome']) => typeof outcome === 'number' && outcome < 500;

interface Planned {
  readonly op: Op;
  readonly key: string;
  readonly poolId: string;
  readonly reservationId: string | null;
  readonly retry: number;
  readonly request: PlannedRequest;
}

export class Workload {
  readonly attempts: Attempt[] = [];
  /** Reservations answered 2xx and not yet chosen for a release. */
  private readonly releasable: Array<{ reservationId: string; poolId: string }> = [];
  private readonly retries: Array<{ at: number; planned: Planned }> = [];
  private readonly inFlight = new Map<string, Planned>();
  private sequence = 0;
  private readonly small: readonly PoolPlan[];
  private readonly uniform: readonly PoolPlan[];

  constructor(
    private readonly runId: string,
    private readonly pools: readonly PoolPlan[],
    private readonly random: Random,
  ) {
    this.small = pools.filter((p) => p.poolId.startsWith('small-'));
    this.uniform = pools.filter((p) => p.poolId.startsWith('u-'));
  }

  /** Runs the load against the gateways' ports for `seconds`, `rate` requests/s in all. */
  run(ports: readonly number[], rate: number, seconds: number, timeoutMs: number): Promise<OpenLoopResult[]> {
    return Promise.all(
      ports.map((port, gateway) =>
        runOpenLoop({
          port,
          rate: rate / ports.length,
          seconds,
          warmupSeconds: 0,
          maxOutstanding: 2000,
          timeoutMs,
          request: (n) => this.next(gateway, n),
          onComplete: (c) => this.record(gateway, c),
        }),
      ),
    );
  }

  private next(gateway: number, n: number): PlannedRequest {
    const now = performance.now();
    const due = this.retries.length > 0 && (this.retries[0] as { at: number }).at <= now;
    const planned = due ? (this.retries.shift() as { planned: Planned }).planned : this.fresh();
    this.inFlight.set(`${gateway}/${n}`, planned);
    return planned.request;
  }

  private fresh(): Planned {
    const roll = this.random.next();
    if (roll < 0.3) return this.read();
    if (roll < 0.5 && this.releasable.length > 0) return this.release();
    return this.reserve();
  }

  private reserve(): Planned {
    const roll = this.random.next();
    const pool =
      roll < 0.25
        ? 'hot'
        : roll < 0.4
          ? this.random.pick(this.small).poolId
          : this.random.pick(this.uniform).poolId;
    const key = `${this.runId}-r${this.sequence++}`;
    return {
      op: 'reserve',
      key,
      poolId: pool,
      reservationId: null,
      retry: 0,
      request: {
        method: 'POST',
        path: '/v1/reservations',
        headers: { 'idempotency-key': key, ...benchKeyHeader('orders') },
        body: JSON.stringify({ poolId: pool, units: 1 }),
      },
    };
  }

  private release(): Planned {
    const index = Math.floor(this.random.next() * this.releasable.length);
    const chosen = this.releasable[index] as { reservationId: string; poolId: string };
    this.releasable[index] = this.releasable[this.releasable.length - 1] as typeof chosen;
    this.releasable.pop();
    const key = `${this.runId}-x${this.sequence++}`;
    return {
      op: 'release',
      key,
      poolId: chosen.poolId,
      reservationId: chosen.reservationId,
      retry: 0,
      request: {
        method: 'DELETE',
        path: `/v1/reservations/${encodeURIComponent(chosen.reservationId)}`,
        headers: { 'idempotency-key': key, ...benchKeyHeader('orders') },
      },
    };
  }

  private read(): Planned {
    const pool = this.random.pick(this.pools);
    const day = Date.parse(pool.slotStart.slice(0, 10));
    return {
      op: 'read',
      key: '',
      poolId: pool.poolId,
      reservationId: null,
      retry: 0,
      request: {
        method: 'POST',
        path: '/v1/availability',
        headers: benchKeyHeader('reader'),
        body: JSON.stringify({
          zone: pool.zone,
          from: new Date(day).toISOString(),
          to: new Date(day + DAY).toISOString(),
          units: 1,
        }),
      },
    };
  }

  private record(gateway: number, c: Completion): void {
    const planned = this.inFlight.get(`${gateway}/${c.n}`);
    if (!planned) return;
    this.inFlight.delete(`${gateway}/${c.n}`);
    let body: { reservationId?: string; code?: string } = {};
    try {
      body = c.body ? (JSON.parse(c.body) as typeof body) : {};
    } catch {
      // not JSON: kept as an answer without a code
    }
    const answered =
      planned.op === 'reserve' && typeof c.outcome === 'number' && c.outcome < 300
        ? (body.reservationId ?? null)
        : planned.reservationId;
    this.attempts.push({
      gateway,
      op: planned.op,
      key: planned.key,
      poolId: planned.poolId,
      reservationId: answered,
      retry: planned.retry,
      dueAt: c.dueAt,
      endAt: c.endAt,
      outcome: c.outcome,
      code: typeof c.outcome === 'number' && c.outcome >= 400 ? (body.code ?? null) : null,
    });
    if (planned.op === 'read') return;
    if (planned.op === 'reserve' && answered && (c.outcome === 201 || c.outcome === 200))
      this.releasable.push({ reservationId: answered, poolId: planned.poolId });
    if (!definite(c.outcome) && planned.retry < MAX_RETRIES)
      this.retries.push({ at: c.endAt + RETRY_AFTER_MS, planned: { ...planned, retry: planned.retry + 1 } });
  }
}
