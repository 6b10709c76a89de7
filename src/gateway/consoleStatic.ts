// Serves the built planner console (dist/console, made by `npm run build`) at /console. The files are
// open: they hold no data, and the page asks for a key before it calls the API.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';
import { HttpProblem } from './problems';

/** From src/gateway (ts-jest, ts-node) and from dist/gateway alike: the repository's dist/console. */
export const CONSOLE_DIR = join(__dirname, '..', '..', 'dist', 'console');

export function consoleStatic(dir: string = CONSOLE_DIR): Router {
  const router = Router();
  router.use(
    express.static(dir, {
      index: 'index.html',
      // Vite puts a content hash in asset names; index.html must be revalidated to pick up a new build.
      setHeaders: (response, path) =>
        response.setHeader(
          'cache-control',
          path.includes(`${join('console', 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
        ),
    }),
  );
  router.use((_request, _response, next) =>
    next(
      existsSync(join(dir, 'index.html'))
        ? new HttpProblem(404, 'ROUTE_NOT_FOUND', 'no such console file')
        : new HttpProblem(
            404,
            'CONSOLE_NOT_BUILT',
            `the console is not built (no ${dir}); run npm run build`,
          ),
    ),
  );
  return router;
}
