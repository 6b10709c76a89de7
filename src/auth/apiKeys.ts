// API keys: random secrets the service knows only by their SHA-256 hash, each with a name and a role.
// A key has 256 random bits, so a plain (fast) hash is enough: nothing to brute-force, unlike passwords.
// Specs travel as `<name>:<role>:sha256:<hex>`, comma-separated in CAPACITY_API_KEYS or one per line in
// CAPACITY_API_KEYS_FILE ('#' starts a comment).
import { createHash, randomBytes } from 'node:crypto';
import { ConfigError } from '../errors';
import { isRole, ROLES, type Principal, type Role } from './roles';

export interface ApiKeySpec {
  readonly name: string;
  readonly role: Role;
  /** `sha256:<64 hex digits>` */
  readonly hash: string;
}

const KEY_PREFIX = 'cap_';
const NAME = /^[A-Za-z0-9._@-]{1,64}$/;
const HASH = /^sha256:[0-9a-f]{64}$/;

export const hashApiKey = (key: string): string =>
  `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;

/** A new key (shown once) and the spec that stores it. */
export function generateApiKey(name: string, role: Role): { key: string; spec: ApiKeySpec } {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, spec: checkedSpec({ name, role, hash: hashApiKey(key) }, 'generated key') };
}

export const formatApiKeySpec = (spec: ApiKeySpec): string => `${spec.name}:${spec.role}:${spec.hash}`;

function checkedSpec(spec: ApiKeySpec, where: string): ApiKeySpec {
  if (!NAME.test(spec.name))
    throw new ConfigError(
      `${where}: key name ${JSON.stringify(spec.name)} must be 1-64 of A-Z a-z 0-9 . _ @ -`,
    );
  if (!isRole(spec.role))
    throw new ConfigError(`${where}: role ${JSON.stringify(spec.role)} must be one of ${ROLES.join(', ')}`);
  if (!HASH.test(spec.hash))
    throw new ConfigError(
      `${where}: key ${spec.name}: hash must be sha256:<64 lowercase hex digits> (the key itself is never configured)`,
    );
  return spec;
}

/** Parses specs; `where` names the source (a variable or file:line) in errors. */
export function parseApiKeySpecs(text: string, where: string, separator: 'comma' | 'line'): ApiKeySpec[] {
  const entries =
    separator === 'comma'
      ? text.split(',').map((entry, i) => ({ entry: entry.trim(), at: `${where} entry ${i + 1}` }))
      : text
          .split('\n')
          .map((line, i) => ({ entry: line.replace(/#.*/, '').trim(), at: `${where}:${i + 1}` }));
  return entries
    .filter(({ entry }) => entry.length > 0)
    .map(({ entry, at }) => {
      const [name, role, ...hash] = entry.split(':');
      if (name === undefined || role === undefined || hash.length === 0)
        throw new ConfigError(`${at}: expected <name>:<role>:sha256:<hex>, got ${JSON.stringify(entry)}`);
      return checkedSpec({ name, role: role as Role, hash: hash.join(':') }, at);
    });
}

/** Looks callers up by the hash of the key they present. */
export class ApiKeyStore {
  private readonly byHash = new Map<string, Principal>();

  constructor(specs: readonly ApiKeySpec[]) {
    const names = new Set<string>();
    for (const spec of specs) {
      if (names.has(spec.name)) throw new ConfigError(`API key name ${spec.name} is configured twice`);
      if (this.byHash.has(spec.hash))
        throw new ConfigError(
          `API keys ${this.byHash.get(spec.hash)?.name} and ${spec.name} are the same key`,
        );
      names.add(spec.name);
      this.byHash.set(spec.hash, { name: spec.name, roles: new Set([spec.role]), via: 'api-key' });
    }
  }

  get size(): number {
    return this.byHash.size;
  }

  principal(key: string): Principal | null {
    return this.byHash.get(hashApiKey(key)) ?? null;
  }
}
