import { randomBytes } from 'node:crypto';

/** A name no other test (or earlier run) uses: topics, groups, transactional ids, databases. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

const UNIQUE = /^[a-z][a-z0-9-]*?-([0-9a-z]{8,9})-[0-9a-f]{8}(?:[.-]|$)/;

/** When a `uniqueName` was made (epoch ms), or null if `name` does not have its shape. */
export function uniqueNameCreatedAt(name: string): number | null {
  const match = UNIQUE.exec(name);
  return match?.[1] ? parseInt(match[1], 36) : null;
}
