import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright';
import sharp from 'sharp';
import type { CardModel } from '../../src/core/card-model.ts';
import { CARD_CSS, renderCard } from '../../src/core/render-card.ts';
import { renderCardPage } from '../../src/core/render-card-page.ts';
import { cardModels, CJK_TEXT, IMAGES, RTL_TEXT } from '../fixtures/card-models.ts';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];
const TYPES = { jpeg: 'image/jpeg', webp: 'image/webp', avif: 'image/avif', png: 'image/png' } as const;

/** A news site's stylesheet at its most careless: element selectors that would wreck a naive card. */
const HOSTILE_CSS = `body{font-family:Georgia,serif;color:#222} article{padding:40px;background:#fee}
p{margin:60px 0;color:red;font-size:30px;text-transform:uppercase} a{color:red;text-decoration:underline wavy;font-weight:900}
img{border:10px solid red;padding:10px;max-width:50%;height:300px;float:right} blockquote{margin:80px;font-style:italic}
header,footer{background:yellow;position:relative;top:30px} span{letter-spacing:4px} time{display:none}`;

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
    const inArticle = /^\/article\/(\w+)$/.exec(path);
    if (inArticle && models[inArticle[1]!]) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><meta charset="utf-8"><style>${HOSTILE_CSS}${CARD_CSS}</style>`
        + `<article class="post"><p>Before the embed.</p>${renderCard(models[inArticle[1]!]!, { mode: 'static' })}</article>`);
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

  it('the article\'s own CSS does not reach into the card', async () => {
    const context = await browser.newContext({ viewport: { width: 700, height: 1200 } });
    const page = await context.newPage();
    await page.goto(`${base()}/article/live`);
    await page.waitForFunction(() => [...document.images].every((img) => img.complete));
    const styles = await page.evaluate(() => {
      const get = (sel: string) => getComputedStyle(document.querySelector(`[data-embedkeep-id] ${sel}`)!);
      return {
        text: { color: get('.ek-text').color, margin: get('.ek-text').marginTop, transform: get('.ek-text').textTransform, font: get('.ek-text').fontFamily },
        link: { color: get('.ek-entity').color, weight: get('.ek-entity').fontWeight },
        img: { border: get('.ek-media-img').borderTopWidth, float: get('.ek-media-img').cssFloat, padding: get('.ek-media-img').paddingTop },
        head: { bg: get('.ek-head').backgroundColor, top: get('.ek-head').top },
        time: get('time').display,
      };
    });
    expect(styles.text).toEqual({ color: 'rgb(15, 20, 25)', margin: '0px', transform: 'none', font: expect.stringMatching(/^system-ui/) });
    expect(styles.link.color).not.toBe('rgb(255, 0, 0)');
    expect(styles.link.weight).not.toBe('900');
    expect(styles.img).toEqual({ border: '0px', float: 'none', padding: '0px' });
    expect(styles.head).toEqual({ bg: 'rgba(0, 0, 0, 0)', top: 'auto' });
    expect(styles.time).not.toBe('none');
    await page.locator('article.post').screenshot({ path: '/tmp/card-live-in-article.png' });
    await context.close();
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
