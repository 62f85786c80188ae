/**
 * The streaming pass behind `scanArticle`: htmlparser2 callbacks, no DOM. State is kept only for
 * the few regions that need it (a platform blockquote, a post link, a figure, a picture …);
 * everything else costs a Map lookup and a depth counter per tag.
 */
import { Parser, type Handler, type ParserOptions } from 'htmlparser2';
import type { AttrSpan, EmbedIdentity, ExtractedEmbed, Occurrence, Provider, Range, ScanResult } from './model.ts';
import { canonicalImageOf, canonicalize, normalizeXId, xIdentity } from './canonical-url.ts';
import { parseHttpUrl, resolveUrl, type HttpUrl } from './http-url.ts';
import { BareUrlTracker, LINKABLE } from './bare-url-tracker.ts';
import { embedScriptOfInline, embedScriptOfSrc, isScriptType, MAX_INLINE_LOADER } from './embed-script.ts';
import { extractedEmbed } from './extracted-embed.ts';
import { collapseSpace } from './html-text.ts';
import { isTrackingPixel, isUsableUrl, pickImageUrl, sourceCandidate, type SrcsetCandidate } from './image-source.ts';
import { QuoteContext } from './quote-context.ts';
import { identifyLink, identifyQuoteLinks, resolveQuote, type LinkedPost } from './quote-embed.ts';
import {
  A, BASE, BLOCK, BLOCKQUOTE, BR, CODE_MASK, CONTENT, DIV, FIGCAPTION, FIGURE, IFRAME, IMG, P,
  PICTURE, RAW, SCRIPT, SOURCE, TAGS, TEMPLATE, VOID,
} from './tag-table.ts';

export const PARSER_OPTIONS: ParserOptions = { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true };

/** Browsers stop nesting there too (Blink: 512); beyond it htmlparser2's stack handling turns quadratic. */
const MAX_DEPTH = 512;

const QUOTE_CLASSES: ReadonlyArray<readonly [string, Provider]> = [
  ['twitter-tweet', 'x'], ['twitter-video', 'x'], ['bluesky-embed', 'bluesky'],
  ['instagram-media', 'instagram'], ['tiktok-embed', 'tiktok'], ['mastodon-embed', 'mastodon'],
  ['text-post-media', 'threads'], ['reddit-embed-bq', 'reddit'], ['reddit-card', 'reddit'],
];
const IFRAME_SRC_ATTRS = ['src', 'data-src', 'data-lazy-src'] as const;

interface AnchorState {
  start: number; depth: number; post: LinkedPost; attrs: AttrSpan[]; text: string; clean: boolean; hasContent: boolean;
  /** Start of the first block inside: an unclosed link ends there rather than swallowing paragraphs. */
  blockStart: number;
}
interface FigureState { depth: number; captionDepth: number; caption: string; images: ExtractedEmbed[] }
interface SourceState { range: Range; attrs: AttrSpan[]; candidate: SrcsetCandidate | undefined }
interface PictureState { depth: number; sources: SourceState[]; embed: ExtractedEmbed | null }
interface WrapperState { start: number; depth: number; elements: number; text: boolean; occurrence: Occurrence | null }
interface ScriptState { start: number; provider: Provider | null; inline: boolean; text: string; authority: string }

/**
 * htmlparser2 keeps its open-element stack with `unshift`/`indexOf`, quadratic in the depth: 100k
 * unclosed `<div>` take seconds. Past the cap an element is reported open and closed at once (it
 * is not pushed), and a close tag is ignored. The parser asks `isVoidElement` when it opens a tag
 * (before our `onopentag`), again right after our `onopentag` (to close it at once), and for close
 * tags; the second answer must repeat the first, so the scanner hands it over.
 */
class BoundedParser extends Parser {
  constructor(private readonly scanner: ArticleScanner) {
    super(scanner, PARSER_OPTIONS);
  }

  protected override isVoidElement(name: string): boolean {
    const s = this.scanner;
    if (s.openedVoid !== null) {
      const answer = s.openedVoid;
      s.openedVoid = null;
      return answer;
    }
    // Raw-text elements never nest, and must stay on the stack for their text to stay raw.
    return super.isVoidElement(name) || (s.depth >= MAX_DEPTH && ((TAGS.get(name) ?? 0) & RAW) === 0);
  }
}

export class ArticleScanner implements Partial<Handler> {
  depth = 0;
  /** Set by `onopentag` for the parser's next `isVoidElement` question (see BoundedParser). */
  openedVoid: boolean | null = null;
  private readonly parser: Parser;
  private readonly occurrences: Occurrence[] = [];
  private readonly scripts: Range[] = [];
  /** Bare `/embed.js` scripts: Mastodon's only if a Mastodon embed of the same instance is on the page. */
  private readonly maybeMastodonScripts: Array<{ range: Range; authority: string }> = [];
  private readonly mastodonAuthorities = new Set<string>();
  private readonly tracker: BareUrlTracker;
  private readonly articleUrl: string | undefined;
  private baseUrl: string | undefined;
  private baseSeen = false;

  private rawDepth = 0;
  private inertDepth = 0;
  private lastOpenStart = -1;
  private runStart = -1;
  private runEnd = 0;

  // The current tag's attributes, kept raw (spans are worked out only for the few tags that need them).
  private attrCount = 0;
  private readonly attrNames: string[] = [];
  private readonly attrValues: string[] = [];
  private readonly attrStarts: number[] = [];
  private readonly attrEnds: number[] = [];
  private readonly attrQuotes: Array<string | null | undefined> = [];

  private quote: QuoteContext | null = null;
  private anchor: AnchorState | null = null;
  /** Depth of an open link to anything else: its text is not bare-URL material. */
  private otherLinkDepth = 0;
  private readonly figures: FigureState[] = [];
  private caption: FigureState | null = null;
  private picture: PictureState | null = null;
  private wrapper: WrapperState | null = null;
  private iframe: { start: number; post: LinkedPost } | null = null;
  private script: ScriptState | null = null;

  constructor(private readonly html: string, articleUrl: string | undefined) {
    this.articleUrl = articleUrl === undefined ? undefined : parseHttpUrl(articleUrl)?.href;
    this.baseUrl = this.articleUrl;
    this.tracker = new BareUrlTracker(html, (o) => this.occurrences.push(o));
    this.parser = new BoundedParser(this);
  }

  scan(): ScanResult {
    this.parser.end(this.html);
    const byStart = (a: Range, b: Range): number => a.start - b.start;
    this.occurrences.sort((a, b) => byStart(a.range, b.range));
    for (const { range, authority } of this.maybeMastodonScripts) {
      if (this.mastodonAuthorities.has(authority)) this.scripts.push(range);
    }
    this.scripts.sort(byStart);
    const result: ScanResult = { occurrences: this.occurrences, scripts: this.scripts };
    if (this.baseUrl !== undefined) result.baseUrl = this.baseUrl;
    return result;
  }

  // ── htmlparser2 callbacks ──

  onattribute(name: string, value: string, quote?: string | null): void {
    const i = this.attrCount++;
    this.attrNames[i] = name;
    this.attrValues[i] = value;
    // The parser reports the attribute's whole span: name start .. past the value (and its quote).
    this.attrStarts[i] = this.parser.startIndex;
    this.attrEnds[i] = this.parser.endIndex;
    this.attrQuotes[i] = quote;
  }

  onopentag(name: string, attribs: Record<string, string>): void {
    this.endRun();
    this.openTag(name, attribs);
    this.attrCount = 0;
  }

  private openTag(name: string, attribs: Record<string, string>): void {
    const info = TAGS.get(name) ?? 0;
    this.openedVoid = (info & VOID) !== 0 || (this.depth >= MAX_DEPTH && (info & RAW) === 0);
    const depth = (info & VOID) === 0 ? ++this.depth : this.depth + 1;
    const start = this.parser.startIndex;
    this.lastOpenStart = start;
    const code = info & CODE_MASK;
    if ((info & RAW) !== 0) this.rawDepth = depth;
    if (code === SCRIPT) {
      this.openScript(attribs, start);
      return;
    }
    if (this.inertDepth !== 0) return;
    if (code === TEMPLATE) {
      this.inertDepth = depth;
      return;
    }
    if (this.wrapper !== null) this.wrapper.elements++;
    if (this.quote === null && this.anchor === null && this.otherLinkDepth === 0) {
      if ((info & BLOCK) !== 0) this.tracker.boundary();
      else if ((info & CONTENT) !== 0) this.tracker.content();
    } else if (this.anchor !== null) {
      if ((info & CONTENT) !== 0) this.anchor.hasContent = true;
      if ((info & BLOCK) !== 0 && this.anchor.blockStart < 0) this.anchor.blockStart = start;
    }
    switch (code) {
      case A: return this.openAnchor(attribs, start, depth);
      case IMG: return this.openImg(attribs, start);
      case SOURCE: return this.openSource(attribs, start);
      case PICTURE:
        this.picture = { depth, sources: [], embed: null };
        return;
      case FIGURE:
        this.figures.push({ depth, captionDepth: 0, caption: '', images: [] });
        return;
      case FIGCAPTION: {
        const figure = this.figures.at(-1);
        if (figure !== undefined && this.caption === null) {
          this.caption = figure;
          figure.captionDepth = depth;
          figure.caption += ' ';
        }
        return;
      }
      case IFRAME: return this.openIframe(attribs, start);
      case BASE: return this.openBase(attribs);
      case BLOCKQUOTE: return this.openQuote(quoteProvider(attribs.class), attribs, start, depth);
      case DIV:
        if (hasClass(attribs.class, 'fb-post')) return this.openQuote('facebook', attribs, start, depth);
        return this.maybeWrapper(attribs, start, depth);
      case P:
        this.quote?.openParagraph(depth);
        return;
      case BR:
        this.quote?.lineBreak();
        if (this.caption !== null) this.caption.caption += ' ';
        return;
      default:
        if (attribs.class !== undefined) this.maybeWrapper(attribs, start, depth);
    }
  }

  ontext(data: string): void {
    if (this.rawDepth !== 0) {
      const s = this.script;
      if (s !== null && s.inline) {
        s.text += data;
        if (s.text.length > MAX_INLINE_LOADER) s.inline = false;
      }
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
    if (this.caption !== null) this.caption.caption += data;
    if (this.wrapper !== null && !this.wrapper.text && /[^ \t\n\r\f]/.test(data)) this.wrapper.text = true;
  }

  oncomment(): void {
    // A comment splits text: a URL on its own line inside `<!-- -->` is not the page's.
    this.endRun();
  }

  onclosetag(name: string, isImplied: boolean): void {
    this.endRun();
    this.openedVoid = null;
    const info = TAGS.get(name) ?? 0;
    // '' is a nested <form> the parser dropped without opening it.
    if ((info & VOID) !== 0 || name === '') return;
    const depth = this.depth--;
    const end = this.closeEnd(isImplied);
    if (depth === this.rawDepth) {
      this.rawDepth = 0;
      const code = info & CODE_MASK;
      if (code === SCRIPT) this.closeScript(end);
      else if (code === IFRAME && this.iframe !== null) this.closeIframe(end);
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
    if (this.caption !== null && depth === this.caption.captionDepth) {
      this.caption.captionDepth = 0;
      this.caption = null;
    }
    if (this.figures.at(-1)?.depth === depth) this.closeFigure();
    if (this.picture !== null && depth === this.picture.depth) this.closePicture();
    if (this.wrapper !== null && depth === this.wrapper.depth) this.closeWrapper(end);
    if ((info & BLOCK) !== 0 && this.quote === null && this.anchor === null && this.otherLinkDepth === 0) {
      this.tracker.boundary();
    }
  }

  onend(): void {
    this.endRun();
    this.tracker.end();
  }

  // ── regions ──

  private endRun(): void {
    if (this.runStart < 0) return;
    this.tracker.textRun(this.runStart, this.runEnd);
    this.runStart = -1;
  }

  /** End offset of the element being closed: its end tag, or where the parser gave up on it. */
  private closeEnd(isImplied: boolean): number {
    const p = this.parser;
    const end = !isImplied || p.startIndex === this.lastOpenStart ? p.endIndex + 1 : p.startIndex;
    return Math.min(end, this.html.length);
  }

  private attrSpans(): AttrSpan[] {
    const html = this.html;
    const out: AttrSpan[] = [];
    for (let i = 0; i < this.attrCount; i++) {
      const nameStart = this.attrStarts[i] ?? 0;
      // Attributes of a tag the parser dropped (a nested <form>) come before this tag: not ours.
      if (nameStart < this.lastOpenStart) continue;
      const span: AttrSpan = { name: this.attrNames[i] ?? '', value: this.attrValues[i] ?? '' };
      const quote = this.attrQuotes[i];
      const end = this.attrEnds[i] ?? nameStart;
      if (quote !== undefined) {
        const eq = html.indexOf('=', nameStart + 1);
        let start = eq + 1;
        if (quote === null) while (start < end && html.charCodeAt(start) <= 32) start++;
        else start = html.indexOf(quote, eq) + 1;
        span.valueRange = { start, end: quote === null ? end : end - 1 };
      }
      out.push(span);
    }
    return out;
  }

  private resolve(raw: string): HttpUrl | null {
    return resolveUrl(raw, this.baseUrl);
  }

  private openBase(attribs: Record<string, string>): void {
    const href = attribs.href;
    if (this.baseSeen || href === undefined) return;
    this.baseSeen = true;
    const u = parseHttpUrl(href.trim(), this.articleUrl);
    if (u !== null) this.baseUrl = u.href;
  }

  private openAnchor(attribs: Record<string, string>, start: number, depth: number): void {
    const href = attribs.href;
    if (href === undefined) return;
    if (this.quote !== null) {
      this.quote.openLink(href, start, this.attrSpans(), depth);
      return;
    }
    const post = mayBeLinkablePost(href) ? identifyLink(href, this.baseUrl) : null;
    if (post === null || !LINKABLE.has(post.identity.provider)) {
      this.tracker.content();
      this.otherLinkDepth = depth;
      return;
    }
    const clean = this.tracker.blockIsClean();
    this.anchor = { start, depth, post, attrs: this.attrSpans(), text: '', clean, hasContent: false, blockStart: -1 };
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

  private openImg(attribs: Record<string, string>, start: number): void {
    if (isTrackingPixel(attribs)) return;
    const pic = this.picture;
    const raw = pickImageUrl(attribs) ?? bestSource(pic);
    const u = raw === undefined ? null : this.resolve(raw);
    if (u === null) return;
    const embed = this.imageEmbed(u, attribs.alt);
    this.occurrences.push({ kind: 'img', embed, range: { start, end: this.parser.endIndex + 1 }, attrs: this.attrSpans() });
    if (pic !== null && pic.embed === null) pic.embed = embed;
  }

  private imageEmbed(u: HttpUrl, alt: string | undefined): ExtractedEmbed {
    const canonicalUrl = canonicalImageOf(u);
    const embed: ExtractedEmbed = { provider: 'image', providerId: canonicalUrl, canonicalUrl, role: 'image', url: u.href };
    const text = alt === undefined ? '' : collapseSpace(alt);
    if (text !== '') embed.alt = text;
    this.figures.at(-1)?.images.push(embed);
    return embed;
  }

  private openSource(attribs: Record<string, string>, start: number): void {
    if (this.picture === null || (attribs.srcset ?? attribs['data-srcset'] ?? attribs['data-lazy-srcset']) === undefined) return;
    const range = { start, end: this.parser.endIndex + 1 };
    this.picture.sources.push({ range, attrs: this.attrSpans(), candidate: sourceCandidate(attribs) });
  }

  private closePicture(): void {
    const pic = this.picture;
    if (pic === null) return;
    this.picture = null;
    let embed = pic.embed;
    if (embed === null) {
      // A picture without a usable <img>: its sources still name the photo.
      const raw = bestSource(pic);
      const u = raw === undefined ? null : this.resolve(raw);
      if (u === null) return;
      embed = this.imageEmbed(u, undefined);
    }
    for (const s of pic.sources) this.occurrences.push({ kind: 'img', embed, range: s.range, attrs: s.attrs });
  }

  private closeFigure(): void {
    const figure = this.figures.pop();
    if (figure === undefined) return;
    if (this.caption === figure) this.caption = null;
    const caption = collapseSpace(figure.caption);
    if (caption === '') return;
    for (const image of figure.images) image.caption = caption;
  }

  private openIframe(attribs: Record<string, string>, start: number): void {
    const mastodon = hasClass(attribs.class, 'mastodon-embed');
    let post: LinkedPost | null = null;
    for (const name of IFRAME_SRC_ATTRS) {
      const v = attribs[name];
      if (v !== undefined && isUsableUrl(v)) post = identifyLink(v, this.baseUrl, mastodon);
      if (post !== null) break;
    }
    const tweetId = attribs['data-tweet-id'];
    const fromId = tweetId === undefined ? null : xIdentity(normalizeXId(tweetId));
    if (fromId !== null && post?.identity.canonicalUrl !== fromId.canonicalUrl) {
      post = { identity: fromId, url: fromId.canonicalUrl };
    }
    if (post !== null) this.iframe = { start, post };
  }

  private closeIframe(end: number): void {
    const f = this.iframe;
    if (f === null) return;
    this.iframe = null;
    const { identity, url } = f.post;
    const occurrence: Occurrence = { kind: 'iframe', embed: extractedEmbed(identity, 'embed', url), range: { start: f.start, end } };
    this.occurrences.push(occurrence);
    if (identity.provider === 'mastodon') this.mastodonAuthorities.add(authorityOf(identity.canonicalUrl));
    if (this.wrapper !== null) this.wrapper.occurrence = occurrence;
  }

  /** `div.twitter-tweet.twitter-tweet-rendered`: what widgets.js leaves around the iframe it rendered. */
  private maybeWrapper(attribs: Record<string, string>, start: number, depth: number): void {
    if (this.wrapper === null && hasClass(attribs.class, 'twitter-tweet')) {
      this.wrapper = { start, depth, elements: 0, text: false, occurrence: null };
    }
  }

  private closeWrapper(end: number): void {
    const w = this.wrapper;
    this.wrapper = null;
    const o = w?.occurrence;
    if (w == null || o == null || w.elements !== 1 || w.text || o.embed.provider !== 'x') return;
    o.kind = 'container';
    o.range = { start: w.start, end };
  }

  private openQuote(provider: Provider | null, attribs: Record<string, string>, start: number, depth: number): void {
    if (provider === null) return;
    // A pasted blockquote left unclosed ends where the next one starts.
    if (this.quote !== null) this.closeQuote(start, true);
    this.quote = new QuoteContext(provider, start, depth, attribs);
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
      if (identity.provider === 'mastodon') this.mastodonAuthorities.add(authorityOf(identity.canonicalUrl));
    }
    // Links in the post's text to other posts are citations of their own.
    links.forEach((post, i) => {
      const link = q.links[i];
      if (post === null || link === undefined || !LINKABLE.has(post.identity.provider)) return;
      if (post.identity.canonicalUrl === resolved?.identity.canonicalUrl) return;
      const embed = extractedEmbed(post.identity, 'link', post.url);
      this.occurrences.push({ kind: 'link', embed, range: link.range, attrs: link.attrs });
    });
  }

  private openScript(attribs: Record<string, string>, start: number): void {
    const src = attribs.src ?? attribs['data-src'];
    if (src !== undefined && src.trim() !== '') {
      const provider = embedScriptOfSrc(src);
      const authority = provider === 'mastodon' ? this.resolve(src)?.authority ?? '' : '';
      this.script = provider === null ? null : { start, provider, inline: false, text: '', authority };
    } else {
      this.script = isScriptType(attribs.type) ? { start, provider: null, inline: true, text: '', authority: '' } : null;
    }
  }

  private closeScript(end: number): void {
    const s = this.script;
    if (s === null) return;
    this.script = null;
    const provider = s.inline ? embedScriptOfInline(s.text) : s.provider;
    if (provider === null) return;
    const range = { start: s.start, end };
    if (provider === 'mastodon' && !s.inline) this.maybeMastodonScripts.push({ range, authority: s.authority });
    else this.scripts.push(range);
  }
}

/** Cheap test before parsing a URL: an X status or a YouTube video URL holds one of these. */
function mayBeLinkablePost(href: string): boolean {
  return href.indexOf('tatus') !== -1 || href.indexOf('outu') !== -1;
}

/** Link text that is the URL itself, with or without scheme. */
function textNamesPost(text: string, identity: EmbedIdentity): boolean {
  const t = text.trim();
  if (t === '' || /[ \t\n\r\f]/.test(t)) return false;
  return canonicalize(/^https?:\/\//i.test(t) ? t : `https://${t}`)?.canonicalUrl === identity.canonicalUrl;
}

function bestSource(pic: PictureState | null): string | undefined {
  if (pic === null) return undefined;
  let best: SrcsetCandidate | undefined;
  for (const s of pic.sources) {
    const c = s.candidate;
    if (c !== undefined && (best === undefined || c.width > best.width)) best = c;
  }
  return best?.url;
}

function quoteProvider(cls: string | undefined): Provider | null {
  if (cls === undefined || cls.indexOf('-') === -1) return null;
  for (const [token, provider] of QUOTE_CLASSES) if (hasClass(cls, token)) return provider;
  return null;
}

/** `host[:port]` of a canonical (https) URL. */
function authorityOf(canonicalUrl: string): string {
  const end = canonicalUrl.indexOf('/', 8);
  return canonicalUrl.slice(8, end === -1 ? undefined : end);
}

/** Whether a class attribute holds this class token. */
export function hasClass(cls: string | undefined, token: string): boolean {
  if (cls === undefined) return false;
  let i = cls.indexOf(token);
  while (i !== -1) {
    const before = i === 0 ? 32 : cls.charCodeAt(i - 1);
    const after = i + token.length === cls.length ? 32 : cls.charCodeAt(i + token.length);
    if (before <= 32 && after <= 32) return true;
    i = cls.indexOf(token, i + 1);
  }
  return false;
}
