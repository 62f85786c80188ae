/**
 * What AVIF renditions cost in keepImage: the full pipeline (WebP + AVIF at effort 3) against a
 * WebP-only baseline, side by side in one run, on a news photo and a post screenshot.
 * Run: npx tsx bench/renditions.bench.ts
 */
import sharp from 'sharp';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { FsBlobStore } from '../src/adapters/node/fs-blob-store.ts';
import { SharpImageProcessor } from '../src/adapters/node/sharp-image-processor.ts';
import { SqliteCaptureStore } from '../src/adapters/node/sqlite-capture-store.ts';
import { closeDatabase, openDatabase } from '../src/adapters/node/sqlite-database.ts';
import { keepImage } from '../src/core/keep-image.ts';
import type { ImageProcessor, Rendition } from '../src/ports.ts';

const ROUNDS = 7;
const WARMUP = 1;

/**
 * Skips AVIF encoding: each AVIF slot gets the source bytes back, already stored, so the baseline
 * pays no encode and no blob write for it, only the rendition row.
 */
class WebpOnly implements ImageProcessor {
  constructor(private readonly inner: ImageProcessor) {}
  probe(bytes: Uint8Array) { return this.inner.probe(bytes); }
  placeholder(bytes: Uint8Array) { return this.inner.placeholder(bytes); }
  async render(bytes: Uint8Array, target: Parameters<ImageProcessor['render']>[1]): Promise<Rendition> {
    if (target.format !== 'avif') return this.inner.render(bytes, target);
    return { bytes, contentType: 'image/avif', width: target.width, height: 1 };
  }
}

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

const photoJpeg = () => sharp(photoPixels(1200, 800), { raw: { width: 1200, height: 800, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();

/** A post card as a 2× screenshot: avatar, name, lines of "glyphs" with anti-aliased edges, a photo, a footer. */
async function screenshotPng(): Promise<Buffer> {
  const random = mulberry32(7);
  const shapes: string[] = ['<circle cx="80" cy="80" r="40" fill="#8a6d5a"/>', '<rect x="140" y="52" width="260" height="22" rx="4" fill="#0f1419"/>',
    '<rect x="140" y="88" width="180" height="18" rx="4" fill="#536471"/>'];
  for (let line = 0; line < 9; line++) {
    let x = 40;
    const y = 160 + line * 44;
    while (x < 1020) {
      const word = 20 + random() * 90;
      shapes.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${word.toFixed(1)}" height="26" rx="5" fill="${random() < 0.1 ? '#1d9bf0' : '#0f1419'}"/>`);
      x += word + 12;
    }
  }
  shapes.push('<rect x="40" y="1300" width="300" height="24" rx="4" fill="#536471"/>');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1100" height="1400"><rect width="1100" height="1400" fill="#fff"/>${shapes.join('')}</svg>`;
  const picture = await sharp(photoPixels(1020, 640), { raw: { width: 1020, height: 640, channels: 3 } }).png().toBuffer();
  return sharp(Buffer.from(svg)).composite([{ input: picture, left: 40, top: 600 }]).png().toBuffer();
}

/** One keepImage on an empty store (set up and torn down outside the timing), in ms. */
async function timeKeep(bytes: Uint8Array, images: ImageProcessor): Promise<number> {
  const dir = fs.mkdtempSync(os.tmpdir() + '/ek-bench-');
  const db = openDatabase(dir);
  try {
    const deps = { images, blobs: new FsBlobStore(join(dir, 'snapshots')), captures: new SqliteCaptureStore(db) };
    const started = performance.now();
    await keepImage(bytes, deps);
    return performance.now() - started;
  } finally {
    closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const full = new SharpImageProcessor();
const modes: Array<[string, ImageProcessor]> = [['webp+avif (effort 3)', full], ['webp only', new WebpOnly(full)]];
const inputs: Array<[string, Buffer]> = [['JPEG photo 1200×800', await photoJpeg()], ['PNG screenshot 1100×1400', await screenshotPng()]];

console.log(`keepImage, median of ${ROUNDS} rounds after ${WARMUP} warm-up, modes interleaved; node ${process.version}, ${os.cpus().length} CPUs`);
for (const [name, bytes] of inputs) {
  const samples = new Map(modes.map(([mode]) => [mode, [] as number[]]));
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    for (const [mode, images] of modes) {
      const ms = await timeKeep(bytes, images);
      if (round >= WARMUP) samples.get(mode)!.push(ms);
    }
  }
  const [withAvif, webpOnly] = modes.map(([mode]) => median(samples.get(mode)!));
  console.log(`\n${name} (${(bytes.length / 1024).toFixed(0)} KiB)`);
  for (const [mode] of modes) {
    const xs = samples.get(mode)!;
    console.log(`  ${mode.padEnd(22)} ${median(xs).toFixed(1).padStart(7)} ms/image  (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)})`);
  }
  console.log(`  ratio webp+avif / webp only: ${(withAvif! / webpOnly!).toFixed(2)}×`);
}
