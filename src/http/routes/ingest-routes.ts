import { createRoute } from '@hono/zod-openapi';
import { ingest, waitForFinal } from '../../core/ingest.ts';
import { loadEmbedViews } from '../../core/embed-view.ts';
import { extractEmbeds } from '../../core/scan-article.ts';
import { assertHtml } from '../../core/ingest.ts';
import { parseSubmittedUrl } from '../../core/submitted-url.ts';
import type { App } from '../app.ts';
import { requireScope } from '../auth.ts';
import { jsonBody } from '../body.ts';
import { ArchiveQuery, ArchiveRequest, ArchiveResponse, ExtractRequest, ExtractResponse, problemResponses } from '../schemas.ts';

export const MAX_WAIT_SECONDS = 120;

const archiveRoute = createRoute({
  method: 'post',
  path: '/v1/archive',
  summary: 'Archive an article and/or post and image URLs',
  description: 'Extracts every embed, stores one embed per canonical URL and queues its capture. With `?wait=SECONDS` (at most 120) answers 200 once every embed is final, else 202 with the states so far. Archived and partial embeds are not captured again unless `?recapture=true`.',
  middleware: [requireScope('archive'), jsonBody()] as const,
  request: {
    query: ArchiveQuery,
    body: { required: true, content: { 'application/json': { schema: ArchiveRequest } } },
  },
  responses: {
    200: { description: 'Every embed is final', content: { 'application/json': { schema: ArchiveResponse } } },
    202: { description: 'Queued; states so far', content: { 'application/json': { schema: ArchiveResponse } } },
    ...problemResponses,
  },
});

const extractRoute = createRoute({
  method: 'post',
  path: '/v1/extract',
  summary: 'List the embeds of an article without storing anything',
  middleware: [requireScope('read'), jsonBody()] as const,
  request: { body: { required: true, content: { 'application/json': { schema: ExtractRequest } } } },
  responses: {
    200: { description: 'Embeds in document order, one per (canonicalUrl, role)', content: { 'application/json': { schema: ExtractResponse } } },
    ...problemResponses,
  },
});

export function registerIngestRoutes(app: App) {
  app.openapi(archiveRoute, async (c) => {
    const deps = c.get('deps');
    const body = c.req.valid('json');
    const { wait, recapture } = c.req.valid('query');
    const result = await ingest(body, { ...deps, recapture: recapture === 'true' });
    if (result.queued.length) deps.onQueued?.();
    const ids = result.embeds.map((e) => e.id);
    let done = result.embeds.every((e) => e.status !== 'pending');
    if (wait && !done) done = (await waitForFinal(ids, deps.articles, Math.min(wait, MAX_WAIT_SECONDS) * 1000, deps.stopping ? { signal: deps.stopping } : {})).done;
    const embeds = await loadEmbedViews(ids, deps, deps.config.publicBaseUrl);
    const article = result.article ? { id: result.article.id, ...(result.article.url ? { url: result.article.url } : {}) } : undefined;
    return c.json({ ...(article ? { article } : {}), embeds }, wait && done ? 200 : 202);
  });

  app.openapi(extractRoute, (c) => {
    const { html, url } = c.req.valid('json');
    assertHtml(html);
    const base = url === undefined ? undefined : parseSubmittedUrl(url, 'url').href;
    return c.json({ embeds: extractEmbeds(html, base) }, 200);
  });
}
