import { randomBytes } from 'node:crypto';

/**
 * This test run's id (4 hex digits), set by globalSetup before jest starts its workers, so names made in
 * any worker carry it and the run's teardown deletes only its own topics, never another run's.
 */
const RUN_ID = (process.env.CAPACITY_TEST_RUN_ID ??= randomBytes(2).toString('hex'));

/** A name no other test (or earlier run) uses: topics, groups, transactional ids, databases. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${RUN_ID}${randomBytes(2).toString('hex')}`;
}

const UNIQUE = /^[a-z][a-z0-9-]*?-([0-9a-z]{8,9})-([0-9a-f]{4})[0-9a-f]{4}(?:[.-]|$)/;

/** The run id and creation time (epoch ms) of a `uniqueName`, or null if `name` does not have its shape. */
export function parseUniqueName(name: string): { runId: string; createdAt: number } | null {
  const match = UNIQUE.exec(name);
  return match?.[1] && match[2] ? { runId: match[2], createdAt: parseInt(match[1], 36) } : null;
}

export const testRunId = (): string => RUN_ID;
