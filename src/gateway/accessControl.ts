// The HTTP side of access control: who is calling (authenticate) and may they (requireRole). Failures
// are problem+json: 401 UNAUTHENTICATED without or with bad credentials, 403 FORBIDDEN with the wrong role.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { allows, ROLES, type Authenticator, type Principal, type Role } from '../auth';
import type { Logger } from '../observability';
import { HttpProblem } from './problems';

/** Everyone, with every role: the principal of every request when access control is off. */
export const ANONYMOUS: Principal = { name: 'anonymous', roles: new Set(ROLES), via: 'api-key' };

export interface AccessControl {
  /** Sets the caller's principal (response.locals.principal); rejects requests with bad credentials. */
  readonly authenticate: RequestHandler;
  /** Rejects callers without the role (401 when they presented no credentials). */
  requireRole(role: Role): RequestHandler;
}

export const principalOf = (response: Response): Principal | undefined =>
  response.locals.principal as Principal | undefined;

export function accessControl(authenticator: Authenticator | null, logger: Logger): AccessControl {
  if (!authenticator) {
    return {
      authenticate: (_request, response, next) => {
        response.locals.principal = ANONYMOUS;
        next();
      },
      requireRole: () => (_request, _response, next) => next(),
    };
  }
  const challenge = { 'www-authenticate': 'ApiKey header="X-API-Key", Bearer realm="capacity"' };
  const authenticate = async (request: Request, response: Response, next: NextFunction) => {
    const result = await authenticator.authenticate({
      apiKey: request.get('x-api-key'),
      authorization: request.get('authorization'),
    });
    if (result.ok) {
      response.locals.principal = result.principal;
      return next();
    }
    // No credentials at all is decided per route: an open route lets such a request through.
    if (result.failure === 'missing') return next();
    logger.info({ path: request.path, reason: result.reason }, 'credentials refused');
    next(new HttpProblem(401, 'UNAUTHENTICATED', result.reason, {}, challenge));
  };
  return {
    authenticate: (request, response, next) => {
      authenticate(request, response, next).catch(next);
    },
    requireRole: (role) => (_request, response, next) => {
      const principal = principalOf(response);
      if (!principal)
        return next(
          new HttpProblem(
            401,
            'UNAUTHENTICATED',
            `no credentials: send ${authenticator.accepted}`,
            {},
            challenge,
          ),
        );
      if (!allows(principal, role))
        return next(
          new HttpProblem(
            403,
            'FORBIDDEN',
            `${principal.name} (role ${[...principal.roles].join(', ')}) may not do this: it needs the ${role} role`,
          ),
        );
      next();
    },
  };
}
