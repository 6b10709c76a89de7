// The API keys of a local `capacity start` when none are configured: a planner key and an orders key,
// made on the first start and kept in the state directory (0600) so later starts print the same keys and
// scripts keep working. The gateway child reads only their hashes (CAPACITY_API_KEYS_FILE).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatApiKeySpec, generateApiKey, hashApiKey, type Role } from '../auth';

export interface LocalKey {
  readonly name: string;
  readonly role: Role;
  readonly key: string;
}

export interface LocalKeys {
  readonly keys: readonly LocalKey[];
  /** CAPACITY_API_KEYS_FILE for the gateway: the keys' hashes. */
  readonly specFile: string;
  /** Where the keys themselves are kept. */
  readonly keyFile: string;
}

const LOCAL: ReadonlyArray<{ name: string; role: Role }> = [
  { name: 'local-planner', role: 'planner' },
  { name: 'local-orders', role: 'orders' },
];

export function ensureLocalKeys(stateDir: string): LocalKeys {
  mkdirSync(stateDir, { recursive: true });
  const keyFile = join(stateDir, 'local-api-keys.json');
  const specFile = join(stateDir, 'local-api-keys.hashes');
  let keys = existsSync(keyFile) ? (JSON.parse(readFileSync(keyFile, 'utf8')) as LocalKey[]) : [];
  if (!LOCAL.every((wanted) => keys.some((k) => k.name === wanted.name && k.role === wanted.role))) {
    keys = LOCAL.map(({ name, role }) => ({ name, role, key: generateApiKey(name, role).key }));
    writeFileSync(keyFile, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  }
  const specs = keys.map((k) => formatApiKeySpec({ name: k.name, role: k.role, hash: hashApiKey(k.key) }));
  writeFileSync(specFile, `# written by capacity start from ${keyFile}\n${specs.join('\n')}\n`, {
    mode: 0o600,
  });
  return { keys, specFile, keyFile };
}
