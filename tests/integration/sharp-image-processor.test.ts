import sharp from 'sharp';
import { thumbHashToApproximateAspectRatio, thumbHashToAverageRGBA, thumbHashToRGBA } from 'thumbhash';
import { crc32 } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { SharpImageProcessor } from '../../src/adapters/node/sharp-image-processor.ts';
import { ImageError, type ImageReason } from '../../src/core/errors.ts';

/** A photo-like picture: smooth gradients with shapes and texture, so encoders have real work. */
function photoPixels(width: number, height: number): Buffer {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const ring = Math.hypot(x - width / 3, y - height / 2) < height / 4 ? 90 : 0;
      px[i] = (x * 255) / width;
      px[i + 1] = ((y * 255) / height + ring) % 256;
      px[i + 2] = (Math.sin(x / 17) * Math.cos(y / 11) + 1) * 120 + ((x * y) % 7);
    }
  }
  return px;
}

const photo = (width: number, height: number) => sharp(photoPixels(width, height), { raw: { width, height, channels: 3 } });

/** Rewrites the dimensions in a PNG's IHDR chunk (and its CRC): the header is all a decoder trusts before allocating. */
function withDeclaredSize(png: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(png);
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

async function refusal(promise: Promise<unknown>): Promise<ImageReason> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ImageError);
  return (error as ImageError).reason;
}

const images = new SharpImageProcessor();
const inputs: Record<string, Buffer> = {};

beforeAll(async () => {
  inputs.jpeg = await photo(1200, 800).jpeg({ quality: 85 }).toBuffer();
  inputs.alphaPng = await photo(400, 300).ensureAlpha(0.4).png().toBuffer();
  inputs.webp = await photo(500, 400).webp().toBuffer();
  inputs.avif = await photo(90, 60).avif({ effort: 0 }).toBuffer();
  inputs.tiff = await photo(90, 60).tiff().toBuffer();
  const frame = (colour: string) => sharp({ create: { width: 64, height: 48, channels: 3, background: colour } }).png().toBuffer();
  inputs.gif = await sharp([await frame('#ff0000'), await frame('#0000ff')], { join: { animated: true } })
    .gif({ delay: [100, 100], loop: 0 }).toBuffer();
  // Stored 300×200 with EXIF orientation 6: shown rotated a quarter turn, so upright it is 200×300.
  inputs.rotated = await photo(300, 200).jpeg().withMetadata({ orientation: 6 }).toBuffer();
  inputs.truncatedJpeg = inputs.jpeg.subarray(0, Math.floor(inputs.jpeg.length / 2));
  // Deflating a real 30000×30000 PNG takes sharp ~14 s here, so a small solid PNG gets a 30000×30000 header.
  const solid = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#336699' } }).png().toBuffer();
  inputs.headerBomb = withDeclaredSize(solid, 30_000, 30_000);
  // A complete, valid 8000×6000 solid PNG (48 Mpx, over the 40 Mpx default) that compresses to ~0.5 MB.
  inputs.validBomb = await sharp({ create: { width: 8000, height: 6000, channels: 3, background: '#336699' } })
    .toColourspace('b-w').png({ compressionLevel: 1 }).toBuffer();
}, 30_000);

describe('SharpImageProcessor.probe', () => {
  it.each([
    ['jpeg', 'jpeg', 'image/jpeg', 1200, 800, 1],
    ['alphaPng', 'png', 'image/png', 400, 300, 1],
    ['webp', 'webp', 'image/webp', 500, 400, 1],
    ['avif', 'avif', 'image/avif', 90, 60, 1],
    ['tiff', 'tiff', 'image/tiff', 90, 60, 1],
    ['gif', 'gif', 'image/gif', 64, 48, 2],
    ['rotated', 'jpeg', 'image/jpeg', 200, 300, 1],
  ])('%s is sniffed and measured', async (name, format, contentType, width, height, pages) => {
    expect(await images.probe(inputs[name]!)).toEqual({ format, contentType, width, height, pages });
  });

  it('accepts a Uint8Array view into a larger buffer', async () => {
    const padded = new Uint8Array(inputs.webp!.length + 10);
    padded.set(inputs.webp!, 5);
    expect((await images.probe(padded.subarray(5, 5 + inputs.webp!.length))).format).toBe('webp');
  });

  it('calls a truncated JPEG corrupt', async () => {
    expect(await refusal(images.probe(inputs.truncatedJpeg!))).toBe('corrupt');
  });

  it('calls a truncated PNG corrupt', async () => {
    const png = inputs.alphaPng!;
    expect(await refusal(images.probe(png.subarray(0, Math.floor(png.length / 2))))).toBe('corrupt');
  });

  it.each(['headerBomb', 'validBomb'])('refuses the %s pixel bomb from its header, fast and without allocating', async (name) => {
    const rss = process.memoryUsage().rss;
    const started = performance.now();
    expect(await refusal(images.probe(inputs[name]!))).toBe('too_many_pixels');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 1024 * 1024);
  });

  it('refuses an image over maxPixels and an animation over maxFrames', async () => {
    expect(await refusal(new SharpImageProcessor({ maxPixels: 1200 * 800 - 1 }).probe(inputs.jpeg!))).toBe('too_many_pixels');
    expect(await refusal(new SharpImageProcessor({ maxFrames: 1 }).probe(inputs.gif!))).toBe('too_many_pixels');
    // The limit counts every frame: 64×48×2 pixels.
    expect(await refusal(new SharpImageProcessor({ maxPixels: 64 * 48 * 2 - 1 }).probe(inputs.gif!))).toBe('too_many_pixels');
  });

  it('refuses bytes over maxBytes before decoding', async () => {
    expect(await refusal(new SharpImageProcessor({ maxBytes: 1000 }).probe(inputs.jpeg!))).toBe('too_large');
  });

  it.each([
    ['text served as an image', Buffer.from('<!doctype html><html><body>Not found</body></html>'), 'not_an_image'],
    ['plain text', Buffer.from('just some words, no picture'), 'not_an_image'],
    ['an empty body', Buffer.alloc(0), 'not_an_image'],
    ['an MP4 header', Buffer.from('\0\0\0\x18ftypisom\0\0\x02\0isomiso2', 'latin1'), 'not_an_image'],
    ['SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'), 'unsupported'],
    ['SVG with prolog', Buffer.from('\uFEFF<?xml version="1.0"?>\n<!-- made by hand -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">\n<svg/>'), 'unsupported'],
    ['a HEIC header', Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1'), 'unsupported'],
    ['a BMP header', Buffer.from('BM\x36\x00\x0c\x00\0\0\0\0\x36\0\0\0', 'latin1'), 'unsupported'],
  ] as const)('refuses %s', async (_name, bytes, reason) => {
    expect(await refusal(images.probe(bytes))).toBe(reason);
  });
});

describe('SharpImageProcessor.render', () => {
  it.each([
    ['webp', 'image/webp', 'webp'],
    ['avif', 'image/avif', 'heif'],
    ['png', 'image/png', 'png'],
  ] as const)('resizes to %s at the requested width', async (format, contentType, decodedAs) => {
    const out = await images.render(inputs.jpeg!, { format, width: 640 });
    expect(out).toMatchObject({ contentType, width: 640, height: 427 });
    const meta = await sharp(out.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual([decodedAs, 640, 427]);
  });

  it('never upscales', async () => {
    const out = await images.render(inputs.webp!, { format: 'webp', width: 1280 });
    expect([out.width, out.height]).toEqual([500, 400]);
    const meta = await sharp(out.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([500, 400]);
  });

  it('turns an EXIF-rotated photo upright and drops its metadata', async () => {
    const out = await images.render(inputs.rotated!, { format: 'webp', width: 100 });
    expect([out.width, out.height]).toEqual([100, 150]);
    const meta = await sharp(out.bytes).metadata();
    expect([meta.width, meta.height, meta.orientation, meta.exif]).toEqual([100, 150, undefined, undefined]);
  });

  it('keeps transparency', async () => {
    const out = await images.render(inputs.alphaPng!, { format: 'webp', width: 200 });
    const meta = await sharp(out.bytes).metadata();
    expect([meta.width, meta.height, meta.hasAlpha]).toEqual([200, 150, true]);
  });

  it('renders the first frame of an animation as a still', async () => {
    const out = await images.render(inputs.gif!, { format: 'png', width: 64 });
    const meta = await sharp(out.bytes).metadata();
    expect([meta.width, meta.height, meta.pages ?? 1]).toEqual([64, 48, 1]);
    const { dominant } = await sharp(out.bytes).stats();
    expect(dominant.r).toBeGreaterThan(200);
    expect(dominant.b).toBeLessThan(50);
  });

  it('refuses what probe refuses', async () => {
    expect(await refusal(images.render(Buffer.from('<svg/>'), { format: 'webp', width: 10 }))).toBe('unsupported');
    expect(await refusal(images.render(inputs.headerBomb!, { format: 'webp', width: 10 }))).toBe('too_many_pixels');
  });
});

describe('SharpImageProcessor.placeholder', () => {
  it.each([
    ['jpeg', 1.5],
    ['rotated', 2 / 3],
    ['alphaPng', 4 / 3],
    ['gif', 64 / 48],
  ])('%s gets a decodable thumbhash of the right shape', async (name, aspect) => {
    const encoded = await images.placeholder(inputs[name]!);
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const hash = Buffer.from(encoded, 'base64');
    const { w, h, rgba } = thumbHashToRGBA(hash);
    expect(w).toBeGreaterThan(0);
    expect(rgba.length).toBe(w * h * 4);
    expect(thumbHashToApproximateAspectRatio(hash)).toBeCloseTo(aspect, 0);
  });

  it('carries transparency', async () => {
    const hash = Buffer.from(await images.placeholder(inputs.alphaPng!), 'base64');
    expect(thumbHashToAverageRGBA(hash).a).toBeLessThan(0.6);
  });
});
