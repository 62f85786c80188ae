/** What the scanner gathers while inside a platform's pasted blockquote: post text, byline, links. */
import type { AttrSpan, Provider, Range } from './model.ts';
import { collapseSpace } from './html-text.ts';

export interface QuoteLink {
  /** The href as written (entities decoded), not yet resolved. */
  href: string;
  text: string;
  /** Inside the post text (`<p>`), as opposed to the byline/date part. */
  inText: boolean;
  range: Range;
  attrs: AttrSpan[];
  /** Where the link's text starts in `QuoteContext.tail` (links outside the post text). */
  tailStart: number;
  /** Lines of post text before the link: a date link ends the post even when the quote is left open. */
  textLines: number;
}

export class QuoteContext {
  /** Finished lines of the post text; '' marks a blank line (`<br><br>`, paragraph gap). */
  private readonly lines: string[] = [];
  private line = '';
  private textDepth = 0;
  /** Text outside the `<p>`: "— Name (@handle) date" and whatever a CMS left there. */
  tail = '';
  /** All text, in document order (Instagram/TikTok keep their byline in odd places). */
  all = '';
  readonly links: QuoteLink[] = [];
  private link: QuoteLink | null = null;
  private linkDepth = 0;

  constructor(
    readonly provider: Provider,
    readonly start: number,
    readonly depth: number,
    readonly attribs: Record<string, string>,
  ) {}

  text(data: string): void {
    this.all += data;
    if (this.link !== null) this.link.text += data;
    if (this.textDepth !== 0) this.line += data;
    else this.tail += data;
  }

  openParagraph(depth: number): void {
    if (this.textDepth !== 0) return;
    this.flushLine();
    if (this.lines.length > 0) this.lines.push('');
    this.textDepth = depth;
  }

  lineBreak(): void {
    if (this.textDepth === 0) {
      this.tail += ' ';
      return;
    }
    this.lines.push(this.line);
    this.line = '';
  }

  openLink(href: string, start: number, attrs: AttrSpan[], depth: number): void {
    this.link = {
      href, text: '', inText: this.textDepth !== 0, range: { start, end: start }, attrs,
      tailStart: this.tail.length, textLines: this.lines.length + (this.line === '' ? 0 : 1),
    };
    this.linkDepth = depth;
  }

  /** An element inside the quote closed at `depth`, ending at `end`. */
  closeElement(depth: number, end: number): void {
    if (depth === this.linkDepth && this.link !== null) {
      this.link.range.end = end;
      this.links.push(this.link);
      this.link = null;
      this.linkDepth = 0;
    }
    if (depth === this.textDepth) {
      this.flushLine();
      this.textDepth = 0;
    }
  }

  /** The post text (its first `lines` lines): whitespace collapsed per line, `<br>` kept as newlines, no blank lines at the ends. */
  postText(lines = Number.POSITIVE_INFINITY): string {
    this.flushLine();
    const out = this.lines.slice(0, lines).map(collapseSpace);
    let from = 0;
    let to = out.length;
    while (from < to && out[from] === '') from++;
    while (to > from && out[to - 1] === '') to--;
    return out.slice(from, to).join('\n').replace(/\n{3,}/g, '\n\n');
  }

  private flushLine(): void {
    if (this.line === '') return;
    this.lines.push(this.line);
    this.line = '';
  }
}
