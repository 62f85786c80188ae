/** htmlparser2's Parser with its open-element stack kept to a browser-like depth. */
import { Parser, type Handler, type ParserOptions } from 'htmlparser2';
import { RAW, TAGS } from './tag-table.ts';

export const PARSER_OPTIONS: ParserOptions = { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true };

/** Browsers stop nesting there too (Blink: 512). */
const MAX_DEPTH = 512;

/** What the handler tells the parser about depth. */
export interface DepthTracker extends Partial<Handler> {
  /** Elements open, as the handler counts them from the parser's events. */
  depth: number;
  /** The answer for the open tag just announced (see BoundedParser), null once given. */
  openedVoid: boolean | null;
}

/** Whether an element opened at `depth` is kept off the stack. */
export function cappedAt(depth: number, name: string): boolean {
  // Raw-text elements never nest, and must stay on the stack for their text to stay raw.
  return depth >= MAX_DEPTH && ((TAGS.get(name) ?? 0) & RAW) === 0;
}

/**
 * htmlparser2 keeps its stack with `unshift`/`indexOf`: quadratic in the depth (100k unclosed
 * `<div>` take ten seconds, 100k stray close tags after them most of a minute). Past the cap an element is
 * reported opened and closed at once, never pushed, and close tags are ignored. The parser asks
 * `isVoidElement` when it opens a tag, again when the open tag ends (to close it at once), and for
 * close tags; the second answer must repeat the first, which the handler hands over.
 */
export class BoundedParser extends Parser {
  constructor(private readonly tracker: DepthTracker) {
    super(tracker, PARSER_OPTIONS);
  }

  protected override isVoidElement(name: string): boolean {
    const t = this.tracker;
    if (t.openedVoid !== null) {
      const answer = t.openedVoid;
      t.openedVoid = null;
      return answer;
    }
    return super.isVoidElement(name) || cappedAt(t.depth, name);
  }
}
