import { sha256Hex } from './ids.ts';
import type { BlobMeta, BlobStore, CaptureStore, ImageProcessor, RenditionRecord } from '../ports.ts';

export const RENDITION_WIDTHS: readonly number[] = [320, 640, 1280];

type Target = { format: RenditionRecord['format']; width: number };

// Two encodes at a time: one per core; more would only queue inside libvips and hold more memory.
const ENCODE_PARALLELISM = 2;

/**
 * Validates an image, keeps its original bytes (content-addressed) with metadata and a placeholder,
 * and adds WebP and AVIF renditions at each width up to the image's own. Throws ImageError (and
 * stores nothing) when the bytes are not an acceptable image. Repeating it for kept bytes costs two
 * lookups; after an interrupted run it encodes only the renditions still missing.
 */
export async function keepImage(
  bytes: Uint8Array,
  deps: ImageDeps,
  options: { renditions?: boolean } = {},
): Promise<BlobMeta> {
  const withRenditions = options.renditions ?? true;
  const sha256 = await sha256Hex(bytes);
  const [stored] = await deps.captures.getBlobs([sha256]);
  const kept = withRenditions ? await deps.captures.listRenditions([sha256]) : [];
  if (stored?.width !== undefined && (!withRenditions || missingTargets(stored.width, kept).length === 0)) return stored;

  const info = await deps.images.probe(bytes);
  const placeholder = await deps.images.placeholder(bytes);
  const { size } = await deps.blobs.put(bytes);
  const meta: BlobMeta = { sha256, contentType: info.contentType, size, width: info.width, height: info.height, placeholder };
  // Metadata goes in after the bytes and before the renditions that reference it, so a crash at any
  // point leaves a state the next call recognises as incomplete.
  await deps.captures.putBlobs([meta]);
  if (withRenditions) await encodeMissing(bytes, sha256, info.width, kept, deps);
  return meta;
}

/**
 * Adds the renditions a kept image still lacks. Captures keep images without renditions (AVIF is
 * slow) and leave this to a later, lower-priority job. False when no such image is kept.
 */
export async function addRenditions(sha256: string, deps: ImageDeps): Promise<boolean> {
  const [stored] = await deps.captures.getBlobs([sha256]);
  const bytes = stored?.width === undefined ? null : await deps.blobs.get(sha256);
  if (!stored || stored.width === undefined || !bytes) return false;
  await encodeMissing(bytes, sha256, stored.width, await deps.captures.listRenditions([sha256]), deps);
  return true;
}

type ImageDeps = { images: ImageProcessor; blobs: BlobStore; captures: CaptureStore };

async function encodeMissing(bytes: Uint8Array, sha256: string, width: number, kept: RenditionRecord[], deps: ImageDeps): Promise<void> {
  await forEachLimited(missingTargets(width, kept), ENCODE_PARALLELISM, async (target) => {
    const rendition = await deps.images.render(bytes, target);
    const put = await deps.blobs.put(rendition.bytes);
    await deps.captures.putBlobs([{
      sha256: put.sha256, contentType: rendition.contentType, size: put.size, width: rendition.width, height: rendition.height,
    }]);
    await deps.captures.putRenditions([{
      sourceSha256: sha256, format: target.format, width: rendition.width, height: rendition.height, sha256: put.sha256,
    }]);
  });
}

/** The renditions an image of this width should have and does not, slowest encodes first. */
function missingTargets(imageWidth: number, kept: RenditionRecord[]): Target[] {
  const widths = [...new Set(RENDITION_WIDTHS.map((w) => Math.min(w, imageWidth)))].sort((a, b) => b - a);
  // Starting with the longest jobs keeps both encoders busy until the end instead of one idling.
  const wanted = (['avif', 'webp'] as const).flatMap((format) => widths.map((width) => ({ format, width })));
  return wanted.filter((t) => !kept.some((r) => r.format === t.format && r.width === t.width));
}

/** Runs `work` over `items`, at most `limit` at once; after a failure starts nothing new, waits, and rethrows. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const errors: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (errors.length === 0 && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} renditions failed`);
}
