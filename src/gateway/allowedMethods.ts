// The methods each documented path allows, from /openapi.json: OPTIONS answers them in Allow, and another
// method on a documented path is 405 METHOD_NOT_ALLOWED (not 404: the resource exists). Express's own
// OPTIONS answer listed only the first router's methods (GET, HEAD on /v1/pools/{poolId}).
import type { RequestHandler } from 'express';
import { HttpProblem } from './problems';

interface Documented {
  readonly pattern: RegExp;
  readonly allow: readonly string[];
}

/** `/v1/pools/{poolId}` -> /^\/v1\/pools\/[^/]+\/?$/i, matching paths as express routes them. */
function pathPattern(template: string): RegExp {
  const source = template
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${source}\\/?$`, 'i');
}

export function allowedMethods(document: Record<string, unknown>): RequestHandler {
  const documented: Documented[] = Object.entries(
    document.paths as Record<string, Record<string, unknown>>,
  ).map(([template, operations]) => {
    const methods = Object.keys(operations).map((m) => m.toUpperCase());
    if (methods.includes('GET')) methods.push('HEAD');
    return { pattern: pathPattern(template), allow: [...methods, 'OPTIONS'] };
  });
  return (request, response, next) => {
    const allow = documented.find((d) => d.pattern.test(request.path))?.allow;
    if (!allow || (request.method !== 'OPTIONS' && allow.includes(request.method))) return next();
    response.setHeader('allow', allow.join(', '));
    if (request.method === 'OPTIONS') {
      response.status(204).end();
      return;
    }
    next(
      new HttpProblem(
        405,
        'METHOD_NOT_ALLOWED',
        `${request.method} is not allowed on ${request.path}: it allows ${allow.join(', ')}`,
      ),
    );
  };
}
