import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright';
import sharp from 'sharp';
import type { CardModel } from '../../src/core/card-model.ts';
import { renderCardPage } from '../../src/core/render-card-page.ts';
import { cardModels, CJK_TEXT, IMAGES, RTL_TEXT } from '../fixtures/card-models.ts';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];
const TYPES = { jpeg: 'image/jpeg', webp: 'image/webp', avif: 'image/avif', png: 'image/png' } as const;

let server: http.Server;
let browser: Browser;
let models: Record<string, CardModel>;

const pictures = new Map<string, Promise<Buffer>>();

/** A photo-like picture (gradient, sun, hills) so screenshots show real image content, not flat boxes. */
function picture(name: string): Promise<Buffer | undefined> {
  const spec = IMAGES[name];
  if (!spec) return Promise.resolve(undefined);
  if (!pictures.has(name)) pictures.set(name, encode(spec));
  return pictures.get(name)!;
}

function encode(spec: (typeof IMAGES)[string]): Promise<Buffer> {
  const { width: w, height: h, rgb: [r, g, b] } = spec;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">`
    + `<stop offset="0" stop-color="rgb(${r},${g},${b})"/><stop offset="1" stop-color="rgb(${r >> 1},${g >> 1},${b >> 1})"/></linearGradient></defs>`
    + `<rect width="100%" height="100%" fill="url(#g)"/><circle cx="${w * 0.72}" cy="${h * 0.3}" r="${Math.min(w, h) * 0.12}" fill="#fff6d5" opacity=".85"/>`
    + `<path d="M0 ${h * 0.8} Q ${w * 0.3} ${h * 0.55} ${w * 0.6} ${h * 0.78} T ${w} ${h * 0.7} V ${h} H 0 Z" fill="rgba(0,0,0,.28)"/></svg>`;
  return sharp(Buffer.from(svg)).toFormat(spec.format).toBuffer();
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const card = /^\/cards\/(\w+)$/.exec(path);
    if (card && models[card[1]!]) {
      const html = renderCardPage(models[card[1]!]!, { oembedUrl: `${base()}/oembed?url=${encodeURIComponent(models[card[1]!]!.canonicalUrl)}` });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    const blob = /^\/v1\/blobs\/(.+)$/.exec(path)?.[1] ?? '';
    picture(blob).then((bytes) => {
      if (!bytes) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': TYPES[IMAGES[blob]!.format] }).end(bytes);
    }, () => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  models = cardModels(base());
  browser = await chromium.launch({ executablePath: '/usr/lib/chromium/chromium', args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

function base(): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const CASES = [
  { key: 'live', text: 'Negotiations between Lavrov and @MfaEgypt on #Gaza began in Moscow' },
  { key: 'rtl', text: RTL_TEXT },
  { key: 'cjk', text: CJK_TEXT },
  { key: 'deleted', text: 'Lavrov meets Arab and Muslim ministers on Gaza in Moscow today.' },
] as const;

describe('card page in Chromium', () => {
  for (const { key, text } of CASES) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`${key} (${colorScheme}) shows its text and images with no outside request`, async () => {
        const context = await browser.newContext({ colorScheme, viewport: { width: 600, height: 900 }, deviceScaleFactor: 2 });
        const outside: string[] = [];
        await context.route('**/*', (route) => {
          const url = new URL(route.request().url());
          if (url.protocol === 'data:' || url.hostname === '127.0.0.1') return route.continue();
          outside.push(url.href);
          return route.abort();
        });
        const page = await context.newPage();
        page.on('request', (r) => { if (!/^(data:|http:\/\/127\.0\.0\.1[:/])/.test(r.url())) outside.push(r.url()); });
        try {
          await page.goto(`${base()}/cards/${key}`, { waitUntil: 'load' });
          await page.waitForFunction(() => [...document.images].every((img) => img.complete));
          const card = page.locator('[data-embedkeep-id]');
          const facts = await card.evaluate((el) => ({
            innerText: (el as HTMLElement).innerText,
            textContent: el.textContent ?? '',
            width: el.getBoundingClientRect().width,
            images: [...el.querySelectorAll('img')].map((img) => ({ src: img.currentSrc, natural: img.naturalWidth })),
            scripts: document.scripts.length,
          }));
          expect(facts.innerText).toContain(text);
          expect(facts.textContent.toLowerCase()).not.toContain('loading');
          expect(facts.innerText.toLowerCase()).not.toContain('loading');
          for (const img of facts.images) expect(img.natural, img.src).toBeGreaterThan(0);
          expect(facts.width).toBeLessThanOrEqual(550);
          expect(facts.scripts).toBe(0);
          if (key === 'deleted') expect(facts.innerText).toContain('Deleted');
          if (key === 'rtl') expect(await page.locator('.ek-text').evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
          await card.screenshot({ path: `/tmp/card-${key}-${colorScheme}.png` });
          expect(outside).toEqual([]);
        } finally {
          await context.close();
        }
      });
    }
  }

  it('the other variants (video, image, screenshot, never captured) load every image', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ colorScheme, viewport: { width: 600, height: 900 }, deviceScaleFactor: 2 });
      const page = await context.newPage();
      for (const key of ['youtube', 'articleImage', 'screenshotOnly', 'neverCaptured']) {
        await page.goto(`${base()}/cards/${key}`);
        await page.waitForFunction(() => [...document.images].every((img) => img.complete));
        const naturals = await page.locator('img').evaluateAll((imgs) => imgs.map((img) => (img as HTMLImageElement).naturalWidth));
        expect(naturals.every((n) => n > 0), key).toBe(true);
        expect((await page.locator('[data-embedkeep-id]').innerText()).trim().length, key).toBeGreaterThan(20);
        await page.locator('[data-embedkeep-id]').screenshot({ path: `/tmp/card-${key}-${colorScheme}.png` });
      }
      await context.close();
    }
  });

  it('a narrow viewport keeps the card inside the screen', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${base()}/cards/live`);
    await page.waitForFunction(() => [...document.images].every((img) => img.complete));
    const width = await page.locator('[data-embedkeep-id]').evaluate((el) => el.getBoundingClientRect().width);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(width).toBeLessThanOrEqual(360);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.locator('[data-embedkeep-id]').screenshot({ path: '/tmp/card-live-narrow.png' });
    await context.close();
  });
});
