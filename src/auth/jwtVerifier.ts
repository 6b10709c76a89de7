// Bearer tokens from an organisation's identity provider: signature checked against the provider's JWKS
// (fetched and cached by jose, refreshed when a token names an unknown key id), issuer, audience and
// expiry checked, the role taken from a claim.
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { isRole, type Principal, type Role } from './roles';

export interface JwtSettings {
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
  /** Claim holding the role: a string or an array of strings; other values are ignored. */
  readonly roleClaim: string;
  /** Claim naming the caller in logs and command metadata. */
  readonly nameClaim: string;
}

/** Why a token was refused, in words safe to return to the caller. */
export class TokenRejected extends Error {}

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const CLOCK_TOLERANCE_S = 30;

export class JwtVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(
    private readonly settings: JwtSettings,
    keys?: JWTVerifyGetKey,
  ) {
    this.keys = keys ?? createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 5000 });
  }

  /** The token's principal; TokenRejected when it is invalid or carries no known role. */
  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      throw new TokenRejected(describeJoseError(error));
    }
    const roles = rolesOf(payload[this.settings.roleClaim]);
    if (roles.size === 0)
      throw new TokenRejected(
        `token has no known role in claim "${this.settings.roleClaim}" (reader, orders or planner)`,
      );
    const name = payload[this.settings.nameClaim];
    if (typeof name !== 'string' || name.length === 0)
      throw new TokenRejected(`token has no "${this.settings.nameClaim}" claim naming the caller`);
    return { name: name.slice(0, 128), roles, via: 'jwt' };
  }
}

function rolesOf(claim: unknown): Set<Role> {
  const values = Array.isArray(claim) ? claim : [claim];
  return new Set(values.filter(isRole));
}

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `token claim "${error.claim}" is not accepted`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature does not verify';
  if (error instanceof errors.JWKSNoMatchingKey)
    return "token's key is not in the identity provider's key set";
  if (error instanceof errors.JWKSTimeout) return "identity provider's key set could not be fetched in time";
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token algorithm is not accepted';
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) return 'token is malformed';
  return 'token could not be verified';
}
