// Which of the ports `capacity start` hands out are taken, checked before it starts anything, so the
// message can name each port, who needs it and the setting that moves it.
import { createServer } from 'node:net';
import type { Config } from '../config';

export interface PortClaim {
  readonly port: number;
  /** Who listens there, e.g. "processor-2 metrics". */
  readonly owner: string;
  /** How the port is derived from the settings, e.g. "CAPACITY_METRICS_PORT+1". */
  readonly derivation: string;
  /** The environment variable that moves it. */
  readonly setting: string;
}

/** The ports of `capacity start`: the gateway's, then processor i at CAPACITY_METRICS_PORT+i-1, then the connector's. */
export function startPortClaims(
  config: Pick<Config, 'httpPort' | 'metricsPort'>,
  processors: number,
  connector: boolean,
): PortClaim[] {
  const claims: PortClaim[] = [
    {
      port: config.httpPort,
      owner: 'gateway HTTP',
      derivation: 'CAPACITY_HTTP_PORT',
      setting: 'CAPACITY_HTTP_PORT',
    },
  ];
  const metrics = (offset: number, owner: string): PortClaim => ({
    port: config.metricsPort + offset,
    owner,
    derivation: offset === 0 ? 'CAPACITY_METRICS_PORT' : `CAPACITY_METRICS_PORT+${offset}`,
    setting: 'CAPACITY_METRICS_PORT',
  });
  for (let i = 1; i <= processors; i++) claims.push(metrics(i - 1, `processor-${i} metrics`));
  if (connector) claims.push(metrics(processors, 'connector metrics'));
  return claims;
}

/** One sentence about a taken port: which, whose, and what moves it. */
export function describeTakenPort(claim: PortClaim, host: string, processors: number): string {
  const scheme =
    claim.setting === 'CAPACITY_METRICS_PORT'
      ? ` (capacity start gives processor i CAPACITY_METRICS_PORT+i-1 and the connector CAPACITY_METRICS_PORT+${processors})`
      : '';
  return (
    `port ${claim.port} on ${host} (${claim.owner}, ${claim.derivation}) is already in use; ` +
    `set ${claim.setting} to move it${scheme}`
  );
}

/** Whether something already listens on host:port (a bind attempt that is released at once). */
export function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** The claims whose port is taken on `host`. */
export async function takenPorts(host: string, claims: readonly PortClaim[]): Promise<PortClaim[]> {
  const taken = await Promise.all(claims.map((claim) => portInUse(host, claim.port)));
  return claims.filter((_, i) => taken[i]);
}
