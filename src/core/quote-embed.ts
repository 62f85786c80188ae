/** Turns a finished platform blockquote into the post it stands for and the fallback it carries. */
import type { EmbedIdentity, Fallback, Provider } from './model.ts';
import { identifyPost, normalizeXId, xIdentity } from './canonical-url.ts';
import { resolveUrl } from './http-url.ts';
import { collapseSpace } from './html-text.ts';
import type { QuoteContext, QuoteLink } from './quote-context.ts';
import { blueskyUrlFromAtUri, canonicalizeMastodon } from './social-url.ts';

export interface LinkedPost {
  identity: EmbedIdentity;
  /** The link's URL resolved to absolute. */
  url: string;
}

export interface QuoteEmbed extends LinkedPost {
  fallback: Fallback;
  /** The link the post was identified by (X: the date link); ends the quote when its tag is missing. */
  dateLink?: QuoteLink;
}

/** The post a link points to, if any (`mastodon` only with the markup's word for it). */
export function identifyLink(href: string, base: string | undefined, mastodon = false): LinkedPost | null {
  const u = resolveUrl(href, base);
  if (u === null) return null;
  const identity = mastodon ? canonicalizeMastodon(u) : identifyPost(u);
  return identity === null ? null : { identity, url: u.href };
}

// What every post URL of a quote's own platform contains; X and YouTube links are always looked at.
// Hashtag, mention and t.co links — most links in a quote — are then skipped without parsing.
const POST_HINT: Partial<Record<Provider, string>> = {
  bluesky: '/post/', instagram: 'instagr', tiktok: 'tiktok', threads: 'threads', reddit: 'redd', facebook: 'facebook',
};

/** Resolves each link of the quote once; index-aligned with `q.links`. */
export function identifyQuoteLinks(q: QuoteContext, base: string | undefined): Array<LinkedPost | null> {
  const mastodon = q.provider === 'mastodon';
  const hint = POST_HINT[q.provider];
  return q.links.map(({ href }) =>
    mastodon || href.indexOf('tatus') !== -1 || href.indexOf('outu') !== -1 || (hint !== undefined && href.indexOf(hint) !== -1)
      ? identifyLink(href, base, mastodon)
      : null);
}

export function resolveQuote(q: QuoteContext, links: Array<LinkedPost | null>, base: string | undefined): QuoteEmbed | null {
  const a = q.attribs;
  switch (q.provider) {
    case 'x': {
      const attrId = normalizeXId(a['data-tweet-id'] ?? a['data-id'] ?? '');
      const date = dateLinkOf(q, links, 'x', attrId);
      const identity = attrId !== null ? xIdentity(attrId) : date?.post.identity ?? null;
      return identity === null ? null : bylineEmbed(q, identity, date, /^\w{1,15}$/);
    }
    case 'bluesky': {
      const fromUri = blueskyUrlFromAtUri(a['data-bluesky-uri'] ?? '');
      const attrPost = fromUri === null ? null : identifyLink(fromUri, undefined);
      const date = dateLinkOf(q, links, 'bluesky', attrPost?.identity.providerId ?? null);
      const post = attrPost ?? date?.post ?? null;
      if (post === null) return null;
      const embed = bylineEmbed(q, post.identity, date, /^[\w.:-]+$/);
      return attrPost === null ? embed : { ...embed, url: attrPost.url };
    }
    case 'instagram': {
      const post = fromAttr(a['data-instgrm-permalink'], base) ?? firstOf(links, 'instagram');
      if (post === null) return null;
      const m = /A post shared by\s+(?:(.+?)\s*\(@([\w.]+)\)|@([\w.]+))/.exec(collapseSpace(q.all));
      return { ...post, fallback: compact({ authorName: m?.[1], authorHandle: m?.[2] ?? m?.[3] }) };
    }
    case 'tiktok': {
      const videoId = a['data-video-id'];
      const post = fromAttr(a.cite, base)
        ?? (videoId === undefined ? null : identifyLink(`https://www.tiktok.com/@/video/${videoId}`, undefined))
        ?? firstOf(links, 'tiktok');
      if (post === null) return null;
      const handle = handleInPath(a.cite ?? post.url);
      let text = collapseSpace(q.all).replace(/\s*♬.*$/, '');
      if (handle !== undefined) text = text.replace(new RegExp(`^@${escapeRegExp(handle)}\\s*`), '');
      return { ...post, fallback: compact({ text, authorHandle: handle }) };
    }
    case 'mastodon':
    case 'threads': {
      const attr = q.provider === 'mastodon' ? a['data-embed-url'] : a['data-text-post-permalink'];
      const post = fromAttr(attr, base, q.provider === 'mastodon') ?? firstOf(links, q.provider);
      return post === null ? null : { ...post, fallback: compact({ authorHandle: handleInPath(post.url) ?? handleInPath(post.identity.canonicalUrl) }) };
    }
    case 'reddit': {
      const i = links.findIndex((l) => l?.identity.provider === 'reddit');
      const post = links[i];
      if (post == null) return null;
      const user = q.links.map((l) => /reddit\.com\/u(?:ser)?\/([\w-]+)/.exec(l.href)?.[1]).find((u) => u !== undefined);
      return { ...post, fallback: compact({ text: collapseSpace(q.links[i]?.text ?? ''), authorHandle: user }) };
    }
    case 'facebook': {
      const post = fromAttr(a['data-href'], base) ?? firstOf(links, 'facebook');
      if (post === null) return null;
      // "Posted by <a>Page</a> on <a>date</a>": the byline links follow the post text.
      const byline = q.links.filter((l) => !l.inText);
      const last = byline.at(-1);
      return {
        ...post,
        fallback: compact({
          text: q.postText(),
          authorName: byline.length > 1 ? collapseSpace(byline[0]?.text ?? '') : undefined,
          date: last === undefined ? undefined : collapseSpace(last.text),
        }),
      };
    }
    default:
      return null;
  }
}

interface DateLink {
  link: QuoteLink;
  post: LinkedPost;
}

/** The date link: the last post link outside the text, else the last one at all; it must name `id` when one is given. */
function dateLinkOf(q: QuoteContext, links: Array<LinkedPost | null>, provider: string, id: string | null): DateLink | undefined {
  let inText: DateLink | undefined;
  for (let i = q.links.length - 1; i >= 0; i--) {
    const post = links[i];
    const link = q.links[i];
    if (post == null || link === undefined || post.identity.provider !== provider) continue;
    if (id !== null && post.identity.providerId !== id) continue;
    if (!link.inText) return { link, post };
    inText ??= { link, post };
  }
  return inText;
}

/** X and Bluesky: "<p>text</p> — Name (@handle) <a>date</a>". */
function bylineEmbed(q: QuoteContext, identity: EmbedIdentity, date: DateLink | undefined, handleRule: RegExp): QuoteEmbed {
  const byDate = date !== undefined && !date.link.inText;
  // The byline ends where the date link starts, or (no usable date link) where the last link does.
  const last = byDate ? date.link : q.links.findLast((l) => !l.inText);
  const byline = last === undefined ? q.tail : q.tail.slice(0, last.tailStart);
  const m = BYLINE.exec(byline) ?? BYLINE_NO_DASH.exec(byline);
  const handle = m?.groups?.handle;
  let text = q.postText(byDate ? date.link.textLines : undefined);
  // A CMS that strips the <p> leaves the text in front of the byline.
  if (text === '' && m?.groups?.before !== undefined) text = collapseSpace(m.groups.before);
  const fallback = compact({
    text,
    authorName: m?.groups?.name === undefined ? undefined : collapseSpace(m.groups.name),
    authorHandle: handle !== undefined && handleRule.test(handle) ? handle : undefined,
    date: byDate ? collapseSpace(date.link.text) : undefined,
  });
  const url = date !== undefined && date.post.identity.canonicalUrl === identity.canonicalUrl ? date.post.url : identity.canonicalUrl;
  return { identity, url, fallback, ...(date === undefined ? {} : { dateLink: date.link }) };
}

// The last dash before "Name (@handle)" at the end: text before it may hold dashes, the name may not.
const BYLINE = /^(?<before>[\s\S]*)[—–]\s*(?<name>[^—–]*?)\s*\(\s*@(?<handle>[^\s()]+)\s*\)\s*$/;
const BYLINE_NO_DASH = /^\s*(?<name>[^()]*?)\s*\(\s*@(?<handle>[^\s()]+)\s*\)\s*$/;

function fromAttr(value: string | undefined, base: string | undefined, mastodon = false): LinkedPost | null {
  return value === undefined ? null : identifyLink(value, base, mastodon);
}

function firstOf(links: Array<LinkedPost | null>, provider: string): LinkedPost | null {
  return links.find((l) => l?.identity.provider === provider) ?? null;
}

function handleInPath(url: string): string | undefined {
  return /\/@([\w.-]+)/.exec(url)?.[1];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Absent facts are absent fields: drops undefined and empty values. */
function compact(f: Partial<Record<keyof Fallback, string | undefined>>): Fallback {
  const out: Fallback = {};
  for (const key of ['text', 'authorName', 'authorHandle', 'date'] as const) {
    const v = f[key];
    if (v !== undefined && v !== '') out[key] = v;
  }
  return out;
}
