// From request headers to a principal: an API key in X-API-Key, or a JWT in Authorization: Bearer.
// Framework-free so the gateway's middleware stays a thin adapter.
import type { ApiKeyStore } from './apiKeys';
import { TokenRejected, type JwtVerifier } from './jwtVerifier';
import type { Principal } from './roles';

export type Authentication =
  | { readonly ok: true; readonly principal: Principal }
  /** `missing`: no credentials at all; `invalid`: credentials that do not check out (reason in words). */
  | { readonly ok: false; readonly failure: 'missing' | 'invalid'; readonly reason: string };

export interface CredentialHeaders {
  readonly apiKey: string | undefined;
  readonly authorization: string | undefined;
}

export class Authenticator {
  constructor(
    private readonly apiKeys: ApiKeyStore,
    private readonly jwt: JwtVerifier | null,
  ) {}

  /** What the caller may present, for error messages. */
  get accepted(): string {
    return this.jwt ? 'an X-API-Key header or an Authorization: Bearer <JWT> header' : 'an X-API-Key header';
  }

  async authenticate(headers: CredentialHeaders): Promise<Authentication> {
    const { apiKey, authorization } = headers;
    if (apiKey !== undefined) {
      const principal = this.apiKeys.principal(apiKey.trim());
      return principal
        ? { ok: true, principal }
        : { ok: false, failure: 'invalid', reason: 'the API key is not valid' };
    }
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match) return { ok: false, failure: 'invalid', reason: 'Authorization must be "Bearer <token>"' };
      if (!this.jwt)
        return {
          ok: false,
          failure: 'invalid',
          reason: 'bearer tokens are not accepted here (no CAPACITY_JWT_JWKS_URL); send an X-API-Key header',
        };
      try {
        return { ok: true, principal: await this.jwt.verify(match[1] as string) };
      } catch (error) {
        if (error instanceof TokenRejected) return { ok: false, failure: 'invalid', reason: error.message };
        throw error;
      }
    }
    return { ok: false, failure: 'missing', reason: `no credentials: send ${this.accepted}` };
  }
}
