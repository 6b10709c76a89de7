import {
  ApiKeyStore,
  allows,
  formatApiKeySpec,
  generateApiKey,
  hashApiKey,
  parseApiKeySpecs,
  type Principal,
} from '../../../src/auth';
import { ConfigError } from '../../../src/errors';

test('a generated key is 256 random bits with a prefix; its spec holds only the hash and parses back', () => {
  const { key, spec } = generateApiKey('checkout', 'orders');
  expect(key).toMatch(/^cap_[A-Za-z0-9_-]{43}$/);
  expect(generateApiKey('checkout', 'orders').key).not.toBe(key);
  const line = formatApiKeySpec(spec);
  expect(line).toBe(`checkout:orders:${hashApiKey(key)}`);
  expect(line).not.toContain(key.slice(4));
  expect(parseApiKeySpecs(line, 'CAPACITY_API_KEYS', 'comma')).toEqual([spec]);
});

test('a store finds a principal by the key presented, and nothing for another key', () => {
  const a = generateApiKey('planner-ana', 'planner');
  const b = generateApiKey('checkout', 'orders');
  const store = new ApiKeyStore([a.spec, b.spec]);
  expect(store.principal(a.key)).toEqual({
    name: 'planner-ana',
    roles: new Set(['planner']),
    via: 'api-key',
  });
  expect(store.principal(b.key)?.name).toBe('checkout');
  expect(store.principal(`${a.key}x`)).toBeNull();
  expect(store.principal(a.spec.hash)).toBeNull();
});

test('file format: one spec per line, comments and blank lines ignored; errors name the line', () => {
  const { spec } = generateApiKey('reports', 'reader');
  const text = `# keys\n\n${formatApiKeySpec(spec)}  # the BI tool\n`;
  expect(parseApiKeySpecs(text, 'keys.txt', 'line')).toEqual([spec]);
  expect(() => parseApiKeySpecs('x:reader', 'keys.txt', 'line')).toThrow(
    'keys.txt:1: expected <name>:<role>:sha256:<hex>, got "x:reader"',
  );
  expect(() => parseApiKeySpecs(`ok:admin:${spec.hash}`, 'CAPACITY_API_KEYS', 'comma')).toThrow(
    'CAPACITY_API_KEYS entry 1: role "admin" must be one of reader, orders, planner',
  );
  expect(() => parseApiKeySpecs('ok:reader:sha256:abc', 'f', 'line')).toThrow(/hash must be sha256:<64/);
  expect(() => parseApiKeySpecs(`bad name:reader:${spec.hash}`, 'f', 'line')).toThrow(ConfigError);
});

test('the same name or the same key twice is a configuration error', () => {
  const a = generateApiKey('a', 'reader');
  expect(() => new ApiKeyStore([a.spec, { ...a.spec, role: 'orders' }])).toThrow(
    'API key name a is configured twice',
  );
  expect(() => new ApiKeyStore([a.spec, { ...a.spec, name: 'b' }])).toThrow(
    'API keys a and b are the same key',
  );
});

test('orders and planner include reader; neither includes the other', () => {
  const as = (...roles: Array<'reader' | 'orders' | 'planner'>): Principal => ({
    name: 'p',
    roles: new Set(roles),
    via: 'jwt',
  });
  expect(allows(as('reader'), 'reader')).toBe(true);
  expect(allows(as('reader'), 'orders')).toBe(false);
  expect(allows(as('orders'), 'reader')).toBe(true);
  expect(allows(as('orders'), 'planner')).toBe(false);
  expect(allows(as('planner'), 'reader')).toBe(true);
  expect(allows(as('planner'), 'orders')).toBe(false);
  expect(allows(as('orders', 'planner'), 'planner')).toBe(true);
});
