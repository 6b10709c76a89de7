// Apicurio Registry for the local stack: one JVM on the registry URL's host and port, file-backed storage.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureRegistryDistribution, versions } from './artifacts';
import { registryHealthy, waitFor } from './health';
import type { StackEndpoints, StackLayout } from './layout';
import { managedProcess, runningPid, startProcess, type ManagedProcess } from './processes';

export function registryProcess(layout: StackLayout): ManagedProcess {
  return managedProcess(layout.run, layout.logs, 'registry', `-Dcapacity.stack=${layout.root}`);
}

// The registry serves little traffic, so a small heap, and it skips the optimising JIT (C2) to start faster.
const REGISTRY_JVM = [
  '-Xms128m',
  '-Xmx384m',
  '-XX:TieredStopAtLevel=1',
  '-XX:+UseSerialGC',
  '-Djava.awt.headless=true',
];

/**
 * Downloads (first run) and starts the registry unless it answers or its process runs, then waits until it
 * answers. Returns whether this call started it.
 */
export async function registryUp(
  layout: StackLayout,
  endpoints: StackEndpoints,
  say: (line: string) => void,
): Promise<boolean> {
  if (await registryHealthy(endpoints)) return false;
  const proc = registryProcess(layout);
  let started = false;
  if (runningPid(proc) === null) {
    const jar = await ensureRegistryDistribution(layout, say);
    mkdirSync(layout.registryData, { recursive: true });
    const pid = startProcess(
      proc,
      'java',
      [
        ...REGISTRY_JVM,
        `-Dcapacity.stack=${layout.root}`,
        `-Dquarkus.http.host=${endpoints.registryHost}`,
        `-Dquarkus.http.port=${endpoints.registryPort}`,
        // File-backed storage: schema ids must outlive a restart, as the Avro records in Kafka do.
        `-Dapicurio.datasource.url=jdbc:h2:file:${join(layout.registryData, 'registry')}`,
        '-jar',
        jar,
      ],
      layout.root,
    );
    say(`started Apicurio Registry ${versions.apicurio} (pid ${pid}) on ${endpoints.registryUrl}`);
    started = true;
  }
  await waitFor('Schema registry', () => registryHealthy(endpoints), proc, 120_000);
  return started;
}
