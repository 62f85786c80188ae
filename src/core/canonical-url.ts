/** URL canonicalisation: every form of a post URL maps to one identity (see DESIGN.md, "Embed identity"). */
import type { EmbedIdentity } from './model.ts';
import { parseHttpUrl, queryParam, type HttpUrl } from './http-url.ts';
import { identifySocialPost } from './social-url.ts';

/**
 * The identity of a post URL (X, YouTube, Bluesky, Instagram, TikTok, Threads, Reddit, Facebook),
 * else null — also for anything not http(s), with credentials, or unparsable. Short links such as
 * t.co name a post only after a redirect, so they are null too (youtu.be holds the video id).
 */
export function canonicalize(url: string, base?: string): EmbedIdentity | null {
  const u = parseHttpUrl(url, base);
  return u === null ? null : identifyPost(u);
}

/** Same as `canonicalize` for an already parsed URL (the extractor parses once per candidate). */
export function identifyPost(u: HttpUrl): EmbedIdentity | null {
  const host = u.host;
  if (X_HOSTS.has(host)) return xIdentity(xStatusIdOfPath(xPath(u)));
  if (host === 'platform.twitter.com') return xIdentity(xEmbedPageId(u));
  if (YOUTUBE_HOSTS.has(host)) return youtubeIdentity(youtubeIdOf(u));
  return identifySocialPost(u);
}

// ── X ────────────────────────────────────────────────────────────────────────

const X_HOSTS = new Set([
  'twitter.com', 'www.twitter.com', 'mobile.twitter.com', 'm.twitter.com',
  'x.com', 'www.x.com', 'mobile.x.com',
]);
// A handle, `i/web`, or nothing, then status|statuses and the id; anything may follow a slash
// (`/photo/1`, `/video/1`, `/analytics`).
const X_STATUS_PATH = /^\/(?:\w{1,15}\/|i\/web\/)?status(?:es)?\/(\d{1,20})(?:\/|$)/i;
const DIGITS = /^\d{1,20}$/;

/** Normalises a decimal post id kept as a string (ids exceed 2^53, so never a Number). */
export function normalizeXId(raw: string): string | null {
  const s = raw.trim();
  if (!DIGITS.test(s)) return null;
  const id = s.replace(/^0+/, '');
  return id === '' ? null : id;
}

/** The post id of any X/Twitter status URL form, or null. */
export function parseXStatusId(url: string, base?: string): string | null {
  const u = parseHttpUrl(url, base);
  if (u === null) return null;
  if (X_HOSTS.has(u.host)) return xStatusIdOfPath(xPath(u));
  return u.host === 'platform.twitter.com' ? xEmbedPageId(u) : null;
}

/** The path a status URL really names: old `/#!/handle/status/ID` links keep it in the fragment. */
function xPath(u: HttpUrl): string {
  if (u.hash.startsWith('#!/')) return u.hash.slice(2);
  return u.path.startsWith('/%23!/') ? u.path.slice(5) : u.path;
}

function xStatusIdOfPath(path: string): string | null {
  const m = X_STATUS_PATH.exec(path);
  return m?.[1] === undefined ? null : normalizeXId(m[1]);
}

function xEmbedPageId(u: HttpUrl): string | null {
  const p = u.path.toLowerCase();
  if (p !== '/embed/tweet.html' && p !== '/embed/index.html') return null;
  const id = queryParam(u.search, 'id');
  return id === null ? null : normalizeXId(id);
}

/** The identity of the X post with this id (already normalised). */
export function xIdentity(id: string | null): EmbedIdentity | null {
  return id === null ? null : { provider: 'x', providerId: id, canonicalUrl: `https://x.com/i/status/${id}` };
}

// ── YouTube ─────────────────────────────────────────────────────────────────

const YOUTUBE_HOSTS = new Set([
  'youtube.com', 'www.youtube.com', 'm.youtube.com', 'music.youtube.com',
  'youtube-nocookie.com', 'www.youtube-nocookie.com', 'youtu.be', 'www.youtu.be',
]);
const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/;
const YOUTUBE_ID_PATHS = new Set(['embed', 'shorts', 'live', 'v', 'e']);
// Eleven characters, like an id: `/embed/videoseries?list=` (playlist), `/embed/live_stream?channel=`.
const YOUTUBE_NOT_IDS = new Set(['videoseries', 'live_stream']);

/** The video id of any YouTube URL form, or null. */
export function parseYouTubeId(url: string, base?: string): string | null {
  const u = parseHttpUrl(url, base);
  return u !== null && YOUTUBE_HOSTS.has(u.host) ? youtubeIdOf(u) : null;
}

function youtubeIdOf(u: HttpUrl): string | null {
  const s = u.path.split('/');
  // The id segment may be followed by a trailing slash, nothing else: `/embed/ID/foo` is another page.
  const endsAt = (i: number): boolean => s.length === i + 1 || (s.length === i + 2 && s[i + 1] === '');
  let id: string | null | undefined;
  if (u.host.endsWith('youtu.be')) id = endsAt(1) ? s[1] : null;
  else if (s[1] === 'watch') id = endsAt(1) ? queryParam(u.search, 'v') : null;
  else if (YOUTUBE_ID_PATHS.has(s[1] ?? '')) id = endsAt(2) ? s[2] : null;
  return id != null && YOUTUBE_ID.test(id) && !YOUTUBE_NOT_IDS.has(id) ? id : null;
}

function youtubeIdentity(id: string | null): EmbedIdentity | null {
  return id === null
    ? null
    : { provider: 'youtube', providerId: id, canonicalUrl: `https://www.youtube.com/watch?v=${id}` };
}

// ── Images ──────────────────────────────────────────────────────────────────

/**
 * The canonical form of an image URL: `pbs.twimg.com` media without size/format variants
 * (`name.ext`), any other image as its absolute URL without fragment. Callers pass validated
 * URLs; an unparsable one is returned unchanged rather than guessed at.
 */
export function canonicalImageUrl(url: string, base?: string): string {
  const u = parseHttpUrl(url, base);
  return u === null ? url : canonicalImageOf(u);
}

/** The image identity of a URL (provider `image`, providerId the canonical URL), or null if not http(s). */
export function imageIdentity(url: string, base?: string): EmbedIdentity | null {
  const u = parseHttpUrl(url, base);
  if (u === null) return null;
  const canonicalUrl = canonicalImageOf(u);
  return { provider: 'image', providerId: canonicalUrl, canonicalUrl };
}

const TWIMG_SIZE_SUFFIX = /:[a-z0-9_]+$/i;
const HAS_EXT = /\.[A-Za-z0-9]{2,5}$/;
const FORMAT = /^[A-Za-z0-9]{2,5}$/;

/** Canonical image URL of a parsed URL. */
export function canonicalImageOf(u: HttpUrl): string {
  if (u.host === 'pbs.twimg.com') {
    // `name.jpg:large`, `name?format=jpg&name=small`, `name.jpg?name=orig` are one image.
    let path = u.path.replace(TWIMG_SIZE_SUFFIX, '');
    const format = HAS_EXT.test(path) ? null : queryParam(u.search, 'format');
    if (format !== null && FORMAT.test(format)) path += `.${format.toLowerCase()}`;
    return `https://pbs.twimg.com${path}`;
  }
  return u.hash === '' ? u.href : u.href.slice(0, u.href.length - u.hash.length);
}
