/** The platforms' embed scripts of a page, wherever they stand (static rendering removes them all). */
import type { EmbedIdentity, Provider, Range } from './model.ts';
import type { AttributeBuffer } from './attribute-buffer.ts';
import { embedScriptOfInline, embedScriptOfSrc, isScriptType, MAX_INLINE_LOADER } from './embed-script.ts';
import type { HttpUrl } from './http-url.ts';

interface OpenScript { start: number; provider: Provider | null; inline: boolean; text: string; authority: string }

export class ScriptCollector {
  private open: OpenScript | null = null;
  private readonly ranges: Range[] = [];
  /** Bare `/embed.js` scripts: Mastodon's only if a Mastodon embed of the same instance is on the page. */
  private readonly maybeMastodon: Array<{ range: Range; authority: string }> = [];
  private readonly mastodonAuthorities = new Set<string>();

  constructor(private readonly resolve: (raw: string) => HttpUrl | null) {}

  openScript(attrs: AttributeBuffer, start: number): void {
    const src = attrs.get('src') ?? attrs.get('data-src');
    if (src !== undefined && src.trim() !== '') {
      const provider = embedScriptOfSrc(src);
      const authority = provider === 'mastodon' ? this.resolve(src)?.authority ?? '' : '';
      this.open = provider === null ? null : { start, provider, inline: false, text: '', authority };
    } else {
      this.open = isScriptType(attrs.get('type')) ? { start, provider: null, inline: true, text: '', authority: '' } : null;
    }
  }

  /** Raw text of the open script (a loader, perhaps). */
  text(data: string): void {
    const s = this.open;
    if (s === null || !s.inline) return;
    s.text += data;
    if (s.text.length > MAX_INLINE_LOADER) s.inline = false;
  }

  closeScript(end: number): void {
    const s = this.open;
    if (s === null) return;
    this.open = null;
    const provider = s.inline ? embedScriptOfInline(s.text) : s.provider;
    if (provider === null) return;
    const range = { start: s.start, end };
    if (provider === 'mastodon' && !s.inline) this.maybeMastodon.push({ range, authority: s.authority });
    else this.ranges.push(range);
  }

  /** An embed found on the page: a Mastodon post vouches for its instance's `/embed.js`. */
  embedSeen(identity: EmbedIdentity): void {
    if (identity.provider !== 'mastodon') return;
    const url = identity.canonicalUrl;
    const end = url.indexOf('/', 8);
    this.mastodonAuthorities.add(url.slice(8, end === -1 ? undefined : end));
  }

  /** Every embed script, in document order. */
  result(): Range[] {
    const out = [...this.ranges];
    for (const { range, authority } of this.maybeMastodon) if (this.mastodonAuthorities.has(authority)) out.push(range);
    return out.sort((a, b) => a.start - b.start);
  }
}
