import { compact } from '../core/compact.ts';
import type { Availability, MediaKind, PostData } from '../core/model.ts';
import type { Evidence, Fetcher } from '../ports.ts';

export const X_ID = /^\d{1,20}$/;
const SYNDICATION = 'https://cdn.syndication.twimg.com/tweet-result';

/** The token the official embed sends with each syndication request, derived from the id. */
export function syndicationToken(id: string): string {
  return ((Number(id) / 1e15) * Math.PI).toString(36).replace(/(0+|\.)/g, '');
}

export const syndicationUrl = (id: string) => `${SYNDICATION}?id=${id}&lang=en&token=${syndicationToken(id)}`;

export type SyndicationResult =
  | { kind: 'post'; data: PostData; evidence: Evidence; raw: Uint8Array }
  | { kind: 'unavailable'; availability: Availability; evidence: Evidence; raw?: Uint8Array }
  | { kind: 'rate_limited'; retryAfterMs: number; evidence: Evidence }
  | { kind: 'unexpected'; evidence: Evidence; error: string };

/** Fetches and validates one post from the syndication endpoint. Expected platform states come back as values. */
export async function fetchSyndication(fetcher: Fetcher, id: string, previouslyLive: boolean): Promise<SyndicationResult> {
  if (!X_ID.test(id)) throw new Error(`not an X post id: ${id}`);
  const res = await fetcher.fetch(syndicationUrl(id), { headers: { accept: 'application/json' }, maxBytes: 2_000_000, timeoutMs: 15_000 });
  const body = new TextDecoder().decode(res.body);
  const evidence: Evidence = compact({ source: 'syndication', httpStatus: res.status, finalUrl: res.url, excerpt: body.slice(0, 300) });
  const gone: Availability = previouslyLive ? 'deleted' : 'not_found';
  if (res.status === 429) return { kind: 'rate_limited', retryAfterMs: retryAfterMs(res.headers.get('retry-after')), evidence };
  if (res.status === 404) return { kind: 'unavailable', availability: gone, evidence, raw: res.body };
  if (res.status !== 200) return { kind: 'unexpected', evidence, error: `syndication answered HTTP ${res.status}` };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: 'unexpected', evidence, error: `syndication answered ${res.headers.get('content-type') ?? 'no content type'}, not JSON` };
  }
  if (!isObject(json)) return { kind: 'unexpected', evidence, error: 'syndication JSON is not an object' };
  if (Object.keys(json).length === 0) return { kind: 'unavailable', availability: gone, evidence: { ...evidence, typename: '{}' }, raw: res.body };
  const typename = typeof json.__typename === 'string' ? json.__typename : undefined;
  if (typename === 'TweetTombstone') {
    const text = str(pick(json, 'tombstone', 'text', 'text')) ?? '';
    return { kind: 'unavailable', availability: tombstoneAvailability(text), evidence: compact({ ...evidence, typename, excerpt: text || evidence.excerpt }), raw: res.body };
  }
  const data = typename === 'Tweet' ? toPostData(json) : undefined;
  if (!data) return { kind: 'unexpected', evidence: compact({ ...evidence, typename }), error: `unexpected syndication shape (__typename ${typename ?? 'missing'})` };
  return { kind: 'post', data, evidence: { ...evidence, typename: 'Tweet' }, raw: res.body };
}

export function tombstoneAvailability(text: string): Availability {
  const t = text.toLowerCase();
  if (t.includes('suspended')) return 'suspended';
  if (t.includes('withheld')) return 'withheld';
  if (t.includes('limits who can view') || t.includes('protected')) return 'protected';
  if (t.includes('no longer exists') || t.includes('deleted') || t.includes('violated') || t.includes("doesn't exist")) return 'deleted';
  return 'withheld';
}

export function retryAfterMs(header: string | null, fallbackMs = 60_000): number {
  if (!header) return fallbackMs;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : fallbackMs;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const arr = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

function pick(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const p of path) cur = isObject(cur) ? cur[p] : undefined;
  return cur;
}

/** Validates a syndication post and normalises it; undefined when the shape is not a post. */
export function toPostData(json: Json): PostData | undefined {
  const text = typeof json.text === 'string' ? json.text : undefined;
  const user = isObject(json.user) ? json.user : undefined;
  const handle = str(user?.screen_name);
  if (text === undefined || !str(json.id_str) || !handle) return undefined;
  // X escapes &, < and > in `text`; its indices count the unescaped characters.
  const chars = Array.from(text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
  const range = Array.isArray(json.display_text_range) ? json.display_text_range : [];
  const start = num(range[0]) ?? 0;
  const end = Math.min(num(range[1]) ?? chars.length, chars.length);
  const entities = collectEntities(isObject(json.entities) ? json.entities : {}, start, end);
  const quoted = isObject(json.quoted_tweet) ? toPostData(json.quoted_tweet) : undefined;
  const quotedId = isObject(json.quoted_tweet) ? str(json.quoted_tweet.id_str) : undefined;
  return compact({
    text: chars.slice(start, end).join(''),
    lang: str(json.lang),
    author: compact({
      name: str(user?.name),
      handle,
      url: `https://x.com/${handle}`,
      avatarUrl: largerAvatar(str(user?.profile_image_url_https)),
      verified: user?.verified === true || user?.is_blue_verified === true || undefined,
    }),
    publishedAt: str(json.created_at),
    entities: entities.length ? entities : undefined,
    media: collectMedia(json),
    quoted: quoted ? compact({ ...quoted, id: quotedId, url: quotedId ? `https://x.com/${quoted.author?.handle ?? 'i'}/status/${quotedId}` : undefined }) : undefined,
    inReplyTo: str(json.in_reply_to_status_id_str) ? compact({ id: str(json.in_reply_to_status_id_str), handle: str(json.in_reply_to_screen_name) }) : undefined,
    metrics: compact({ likes: num(json.favorite_count), replies: num(json.conversation_count) }),
    sensitive: json.possibly_sensitive === true || undefined,
  });
}

function collectEntities(entities: Json, start: number, end: number): NonNullable<PostData['entities']> {
  const out: NonNullable<PostData['entities']> = [];
  const add = (kind: 'url' | 'mention' | 'hashtag' | 'symbol', list: unknown, fill: (e: Json) => { href?: string; display?: string }) => {
    for (const e of arr(list)) {
      const [s, t] = Array.isArray(e.indices) ? e.indices : [];
      if (typeof s !== 'number' || typeof t !== 'number' || s < start || t > end) continue;
      out.push(compact({ kind, start: s - start, end: t - start, ...fill(e) }));
    }
  };
  add('url', entities.urls, (e) => ({ href: str(e.expanded_url), display: str(e.display_url) }));
  add('mention', entities.user_mentions, (e) => ({ href: str(e.screen_name) && `https://x.com/${str(e.screen_name)}` }));
  add('hashtag', entities.hashtags, (e) => ({ href: str(e.text) && `https://x.com/hashtag/${encodeURIComponent(str(e.text)!)}` }));
  add('symbol', entities.symbols, (e) => ({ href: str(e.text) && `https://x.com/search?q=%24${encodeURIComponent(str(e.text)!)}` }));
  return out.sort((a, b) => a.start - b.start);
}

function collectMedia(json: Json): PostData['media'] {
  const media = arr(json.mediaDetails).flatMap((m) => {
    const url = str(m.media_url_https);
    const type = str(m.type);
    if (!url || (type !== 'photo' && type !== 'video' && type !== 'animated_gif')) return [];
    const info = isObject(m.original_info) ? m.original_info : {};
    const mp4 = arr(pick(m, 'video_info', 'variants'))
      .filter((v) => v.content_type === 'video/mp4')
      .sort((a, b) => (num(b.bitrate) ?? 0) - (num(a.bitrate) ?? 0))[0];
    return [compact({
      kind: type as MediaKind,
      url,
      width: num(info.width),
      height: num(info.height),
      alt: str(m.ext_alt_text),
      posterUrl: type === 'photo' ? undefined : url,
      videoUrl: str(mp4?.url),
    })];
  });
  return media.length ? media : undefined;
}

/** `_normal` avatars are 48 px; the 400×400 form of the same image is what a card needs at 2×. */
function largerAvatar(url: string | undefined) {
  return url?.replace(/_normal(\.\w+)$/, '_400x400$1');
}

/** pbs.twimg.com serves the largest stored size with `name=orig`. */
export function originalMediaUrl(url: string): string {
  const u = new URL(url);
  if (u.hostname !== 'pbs.twimg.com' || !u.pathname.startsWith('/media/')) return url;
  const m = /^(\/media\/[^./]+)\.(\w+)$/.exec(u.pathname);
  return m ? `https://pbs.twimg.com${m[1]}?format=${m[2]}&name=orig` : url;
}
