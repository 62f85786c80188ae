import { compact } from '../core/compact.ts';
import type { Evidence } from '../ports.ts';
import { retryAfterMs } from './x-syndication.ts';
import { isRetryableStatus, RetryLater, UpstreamStatusError, type ProviderDefinition } from './provider.ts';

export const MAX_IMAGE_BYTES = 25 * 1024 * 1024;

/** Article images: download through egress, sniff and decode under limits, keep the original bytes. */
export const imageProvider: ProviderDefinition = {
  provider: 'image',
  method: 'image:download',
  async capture(ctx) {
    const url = ctx.embed.url;
    const res = await ctx.layer('download', async () => {
      const r = await ctx.fetcher.fetch(url, {
        headers: { accept: 'image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8' },
        maxBytes: MAX_IMAGE_BYTES,
      });
      // A server error says nothing about the image: thrown, it makes the attempt worth repeating.
      if (isRetryableStatus(r.status)) throw new UpstreamStatusError(r.status, { source: 'image', httpStatus: r.status, finalUrl: r.url });
      return r;
    });
    if (!res) return { availability: 'unknown', media: [] };
    const evidence: Evidence = compact({ source: 'image', httpStatus: res.status, finalUrl: res.url, excerpt: res.headers.get('content-type') ?? undefined });
    if (res.status === 429) throw new RetryLater('image host answered 429', retryAfterMs(res.headers.get('retry-after')), evidence);
    if (res.status === 404 || res.status === 410) {
      ctx.skip('decode', `HTTP ${res.status}`);
      return { availability: ctx.previouslyLive ? 'deleted' : 'not_found', evidence, media: [] };
    }
    if (res.status !== 200) {
      ctx.skip('decode', `HTTP ${res.status}`);
      return { availability: 'error', evidence, media: [] };
    }
    const kept = await ctx.layer('decode', () => ctx.keepImageBytes(res.body, url, 'photo', ctx.embed.hints?.alt));
    if (!kept) return { availability: 'live', evidence, media: [] };
    return { availability: 'live', evidence, screenshot: { sha256: kept.sha256, width: kept.width, height: kept.height }, media: [kept] };
  },
};
