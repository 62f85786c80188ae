/** Embed iframes (YouTube players, posts rendered by widgets.js) and the wrapper widgets.js leaves around them. */
import type { Occurrence } from './model.ts';
import type { AttributeBuffer } from './attribute-buffer.ts';
import { normalizeXId, xIdentity } from './canonical-url.ts';
import { extractedEmbed } from './extracted-embed.ts';
import { hasClass } from './html-text.ts';
import { isUsableUrl } from './image-source.ts';
import { identifyLink, type LinkedPost } from './quote-embed.ts';

const SRC_ATTRS = ['src', 'data-src', 'data-lazy-src'] as const;

/** `div.twitter-tweet.twitter-tweet-rendered`: replaced as a whole when the iframe is all it holds. */
interface Wrapper { start: number; depth: number; elements: number; text: boolean; occurrence: Occurrence | null }

export class IframeCollector {
  private iframe: { start: number; post: LinkedPost } | null = null;
  private wrapper: Wrapper | null = null;

  constructor(private readonly emit: (o: Occurrence) => void) {}

  get inWrapper(): boolean {
    return this.wrapper !== null;
  }

  openIframe(attrs: AttributeBuffer, start: number, base: string | undefined): void {
    const mastodon = hasClass(attrs.get('class'), 'mastodon-embed');
    let post: LinkedPost | null = null;
    for (const name of SRC_ATTRS) {
      const v = attrs.get(name);
      if (v !== undefined && isUsableUrl(v)) post = identifyLink(v, base, mastodon);
      if (post !== null) break;
    }
    const tweetId = attrs.get('data-tweet-id');
    const fromId = tweetId === undefined ? null : xIdentity(normalizeXId(tweetId));
    if (fromId !== null && post?.identity.canonicalUrl !== fromId.canonicalUrl) post = { identity: fromId, url: fromId.canonicalUrl };
    if (post !== null) this.iframe = { start, post };
  }

  /** The iframe's end tag (its content is raw text: nothing can stand between). */
  closeIframe(end: number): Occurrence | null {
    const f = this.iframe;
    if (f === null) return null;
    this.iframe = null;
    const occurrence: Occurrence = { kind: 'iframe', embed: extractedEmbed(f.post.identity, 'embed', f.post.url), range: { start: f.start, end } };
    this.emit(occurrence);
    if (this.wrapper !== null) this.wrapper.occurrence = occurrence;
    return occurrence;
  }

  /** Any element opening: counted inside a wrapper, or (`mayWrap`: not the iframe or blockquote itself) one. */
  openElement(attrs: AttributeBuffer, start: number, depth: number, mayWrap: boolean): void {
    if (this.wrapper !== null) this.wrapper.elements++;
    else if (mayWrap && hasClass(attrs.get('class'), 'twitter-tweet')) this.wrapper = { start, depth, elements: 0, text: false, occurrence: null };
  }

  text(data: string): void {
    if (this.wrapper !== null && !this.wrapper.text && /[^ \t\n\r\f]/.test(data)) this.wrapper.text = true;
  }

  closeAt(depth: number, end: number): void {
    const w = this.wrapper;
    if (w === null || depth !== w.depth) return;
    this.wrapper = null;
    const o = w.occurrence;
    if (o === null || w.elements !== 1 || w.text || o.embed.provider !== 'x') return;
    o.kind = 'container';
    o.range = { start: w.start, end };
  }
}
