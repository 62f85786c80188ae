/**
 * Finds post URLs standing alone on their line (WordPress-style auto-embeds). It sees the article
 * as lines: a newline, `<br>` or block edge ends one. A raw-text URL must be alone on its line; a
 * link whose text is its own URL must be alone in its block (a newline inside a paragraph is only
 * source formatting around a link, while for raw text it is the CMS's line).
 */
import type { Occurrence } from './model.ts';
import { identifyPost } from './canonical-url.ts';
import { parseHttpUrl } from './http-url.ts';
import { extractedEmbed } from './extracted-embed.ts';
import { decodeUrlEntities, isHtmlSpace } from './html-text.ts';

interface Pending {
  occurrence: Occurrence;
  /** A link candidate falls back to an ordinary link when more content joins its block. */
  otherwise: Occurrence | null;
}

/** Only these providers turn a bare URL or in-text link into an embed/link of the article. */
export const LINKABLE = new Set(['x', 'youtube']);

export class BareUrlTracker {
  /** Content since the last line end (newline, `<br>`, block edge). */
  private lineDirty = false;
  /** Content since the last `<br>` or block edge. */
  private blockDirty = false;
  private pending: Pending | null = null;
  private pendingIsText = false;
  /** Next '\n' at or after the last position asked; runs only move forward, so search stays linear. */
  private nextNl = -1;

  constructor(
    private readonly html: string,
    private readonly emit: (o: Occurrence) => void,
  ) {}

  /** Block edge or `<br>`: whatever was pending stood alone. */
  boundary(): void {
    this.flush();
    this.lineDirty = false;
    this.blockDirty = false;
  }

  /** Something visible that is not text (an image, a link elsewhere): nothing pending stood alone. */
  content(): void {
    if (this.pending !== null) {
      if (this.pending.otherwise !== null) this.emit(this.pending.otherwise);
      this.pending = null;
    }
    this.lineDirty = true;
    this.blockDirty = true;
  }

  /** Whether a link opening now would be alone so far in its block. */
  blockIsClean(): boolean {
    return !this.blockDirty;
  }

  /** A link whose text is its URL, alone so far: an embed if its block ends before more content. */
  offerLink(embed: Occurrence, link: Occurrence): void {
    this.content();
    this.pending = { occurrence: embed, otherwise: link };
    this.pendingIsText = false;
  }

  /**
   * A run of text [start, end) of the source with no tag inside. Only a line's first character is
   * looked at unless it is an `h`: long paragraphs cost a newline search, never a substring search.
   */
  textRun(start: number, end: number): void {
    let lineStart = start;
    for (;;) {
      const nl = this.newlineAfter(lineStart);
      this.line(lineStart, nl < end ? nl : end);
      if (nl >= end) return;
      this.newline();
      lineStart = nl + 1;
    }
  }

  end(): void {
    this.flush();
  }

  private newline(): void {
    if (this.pendingIsText) this.flush();
    this.lineDirty = false;
  }

  private flush(): void {
    if (this.pending !== null) this.emit(this.pending.occurrence);
    this.pending = null;
    this.pendingIsText = false;
  }

  private line(start: number, end: number): void {
    const html = this.html;
    const s = skipBlank(html, start, end);
    if (s === end) return;
    const alone = !this.lineDirty;
    this.content();
    if (alone && html.startsWith('http', s)) this.urlLine(s, end);
  }

  private urlLine(s: number, end: number): void {
    const html = this.html;
    let e = s;
    while (e < end && !isHtmlSpace(html.charCodeAt(e)) && nbspAt(html, e) === 0) e++;
    if (skipBlank(html, e, end) !== end) return;
    const raw = html.slice(s, e);
    if (raw.indexOf('<') !== -1 || !/^https?:\/\//.test(raw)) return;
    const u = parseHttpUrl(decodeUrlEntities(raw));
    const identity = u === null ? null : identifyPost(u);
    if (u === null || identity === null || !LINKABLE.has(identity.provider)) return;
    this.pending = {
      occurrence: { kind: 'bare-url', embed: extractedEmbed(identity, 'embed', u.href), range: { start: s, end: e } },
      otherwise: null,
    };
    this.pendingIsText = true;
  }

  private newlineAfter(from: number): number {
    if (this.nextNl < from) {
      const k = this.html.indexOf('\n', from);
      this.nextNl = k === -1 ? this.html.length : k;
    }
    return this.nextNl;
  }
}

// Editors pad lines with no-break spaces (`<p>&nbsp;URL&nbsp;</p>`): blank around a URL, never part of it.
const NBSP_ENTITY = /&(?:nbsp;|#0*160;|#x0*a0;)/iy;

/** Length of the no-break space written at `i` (the character or an entity), 0 if none. */
function nbspAt(html: string, i: number): number {
  const c = html.charCodeAt(i);
  if (c === 0xa0) return 1;
  if (c !== 38) return 0;
  NBSP_ENTITY.lastIndex = i;
  return NBSP_ENTITY.test(html) ? NBSP_ENTITY.lastIndex - i : 0;
}

/** The first position in [i, end) that is neither whitespace nor a no-break space. */
function skipBlank(html: string, i: number, end: number): number {
  while (i < end) {
    if (isHtmlSpace(html.charCodeAt(i))) {
      i++;
    } else {
      const n = nbspAt(html, i);
      if (n === 0) break;
      i += n;
    }
  }
  return i;
}
