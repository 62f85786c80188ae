import type { ImageView, RenditionView } from './embed-view.ts';
import { escapeAttr, safeHref } from './escape-html.ts';
import { thumbhashDataUrl } from './thumbhash-data-url.ts';

export interface ImageOptions {
  alt: string;
  /** The `sizes` attribute: how wide the image is drawn, so the browser picks the right rendition. */
  sizes: string;
  className: string;
  /** Drawn size for the width/height attributes when it is fixed (avatars), else the image's own. */
  size?: { width: number; height: number };
}

/** Last resort for width/height so the box is reserved even when no dimension was recorded. */
const UNKNOWN_SIZE = { width: 1200, height: 675 };

const bySize = (a: RenditionView, b: RenditionView) => a.width - b.width;
const srcset = (list: RenditionView[]) => list.map((r) => `${r.url} ${r.width}w`).join(', ');

/**
 * An archived image as `<img>` (in a `<picture>` when AVIF renditions exist): every URL comes from the
 * model and is escaped, the width/height attributes reserve the box, and the thumbhash paints it until
 * the bytes arrive.
 */
export function renderImage(image: ImageView, options: ImageOptions): string {
  // Model URLs are ours, but an image URL is still never emitted unless it is plain http(s).
  const original = safeHref(image.url);
  const renditions = image.renditions.flatMap((r) => {
    const url = safeHref(r.url);
    return url && r.width > 0 ? [{ ...r, url }] : [];
  });
  const avif = renditions.filter((r) => r.format === 'avif').sort(bySize);
  const webp = renditions.filter((r) => r.format === 'webp').sort(bySize);
  const universal = webp.length ? webp : renditions.filter((r) => r.format === 'png').sort(bySize);
  const largest = universal.at(-1);
  const src = largest?.url ?? original;
  if (src === undefined) return '';
  const candidates = [...universal];
  // The original joins the candidates when it is sharper than every rendition, so 2x screens can use it.
  if (original && largest && image.width && image.width > largest.width) {
    candidates.push({ url: original, format: 'original', width: image.width, height: image.height ?? largest.height });
  }
  const size = options.size ?? dimensions(image, renditions);
  const placeholder = image.placeholder ? thumbhashDataUrl(image.placeholder) : undefined;
  const attrs = [
    `class="${escapeAttr(options.className)}"`,
    `src="${escapeAttr(src)}"`,
    candidates.length ? `srcset="${escapeAttr(srcset(candidates))}"` : '',
    candidates.length ? `sizes="${escapeAttr(options.sizes)}"` : '',
    `width="${Math.round(size.width)}"`,
    `height="${Math.round(size.height)}"`,
    `alt="${escapeAttr(options.alt)}"`,
    'loading="lazy"',
    'decoding="async"',
    placeholder ? `style="${escapeAttr(`background-image:url("${placeholder}")`)}"` : '',
  ].filter(Boolean).join(' ');
  const img = `<img ${attrs}>`;
  if (!avif.length) return img;
  return `<picture><source type="image/avif" srcset="${escapeAttr(srcset(avif))}" sizes="${escapeAttr(options.sizes)}">${img}</picture>`;
}

function dimensions(image: ImageView, renditions: RenditionView[]): { width: number; height: number } {
  if (image.width && image.height) return { width: image.width, height: image.height };
  const any = [...renditions].sort(bySize).at(-1);
  return any ? { width: any.width, height: any.height } : UNKNOWN_SIZE;
}
