import { createRoute, z } from '@hono/zod-openapi';
import { findEmbedByUrl } from '../../core/find-embed.ts';
import { keptCapture, loadEmbedViews } from '../../core/embed-view.ts';
import { SHA256_HEX } from '../../core/ids.ts';
import { parseSubmittedUrl } from '../../core/submitted-url.ts';
import type { App } from '../app.ts';
import { requireScope } from '../auth.ts';
import { Embed, problemResponses } from '../schemas.ts';
import { notFound } from '../problem.ts';
import { pickRendition } from '../negotiate.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';

const getEmbedRoute = createRoute({
  method: 'get',
  path: '/v1/embeds/{id}',
  summary: 'An embed with its archived text, screenshot, media, captures and checks',
  middleware: [requireScope('read')] as const,
  request: { params: z.object({ id: z.string().max(64) }) },
  responses: {
    200: { description: 'The embed', content: { 'application/json': { schema: Embed } } },
    404: { description: 'No such embed', content: { 'application/problem+json': { schema: problemResponses[400].content['application/problem+json'].schema } } },
    ...problemResponses,
  },
});

const findEmbedRoute = createRoute({
  method: 'get',
  path: '/v1/embeds',
  summary: 'Look an embed up by any form of its URL',
  middleware: [requireScope('read')] as const,
  request: { query: z.object({ url: z.string().openapi({ description: 'Any URL form of the post or image.' }) }) },
  responses: {
    200: { description: 'Zero or one embed', content: { 'application/json': { schema: z.object({ embeds: z.array(Embed) }) } } },
    ...problemResponses,
  },
});

export function registerEmbedRoutes(app: App) {
  app.openapi(getEmbedRoute, async (c) => {
    const deps = c.get('deps');
    const [view] = await loadEmbedViews([c.req.valid('param').id], deps, deps.config.publicBaseUrl);
    if (!view) throw notFound('no embed with this id');
    return c.json(view, 200);
  });

  app.openapi(findEmbedRoute, async (c) => {
    const deps = c.get('deps');
    const embed = await findEmbedByUrl(parseSubmittedUrl(c.req.valid('query').url), deps.articles);
    return c.json({ embeds: embed ? await loadEmbedViews([embed.id], deps, deps.config.publicBaseUrl) : [] }, 200);
  });

  app.get('/v1/embeds/:id/screenshot', requireScope('read', { publicRead: true }), async (c) => {
    const deps = c.get('deps');
    const [embed] = await deps.articles.getEmbeds([c.req.param('id')]);
    if (!embed) throw notFound('no embed with this id');
    const kept = keptCapture(embed, await deps.captures.listCaptures(embed.id));
    if (!kept?.screenshot) throw notFound('this embed has no archived screenshot or image yet');
    const source = kept.screenshot.sha256;
    const [meta] = await deps.captures.getBlobs([source]);
    const renditions = await deps.captures.listRenditions([source]);
    const choice = pickRendition({ source, contentType: meta?.contentType ?? 'image/png', width: kept.screenshot.width }, renditions,
      c.req.header('accept') ?? '', c.req.query('w'));
    const bytes = await deps.blobs.get(choice.sha256);
    if (!bytes) throw notFound('the archived bytes are missing');
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': choice.contentType,
      'cache-control': 'public, max-age=300',
      etag: `"${choice.sha256}"`,
      vary: 'Accept',
    });
  });

  app.get('/v1/blobs/:sha256', requireScope('read', { publicRead: true }), async (c) => {
    const deps = c.get('deps');
    const sha256 = c.req.param('sha256').toLowerCase();
    if (!SHA256_HEX.test(sha256)) throw notFound('blob names are 64 hex characters (sha256)');
    const etag = `"${sha256}"`;
    if (c.req.header('if-none-match')?.includes(etag)) return c.body(null, 304, { etag, 'cache-control': IMMUTABLE });
    const [meta] = await deps.captures.getBlobs([sha256]);
    const bytes = meta ? await deps.blobs.get(sha256) : null;
    if (!meta || !bytes) throw notFound('no blob with this hash');
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': meta.contentType,
      'cache-control': IMMUTABLE,
      etag,
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    });
  });
}
