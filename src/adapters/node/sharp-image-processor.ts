import sharp, { type Sharp, type SharpOptions } from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';
import { ImageError } from '../../core/errors.ts';
import type { ImageFormat, ImageInfo, ImageProcessor, Rendition } from '../../ports.ts';

// Two cores and several captures at once: one libvips thread per image lets parallel captures share
// the cores instead of fighting over them, and a cache only holds memory for images never seen again.
sharp.concurrency(1);
sharp.cache(false);

export interface SharpImageProcessorOptions {
  /** Pixels of all frames together. */
  maxPixels?: number;
  maxBytes?: number;
  maxFrames?: number;
  maxChannels?: number;
}

type KeptFormat = Exclude<ImageFormat, 'svg'>;
type RenditionFormat = Parameters<ImageProcessor['render']>[1]['format'];

const CONTENT_TYPES: Record<KeptFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  tiff: 'image/tiff',
};

const ENCODERS: Record<RenditionFormat, (image: Sharp) => Sharp> = {
  webp: (image) => image.webp({ quality: 80, effort: 4 }),
  // AVIF encodes several times slower than WebP; effort above 3 costs far more time than it saves bytes.
  avif: (image) => image.avif({ quality: 50, effort: 3 }),
  png: (image) => image.png({ compressionLevel: 6 }),
};

const PLACEHOLDER_SIZE = 100; // thumbhash takes at most 100×100

/** Sniffs, validates and re-encodes untrusted images with sharp under pixel, frame, channel and byte limits. */
export class SharpImageProcessor implements ImageProcessor {
  private readonly maxPixels: number;
  private readonly maxBytes: number;
  private readonly maxFrames: number;
  private readonly maxChannels: number;

  constructor(options: SharpImageProcessorOptions = {}) {
    this.maxPixels = options.maxPixels ?? 40_000_000;
    this.maxBytes = options.maxBytes ?? 25 * 1024 * 1024;
    this.maxFrames = options.maxFrames ?? 300;
    this.maxChannels = options.maxChannels ?? 4;
  }

  async probe(bytes: Uint8Array): Promise<ImageInfo> {
    const { input, format } = this.admit(bytes);
    const meta = await decoding(() => sharp(input, this.limits()).metadata());
    const pages = meta.pages ?? 1;
    if (pages > this.maxFrames) throw new ImageError('too_many_pixels', `${pages} frames, more than ${this.maxFrames}`);
    // The header alone decides, so a small file declaring huge dimensions never gets its pixels allocated.
    const pixels = meta.width * meta.height * pages;
    if (pixels > this.maxPixels) {
      throw new ImageError('too_many_pixels', `${meta.width}×${meta.height}×${pages} is ${pixels} pixels, more than ${this.maxPixels}`);
    }
    if (meta.channels > this.maxChannels) throw new ImageError('unsupported', `${meta.channels} channels, more than ${this.maxChannels}`);
    // Decoding every pixel of every frame into a tiny thumbnail streams through the image a few rows at
    // a time, so truncated data is found without holding a full-size raw copy (4 bytes a pixel).
    await decoding(() => sharp(input, { ...this.limits(), pages: -1 })
      .resize(PLACEHOLDER_SIZE, PLACEHOLDER_SIZE, { fit: 'inside', withoutEnlargement: true })
      .raw().toBuffer());
    return { format, contentType: CONTENT_TYPES[format], width: meta.autoOrient.width, height: meta.autoOrient.height, pages };
  }

  async render(bytes: Uint8Array, target: { format: RenditionFormat; width: number }): Promise<Rendition> {
    if (!Number.isInteger(target.width) || target.width < 1) throw new RangeError(`rendition width must be a positive integer, got ${target.width}`);
    const { input } = this.admit(bytes);
    // Metadata is not kept (sharp's default): no EXIF location or camera data leaks into what readers load.
    const { data, info } = await decoding(() => ENCODERS[target.format](
      this.still(input).resize({ width: target.width, withoutEnlargement: true }),
    ).toBuffer({ resolveWithObject: true }));
    return { bytes: data, contentType: `image/${target.format}`, width: info.width, height: info.height };
  }

  async placeholder(bytes: Uint8Array): Promise<string> {
    const { input } = this.admit(bytes);
    const { data, info } = await decoding(() => this.still(input)
      .resize(PLACEHOLDER_SIZE, PLACEHOLDER_SIZE, { fit: 'inside', withoutEnlargement: true })
      .ensureAlpha().raw().toBuffer({ resolveWithObject: true }));
    return Buffer.from(rgbaToThumbHash(info.width, info.height, data)).toString('base64');
  }

  /** Byte cap and the real type, checked before libvips sees a byte: SVG and unknown loaders never run. */
  private admit(bytes: Uint8Array): { input: Buffer; format: KeptFormat } {
    if (bytes.byteLength === 0) throw new ImageError('not_an_image', 'empty body');
    if (bytes.byteLength > this.maxBytes) throw new ImageError('too_large', `${bytes.byteLength} bytes, more than ${this.maxBytes}`);
    const format = sniffImage(bytes);
    if (format === undefined) throw new ImageError('not_an_image', 'bytes do not start like any image format');
    if (format === 'svg' || format === 'other') throw new ImageError('unsupported', `${format === 'svg' ? 'SVG' : 'this image format'} is not kept`);
    return { input: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), format };
  }

  private limits(): SharpOptions {
    return {
      limitInputPixels: this.maxPixels,
      limitInputChannels: this.maxChannels,
      // Refuse incomplete data (a cut-off download: fetching again fixes it) but keep images that only
      // raise decoder warnings: browsers show them, and the archive keeps what was published.
      failOn: 'truncated',
    };
  }

  /** The upright first frame: renditions are stills. */
  private still(input: Buffer): Sharp {
    return sharp(input, { ...this.limits(), pages: 1, autoOrient: true });
  }
}

async function decoding<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reason = message.includes('exceeds pixel limit') ? 'too_many_pixels'
      : message.includes('exceeds channel limit') ? 'unsupported'
        : 'corrupt';
    throw Object.assign(new ImageError(reason, message), { cause: error });
  }
}

/** The format the bytes really are, whatever they were served as; 'other' is a known image format not kept. */
function sniffImage(b: Uint8Array): ImageFormat | 'other' | undefined {
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (ascii(0, 8) === '\x89PNG\r\n\x1a\n') return 'png';
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return 'gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'tiff';
  if (ascii(4, 8) === 'ftyp') return isoBrand(b);
  if (ascii(0, 4) === '8BPS' || (ascii(0, 2) === 'BM' && ascii(6, 10) === '\0\0\0\0')) return 'other'; // PSD, BMP
  if (ascii(0, 4) === '\0\0\x01\0' || (b[0] === 0xff && b[1] === 0x0a)) return 'other'; // ICO, JPEG XL codestream
  if (ascii(0, 12) === '\0\0\0\x0cJXL \r\n\x87\n' || ascii(0, 12) === '\0\0\0\x0cjP  \r\n\x87\n') return 'other'; // JPEG XL, JPEG 2000
  return isSvg(b) ? 'svg' : undefined;
}

/** ISO-BMFF files (AVIF, HEIC, MP4 …) name their kind in the brands of the leading `ftyp` box. */
function isoBrand(b: Uint8Array): 'avif' | 'other' | undefined {
  const size = Math.min(new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0), b.byteLength, 4096);
  const brands = new Set<string>();
  for (let i = 8; i + 4 <= size; i += 4) {
    if (i !== 12) brands.add(String.fromCharCode(...b.subarray(i, i + 4))); // bytes 12–15 are the minor version
  }
  if (brands.has('avif') || brands.has('avis')) return 'avif';
  return ['heic', 'heix', 'heim', 'heis', 'hevc', 'mif1', 'msf1'].some((brand) => brands.has(brand)) ? 'other' : undefined;
}

/** SVG is markup: after an optional BOM, XML declaration, comments and doctype, the root is <svg>. */
function isSvg(b: Uint8Array): boolean {
  const text = new TextDecoder().decode(b.subarray(0, 4096))
    .replace(/^\uFEFF?\s*(?:<\?xml[^>]*\?>)?(?:\s*<!--[\s\S]*?-->)*\s*/, '');
  return /^(?:<!DOCTYPE\s+svg\b|<svg[\s>/])/i.test(text);
}
