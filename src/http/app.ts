import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { InputError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { TokenBuckets } from '../core/token-bucket.ts';
import { MAX_BODY_BYTES, tooLarge } from './body.ts';
import type { AppDeps, AppEnv } from './env.ts';
import { ProblemError, problemResponse } from './problem.ts';
import { registerArticleRoutes } from './routes/article-routes.ts';
import { registerDocsRoutes } from './routes/docs-routes.tsx';
import { registerEmbedRoutes } from './routes/embed-routes.ts';
import { registerIngestRoutes } from './routes/ingest-routes.ts';
import { registerOpsRoutes } from './routes/ops-routes.ts';
import { registerRenderRoutes } from './routes/render-routes.ts';
import { registerCardRoutes } from './routes/card-routes.ts';
import { registerKeyRoutes } from './routes/key-routes.ts';

export type App = OpenAPIHono<AppEnv>;

export function createApp(deps: AppDeps): App {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const errors = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      return problemResponse(c, 400, 'validation', 'Invalid request',
        errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; '), { errors });
    },
  });

  const limit = deps.config.rateLimitPerMinute;
  // A burst of a tenth of the minute's allowance, then a steady refill.
  const rateLimiter = limit > 0 ? new TokenBuckets(Math.max(10, Math.ceil(limit / 10)), limit / 60) : undefined;

  app.use('*', async (c, next) => {
    if (rateLimiter) c.set('rateLimiter', rateLimiter);
    const requestId = c.req.header('x-request-id')?.slice(0, 64) || newId('req');
    c.set('requestId', requestId);
    c.set('deps', deps);
    // Set before the response exists, so every response is born with them: set after, Hono would
    // rebuild the finished response and copy its body (165 KB for a render) on every request.
    c.header('x-request-id', requestId);
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'strict-origin-when-cross-origin');
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = routePath(c);
    deps.metrics.httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
    deps.metrics.httpDuration.observe(seconds, { route });
    deps.logger.info('request', { requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(seconds * 1000) });
  });
  const limitBody = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw tooLarge(); } });
  // Asking a GET for its body makes @hono/node-server build a full Request (and an AbortSignal) per request.
  app.use('*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next)));

  registerOpsRoutes(app);
  registerIngestRoutes(app);
  registerEmbedRoutes(app);
  registerArticleRoutes(app);
  registerRenderRoutes(app);
  registerCardRoutes(app);
  registerKeyRoutes(app);
  registerDocsRoutes(app);

  app.notFound((c) => problemResponse(c, 404, 'not-found', 'Not found', `no route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    if (error instanceof ProblemError) {
      return problemResponse(c, error.status as ContentfulStatusCode, error.slug, error.title, error.message, error.extensions, error.headers);
    }
    if (error instanceof InputError) {
      return problemResponse(c, 400, 'bad-request', 'Bad request', error.message, error.field ? { field: error.field } : {});
    }
    if (error instanceof HTTPException) {
      return problemResponse(c, error.status as ContentfulStatusCode, 'http-error', error.message || 'HTTP error', error.message || 'request refused');
    }
    deps.logger.error('unhandled error', { requestId: c.get('requestId'), path: c.req.path, error, stack: (error as Error).stack });
    return problemResponse(c, 500, 'internal', 'Internal server error', 'the server failed to handle the request; it was logged with this request id');
  });
  return app;
}
