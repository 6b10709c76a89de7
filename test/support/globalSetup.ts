// Starts the local stack once per test run unless it is already up; globalTeardown stops it only if this
// run started it. Both jest projects that need the stack share this file, so the flag is additive.
import { loadConfig } from '../../src/config';
import { stackUp } from '../../src/devstack';
import { testRunId } from './names';

declare global {
  var __capacityStackStartedByTests: boolean | undefined;
  var __capacityTestRunStartedAt: number | undefined;
}

export default async function globalSetup(): Promise<void> {
  globalThis.__capacityTestRunStartedAt ??= Date.now() - 1000;
  // Before jest starts its workers, so every worker names things with this run's id (see names.ts).
  process.env.CAPACITY_TEST_RUN_ID ??= testRunId();
  const config = loadConfig();
  const result = await stackUp(config, (line) => console.log(`[stack] ${line}`));
  globalThis.__capacityStackStartedByTests =
    (globalThis.__capacityStackStartedByTests ?? false) || result.started.length > 0;
}
