/** Which URL an article <img> really shows: lazy attributes, srcset candidates, placeholders, trackers. */
import type { AttrGetter } from './attribute-buffer.ts';
import { isHtmlSpace } from './html-text.ts';

export interface SrcsetCandidate {
  url: string;
  /** `w` descriptor, 0 when absent. */
  width: number;
  /** `x` descriptor, 0 when absent. */
  density: number;
}

/** Parses a srcset the way browsers do: commas inside URLs (CDN transforms) are kept, `,` ends a URL only at its end. */
export function parseSrcset(srcset: string): SrcsetCandidate[] {
  const out: SrcsetCandidate[] = [];
  const n = srcset.length;
  let i = 0;
  while (i < n) {
    while (i < n && isSeparator(srcset.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isHtmlSpace(srcset.charCodeAt(i))) i++;
    let url = srcset.slice(start, i);
    let descriptors = '';
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      const from = i;
      let parens = 0;
      for (; i < n; i++) {
        const c = srcset.charCodeAt(i);
        if (c === 40) parens++;
        else if (c === 41) parens--;
        else if (c === 44 && parens <= 0) break;
      }
      descriptors = srcset.slice(from, i);
      i++;
    }
    if (url === '') continue;
    const d = descriptors.trim();
    // One descriptor in practice: "800w" or "2x"; anything odd counts as none.
    const value = d.length > 1 && /^[\d.]+$/.test(d.slice(0, -1)) ? Number(d.slice(0, -1)) : Number.NaN;
    const unit = d.charCodeAt(d.length - 1) | 32;
    const ok = Number.isFinite(value);
    out.push({ url, width: ok && unit === 119 ? value : 0, density: ok && unit === 120 ? value : 0 });
  }
  return out;
}

/** The largest usable candidate: by width, else by density, else the first. */
export function largestCandidate(srcset: string): SrcsetCandidate | undefined {
  let best: SrcsetCandidate | undefined;
  for (const c of parseSrcset(srcset)) {
    if (!isUsableUrl(c.url)) continue;
    if (best === undefined || c.width > best.width || (c.width === best.width && c.density > best.density)) best = c;
  }
  return best;
}

const LAZY_SRCSETS = ['data-lazy-srcset', 'data-srcset'] as const;
const LAZY_SRCS = ['data-lazy-src', 'data-src', 'data-original', 'data-original-src'] as const;

/**
 * The URL a lazy loader would end up showing: a lazy attribute beats `src` (often a `data:`
 * placeholder), a srcset's largest candidate beats a single URL of the same kind.
 */
export function pickImageUrl(get: AttrGetter): string | undefined {
  for (const name of LAZY_SRCSETS) {
    const v = get(name);
    const c = v === undefined ? undefined : largestCandidate(v);
    if (c !== undefined) return c.url;
  }
  for (const name of LAZY_SRCS) {
    const v = get(name);
    if (v !== undefined && isUsableUrl(v)) return v.trim();
  }
  const srcset = get('srcset');
  const c = srcset === undefined ? undefined : largestCandidate(srcset);
  if (c !== undefined) return c.url;
  const src = get('src');
  return src !== undefined && isUsableUrl(src) ? src.trim() : undefined;
}

/** The largest candidate of a `<source>`'s srcset (lazy first). */
export function sourceCandidate(get: AttrGetter): SrcsetCandidate | undefined {
  const v = get('data-srcset') ?? get('data-lazy-srcset') ?? get('srcset');
  return v === undefined ? undefined : largestCandidate(v);
}

const UNUSABLE = /^(?:data|blob|javascript|about|file|cid):/i;

/** Placeholders and inline payloads carry nothing to archive. */
export function isUsableUrl(raw: string): boolean {
  const v = raw.trim();
  return v !== '' && v[0] !== '#' && !UNUSABLE.test(v);
}

const STYLE_SIZE = /(?:^|[;\s])(width|height)\s*:\s*(\d+(?:\.\d+)?)px/gi;

/** 1×1 (or 0×0) pixels are analytics beacons, not article images. */
export function isTrackingPixel(get: AttrGetter): boolean {
  let w = tinyNumber(get('width'));
  let h = tinyNumber(get('height'));
  const style = get('style');
  if (style !== undefined && style.indexOf('px') !== -1) {
    for (const m of style.matchAll(STYLE_SIZE)) {
      const tiny = Number(m[2]) <= 1;
      if (m[1]?.toLowerCase() === 'width') w = tiny;
      else h = tiny;
    }
  }
  return w === true && h === true;
}

function tinyNumber(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const n = Number.parseFloat(v);
  return Number.isNaN(n) ? undefined : n <= 1;
}

function isSeparator(c: number): boolean {
  return c === 44 || isHtmlSpace(c);
}
