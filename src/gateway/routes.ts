// The /v1 API. Writes become commands (through the order-service client) and wait for their result;
// reads come from the availability read model, optionally waiting for the caller's own write.
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { CapacityClient } from '../client';
import type { CommandResult } from '../contracts';
import { availableOf, poolIdOf, targetPoolId, type Command, type Pool } from '../domain';
import type { Logger } from '../observability';
import type { AvailabilityReadModel } from '../readmodel';
import {
  availabilityBody,
  changeCapacityBody,
  definePoolBody,
  IDEMPOTENCY_KEY_PATTERN,
  minVersionQuery,
  poolIdParam,
  reserveBody,
} from './httpSchemas';
import { principalOf, type AccessControl } from './accessControl';
import type { InFlightLimiter } from './inFlightLimiter';
import { HttpProblem, rejectionProblem, RETRY_AFTER_SECONDS, validationProblem } from './problems';

export interface RouteDeps {
  readonly client: CapacityClient;
  /** Bounds the write commands waiting for results (load shedding); reads do not pass through it. */
  readonly limiter: InFlightLimiter;
  readonly readModel: AvailabilityReadModel;
  /** Bound on waits for results and for the read model to catch up with a write. */
  readonly timeoutMs: number;
  /** Role checks; every route states the role it needs (reader, orders or planner). */
  readonly access: Pick<AccessControl, 'requireRole'>;
  /** Planners' changes are logged at info with who made them (orders' traffic only in the request log). */
  readonly logger: Logger;
}

const ADMIN_COMMANDS: ReadonlySet<Command['type']> = new Set(['DefinePool', 'ChangeCapacity', 'ClosePool']);

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationProblem(result.error, where);
  return result.data;
}

export function poolView(pool: Pool) {
  return {
    poolId: pool.poolId,
    zone: pool.zone,
    slotStart: new Date(pool.slotStart).toISOString(),
    slotEnd: new Date(pool.slotEnd).toISOString(),
    bookableUntil: new Date(pool.bookableUntil).toISOString(),
    capacity: pool.capacity,
    reserved: pool.reserved,
    available: availableOf(pool),
    status: pool.status,
    version: pool.version,
  };
}

/** The request's Idempotency-Key; a new UUID when it has none, which makes the request a new one. */
const idempotencyKey = (request: Request): string => {
  const key = request.get('idempotency-key');
  if (key === undefined) return randomUUID();
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new HttpProblem(400, 'INVALID_REQUEST', 'Idempotency-Key: must be 1-128 visible ASCII characters');
  }
  return key;
};

export function v1Routes(deps: RouteDeps): Router {
  const router = Router();
  const { client, readModel, timeoutMs, limiter } = deps;
  const reader = deps.access.requireRole('reader');
  const orders = deps.access.requireRole('orders');
  const planner = deps.access.requireRole('planner');

  const submit = async (command: Command, request: Request, response: Response): Promise<CommandResult> => {
    const requestId = idempotencyKey(request);
    // The key the command carries, generated or not: a client that sent none can still retry with it.
    response.setHeader('idempotency-key', requestId);
    const issuedBy = principalOf(response)?.name;
    const result = await limiter.run(() => client.submit(command, { requestId, timeoutMs, issuedBy }));
    if (ADMIN_COMMANDS.has(command.type))
      deps.logger.info(
        {
          issuedBy,
          command: command.type,
          poolId: targetPoolId(command),
          requestId,
          outcome: result.status,
          poolVersion: result.poolVersion,
        },
        'pool change',
      );
    // The command's id: its events carry it, so a caller can find them in the pool's history.
    response.setHeader('command-id', result.commandId);
    if (result.status === 'rejected') throw rejectionProblem(result);
    return result;
  };

  /** The pool as the read model has it once it includes `version` (read-your-writes), bounded. */
  const poolAtLeast = async (poolId: string, version: number): Promise<Pool> => {
    if (!(await readModel.index.waitForVersion(poolId, version, timeoutMs))) {
      throw new HttpProblem(
        504,
        'CONSISTENCY_TIMEOUT',
        `the read model did not reach version ${version} of pool ${poolId} within ${timeoutMs} ms; the write itself succeeded`,
      );
    }
    return readModel.index.pool(poolId) as Pool;
  };

  router.put('/pools/:poolId', planner, async (request, response) => {
    const poolId = parse(poolIdParam, request.params.poolId, 'poolId');
    const body = parse(definePoolBody, request.body, 'body');
    const result = await submit(
      {
        type: 'DefinePool',
        poolId,
        zone: body.zone,
        slotStart: Date.parse(body.slotStart),
        slotEnd: Date.parse(body.slotEnd),
        capacity: body.capacity,
        // Absent: the processor's default cut-off (slotStart - CAPACITY_BOOKING_CUTOFF_MS) applies.
        ...(body.bookableUntil === undefined ? {} : { bookableUntil: Date.parse(body.bookableUntil) }),
      },
      request,
      response,
    );
    const pool = await poolAtLeast(poolId, result.poolVersion);
    // 201 only when this command created the pool; a repeat of the same definition changed nothing.
    const created = result.events > 0 && result.poolVersion === 1;
    response.status(created ? 201 : 200).json(poolView(pool));
  });

  router.get('/pools/:poolId', reader, async (request, response) => {
    const poolId = parse(poolIdParam, request.params.poolId, 'poolId');
    const { minVersion } = parse(minVersionQuery, request.query, 'query');
    const pool =
      minVersion === undefined
        ? readModel.index.pool(poolId)
        : await poolAtLeast(poolId, minVersion).catch((e: unknown) =>
            readModel.index.pool(poolId) ? Promise.reject(e) : null,
          );
    if (!pool) throw new HttpProblem(404, 'POOL_NOT_FOUND', `pool ${poolId} does not exist`);
    response.json(poolView(pool));
  });

  router.patch('/pools/:poolId', planner, async (request, response) => {
    const poolId = parse(poolIdParam, request.params.poolId, 'poolId');
    const body = parse(changeCapacityBody, request.body, 'body');
    const result = await submit(
      { type: 'ChangeCapacity', poolId, capacity: body.capacity },
      request,
      response,
    );
    response.json(poolView(await poolAtLeast(poolId, result.poolVersion)));
  });

  router.post('/pools/:poolId/close', planner, async (request, response) => {
    const poolId = parse(poolIdParam, request.params.poolId, 'poolId');
    const result = await submit({ type: 'ClosePool', poolId }, request, response);
    response.json(poolView(await poolAtLeast(poolId, result.poolVersion)));
  });

  router.post('/availability', reader, async (request, response) => {
    const body = parse(availabilityBody, request.body, 'body');
    if (!readModel.status().ready)
      throw new HttpProblem(
        503,
        'NOT_READY',
        'the availability read model is still loading; retry shortly',
        {},
        { 'retry-after': String(RETRY_AFTER_SECONDS) },
      );
    if (body.consistencyToken) {
      const [poolId, version] = body.consistencyToken.split(':') as [string, string];
      await poolAtLeast(poolId, Number(version));
    }
    const pools = readModel.index.query({
      zone: body.zone,
      from: body.from ? Date.parse(body.from) : null,
      to: body.to ? Date.parse(body.to) : null,
      units: body.units,
      // A pool past its cut-off would only answer BOOKING_CLOSED: do not offer it.
      bookableAt: Date.now(),
    });
    const status = readModel.status();
    response.json({
      asOf: new Date(status.asOf).toISOString(),
      lagRecords: status.lagRecords,
      pools: pools.map(poolView),
    });
  });

  router.post('/reservations', orders, async (request, response) => {
    const body = parse(reserveBody, request.body, 'body');
    const result = await submit(
      { type: 'ReserveCapacity', poolId: body.poolId, units: body.units },
      request,
      response,
    );
    // 201 when this request reserved; 200 for a replay, with the reservation as it is (it may be released).
    // A result without units (a processor from before v3) can only describe a new reservation truthfully.
    response.status(result.events > 0 ? 201 : 200).json({
      reservationId: result.reservationId,
      poolId: body.poolId,
      units: result.units ?? body.units,
      status: result.reservationStatus ?? 'reserved',
      poolVersion: result.poolVersion,
    });
  });

  router.delete('/reservations/:reservationId', orders, async (request, response) => {
    const reservationId = String(request.params.reservationId ?? '');
    const poolId = poolIdOf(reservationId); // InvalidReservationIdError -> 400
    const result = await submit({ type: 'ReleaseCapacity', reservationId }, request, response);
    response.json({ reservationId, poolId, status: 'released', poolVersion: result.poolVersion });
  });

  return router;
}
