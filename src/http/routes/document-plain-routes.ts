import { z } from '@hono/zod-openapi';
import type { App } from '../app.ts';
import { Problem } from '../schemas.ts';

const problem = { content: { 'application/problem+json': { schema: Problem } } };
const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });
const image = { description: 'Image bytes', content: { 'image/*': { schema: z.string().openapi({ format: 'binary' }) } } };
const idParam = z.object({ id: z.string() });

/**
 * Routes served as plain Hono handlers (HTML, bytes, text) are listed in the OpenAPI document here,
 * so /openapi.json and /docs describe the whole API.
 */
export function documentPlainRoutes(app: App) {
  const r = app.openAPIRegistry;
  r.registerPath({
    method: 'post', path: '/v1/render', summary: 'Rewrite posted article HTML from the archive',
    description: 'Body: the article as `text/html` (with `?url=` and `?mode=`), or JSON `{ html, url?, mode? }`. Answers the rewritten HTML.',
    request: { query: z.object({ mode: z.enum(['static', 'enhance']).optional(), url: z.string().optional() }) },
    responses: { 200: html('The rewritten article'), 400: { description: 'Bad input', ...problem }, 415: { description: 'Wrong content type', ...problem } },
  });
  r.registerPath({
    method: 'get', path: '/v1/articles/{id}/render', summary: 'The stored article rendered from the archive (public, cached, ETag)',
    request: { params: idParam, query: z.object({ mode: z.enum(['static', 'enhance']).optional() }) },
    responses: { 200: html('The rendered article'), 304: { description: 'Not modified' }, 404: { description: 'No such article', ...problem } },
  });
  r.registerPath({
    method: 'get', path: '/cards/{id}', summary: 'A standalone, iframe-able card page (public)',
    request: { params: idParam }, responses: { 200: html('The card page'), 404: { description: 'No such embed', ...problem } },
  });
  r.registerPath({
    method: 'get', path: '/oembed', summary: 'oEmbed 1.0 provider: the archived card as a rich answer (public)',
    request: { query: z.object({ url: z.string(), format: z.literal('json').optional(), maxwidth: z.string().optional(), iframe: z.literal('1').optional() }) },
    responses: { 200: { description: 'oEmbed JSON', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } }, 404: { description: 'Nothing archived for the URL', ...problem }, 501: { description: 'Only JSON', ...problem } },
  });
  r.registerPath({
    method: 'get', path: '/v1/embeds/{id}/screenshot', summary: 'The screenshot (or archived image / video thumbnail); Accept picks AVIF, WebP or PNG, ?w= a width (public)',
    request: { params: idParam, query: z.object({ w: z.string().optional() }) }, responses: { 200: image, 404: { description: 'Nothing archived yet', ...problem } },
  });
  r.registerPath({
    method: 'get', path: '/v1/blobs/{sha256}', summary: 'Content-addressed bytes, immutable, with ETag (public)',
    request: { params: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }) }, responses: { 200: image, 304: { description: 'Not modified' }, 404: { description: 'No such blob', ...problem } },
  });
  r.registerPath({
    method: 'get', path: '/health', summary: 'Readiness of the database (and the browser when the worker runs)',
    responses: { 200: { description: 'Ready', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } }, 503: { description: 'Not ready' } },
  });
  r.registerPath({
    method: 'get', path: '/metrics', summary: 'Prometheus metrics',
    responses: { 200: { description: 'Prometheus text', content: { 'text/plain': { schema: z.string() } } } },
  });
}
