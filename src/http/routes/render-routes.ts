import { z } from '@hono/zod-openapi';
import { sha256Hex } from '../../core/ids.ts';
import { assertHtml } from '../../core/ingest.ts';
import { loadCards, renderArticle } from '../../core/render-article.ts';
import { rewriteArticleBytes, type RenderMode } from '../../core/rewrite-article.ts';
import { scanArticle } from '../../core/scan-article.ts';
import { parseSubmittedUrl } from '../../core/submitted-url.ts';
import type { App } from '../app.ts';
import { requireScope } from '../auth.ts';
import { readTextBody } from '../body.ts';
import { badRequest, notFound, ProblemError } from '../problem.ts';
import { RenderCache } from '../render-cache.ts';

const RenderBody = z.object({
  html: z.string(),
  url: z.string().optional(),
  mode: z.enum(['static', 'enhance']).optional(),
}).strict();

/**
 * A rendered article is the publisher's HTML served from our origin: the sandbox gives it an opaque
 * origin, so nothing in it can act as us; static mode runs no script at all.
 */
function htmlHeaders(mode: RenderMode) {
  const sandbox = `sandbox ${mode === 'enhance' ? 'allow-scripts ' : ''}allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation`;
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `${sandbox}; base-uri 'none'; form-action 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
  };
}

function parseMode(value: string | undefined): RenderMode {
  if (value === undefined || value === 'static' || value === 'enhance') return value ?? 'static';
  throw badRequest(`mode must be "static" or "enhance", not "${value.slice(0, 40)}"`);
}

export function registerRenderRoutes(app: App) {
  const cache = new RenderCache();

  app.post('/v1/render', requireScope('read'), async (c) => {
    const deps = c.get('deps');
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    let html: string;
    let url: string | undefined;
    let mode = parseMode(c.req.query('mode'));
    if (type === 'text/html') {
      html = await readTextBody(c);
      url = c.req.query('url');
    } else if (type === 'application/json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(await readTextBody(c));
      } catch {
        throw new ProblemError(400, 'malformed-json', 'Malformed JSON', 'the body is not valid JSON');
      }
      const body = RenderBody.safeParse(parsed);
      if (!body.success) throw badRequest(body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
      ({ html, url } = body.data);
      if (body.data.mode) mode = body.data.mode;
    } else {
      throw new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', 'send the article as text/html, or JSON { html, url?, mode? }');
    }
    assertHtml(html);
    const base = url === undefined ? undefined : parseSubmittedUrl(url, 'url').href;
    const out = await renderArticle(html, base, mode, deps, deps.config.publicBaseUrl);
    return c.body(out as Uint8Array<ArrayBuffer>, 200, { ...htmlHeaders(mode), 'cache-control': 'no-store' });
  });

  app.get('/v1/articles/:id/render', requireScope('read', { publicRead: true }), async (c) => {
    const deps = c.get('deps');
    const mode = parseMode(c.req.query('mode'));
    const id = c.req.param('id');
    // The hot path reads one small row: a cached render never touches the stored HTML.
    const version = await deps.articles.articleVersion(id);
    if (!version) throw notFound('no article with this id');
    const key = `${id}|${mode}|${version}`;
    let entry = cache.get(key);
    if (!entry) {
      const found = await deps.articles.getArticle(id);
      if (!found) throw notFound('no article with this id');
      if (found.html === undefined) throw notFound('this article was archived without its HTML');
      const scan = scanArticle(found.html, found.article.url);
      const body = rewriteArticleBytes(found.html, scan, { mode, cards: await loadCards(scan, deps, deps.config.publicBaseUrl) });
      entry = { etag: `"${(await sha256Hex(key)).slice(0, 32)}"`, body };
      cache.set(key, entry);
    }
    const headers = { etag: entry.etag, 'cache-control': 'public, max-age=60, stale-while-revalidate=600' };
    if (c.req.header('if-none-match') === entry.etag) return c.body(null, 304, headers);
    return c.body(entry.body as Uint8Array<ArrayBuffer>, 200, { ...htmlHeaders(mode), ...headers });
  });
}
