// Access control: API keys and JWT bearer tokens to principals with roles (see README, Access control).
export { ApiKeyStore, formatApiKeySpec, generateApiKey, hashApiKey, parseApiKeySpecs } from './apiKeys';
export type { ApiKeySpec } from './apiKeys';
export { Authenticator } from './authenticator';
export type { Authentication, CredentialHeaders } from './authenticator';
export { JwtVerifier, TokenRejected } from './jwtVerifier';
export type { JwtSettings } from './jwtVerifier';
export { allows, isRole, ROLES } from './roles';
export type { Principal, Role } from './roles';
export { apiKeySpecsOf, createAuthenticator } from './fromConfig';
