// Metrics (Prometheus text) and health on one small HTTP port, for the processor and the connector.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { CapacityError } from '../errors';

export interface HealthReport {
  readonly healthy: boolean;
  readonly [detail: string]: unknown;
}

/**
 * A further route on the same port (the connector's internal history endpoint): returns true when it
 * handles the request (it then answers it), false to leave it to the next route.
 */
export type ExtraRoute = (path: string, request: IncomingMessage, response: ServerResponse) => boolean;

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The metrics port is taken: say which port and which setting moves it (`capacity` exits with 4). */
function metricsPortInUse(host: string, port: number, cause: Error): CapacityError {
  return new CapacityError(
    'PORT_IN_USE',
    `metrics port ${port} on ${host} is already in use; set CAPACITY_METRICS_PORT to another port`,
    { context: { host, port, setting: 'CAPACITY_METRICS_PORT' }, cause },
  );
}

/** Serves /metrics and /healthz; rejects with a PORT_IN_USE CapacityError when the port is taken. */
export async function startHealthServer(
  host: string,
  port: number,
  registry: Registry,
  health: () => HealthReport,
  extraRoute?: ExtraRoute,
): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      registry
        .metrics()
        .then((text) => {
          response.writeHead(200, { 'content-type': registry.contentType });
          response.end(text);
        })
        .catch((error: Error) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(error.message);
        });
      return;
    }
    if (path === '/healthz') {
      const report = health();
      response.writeHead(report.healthy ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify(report));
      return;
    }
    if (extraRoute?.(path ?? '/', request, response)) return;
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found: try /metrics or /healthz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? metricsPortInUse(host, port, error) : error),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
