import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyStore, parseApiKeySpecs } from '../../../src/auth';
import { ensureLocalKeys } from '../../../src/cli';

test('capacity start keeps one planner and one orders key per state directory; the gateway file has hashes only', () => {
  const stateDir = join(mkdtempSync(join(tmpdir(), 'local-keys-')), 'state');
  const first = ensureLocalKeys(stateDir);
  expect(first.keys.map((k) => [k.name, k.role])).toEqual([
    ['local-planner', 'planner'],
    ['local-orders', 'orders'],
  ]);
  expect(statSync(first.keyFile).mode & 0o777).toBe(0o600);
  const hashes = readFileSync(first.specFile, 'utf8');
  for (const k of first.keys) expect(hashes).not.toContain(k.key);
  const store = new ApiKeyStore(parseApiKeySpecs(hashes, first.specFile, 'line'));
  for (const k of first.keys) expect(store.principal(k.key)?.name).toBe(k.name);

  expect(ensureLocalKeys(stateDir).keys).toEqual(first.keys);
});
