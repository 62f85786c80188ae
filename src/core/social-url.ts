/**
 * Post URLs of the platforms after X and YouTube. Canonical forms leave out what can change
 * (handles, slugs, tracking query) wherever the platform's id alone names the post.
 */
import type { EmbedIdentity, Provider } from './model.ts';
import { parseHttpUrl, queryParam, type HttpUrl } from './http-url.ts';

function identity(provider: Provider, providerId: string, canonicalUrl: string): EmbedIdentity {
  return { provider, providerId, canonicalUrl };
}

/** Identity of a Bluesky, Instagram, TikTok, Threads, Reddit or Facebook post URL, else null. */
export function identifySocialPost(u: HttpUrl): EmbedIdentity | null {
  const host = u.host.startsWith('www.') ? u.host.slice(4) : u.host;
  const s = u.path.split('/');
  switch (host) {
    case 'bsky.app':
      return s[1] === 'profile' && s[3] === 'post' ? bluesky(s[2], s[4]) : null;
    case 'embed.bsky.app':
      return s[1] === 'embed' && s[3] === 'app.bsky.feed.post' ? bluesky(s[2], s[4]) : null;
    case 'instagram.com': case 'm.instagram.com': case 'instagr.am':
      return instagram(s);
    case 'tiktok.com': case 'm.tiktok.com':
      return tiktok(s);
    case 'threads.net': case 'threads.com':
      return threads(s);
    case 'reddit.com': case 'old.reddit.com': case 'new.reddit.com': case 'np.reddit.com':
    case 'm.reddit.com': case 'embed.reddit.com':
      return reddit(s);
    case 'redd.it':
      return s.length === 2 ? redditPost(s[1], undefined) : null;
    case 'facebook.com': case 'm.facebook.com': case 'web.facebook.com': case 'mbasic.facebook.com':
      return facebook(u, s);
    default:
      return null;
  }
}

// ── Bluesky ──

const BSKY_HANDLE = /^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/;
const BSKY_DID = /^did:[a-z]+:[A-Za-z0-9._:%-]+$/;
const BSKY_RKEY = /^[A-Za-z0-9._:~-]{1,512}$/;

function bluesky(rawActor: string | undefined, rkey: string | undefined): EmbedIdentity | null {
  if (rawActor === undefined || rkey === undefined || !BSKY_RKEY.test(rkey)) return null;
  let actor = safeDecode(rawActor);
  if (!actor.startsWith('did:')) actor = actor.toLowerCase();
  if (!BSKY_DID.test(actor) && !BSKY_HANDLE.test(actor)) return null;
  return identity('bluesky', `at://${actor}/app.bsky.feed.post/${rkey}`,
    `https://bsky.app/profile/${actor}/post/${rkey}`);
}

/** `at://ACTOR/app.bsky.feed.post/RKEY` (what Bluesky's embed markup carries) as a bsky.app URL. */
export function blueskyUrlFromAtUri(uri: string): string | null {
  const m = /^at:\/\/([^/?#]+)\/app\.bsky\.feed\.post\/([^/?#]+)\/?$/.exec(uri.trim());
  return m === null ? null : `https://bsky.app/profile/${m[1]}/post/${m[2]}`;
}

// ── Instagram, TikTok, Threads ──

const INSTAGRAM_CODE = /^[A-Za-z0-9_-]{5,64}$/;
const INSTAGRAM_KINDS = new Set(['p', 'reel', 'reels', 'tv']);

function instagram(s: string[]): EmbedIdentity | null {
  // `/p/CODE`, `/reel/CODE`, or the same after a username: `/USER/p/CODE`.
  const at = INSTAGRAM_KINDS.has(s[1] ?? '') ? 2 : INSTAGRAM_KINDS.has(s[2] ?? '') ? 3 : -1;
  const code = s[at];
  if (code === undefined || !INSTAGRAM_CODE.test(code)) return null;
  return identity('instagram', code, `https://www.instagram.com/p/${code}/`);
}

const NUMERIC_ID = /^\d{6,25}$/;

function tiktok(s: string[]): EmbedIdentity | null {
  let id: string | undefined;
  if (s[1]?.startsWith('@') && (s[2] === 'video' || s[2] === 'photo')) id = s[3];
  else if (s[1] === 'embed') id = s[2] === 'v2' ? s[3] : s[2];
  else if (s[1] === 'player' && s[2] === 'v1') id = s[3];
  if (id === undefined || !NUMERIC_ID.test(id)) return null;
  // The handle is left out: TikTok resolves `/@/video/ID` to the post whatever the account is now called.
  return identity('tiktok', id, `https://www.tiktok.com/@/video/${id}`);
}

const THREADS_CODE = /^[A-Za-z0-9_-]{5,64}$/;

function threads(s: string[]): EmbedIdentity | null {
  const code = s[1]?.startsWith('@') && s[2] === 'post' ? s[3] : s[1] === 't' ? s[2] : undefined;
  if (code === undefined || !THREADS_CODE.test(code)) return null;
  return identity('threads', code, `https://www.threads.com/t/${code}`);
}

// ── Reddit ──

const REDDIT_ID = /^[a-z0-9]{1,13}$/;

function reddit(s: string[]): EmbedIdentity | null {
  // `/r/SUB/comments/ID/SLUG/COMMENT`, `/user/U/comments/ID`, `/comments/ID`.
  const at = s[1] === 'comments' ? 1 : s[3] === 'comments' && (s[1] === 'r' || s[1] === 'user' || s[1] === 'u') ? 3 : -1;
  if (at === -1) return null;
  return redditPost(s[at + 1], s[at + 3]);
}

function redditPost(rawId: string | undefined, rawComment: string | undefined): EmbedIdentity | null {
  const id = rawId?.toLowerCase();
  if (id === undefined || !REDDIT_ID.test(id)) return null;
  const comment = rawComment?.toLowerCase();
  if (comment !== undefined && REDDIT_ID.test(comment)) {
    return identity('reddit', `t1_${comment}`, `https://www.reddit.com/comments/${id}/_/${comment}/`);
  }
  return identity('reddit', `t3_${id}`, `https://www.reddit.com/comments/${id}/`);
}

// ── Facebook ──

const FB_ID = /^(?:\d{5,25}|pfbid[A-Za-z0-9]{20,80})$/;
const FB_PAGE = /^[A-Za-z0-9.-]{1,80}$/;

function facebook(u: HttpUrl, s: string[]): EmbedIdentity | null {
  const q = (name: string): string | null => queryParam(u.search, name);
  if (s[1] === 'plugins' && (s[2] === 'post.php' || s[2] === 'video.php')) {
    // The plugin iframe names the post in `href`; one level only, a plugin URL inside is refused.
    const href = q('href');
    const inner = href === null ? null : parseHttpUrl(href);
    const innerPath = inner?.path.split('/');
    return inner != null && innerPath !== undefined && inner.host.endsWith('facebook.com') && innerPath[1] !== 'plugins'
      ? facebook(inner, innerPath)
      : null;
  }
  if (s[1] === 'permalink.php' || s[1] === 'story.php') {
    const story = q('story_fbid');
    const owner = q('id');
    if (story === null || owner === null || !FB_ID.test(story) || !/^\d{1,25}$/.test(owner)) return null;
    return identity('facebook', `${owner}_${story}`,
      `https://www.facebook.com/permalink.php?story_fbid=${story}&id=${owner}`);
  }
  if (s[1] === 'photo.php' || s[1] === 'photo') return fbSimple(q('fbid'), 'https://www.facebook.com/photo/?fbid=');
  if (s[1] === 'watch') return fbSimple(q('v'), 'https://www.facebook.com/watch/?v=');
  if (s[1] === 'reel') return fbSimple(s[2] ?? null, 'https://www.facebook.com/reel/');
  const page = s[1];
  if (page === undefined || !FB_PAGE.test(page)) return null;
  if (s[2] === 'videos') return fbSimple(s[4] !== undefined && s[4] !== '' ? s[4] : s[3] ?? null, 'https://www.facebook.com/watch/?v=');
  if (s[2] === 'photos') return fbSimple(s[4] ?? null, 'https://www.facebook.com/photo/?fbid=');
  const post = s[3];
  if (s[2] !== 'posts' || post === undefined || !FB_ID.test(post)) return null;
  const owner = page.toLowerCase();
  return identity('facebook', post, `https://www.facebook.com/${owner}/posts/${post}`);
}

function fbSimple(id: string | null, prefix: string): EmbedIdentity | null {
  return id !== null && FB_ID.test(id) ? identity('facebook', id, prefix + id) : null;
}

// ── Mastodon ──

const MASTODON_PATH = /^\/(?:@([\w.-]+(?:@[\w.-]+)?)|users\/([\w.-]+)\/statuses)\/(\d{1,20})(?:\/embed)?\/?$/;

/**
 * Identity of a Mastodon status URL. Any host can run Mastodon, so this is only asked when the
 * markup says so (`blockquote.mastodon-embed`, `iframe.mastodon-embed`).
 */
export function canonicalizeMastodon(u: HttpUrl): EmbedIdentity | null {
  const m = MASTODON_PATH.exec(u.path);
  const user = m?.[1] ?? m?.[2];
  const id = m?.[3];
  if (user === undefined || id === undefined) return null;
  return identity('mastodon', id, `https://${u.authority}/@${user.toLowerCase()}/${id}`);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
