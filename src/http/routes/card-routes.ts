import { findEmbedByUrl } from '../../core/find-embed.ts';
import { buildCardModel, type CardModel } from '../../core/card-model.ts';
import { loadEmbedSources } from '../../core/embed-view.ts';
import { escapeAttr } from '../../core/escape-html.ts';
import { CARD_CSS, renderCard, accessibleName } from '../../core/render-card.ts';
import { renderCardPage } from '../../core/render-card-page.ts';
import { parseSubmittedUrl } from '../../core/submitted-url.ts';
import type { App } from '../app.ts';
import { requireScope } from '../auth.ts';
import type { AppDeps } from '../env.ts';
import { badRequest, notFound, ProblemError } from '../problem.ts';

export const CARD_WIDTH = 550;

async function cardOf(id: string, deps: AppDeps): Promise<CardModel | undefined> {
  const [src] = await loadEmbedSources([id], deps);
  return src ? buildCardModel(src, deps.config.publicBaseUrl) : undefined;
}

/** Finds the embed an oEmbed `url` names: any URL form of the post or image, or one of our card URLs. */
async function embedIdFor(raw: string, deps: AppDeps): Promise<string | undefined> {
  const url = parseSubmittedUrl(raw);
  const base = deps.config.publicBaseUrl;
  if (url.href.startsWith(`${base}/cards/`)) return url.href.slice(`${base}/cards/`.length).split(/[?#/]/)[0];
  return (await findEmbedByUrl(url, deps.articles))?.id;
}

export function registerCardRoutes(app: App) {
  app.get('/cards/:id', requireScope('read', { publicRead: true }), async (c) => {
    const deps = c.get('deps');
    const card = await cardOf(c.req.param('id'), deps);
    if (!card) throw notFound('no embed with this id');
    const base = deps.config.publicBaseUrl;
    const oembedUrl = `${base}/oembed?url=${encodeURIComponent(card.cardUrl)}&format=json`;
    return c.html(renderCardPage(card, { oembedUrl }), 200, {
      // Iframe-able anywhere; nothing but our own images and the inline stylesheet may load.
      'content-security-policy': `default-src 'none'; img-src ${base} data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors *`,
      'cache-control': 'public, max-age=300',
      'referrer-policy': 'no-referrer',
    });
  });

  app.get('/oembed', requireScope('read', { publicRead: true }), async (c) => {
    const deps = c.get('deps');
    const raw = c.req.query('url');
    if (!raw) throw badRequest('give the post or image URL as ?url=');
    const format = c.req.query('format') ?? 'json';
    if (format !== 'json') throw new ProblemError(501, 'not-implemented', 'Format not supported', 'only format=json is served');
    const maxwidth = c.req.query('maxwidth');
    if (maxwidth !== undefined && !/^\d{1,5}$/.test(maxwidth)) throw badRequest('maxwidth must be a whole number of pixels');
    const id = await embedIdFor(raw, deps);
    const card = id ? await cardOf(id, deps) : undefined;
    if (!card) throw notFound('nothing archived for this URL');
    const width = Math.min(CARD_WIDTH, maxwidth ? Number(maxwidth) : CARD_WIDTH);
    const html = c.req.query('iframe') === '1'
      ? `<iframe src="${escapeAttr(card.cardUrl)}" width="${width}" height="600" style="border:0;max-width:100%" title="${escapeAttr(accessibleName(card))}" loading="lazy"></iframe>`
      : `<div style="max-width:${width}px"><style>${CARD_CSS}</style>${renderCard(card, { mode: 'static' })}</div>`;
    const post = card.post;
    const authorName = post?.author?.name ?? card.fallback?.authorName;
    const authorUrl = post?.author?.url;
    const title = post?.title ?? post?.text?.slice(0, 120) ?? card.fallback?.text?.slice(0, 120);
    return c.json({
      version: '1.0',
      type: 'rich',
      provider_name: 'embedkeep',
      provider_url: deps.config.publicBaseUrl,
      ...(title ? { title } : {}),
      ...(authorName ? { author_name: authorName } : {}),
      ...(authorUrl ? { author_url: authorUrl } : {}),
      html,
      width,
      height: null,
      cache_age: 3600,
    }, 200, { 'cache-control': 'public, max-age=300' });
  });
}
