import { createServer, type Server } from 'node:net';
import { describeTakenPort, portInUse, startPortClaims, takenPorts } from '../../../src/cli';

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

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

test('capacity start gives processor i CAPACITY_METRICS_PORT+i-1 and the connector the next one', () => {
  const claims = startPortClaims({ httpPort: 8080, metricsPort: 9464 }, 2, true);
  expect(claims.map((c) => [c.port, c.owner, c.derivation, c.setting])).toEqual([
    [8080, 'gateway HTTP', 'CAPACITY_HTTP_PORT', 'CAPACITY_HTTP_PORT'],
    [9464, 'processor-1 metrics', 'CAPACITY_METRICS_PORT', 'CAPACITY_METRICS_PORT'],
    [9465, 'processor-2 metrics', 'CAPACITY_METRICS_PORT+1', 'CAPACITY_METRICS_PORT'],
    [9466, 'connector metrics', 'CAPACITY_METRICS_PORT+2', 'CAPACITY_METRICS_PORT'],
  ]);
});

test('a taken port is named with its owner and the setting that moves it', () => {
  const [gateway, , second] = startPortClaims({ httpPort: 8080, metricsPort: 9464 }, 2, true);
  expect(describeTakenPort(second!, '127.0.0.1', 2)).toBe(
    'port 9465 on 127.0.0.1 (processor-2 metrics, CAPACITY_METRICS_PORT+1) is already in use; ' +
      'set CAPACITY_METRICS_PORT to move it (capacity start gives processor i CAPACITY_METRICS_PORT+i-1 ' +
      'and the connector CAPACITY_METRICS_PORT+2)',
  );
  expect(describeTakenPort(gateway!, '127.0.0.1', 2)).toBe(
    'port 8080 on 127.0.0.1 (gateway HTTP, CAPACITY_HTTP_PORT) is already in use; set CAPACITY_HTTP_PORT to move it',
  );
});

test('ports held by a listening socket are found taken, free ones are not', async () => {
  // Both ports come from the OS: one held for the test, one released just before it is checked (a port
  // derived from the held one, like port + 1, may belong to any other process on the machine).
  const released = await hold();
  await close(released.server);
  const { server, port } = await hold();
  try {
    expect(await portInUse('127.0.0.1', port)).toBe(true);
    const [held, free] = startPortClaims({ httpPort: port, metricsPort: released.port }, 1, false);
    expect((await takenPorts('127.0.0.1', [held!, free!])).map((c) => c.port)).toEqual([port]);
  } finally {
    await close(server);
  }
});
