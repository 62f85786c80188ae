import { compact } from '../core/compact.ts';
import type { Availability, PostData } from '../core/model.ts';
import type { Evidence, MediaRecord } from '../ports.ts';
import { parseOEmbedFallback } from './x-oembed.ts';
import { fetchSyndication, originalMediaUrl, X_ID } from './x-syndication.ts';
import { isRetryableStatus, RetryLater, UpstreamStatusError, type CaptureContext, type CaptureOutcome, type ProviderDefinition } from './provider.ts';

/** How long the official embed may take to render the post before the screenshot layer gives up. */
export const X_EMBED_TIMEOUT_MS = 15_000;
/** The official embed renders at most 550 px wide; the viewport leaves room for its margins. */
const X_VIEWPORT = { width: 600, height: 1200 };

export const embedPageUrl = (id: string, theme: 'light' | 'dark' = 'light') =>
  `https://platform.twitter.com/embed/Tweet.html?id=${id}&dnt=true&theme=${theme}`;

const GONE: ReadonlySet<Availability> = new Set(['deleted', 'protected', 'suspended', 'withheld', 'not_found']);

/** X posts in four layers: article fallback → syndication data (oEmbed fallback) → screenshot → media. */
export const xProvider: ProviderDefinition = {
  provider: 'x',
  method: 'x:syndication+embed',
  async capture(ctx: CaptureContext): Promise<CaptureOutcome> {
    const id = ctx.embed.providerId;
    if (!X_ID.test(id)) throw new Error(`not an X post id: ${id}`);
    if (ctx.embed.fallback) ctx.skip('article', 'the article blockquote was parsed at ingest');

    let availability: Availability = 'unknown';
    let evidence: Evidence | undefined;
    let data: PostData | undefined;
    let rawSha256: string | undefined;

    const synd = await ctx.layer('data', async () => {
      const result = await fetchSyndication(ctx.fetcher, id, ctx.previouslyLive);
      if (result.kind === 'unexpected') {
        const status = result.evidence.httpStatus ?? 0;
        if (isRetryableStatus(status)) throw new UpstreamStatusError(status, result.evidence);
        throw Object.assign(new Error(result.error), { evidence: result.evidence });
      }
      return result;
    });
    if (synd?.kind === 'rate_limited') throw new RetryLater('syndication answered 429', synd.retryAfterMs, synd.evidence);
    if (synd) {
      evidence = synd.evidence;
      if ('raw' in synd && synd.raw) rawSha256 = await ctx.keepRaw(synd.raw, 'application/json');
      if (synd.kind === 'post') {
        availability = 'live';
        data = synd.data;
      } else {
        availability = synd.availability;
      }
    } else {
      const oembed = await ctx.layer('oembed', () => parseOEmbedFallback(ctx.fetcher, id, ctx.previouslyLive));
      if (oembed) {
        evidence = oembed.evidence;
        availability = oembed.availability;
        data = oembed.data;
      }
    }

    if (GONE.has(availability)) {
      ctx.skip('screenshot', `the post is ${availability}`);
      return compact({ availability, evidence, data, rawSha256, media: [] as MediaRecord[] });
    }

    const shot = await ctx.layer('screenshot', async () => ctx.keepScreenshot(await ctx.browser.screenshot({
      url: embedPageUrl(id),
      selector: 'article',
      notSelector: '[role="progressbar"], [data-testid="tweet-placeholder"], [aria-busy="true"]',
      failSelector: '[data-testid="tweet-unavailable"], [data-testid="tombstone"]',
      viewport: X_VIEWPORT,
      deviceScaleFactor: 2,
      timeoutMs: X_EMBED_TIMEOUT_MS,
    })));
    if (shot && availability === 'unknown') availability = 'live';

    const media: MediaRecord[] = [];
    const wanted = [
      ...(data?.media ?? []).map((m) => ({ url: originalMediaUrl(m.posterUrl ?? m.url), kind: m.kind === 'photo' ? 'photo' as const : 'poster' as const, alt: m.alt })),
      ...(data?.author?.avatarUrl ? [{ url: data.author.avatarUrl, kind: 'avatar' as const, alt: data.author.name }] : []),
    ];
    for (const [i, m] of wanted.entries()) {
      const kept = await ctx.layer(`media:${i}:${m.kind}`, () => ctx.keepImage(m.url, m.kind, m.alt));
      if (kept) media.push(kept);
    }
    return compact({ availability, evidence, data, rawSha256, screenshot: shot, media });
  },
};
