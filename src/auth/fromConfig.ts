// The authenticator the settings describe: keys from CAPACITY_API_KEYS and CAPACITY_API_KEYS_FILE, JWTs
// when a JWKS URL is set. Null when access control is off.
import { readFileSync } from 'node:fs';
import type { AuthConfig } from '../config';
import { ConfigError } from '../errors';
import { ApiKeyStore, parseApiKeySpecs, type ApiKeySpec } from './apiKeys';
import { Authenticator } from './authenticator';
import { JwtVerifier } from './jwtVerifier';

export function apiKeySpecsOf(auth: AuthConfig): ApiKeySpec[] {
  const specs = auth.apiKeys ? parseApiKeySpecs(auth.apiKeys, 'CAPACITY_API_KEYS', 'comma') : [];
  if (auth.apiKeysFile) {
    let text: string;
    try {
      text = readFileSync(auth.apiKeysFile, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `CAPACITY_API_KEYS_FILE: cannot read ${auth.apiKeysFile}: ${(error as Error).message}`,
      );
    }
    specs.push(...parseApiKeySpecs(text, auth.apiKeysFile, 'line'));
  }
  return specs;
}

export function createAuthenticator(auth: AuthConfig): Authenticator | null {
  if (!auth.enabled) return null;
  const keys = new ApiKeyStore(apiKeySpecsOf(auth));
  if (keys.size === 0 && !auth.jwt)
    throw new ConfigError(
      'CAPACITY_AUTH is on but no credentials are configured: set CAPACITY_API_KEYS or CAPACITY_API_KEYS_FILE ' +
        '(`capacity keys create`), or CAPACITY_JWT_JWKS_URL; or CAPACITY_AUTH=off to let anyone call the API',
    );
  return new Authenticator(keys, auth.jwt ? new JwtVerifier(auth.jwt) : null);
}
