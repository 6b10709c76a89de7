import { createServer, type Server } from 'node:net';
import { Registry } from 'prom-client';
import { EXIT_PORT_IN_USE, exitCodeFor } from '../../../src/cli';
import { CapacityError } from '../../../src/errors';
import { startHealthServer } from '../../../src/observability';

function hold(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

test('a taken metrics port fails with the port and CAPACITY_METRICS_PORT, and its own exit code', async () => {
  const { server, port } = await hold();
  try {
    const error = await startHealthServer('127.0.0.1', port, new Registry(), () => ({ healthy: true })).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CapacityError);
    expect((error as CapacityError).code).toBe('PORT_IN_USE');
    expect((error as CapacityError).message).toBe(
      `metrics port ${port} on 127.0.0.1 is already in use; set CAPACITY_METRICS_PORT to another port`,
    );
    expect((error as CapacityError).context).toMatchObject({ port, setting: 'CAPACITY_METRICS_PORT' });
    expect(exitCodeFor(error)).toBe(EXIT_PORT_IN_USE);
    expect(EXIT_PORT_IN_USE).toBe(4);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('a free port serves /healthz', async () => {
  const health = await startHealthServer('127.0.0.1', 0, new Registry(), () => ({ healthy: true }));
  try {
    const response = await fetch(`http://127.0.0.1:${health.port}/healthz`);
    expect(response.status).toBe(200);
  } finally {
    await health.close();
  }
});
