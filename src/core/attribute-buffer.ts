/**
 * The attributes of the tag being read, as htmlparser2 reports them one by one. Kept in flat
 * arrays reused from tag to tag: no object per tag or attribute unless a region asks for one.
 */
import type { AttrSpan } from './model.ts';

export type AttrGetter = (name: string) => string | undefined;

export class AttributeBuffer {
  private count = 0;
  private readonly names: string[] = [];
  private readonly values: string[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly quotes: Array<string | null | undefined> = [];
  /** Where the next attribute may start: after the tag name or the previous attribute. */
  private from = 0;
  /** A '>' came first: what follows belongs to a tag the parser dropped unannounced (a nested <form>). */
  private closed = false;
  /** `get`, bound once, for helpers that take a lookup function. */
  readonly getter: AttrGetter = (name) => this.get(name);

  constructor(private readonly html: string) {}

  /** A new tag; its name ends at `nameEnd`. */
  reset(nameEnd: number): void {
    this.count = 0;
    this.from = nameEnd;
    this.closed = false;
  }

  /**
   * One attribute: [start, end) is its whole source span as the parser reports it (name start to
   * past the value and its quote); `quote` is the quote character, null unquoted, undefined no value.
   */
  add(name: string, value: string, start: number, end: number, quote: string | null | undefined): void {
    for (let k = this.from; k < start && !this.closed; k++) if (this.html.charCodeAt(k) === 62) this.closed = true;
    this.from = end;
    if (this.closed) return;
    const i = this.count++;
    this.names[i] = name;
    this.values[i] = value;
    this.starts[i] = start;
    this.ends[i] = end;
    this.quotes[i] = quote;
  }

  /** The value of the first attribute of that name, as browsers keep it. */
  get(name: string): string | undefined {
    for (let i = 0; i < this.count; i++) if (this.names[i] === name) return this.values[i];
    return undefined;
  }

  toRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    for (let i = this.count - 1; i >= 0; i--) out[this.names[i] ?? ''] = this.values[i] ?? '';
    return out;
  }

  /** Every attribute with the exact source range of its value, for in-place rewriting. */
  spans(): AttrSpan[] {
    const html = this.html;
    const out: AttrSpan[] = [];
    for (let i = 0; i < this.count; i++) {
      const nameStart = this.starts[i] ?? 0;
      const end = this.ends[i] ?? nameStart;
      const quote = this.quotes[i];
      const span: AttrSpan = { name: this.names[i] ?? '', value: this.values[i] ?? '' };
      if (quote !== undefined) {
        // A name cannot hold '=', so the first one after its first character starts the value.
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
}
