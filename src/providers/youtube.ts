import { compact } from '../core/compact.ts';
import type { Availability, PostData } from '../core/model.ts';
import type { Evidence } from '../ports.ts';
import { retryAfterMs } from './x-syndication.ts';
import { RetryLater, UpstreamStatusError, type ProviderDefinition } from './provider.ts';

const YT_ID = /^[A-Za-z0-9_-]{11}$/;
export const youtubeOEmbedUrl = (id: string) =>
  `https://www.youtube.com/oembed?url=${encodeURIComponent(`https://www.youtube.com/watch?v=${id}`)}&format=json`;
export const youtubeThumbnailUrl = (id: string) => `https://i.ytimg.com/vi/${id}/hqdefault.jpg`;

/** YouTube videos: oEmbed data (401 = embedding disabled, not gone) and the thumbnail as the picture. */
export const youtubeProvider: ProviderDefinition = {
  provider: 'youtube',
  method: 'youtube:oembed+thumbnail',
  async capture(ctx) {
    const id = ctx.embed.providerId;
    if (!YT_ID.test(id)) throw new Error(`not a YouTube video id: ${id}`);
    const info = await ctx.layer('data', async () => {
      const res = await ctx.fetcher.fetch(youtubeOEmbedUrl(id), { headers: { accept: 'application/json' }, maxBytes: 1_000_000 });
      const body = new TextDecoder().decode(res.body);
      const evidence: Evidence = compact({ source: 'oembed', httpStatus: res.status, finalUrl: res.url, excerpt: body.slice(0, 300) });
      if (res.status === 429) throw new RetryLater('YouTube oEmbed answered 429', retryAfterMs(res.headers.get('retry-after')), evidence);
      if (res.status === 401) return { availability: 'embedding_disabled' as Availability, evidence };
      if (res.status === 404 || res.status === 400) return { availability: (ctx.previouslyLive ? 'deleted' : 'not_found') as Availability, evidence };
      if (res.status !== 200) throw new UpstreamStatusError(res.status, evidence);
      const json = JSON.parse(body) as Record<string, unknown>;
      const s = (k: string) => (typeof json[k] === 'string' && json[k] !== '' ? (json[k] as string) : undefined);
      const data: PostData = compact({
        title: s('title'),
        author: compact({ name: s('author_name'), url: s('author_url') }),
      });
      return { availability: 'live' as Availability, evidence, data, thumbnail: s('thumbnail_url') };
    });
    const availability = info?.availability ?? 'unknown';
    if (availability === 'not_found' || availability === 'deleted') {
      ctx.skip('thumbnail', `the video is ${availability}`);
      return compact({ availability, evidence: info?.evidence, media: [] });
    }
    const thumb = await ctx.layer('thumbnail', () => ctx.keepImage(info && 'thumbnail' in info && info.thumbnail ? info.thumbnail : youtubeThumbnailUrl(id), 'poster', info && 'data' in info ? info.data?.title : undefined));
    return compact({
      availability: availability === 'unknown' && thumb ? 'live' : availability,
      evidence: info?.evidence,
      data: info && 'data' in info ? info.data : undefined,
      screenshot: thumb ? { sha256: thumb.sha256, width: thumb.width, height: thumb.height } : undefined,
      media: thumb ? [thumb] : [],
    });
  },
};
