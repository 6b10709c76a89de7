import { loadConfig } from '../../src/config';
import { stackDown } from '../../src/devstack';

export default async function globalTeardown(): Promise<void> {
  if (!globalThis.__capacityStackStartedByTests) return;
  globalThis.__capacityStackStartedByTests = false;
  await stackDown(loadConfig(), (line) => console.log(`[stack] ${line}`));
}
