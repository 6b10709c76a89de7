// The express app: request ids, the documented methods (405 otherwise), JSON bodies (16 kB), metrics, access
// control, the /v1 routes, health, and problem+json.
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Authenticator } from '../auth';
import type { Logger } from '../observability';
import type { AvailabilityReadModel } from '../readmodel';
import { accessControl, principalOf } from './accessControl';
import { allowedMethods } from './allowedMethods';
import { consoleRoutes, consoleStatic, type ConsoleDeps } from './consoleRoutes';
import { unconfiguredHistory, type PoolHistorySource } from './historyClient';
import { historyRoutes } from './historyRoutes';
import { InFlightLimiter } from './inFlightLimiter';
import { openApiDocument } from './openapi';
import { HttpProblem, problemMiddleware } from './problems';
import { v1Routes, type RouteDeps } from './routes';

export interface AppDeps extends Omit<RouteDeps, 'limiter' | 'access'> {
  /** Null when access control is off (CAPACITY_AUTH=off): every caller may do everything. */
  readonly authenticator: Authenticator | null;
  /** /metrics needs valid credentials (any role). */
  readonly metricsRequireAuth: boolean;
  /** Write commands waiting for results at once, at most (CAPACITY_GATEWAY_MAX_IN_FLIGHT). */
  readonly maxInFlight: number;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly readModel: AvailabilityReadModel;
  readonly isHealthy: () => boolean;
  /** The planner console's shutdown signal and stream timings. */
  readonly console?: ConsoleDeps;
  /** Pool history and ?asOf= reads (the warehouse connector, ADR 12); absent: they answer 503. */
  readonly history?: PoolHistorySource;
}

export function createGatewayApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  const duration = new Histogram({
    name: 'capacity_gateway_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [deps.registry],
  });
  const openapi = openApiDocument();
  const shed = new Counter({
    name: 'capacity_gateway_commands_shed_total',
    help: 'Write requests refused with 503 because CAPACITY_GATEWAY_MAX_IN_FLIGHT commands were in flight',
    registers: [deps.registry],
  });
  const limiter = new InFlightLimiter(deps.maxInFlight, 1, { onShed: () => shed.inc() });
  new Gauge({
    name: 'capacity_gateway_commands_in_flight',
    help: 'Write commands waiting for their results',
    registers: [deps.registry],
    collect() {
      this.set(limiter.inFlight);
    },
  });
  new Gauge({
    name: 'capacity_gateway_commands_max_in_flight',
    help: 'The bound on write commands in flight (CAPACITY_GATEWAY_MAX_IN_FLIGHT)',
    registers: [deps.registry],
    collect() {
      this.set(limiter.max);
    },
  });

  app.use((request, response, next) => {
    const incoming = request.get('x-request-id');
    const requestId = incoming && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    response.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (request.route?.path as string | undefined) ?? 'unmatched';
      duration.observe({ method: request.method, route, status: String(response.statusCode) }, seconds);
      deps.logger.debug(
        {
          requestId,
          method: request.method,
          path: request.path,
          status: response.statusCode,
          ms: Math.round(seconds * 1000),
          principal: principalOf(response)?.name,
        },
        'request',
      );
    });
    next();
  });
  app.use(allowedMethods(openapi));
  app.use(express.json({ limit: '16kb', strict: true }));
  const access = accessControl(deps.authenticator, deps.logger);

  app.get('/healthz', (_request, response) => {
    const healthy = deps.isHealthy();
    response
      .status(healthy ? 200 : 503)
      .json({ status: healthy ? 'ok' : 'failing', readModel: deps.readModel.status() });
  });
  app.get('/readyz', (_request, response) => {
    const status = deps.readModel.status();
    response.status(status.ready ? 200 : 503).json({ status: status.ready ? 'ready' : 'loading', ...status });
  });
  const metricsGuard = deps.metricsRequireAuth ? [access.authenticate, access.requireRole('reader')] : [];
  app.get('/metrics', ...metricsGuard, async (_request, response) => {
    response.type(deps.registry.contentType).send(await deps.registry.metrics());
  });
  app.get('/openapi.json', (_request, response) => {
    response.json(openapi);
  });
  const { readModel, console: consoleDeps = {} } = deps;
  const consoleApi = consoleRoutes({ ...consoleDeps, readModel, requireRole: access.requireRole });
  const history = historyRoutes({
    history: deps.history ?? unconfiguredHistory,
    requireRole: access.requireRole,
  });
  app.use('/v1', access.authenticate, history, v1Routes({ ...deps, limiter, access }), consoleApi);
  app.use('/console', consoleStatic());
  app.use((request, _response, next) =>
    next(new HttpProblem(404, 'ROUTE_NOT_FOUND', `no route for ${request.method} ${request.path}`)),
  );
  app.use(problemMiddleware(deps.logger));
  return app;
}
