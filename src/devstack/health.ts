// Whether the stack's components answer: a real Kafka broker or registry on the port, not merely an open one.
import { createConnection } from 'node:net';
import type { Config } from '../config';
import { UnavailableError } from '../errors';
import { brokerAnswers } from '../kafka';
import type { StackEndpoints } from './layout';
import { runningPid, type ManagedProcess } from './processes';

export function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * A broker is healthy when it answers a Kafka metadata request (not merely an open port); a SASL stack's
 * broker answers only a client that logs in, so the probe uses the stack's recorded user. Only the broker at
 * `broker` is asked: the probe bootstraps from it alone.
 */
export async function kafkaHealthy(
  broker: { readonly host: string; readonly port: number },
  sasl: Config['sasl'],
): Promise<boolean> {
  const { host, port } = broker;
  if (!(await portOpen(host, port))) return false;
  return brokerAnswers(`${host}:${port}`, 2000, sasl);
}

export async function registryHealthy(endpoints: StackEndpoints): Promise<boolean> {
  try {
    const response = await fetch(`${endpoints.registryUrl}/subjects`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  proc: ManagedProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    if (runningPid(proc) === null) {
      throw new UnavailableError(`${what} exited during start-up; see ${proc.logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new UnavailableError(
    `${what} did not become healthy within ${timeoutMs / 1000}s; see ${proc.logFile}`,
  );
}
