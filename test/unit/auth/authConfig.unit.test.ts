import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthenticator, formatApiKeySpec, generateApiKey } from '../../../src/auth';
import { loadConfig } from '../../../src/config';

test('access control is on by default, and on without credentials the gateway refuses to start', () => {
  const config = loadConfig({});
  expect(config.auth).toMatchObject({ enabled: true, apiKeys: null, jwt: null, metricsRequireAuth: false });
  expect(() => createAuthenticator(config.auth)).toThrow(
    /CAPACITY_AUTH is on but no credentials are configured: set CAPACITY_API_KEYS or CAPACITY_API_KEYS_FILE/,
  );
  expect(createAuthenticator(loadConfig({ CAPACITY_AUTH: 'off' }).auth)).toBeNull();
  expect(() => loadConfig({ CAPACITY_AUTH: 'no' })).toThrow('CAPACITY_AUTH: must be on or off (got "no")');
});

test('keys from the variable and the file are both accepted', async () => {
  const fromEnv = generateApiKey('env-key', 'orders');
  const fromFile = generateApiKey('file-key', 'planner');
  const file = join(mkdtempSync(join(tmpdir(), 'keys-')), 'keys.txt');
  writeFileSync(file, `${formatApiKeySpec(fromFile.spec)}\n`);
  const auth = createAuthenticator(
    loadConfig({ CAPACITY_API_KEYS: formatApiKeySpec(fromEnv.spec), CAPACITY_API_KEYS_FILE: file }).auth,
  );
  const who = async (key: string) => auth?.authenticate({ apiKey: key, authorization: undefined });
  expect(await who(fromEnv.key)).toMatchObject({ ok: true, principal: { name: 'env-key' } });
  expect(await who(fromFile.key)).toMatchObject({ ok: true, principal: { name: 'file-key' } });
  expect(await auth?.authenticate({ apiKey: undefined, authorization: undefined })).toEqual({
    ok: false,
    failure: 'missing',
    reason: 'no credentials: send an X-API-Key header',
  });
  expect(await auth?.authenticate({ apiKey: undefined, authorization: 'Bearer abc' })).toMatchObject({
    ok: false,
    failure: 'invalid',
    reason: expect.stringContaining('bearer tokens are not accepted here'),
  });
  expect(() =>
    createAuthenticator(loadConfig({ CAPACITY_API_KEYS_FILE: join(tmpdir(), 'no-such-keys') }).auth),
  ).toThrow(/CAPACITY_API_KEYS_FILE: cannot read .*no-such-keys/);
});

test('a JWKS URL needs an issuer and an audience', () => {
  expect(() => loadConfig({ CAPACITY_JWT_JWKS_URL: 'https://idp.example/jwks.json' })).toThrow(
    'CAPACITY_JWT_ISSUER and CAPACITY_JWT_AUDIENCE: required with CAPACITY_JWT_JWKS_URL',
  );
  const config = loadConfig({
    CAPACITY_JWT_JWKS_URL: 'https://idp.example/jwks.json',
    CAPACITY_JWT_ISSUER: 'https://idp.example/',
    CAPACITY_JWT_AUDIENCE: 'capacity',
  });
  expect(config.auth.jwt).toEqual({
    jwksUrl: 'https://idp.example/jwks.json',
    issuer: 'https://idp.example/',
    audience: 'capacity',
    roleClaim: 'role',
    nameClaim: 'sub',
  });
  expect(createAuthenticator(config.auth)?.accepted).toContain('Authorization: Bearer <JWT>');
});
