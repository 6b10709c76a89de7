// Row-lock baseline: what the service would be as "one database, one row lock per pool". Same HTTP API
// shape as the gateway for what the benchmarks use (PUT /v1/pools/:poolId, GET /v1/pools/:poolId,
// POST /v1/reservations with Idempotency-Key, DELETE /v1/reservations/:id, POST /v1/availability), on
// express like the gateway so both pay the same HTTP overhead. Each write is one PostgreSQL transaction
// that takes `SELECT ... FOR UPDATE` on the pool row, then inserts the reservation (unique per pool and
// idempotency key) and updates the pool; PostgreSQL's defaults make the commit durable (fsync on,
// synchronous_commit on). Run as its own process:
//   node -r ts-node/register/transpile-only bench/rowLockBaseline.ts --port 8090 --database-url postgres://...
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { Command } from 'commander';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Pool as PgPool, type PoolClient } from 'pg';
import { z } from 'zod';
import { MAX_CAPACITY, MAX_UNITS, POOL_ID_PATTERN, poolIdOf, reservationIdFor } from '../src/domain';

class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS pools (
    pool_id text PRIMARY KEY, zone text NOT NULL, slot_start timestamptz NOT NULL, slot_end timestamptz NOT NULL,
    capacity integer NOT NULL, reserved integer NOT NULL DEFAULT 0, status text NOT NULL DEFAULT 'open',
    version integer NOT NULL DEFAULT 1);
  CREATE INDEX IF NOT EXISTS pools_zone_slot ON pools (zone, slot_start);
  CREATE TABLE IF NOT EXISTS reservations (
    reservation_id text PRIMARY KEY, pool_id text NOT NULL REFERENCES pools, idempotency_key text NOT NULL,
    units integer NOT NULL, status text NOT NULL DEFAULT 'active', pool_version integer NOT NULL,
    UNIQUE (pool_id, idempotency_key));`;

const poolId = z.string().regex(POOL_ID_PATTERN);
const units = z.number().int().min(1).max(MAX_UNITS).default(1);
const defineBody = z.object({
  zone: z.string().trim().min(1).max(64),
  slotStart: z.iso.datetime({ offset: true }),
  slotEnd: z.iso.datetime({ offset: true }),
  capacity: z.number().int().min(0).max(MAX_CAPACITY),
});
const reserveBody = z.object({ poolId, units });
const availabilityBody = z.object({
  zone: z.string().trim().min(1),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  units,
});

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new Problem(400, 'INVALID_REQUEST', result.error.message);
  return result.data;
}

interface PoolRow {
  pool_id: string;
  zone: string;
  slot_start: Date;
  slot_end: Date;
  capacity: number;
  reserved: number;
  status: 'open' | 'closed';
  version: number;
}

const poolView = (r: PoolRow) => ({
  poolId: r.pool_id,
  zone: r.zone,
  slotStart: r.slot_start.toISOString(),
  slotEnd: r.slot_end.toISOString(),
  capacity: r.capacity,
  reserved: r.reserved,
  available: Math.max(0, r.capacity - r.reserved),
  status: r.status,
  version: r.version,
});

const idempotencyKey = (request: Request): string => {
  const key = request.get('idempotency-key');
  if (key !== undefined && !/^[\x21-\x7e]{1,128}$/.test(key))
    throw new Problem(400, 'INVALID_REQUEST', 'Idempotency-Key: must be 1-128 visible ASCII characters');
  return key ?? randomUUID();
};

export interface RowLockBaseline {
  readonly port: number;
  close(): Promise<void>;
}

export async function startRowLockBaseline(options: {
  databaseUrl: string;
  port: number;
  connections: number;
}): Promise<RowLockBaseline> {
  // A request waits at most 5 s for a connection (the gateway's default request timeout), then gets 503.
  const db = new PgPool({
    connectionString: options.databaseUrl,
    max: options.connections,
    connectionTimeoutMillis: 5000,
  });
  await db.query(SCHEMA);

  const transaction = async <T>(work: (c: PoolClient) => Promise<T>): Promise<T> => {
    let client: PoolClient;
    try {
      client = await db.connect();
    } catch (error) {
      throw new Problem(503, 'UNAVAILABLE', `no database connection: ${(error as Error).message}`);
    }
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  const lockPool = async (c: PoolClient, id: string): Promise<PoolRow> => {
    const { rows } = await c.query<PoolRow>('SELECT * FROM pools WHERE pool_id = $1 FOR UPDATE', [id]);
    if (!rows[0]) throw new Problem(404, 'POOL_NOT_FOUND', `pool ${id} does not exist`);
    return rows[0];
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '16kb', strict: true }));
  app.get('/healthz', (_request, response) => void response.json({ status: 'ok' }));

  app.put('/v1/pools/:poolId', async (request, response) => {
    const id = parse(poolId, request.params.poolId);
    const body = parse(defineBody, request.body);
    const { rows } = await db.query<PoolRow>(
      `INSERT INTO pools (pool_id, zone, slot_start, slot_end, capacity) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (pool_id) DO NOTHING RETURNING *`,
      [id, body.zone, body.slotStart, body.slotEnd, body.capacity],
    );
    if (rows[0]) return void response.status(201).json(poolView(rows[0]));
    // Defined already: the same slot is a no-op or a capacity change (an upsert, as in the service).
    const pool = await transaction(async (c) => {
      const existing = await lockPool(c, id);
      const sameSlot =
        existing.slot_start.getTime() === Date.parse(body.slotStart) &&
        existing.slot_end.getTime() === Date.parse(body.slotEnd);
      if (existing.zone !== body.zone || !sameSlot)
        throw new Problem(409, 'POOL_ALREADY_DEFINED', `pool ${id} is already defined with another slot`);
      if (existing.capacity === body.capacity) return existing;
      const changed = await c.query<PoolRow>(
        'UPDATE pools SET capacity = $2, version = version + 1 WHERE pool_id = $1 RETURNING *',
        [id, body.capacity],
      );
      return changed.rows[0] as PoolRow;
    });
    response.status(200).json(poolView(pool));
  });

  app.get('/v1/pools/:poolId', async (request, response) => {
    const id = parse(poolId, request.params.poolId);
    const { rows } = await db.query<PoolRow>('SELECT * FROM pools WHERE pool_id = $1', [id]);
    if (!rows[0]) throw new Problem(404, 'POOL_NOT_FOUND', `pool ${id} does not exist`);
    response.json(poolView(rows[0]));
  });

  app.post('/v1/availability', async (request, response) => {
    const body = parse(availabilityBody, request.body);
    const { rows } = await db.query<PoolRow>(
      `SELECT * FROM pools WHERE zone = $1 AND status = 'open' AND capacity - reserved >= $2
         AND slot_start >= coalesce($3::timestamptz, '-infinity') AND slot_start < coalesce($4::timestamptz, 'infinity')
       ORDER BY slot_start`,
      [body.zone, body.units, body.from ?? null, body.to ?? null],
    );
    response.json({ asOf: new Date().toISOString(), lagRecords: 0, pools: rows.map(poolView) });
  });

  app.post('/v1/reservations', async (request, response) => {
    const body = parse(reserveBody, request.body);
    const key = idempotencyKey(request);
    const reservationId = reservationIdFor(body.poolId, key);
    const poolVersion = await transaction(async (c) => {
      const pool = await lockPool(c, body.poolId);
      // A retry (same key) gets the original answer, as from the service.
      const earlier = await c.query<{ pool_version: number }>(
        'SELECT pool_version FROM reservations WHERE reservation_id = $1',
        [reservationId],
      );
      if (earlier.rows[0]) return earlier.rows[0].pool_version;
      if (pool.status === 'closed') throw new Problem(409, 'POOL_CLOSED', `pool ${pool.pool_id} is closed`);
      if (pool.reserved + body.units > pool.capacity)
        throw new Problem(409, 'INSUFFICIENT_CAPACITY', `pool ${pool.pool_id} has too few units available`);
      const version = pool.version + 1;
      await c.query('UPDATE pools SET reserved = reserved + $2, version = $3 WHERE pool_id = $1', [
        pool.pool_id,
        body.units,
        version,
      ]);
      await c.query(
        `INSERT INTO reservations (reservation_id, pool_id, idempotency_key, units, pool_version)
         VALUES ($1, $2, $3, $4, $5)`,
        [reservationId, pool.pool_id, key, body.units, version],
      );
      return version;
    });
    response.status(201).json({ reservationId, poolId: body.poolId, units: body.units, poolVersion });
  });

  app.delete('/v1/reservations/:reservationId', async (request, response) => {
    const reservationId = request.params.reservationId ?? '';
    let id: string;
    try {
      id = poolIdOf(reservationId);
    } catch (error) {
      throw new Problem(400, 'INVALID_RESERVATION_ID', (error as Error).message);
    }
    const poolVersion = await transaction(async (c) => {
      const pool = await lockPool(c, id);
      const { rows } = await c.query<{ units: number; status: string; pool_version: number }>(
        'SELECT units, status, pool_version FROM reservations WHERE reservation_id = $1',
        [reservationId],
      );
      const reservation = rows[0];
      if (!reservation) throw new Problem(404, 'RESERVATION_NOT_FOUND', `no reservation ${reservationId}`);
      if (reservation.status === 'released') return pool.version;
      const version = pool.version + 1;
      await c.query("UPDATE reservations SET status = 'released' WHERE reservation_id = $1", [reservationId]);
      await c.query('UPDATE pools SET reserved = reserved - $2, version = $3 WHERE pool_id = $1', [
        id,
        reservation.units,
        version,
      ]);
      return version;
    });
    response.json({ reservationId, poolId: id, status: 'released', poolVersion });
  });

  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const problem =
      error instanceof Problem ? error : new Problem(500, 'INTERNAL', (error as Error)?.message ?? 'error');
    response
      .status(problem.status)
      .type('application/problem+json')
      .json({
        type: `/problems/${problem.code.toLowerCase().replace(/_/g, '-')}`,
        status: problem.status,
        detail: problem.message,
        code: problem.code,
      });
  });

  const server: Server = app.listen(options.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await db.end();
    },
  };
}

if (require.main === module) {
  const args = new Command()
    .requiredOption('--database-url <url>', 'PostgreSQL database (its tables are created if missing)')
    .option('--port <n>', 'listen port on 127.0.0.1', '8090')
    .option('--connections <n>', 'pg.Pool size', '20')
    .parse(process.argv)
    .opts<{ databaseUrl: string; port: string; connections: string }>();
  startRowLockBaseline({
    databaseUrl: args.databaseUrl,
    port: Number(args.port),
    connections: Number(args.connections),
  }).then(
    (baseline) => {
      console.log(JSON.stringify({ listening: baseline.port }));
      const stop = () => void baseline.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
