import type { CardModel } from './card-model.ts';
import { encodeParts } from './encode-parts.ts';
import { escapeAttr } from './escape-html.ts';
import type { Occurrence, ScanResult } from './model.ts';
import { CARD_CSS, renderCard } from './render-card.ts';
import { ENHANCE_SCRIPT, enhanceBlock } from './render-enhance.ts';
import { loaderStatusRanges, rewriteImageAttrs } from './rewrite-image.ts';

export type RenderMode = 'static' | 'enhance';

export interface RewriteOptions {
  mode: RenderMode;
  /** Cards of the archived embeds, by canonical URL. An embed without one falls back to the article's own text. */
  cards: ReadonlyMap<string, CardModel>;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

const REPLACED = new Set(['blockquote', 'iframe', 'container', 'bare-url']);

/**
 * Rewrites an article around its embeds, given the scan of that exact string: embed occurrences
 * become archived cards, article images point at our copies, in-text post links gain Robust Links
 * attributes, and in static mode every embed script goes. Every byte outside those ranges is kept.
 */
export function rewriteArticle(html: string, scan: ScanResult, options: RewriteOptions): string {
  return editParts(html, rewriteEdits(html, scan, options)).join('');
}

/** The same rewrite as UTF-8 bytes, as it is served, built without joining the article into one string first. */
export function rewriteArticleBytes(html: string, scan: ScanResult, options: RewriteOptions): Uint8Array {
  return encodeParts(editParts(html, rewriteEdits(html, scan, options)));
}

function rewriteEdits(html: string, scan: ScanResult, options: RewriteOptions): Edit[] {
  const edits: Edit[] = [];
  let assets = false;
  const withAssets = (block: string) => {
    if (assets) return block;
    assets = true;
    // One stylesheet (and, to enhance, one script) per article, in front of the first card.
    return `<style data-embedkeep>${CARD_CSS}</style>${options.mode === 'enhance' ? ENHANCE_SCRIPT : ''}${block}`;
  };
  for (const o of scan.occurrences) {
    const card = options.cards.get(o.embed.canonicalUrl);
    if (REPLACED.has(o.kind)) {
      const model = card ?? fallbackCard(o);
      const rendered = renderCard(model, { mode: options.mode });
      const original = html.slice(o.range.start, o.range.end);
      edits.push({ ...o.range, text: withAssets(options.mode === 'enhance' ? enhanceBlock(model, rendered, original, o.kind) : rendered) });
    } else if (o.kind === 'img' && card) {
      const rewritten = rewriteImageAttrs(html, o, card);
      edits.push(...rewritten);
      if (rewritten.length) for (const r of loaderStatusRanges(html, o)) edits.push({ ...r, text: '' });
    } else if (o.kind === 'link' && card?.archivedAt) {
      edits.push(robustLink(o, card));
    }
  }
  if (options.mode === 'static') for (const s of scan.scripts) edits.push({ ...s, text: '' });
  return edits;
}

/** Robust Links (robustlinks.mementoweb.org): the link keeps its href and names the archived copy. */
function robustLink(o: Occurrence, card: CardModel): Edit {
  const at = o.range.start + 2; // just after "<a"
  const attrs = ` data-originalurl="${escapeAttr(o.embed.url)}" data-versionurl="${escapeAttr(card.cardUrl)}" data-versiondate="${escapeAttr(card.archivedAt!.slice(0, 10))}"`;
  return { start: at, end: at, text: attrs };
}

/** A card from what the article itself says, for an embed that was never archived. */
function fallbackCard(o: Occurrence): CardModel {
  const e = o.embed;
  return {
    id: `unarchived:${e.canonicalUrl}`,
    provider: e.provider,
    status: 'pending',
    availability: 'unknown',
    originalUrl: e.url,
    canonicalUrl: e.canonicalUrl,
    cardUrl: e.url,
    ...(e.fallback ? { fallback: e.fallback } : {}),
    media: [],
  };
}

/** Applies non-overlapping edits; an edit inside an earlier one (e.g. a link inside a replaced blockquote) is dropped. */
export function applyEdits(html: string, edits: Edit[]): string {
  return editParts(html, edits).join('');
}

/** The kept slices of `html` and the edits' texts, in output order. */
function editParts(html: string, edits: Edit[]): string[] {
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  const parts: string[] = [];
  let pos = 0;
  for (const e of edits) {
    if (e.start < pos) continue;
    parts.push(html.slice(pos, e.start), e.text);
    pos = e.end;
  }
  parts.push(html.slice(pos));
  return parts;
}
