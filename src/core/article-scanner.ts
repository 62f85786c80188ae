/**
 * The streaming pass behind `scanArticle`: htmlparser2 callbacks, no DOM. State is kept only for
 * the few regions that need it (a platform blockquote, a post link, a figure …); any other tag
 * costs a Map lookup and a depth counter. `onopentag` is not listened to, so the parser builds no
 * attribute object per tag: attributes are buffered, and an open tag is handled at the next event.
 */
import type { AttrSpan, EmbedIdentity, Occurrence, Provider, ScanResult } from './model.ts';
import { AttributeBuffer } from './attribute-buffer.ts';
import { BareUrlTracker, LINKABLE } from './bare-url-tracker.ts';
import { BoundedParser, cappedAt, type DepthTracker } from './bounded-parser.ts';
import { canonicalize } from './canonical-url.ts';
import { extractedEmbed } from './extracted-embed.ts';
import { hasClass } from './html-text.ts';
import { parseHttpUrl, resolveUrl, type HttpUrl } from './http-url.ts';
import { IframeCollector } from './iframe-collector.ts';
import { ImageCollector } from './image-collector.ts';
import { QuoteContext } from './quote-context.ts';
import { identifyLink, identifyQuoteLinks, resolveQuote, type LinkedPost } from './quote-embed.ts';
import { ScriptCollector } from './script-collector.ts';
import {
  A, BASE, BLOCK, BLOCKQUOTE, BR, CODE_MASK, CONTENT, DIV, FIGCAPTION, FIGURE, IFRAME, IMG, P,
  PICTURE, RAW, SCRIPT, SOURCE, TAGS, TEMPLATE, VOID,
} from './tag-table.ts';

const QUOTE_CLASSES: ReadonlyArray<readonly [string, Provider]> = [
  ['twitter-tweet', 'x'], ['twitter-video', 'x'], ['bluesky-embed', 'bluesky'],
  ['instagram-media', 'instagram'], ['tiktok-embed', 'tiktok'], ['mastodon-embed', 'mastodon'],
  ['text-post-media', 'threads'], ['reddit-embed-bq', 'reddit'], ['reddit-card', 'reddit'],
];
const PLATFORM_HOST = /(?:^|\.)(?:twitter\.com|x\.com|youtube\.com|youtube-nocookie\.com|youtu\.be)$/;

interface Anchor {
  start: number; depth: number; post: LinkedPost; attrs: AttrSpan[]; text: string; clean: boolean; hasContent: boolean;
  /** Start of the first block inside: an unclosed link ends there rather than swallowing paragraphs. */
  blockStart: number;
}

export class ArticleScanner implements DepthTracker {
  depth = 0;
  openedVoid: boolean | null = null;
  private readonly parser: BoundedParser;
  private readonly occurrences: Occurrence[] = [];
  private readonly attrs: AttributeBuffer;
  private readonly tracker: BareUrlTracker;
  private readonly images: ImageCollector;
  private readonly iframes: IframeCollector;
  private readonly scripts: ScriptCollector;
  private readonly articleUrl: string | undefined;
  private baseUrl: string | undefined;
  private baseSeen = false;
  /** Relative links can name posts only on the platforms' own pages. */
  private baseIsPlatform = false;

  /** The open tag announced and not handled yet (its attributes are still arriving). */
  private pendingInfo = 0;
  private pendingDepth = 0;
  private pendingStart = -1;
  private rawDepth = 0;
  private inertDepth = 0;
  private runStart = -1;
  private runEnd = 0;

  private quote: QuoteContext | null = null;
  private anchor: Anchor | null = null;
  /** Depth of an open link to anything else: its text is not bare-URL material. */
  private otherLinkDepth = 0;

  constructor(private readonly html: string, articleUrl: string | undefined) {
    this.articleUrl = articleUrl === undefined ? undefined : parseHttpUrl(articleUrl)?.href;
    this.setBase(this.articleUrl);
    const emit = (o: Occurrence): void => {
      this.occurrences.push(o);
    };
    const resolve = (raw: string): HttpUrl | null => resolveUrl(raw, this.baseUrl);
    this.attrs = new AttributeBuffer(html);
    this.tracker = new BareUrlTracker(html, emit);
    this.images = new ImageCollector({ resolve, emit });
    this.iframes = new IframeCollector(emit);
    this.scripts = new ScriptCollector(resolve);
    this.parser = new BoundedParser(this);
  }

  scan(): ScanResult {
    this.parser.end(this.html);
    this.occurrences.sort((a, b) => a.range.start - b.range.start);
    const result: ScanResult = { occurrences: this.occurrences, scripts: this.scripts.result() };
    if (this.baseUrl !== undefined) result.baseUrl = this.baseUrl;
    return result;
  }

  // ── htmlparser2 callbacks ──

  onopentagname(name: string): void {
    if (this.pendingStart >= 0) this.openTag();
    this.endRun();
    const info = TAGS.get(name) ?? 0;
    // The parser has just decided whether to push this element (see BoundedParser): same answer.
    this.openedVoid = (info & VOID) !== 0 || cappedAt(this.depth, name);
    this.pendingInfo = info;
    this.pendingDepth = (info & VOID) === 0 ? ++this.depth : this.depth + 1;
    this.pendingStart = this.parser.startIndex;
    this.attrs.reset(this.parser.endIndex);
  }

  onattribute(name: string, value: string, quote?: string | null): void {
    this.attrs.add(name, value, this.parser.startIndex, this.parser.endIndex, quote);
  }

  ontext(data: string): void {
    if (this.pendingStart >= 0) this.openTag();
    if (this.rawDepth !== 0) {
      this.scripts.text(data);
      return;
    }
    if (this.inertDepth !== 0) return;
    if (this.quote !== null) this.quote.text(data);
    else if (this.anchor !== null) this.anchor.text += data;
    else if (this.otherLinkDepth === 0) {
      const p = this.parser;
      if (this.runStart < 0) this.runStart = p.startIndex;
      this.runEnd = p.endIndex + 1;
    }
    if (this.images.inCaption) this.images.captionText(data);
    if (this.iframes.inWrapper) this.iframes.text(data);
  }

  oncomment(): void {
    if (this.pendingStart >= 0) this.openTag();
    // A comment splits text: a URL on its own line inside `<!-- -->` is not the page's.
    this.endRun();
  }

  onclosetag(name: string, isImplied: boolean): void {
    // Only the `</br>` oddity opens a tag without asking isVoidElement after it: clear its answer.
    this.openedVoid = null;
    const selfClosed = this.pendingStart >= 0 && this.parser.startIndex === this.pendingStart;
    if (this.pendingStart >= 0) this.openTag();
    this.endRun();
    const info = TAGS.get(name) ?? 0;
    // Void closes are the parser's echo of the open tag; '' is a nested <form> it dropped.
    if ((info & VOID) !== 0 || name === '') return;
    const depth = this.depth--;
    const end = this.closeEnd(isImplied, selfClosed);
    if (depth === this.rawDepth) {
      this.rawDepth = 0;
      const code = info & CODE_MASK;
      if (code === SCRIPT) this.scripts.closeScript(end);
      else if (code === IFRAME) {
        const o = this.iframes.closeIframe(end);
        if (o !== null) this.scripts.embedSeen(o.embed);
      }
    }
    if (this.inertDepth !== 0) {
      if (depth === this.inertDepth) this.inertDepth = 0;
      return;
    }
    if (this.quote !== null) {
      if (depth === this.quote.depth) this.closeQuote(end, isImplied);
      else this.quote.closeElement(depth, end);
    } else if (this.anchor !== null && depth === this.anchor.depth) {
      this.closeAnchor(isImplied && this.anchor.blockStart >= 0 ? this.anchor.blockStart : end);
    }
    if (depth === this.otherLinkDepth) this.otherLinkDepth = 0;
    this.images.closeAt(depth);
    this.iframes.closeAt(depth, end);
    if ((info & BLOCK) !== 0 && this.quote === null && this.anchor === null && this.otherLinkDepth === 0) {
      this.tracker.boundary();
    }
  }

  onend(): void {
    if (this.pendingStart >= 0) this.openTag();
    this.endRun();
    this.tracker.end();
  }

  // ── open tags ──

  /** Handles the pending open tag, now that all its attributes are known. */
  private openTag(): void {
    const p = this.parser;
    const start = this.pendingStart;
    // Past the tag already, or (void and self-closed tags) still on its '>'.
    const tagEnd = Math.min(p.startIndex > start ? p.startIndex : p.endIndex + 1, this.html.length);
    const info = this.pendingInfo;
    const depth = this.pendingDepth;
    const code = info & CODE_MASK;
    this.pendingStart = -1;
    if ((info & RAW) !== 0) this.rawDepth = depth;
    if (code === SCRIPT) return this.scripts.openScript(this.attrs, start);
    if (this.inertDepth !== 0) return;
    if (code === TEMPLATE) {
      this.inertDepth = depth;
      return;
    }
    this.iframes.openElement(this.attrs, start, depth, code !== IFRAME && code !== BLOCKQUOTE);
    if (this.quote === null && this.anchor === null && this.otherLinkDepth === 0) {
      if ((info & BLOCK) !== 0) this.tracker.boundary();
      else if ((info & CONTENT) !== 0) this.tracker.content();
    } else if (this.anchor !== null) {
      if ((info & CONTENT) !== 0) this.anchor.hasContent = true;
      if ((info & BLOCK) !== 0 && this.anchor.blockStart < 0) this.anchor.blockStart = start;
    }
    const attrs = this.attrs;
    switch (code) {
      case A: return this.openAnchor(start, depth);
      case IMG: return this.images.img(attrs, { start, end: tagEnd });
      case SOURCE: return this.images.source(attrs, { start, end: tagEnd });
      case PICTURE: return this.images.openPicture(depth);
      case FIGURE: return this.images.openFigure(depth);
      case FIGCAPTION: return this.images.openFigcaption(depth);
      case IFRAME: return this.iframes.openIframe(attrs, start, this.baseUrl);
      case BASE: return this.openBase();
      case BLOCKQUOTE: return this.openQuote(quoteProvider(attrs.get('class')), start, depth);
      case DIV:
        if (hasClass(attrs.get('class'), 'fb-post')) this.openQuote('facebook', start, depth);
        return;
      case P:
        this.quote?.openParagraph(depth);
        return;
      case BR:
        this.quote?.lineBreak();
        if (this.images.inCaption) this.images.captionText(' ');
    }
  }

  private endRun(): void {
    if (this.runStart < 0) return;
    this.tracker.textRun(this.runStart, this.runEnd);
    this.runStart = -1;
  }

  /** End offset of the element being closed: its end tag, or where the parser gave up on it. */
  private closeEnd(isImplied: boolean, selfClosed: boolean): number {
    const p = this.parser;
    const end = !isImplied || selfClosed ? p.endIndex + 1 : p.startIndex;
    return Math.min(end, this.html.length);
  }

  private openBase(): void {
    const href = this.attrs.get('href');
    if (this.baseSeen || href === undefined) return;
    this.baseSeen = true;
    const u = parseHttpUrl(href.trim(), this.articleUrl);
    if (u !== null) this.setBase(u.href);
  }

  private setBase(url: string | undefined): void {
    this.baseUrl = url;
    this.baseIsPlatform = url !== undefined && PLATFORM_HOST.test(parseHttpUrl(url)?.host ?? '');
  }

  /** Cheap test before parsing a URL: an X status or a YouTube video URL holds one of these. */
  private mayBeLinkablePost(href: string): boolean {
    // Most links of a page are relative: site navigation, never a post.
    const c = href.charCodeAt(0);
    if (c === 47 ? href.charCodeAt(1) !== 47 : (c | 32) !== 104 && c > 32) {
      if (!this.baseIsPlatform) return false;
    }
    return href.indexOf('tatus') !== -1 || href.indexOf('outu') !== -1;
  }

  // ── links ──

  private openAnchor(start: number, depth: number): void {
    const href = this.attrs.get('href');
    if (href === undefined) return;
    if (this.quote !== null) {
      this.quote.openLink(href, start, this.attrs.spans(), depth);
      return;
    }
    const post = this.mayBeLinkablePost(href) ? identifyLink(href, this.baseUrl) : null;
    if (post === null || !LINKABLE.has(post.identity.provider)) {
      this.tracker.content();
      this.otherLinkDepth = depth;
      return;
    }
    const clean = this.tracker.blockIsClean();
    this.anchor = { start, depth, post, attrs: this.attrs.spans(), text: '', clean, hasContent: false, blockStart: -1 };
  }

  private closeAnchor(end: number): void {
    const a = this.anchor;
    if (a === null) return;
    this.anchor = null;
    const { identity, url } = a.post;
    const range = { start: a.start, end };
    const link: Occurrence = { kind: 'link', embed: extractedEmbed(identity, 'link', url), range, attrs: a.attrs };
    if (a.clean && !a.hasContent && textNamesPost(a.text, identity)) {
      this.tracker.offerLink({ kind: 'bare-url', embed: extractedEmbed(identity, 'embed', url), range, attrs: a.attrs }, link);
    } else {
      this.occurrences.push(link);
      this.tracker.content();
    }
  }

  // ── pasted posts ──

  private openQuote(provider: Provider | null, start: number, depth: number): void {
    if (provider === null) return;
    // A pasted blockquote left unclosed ends where the next one starts.
    if (this.quote !== null) this.closeQuote(start, true);
    this.quote = new QuoteContext(provider, start, depth, this.attrs.toRecord());
  }

  private closeQuote(end: number, isImplied: boolean): void {
    const q = this.quote;
    if (q === null) return;
    this.quote = null;
    const links = identifyQuoteLinks(q, this.baseUrl);
    const resolved = resolveQuote(q, links, this.baseUrl);
    if (resolved !== null) {
      const { identity, url, fallback, dateLink } = resolved;
      // Unclosed: the post ends with its date link, not with whatever the page puts after it.
      const quoteEnd = isImplied && dateLink !== undefined ? dateLink.range.end : end;
      const embed = extractedEmbed(identity, 'embed', url);
      if (Object.keys(fallback).length > 0) embed.fallback = fallback;
      this.occurrences.push({ kind: 'blockquote', embed, range: { start: q.start, end: quoteEnd } });
      this.scripts.embedSeen(identity);
    }
    // Links in the post's text to other posts are citations of their own.
    links.forEach((post, i) => {
      const link = q.links[i];
      if (post === null || link === undefined || !LINKABLE.has(post.identity.provider)) return;
      if (post.identity.canonicalUrl === resolved?.identity.canonicalUrl) return;
      this.occurrences.push({ kind: 'link', embed: extractedEmbed(post.identity, 'link', post.url), range: link.range, attrs: link.attrs });
    });
  }
}

/** Link text that is the URL itself, with or without scheme. */
function textNamesPost(text: string, identity: EmbedIdentity): boolean {
  const t = text.trim();
  if (t === '' || /[ \t\n\r\f]/.test(t)) return false;
  return canonicalize(/^https?:\/\//i.test(t) ? t : `https://${t}`)?.canonicalUrl === identity.canonicalUrl;
}

function quoteProvider(cls: string | undefined): Provider | null {
  if (cls === undefined || cls.indexOf('-') === -1) return null;
  for (const [token, provider] of QUOTE_CLASSES) if (hasClass(cls, token)) return provider;
  return null;
}

