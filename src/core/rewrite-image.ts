import type { CardModel } from './card-model.ts';
import type { ImageView } from './embed-view.ts';
import { escapeAttr } from './escape-html.ts';
import type { AttrSpan, Occurrence } from './model.ts';

const URL_ATTRS = new Set(['src', 'data-src', 'data-lazy-src', 'data-original', 'data-original-src', 'data-url', 'data-hi-res-src']);
const SRCSET_ATTRS = new Set(['srcset', 'data-srcset', 'data-lazy-srcset']);

/** The srcset of our copies: WebP renditions (every browser that honours srcset decodes WebP) plus the original. */
export function copySrcset(image: ImageView): string {
  const webp = image.renditions.filter((r) => r.format === 'webp');
  const widest = webp.reduce((w, r) => Math.max(w, r.width), 0);
  const entries = webp.map((r) => `${r.url} ${r.width}w`);
  if (image.width && image.width > widest) entries.push(`${image.url} ${image.width}w`);
  return entries.join(', ');
}

/**
 * Points an archived article image at our copy, in place: src, srcset and the lazy-loader attributes,
 * so the photo shows with no script. An <img> that had no src gets one.
 */
export function rewriteImageAttrs(html: string, o: Occurrence, card: CardModel): Array<{ start: number; end: number; text: string }> {
  const image = card.screenshot ?? card.media[0];
  if (!image || card.status !== 'archived') return [];
  const srcset = copySrcset(image);
  const edits: Array<{ start: number; end: number; text: string }> = [];
  const attrs = o.attrs ?? [];
  for (const a of attrs) {
    const name = a.name.toLowerCase();
    if (URL_ATTRS.has(name)) edits.push(replaceValue(html, a, image.url));
    else if (SRCSET_ATTRS.has(name)) edits.push(replaceValue(html, a, srcset || image.url));
  }
  const tag = html.slice(o.range.start, o.range.start + 7).toLowerCase();
  if (tag.startsWith('<img') && !attrs.some((a) => a.name.toLowerCase() === 'src')) {
    const at = o.range.start + 4;
    edits.push({ start: at, end: at, text: ` src="${escapeAttr(image.url)}"` });
  }
  return edits.filter((e) => e.start >= 0);
}

// A lazy loader's status text ("loading…") right beside its image: it would stay on screen forever.
const STATUS_BEFORE = /<(span|div|p|em|i|small)\b[^>]*>\s*(?:loading|lädt|chargement|cargando)\s*(?:…|\.{2,3}|&hellip;|&#8230;)?\s*<\/\1>\s*$/i;
const STATUS_AFTER = /^\s*<(span|div|p|em|i|small)\b[^>]*>\s*(?:loading|lädt|chargement|cargando)\s*(?:…|\.{2,3}|&hellip;|&#8230;)?\s*<\/\1>/i;
const STATUS_WINDOW = 300;

/** Ranges of loader status elements standing right before or after an image occurrence. */
export function loaderStatusRanges(html: string, o: Occurrence): Array<{ start: number; end: number }> {
  const ranges: Array<{ start: number; end: number }> = [];
  const from = Math.max(0, o.range.start - STATUS_WINDOW);
  const before = STATUS_BEFORE.exec(html.slice(from, o.range.start));
  if (before) {
    const start = from + before.index;
    ranges.push({ start, end: start + before[0].trimEnd().length });
  }
  const after = STATUS_AFTER.exec(html.slice(o.range.end, o.range.end + STATUS_WINDOW));
  if (after) {
    const lead = after[0].length - after[0].trimStart().length;
    ranges.push({ start: o.range.end + lead, end: o.range.end + after[0].length });
  }
  return ranges;
}

function replaceValue(html: string, a: AttrSpan, value: string) {
  if (!a.valueRange) return { start: -1, end: -1, text: '' };
  const { start, end } = a.valueRange;
  const quoted = html[start - 1] === '"' || html[start - 1] === "'";
  const quote = html[start - 1] === "'" ? "'" : '"';
  // escapeAttr covers both quote characters, so the value is safe inside either.
  return quoted ? { start, end, text: escapeAttr(value) } : { start, end, text: `${quote}${escapeAttr(value)}${quote}` };
}
