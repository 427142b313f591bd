import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build` puts the console bundle (apps/console/dist), from src/ or dist/ alike. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../console/dist/', import.meta.url));

/** Paths that are never the console: unknown ones under them answer a coded 404, not the page. */
const NOT_CONSOLE = /^\/(api|link|metrics)(\/|$|\?)/;

/**
 * Serves the operator console (a static single-page app) at `/`. Hashed assets are cached for
 * good, index.html never, and any other GET outside the API falls back to index.html so a
 * reloaded deep link still opens the console. The bundle is looked up per request, so a station
 * started before `npm run build` serves it once it exists.
 */
export async function consoleRoutes(
  app: FastifyInstance,
  dir: string = CONSOLE_DIST,
): Promise<void> {
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    index: ['index.html'],
    setHeaders: (reply, path) => {
      reply.header(
        'cache-control',
        path.includes(`${join('assets', '')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  app.setNotFoundHandler((req, reply) => {
    const url = req.raw.url ?? '/';
    if ((req.method === 'GET' || req.method === 'HEAD') && !NOT_CONSOLE.test(url)) {
      if (existsSync(join(dir, 'index.html'))) return reply.sendFile('index.html', dir);
      return reply
        .status(404)
        .type('text/plain; charset=utf-8')
        .send('The console is not built: run `npm run build` in the Parley checkout.\n');
    }
    return reply.status(404).send({
      code: 'PARLEY_E_NOT_FOUND',
      message: `no route ${req.method} ${url.split('?')[0]}`,
    });
  });
}
