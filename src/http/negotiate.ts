import type { RenditionRecord } from '../ports.ts';

const FORMAT_TYPES = { avif: 'image/avif', webp: 'image/webp', png: 'image/png' } as const;

/**
 * Picks the bytes to serve for an image: the best format the client accepts among the renditions,
 * at the smallest width that covers `?w=` (the original when none is wide enough or no format fits).
 */
export function pickRendition(
  original: { source: string; contentType: string; width: number },
  renditions: RenditionRecord[],
  accept: string,
  w: string | undefined,
): { sha256: string; contentType: string } {
  const wanted = w && /^\d{1,5}$/.test(w) ? Number(w) : undefined;
  const accepts = (type: string) => accept.includes(type);
  const formats = (['avif', 'webp', 'png'] as const).filter((f) => f === 'png' || accepts(FORMAT_TYPES[f]));
  for (const format of formats) {
    const sized = renditions.filter((r) => r.format === format).sort((a, b) => a.width - b.width);
    if (sized.length === 0) continue;
    const fit = wanted === undefined ? sized.at(-1)! : sized.find((r) => r.width >= wanted);
    if (fit) return { sha256: fit.sha256, contentType: FORMAT_TYPES[format] };
    if (wanted !== undefined && original.width <= wanted) break;
    return { sha256: sized.at(-1)!.sha256, contentType: FORMAT_TYPES[format] };
  }
  return { sha256: original.source, contentType: original.contentType };
}
