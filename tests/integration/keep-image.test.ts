import sharp from 'sharp';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FsBlobStore } from '../../src/adapters/node/fs-blob-store.ts';
import { SharpImageProcessor } from '../../src/adapters/node/sharp-image-processor.ts';
import { SqliteCaptureStore } from '../../src/adapters/node/sqlite-capture-store.ts';
import { closeDatabase, openDatabase, type Db } from '../../src/adapters/node/sqlite-database.ts';
import { ImageError } from '../../src/core/errors.ts';
import { keepImage } from '../../src/core/keep-image.ts';
import type { ImageProcessor } from '../../src/ports.ts';

/** The real processor, counting its calls and the most renders it ever ran at once. */
class CountingImages implements ImageProcessor {
  readonly calls = { probe: 0, render: 0, placeholder: 0 };
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly inner: ImageProcessor) {}

  probe(bytes: Uint8Array) {
    this.calls.probe++;
    return this.inner.probe(bytes);
  }

  async render(bytes: Uint8Array, target: Parameters<ImageProcessor['render']>[1]) {
    this.calls.render++;
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      return await this.inner.render(bytes, target);
    } finally {
      this.inFlight--;
    }
  }

  placeholder(bytes: Uint8Array) {
    this.calls.placeholder++;
    return this.inner.placeholder(bytes);
  }

  reset() {
    this.calls.probe = this.calls.render = this.calls.placeholder = 0;
    this.maxInFlight = 0;
  }
}

const processor = new SharpImageProcessor();
const opened: Array<{ dir: string; db: Db }> = [];

function setup() {
  const dir = fs.mkdtempSync(os.tmpdir() + '/ek-');
  const db = openDatabase(dir);
  opened.push({ dir, db });
  const snapshots = join(dir, 'snapshots');
  const images = new CountingImages(processor);
  const blobs = new FsBlobStore(snapshots);
  const captures = new SqliteCaptureStore(db);
  const count = (table: string) => (db.$client.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
  return { dir, db, snapshots, images, blobs, captures, deps: { images, blobs, captures }, count };
}

afterEach(() => {
  for (const { dir, db } of opened.splice(0)) {
    closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function photo(width: number, height: number) {
  const px = Buffer.alloc(width * height * 3);
  for (let i = 0; i < px.length; i++) px[i] = (i * 7 + Math.floor(i / (width * 3)) * 3) % 251;
  return sharp(px, { raw: { width, height, channels: 3 } });
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await fs.promises.readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('keepImage with SQLite and the filesystem', () => {
  it('keeps the original, its metadata and WebP + AVIF renditions per width, never upscaled', async () => {
    const t = setup();
    const jpeg = await photo(1200, 800).jpeg().toBuffer();
    const meta = await keepImage(jpeg, t.deps);

    expect(meta).toMatchObject({ sha256: sha256(jpeg), contentType: 'image/jpeg', size: jpeg.length, width: 1200, height: 800 });
    expect(meta.placeholder).toMatch(/^[A-Za-z0-9+/]{10,}=*$/);

    const files = await filesUnder(t.snapshots);
    expect(files).toHaveLength(7);
    for (const file of files) expect(sha256(fs.readFileSync(file))).toBe(file.split('/').pop());

    const renditions = await t.captures.listRenditions([meta.sha256]);
    expect(renditions.map((r) => `${r.format}@${r.width}x${r.height}`).sort()).toEqual([
      'avif@1200x800', 'avif@320x213', 'avif@640x427', 'webp@1200x800', 'webp@320x213', 'webp@640x427',
    ]);
    const metas = await t.captures.getBlobs([meta.sha256, ...renditions.map((r) => r.sha256)]);
    expect(metas).toHaveLength(7);
    expect(metas.find((m) => m.sha256 === meta.sha256)).toEqual(meta);
    for (const r of renditions) {
      const bytes = await t.blobs.get(r.sha256);
      expect(bytes).not.toBeNull();
      const decoded = await sharp(bytes!).metadata();
      expect([decoded.format, decoded.width, decoded.height]).toEqual([r.format === 'avif' ? 'heif' : 'webp', r.width, r.height]);
      expect(metas.find((m) => m.sha256 === r.sha256)).toEqual({
        sha256: r.sha256, contentType: `image/${r.format}`, size: bytes!.length, width: r.width, height: r.height,
      });
    }
    expect(t.images.maxInFlight).toBe(2);
  }, 30_000);

  it('gives a 500 px image renditions at 320 and 500 only', async () => {
    const t = setup();
    const png = await photo(500, 400).png().toBuffer();
    const meta = await keepImage(png, t.deps);
    expect(meta).toMatchObject({ contentType: 'image/png', width: 500, height: 400 });
    const renditions = await t.captures.listRenditions([meta.sha256]);
    expect(renditions.map((r) => `${r.format}@${r.width}x${r.height}`).sort()).toEqual([
      'avif@320x256', 'avif@500x400', 'webp@320x256', 'webp@500x400',
    ]);
  }, 30_000);

  it('does no decoding or encoding the second time', async () => {
    const t = setup();
    const jpeg = await photo(700, 500).jpeg().toBuffer();
    const first = await keepImage(jpeg, t.deps);
    expect(t.images.calls).toEqual({ probe: 1, render: 6, placeholder: 1 }); // 320, 640, 700 × WebP, AVIF
    const before = { files: (await filesUnder(t.snapshots)).length, blobs: t.count('blobs'), renditions: t.count('renditions') };

    t.images.reset();
    expect(await keepImage(new Uint8Array(jpeg), t.deps)).toEqual(first);
    expect(t.images.calls).toEqual({ probe: 0, render: 0, placeholder: 0 });
    expect({ files: (await filesUnder(t.snapshots)).length, blobs: t.count('blobs'), renditions: t.count('renditions') }).toEqual(before);
  }, 30_000);

  it('encodes only the renditions an interrupted run left missing', async () => {
    const t = setup();
    const jpeg = await photo(700, 500).jpeg().toBuffer();
    const meta = await keepImage(jpeg, t.deps);
    t.db.$client.prepare(`delete from renditions where format = 'avif' and width = 320`).run();

    t.images.reset();
    expect(await keepImage(jpeg, t.deps)).toEqual(meta);
    expect(t.images.calls).toEqual({ probe: 1, render: 1, placeholder: 1 });
    expect(t.count('renditions')).toBe(6);
  }, 30_000);

  it.each([
    ['a truncated JPEG', async () => { const j = await photo(600, 400).jpeg().toBuffer(); return j.subarray(0, j.length >> 1); }, 'corrupt'],
    ['text', async () => Buffer.from('<html>not an image</html>'), 'not_an_image'],
  ] as const)('stores nothing for %s', async (_name, make, reason) => {
    const t = setup();
    const bytes = await make();
    const error = await keepImage(bytes, t.deps).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ImageError);
    expect((error as ImageError).reason).toBe(reason);
    expect(fs.existsSync(t.snapshots) ? await filesUnder(t.snapshots) : []).toEqual([]);
    expect([t.count('blobs'), t.count('renditions')]).toEqual([0, 0]);
    expect(t.images.calls.render).toBe(0);
  });
});
