import Database from 'better-sqlite3';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { chromium, type Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanArticle } from '../../src/core/scan-article.ts';
import { loaderStatusRanges } from '../../src/core/rewrite-image.ts';
import { startUpstream, type Upstream } from '../fixtures/upstream-server.ts';
import { SEED_TWEET_ID, TWEET_IDS } from '../fixtures/tweets.ts';
import { json, startService, type TestService } from '../helpers/start-service.ts';
import { waitForQueueIdle } from '../helpers/wait-for.ts';

const SEED = readFileSync(new URL('../../../shared/samples/seed-article.html', import.meta.url), 'utf8');
const SEED_URL = 'https://news.example/world/2023/11/21/lavrov-arab-islamic-ministers-moscow-gaza';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

let upstream: Upstream;
let svc: TestService;
let browser: Browser;
let articleId: string;

/** The segments of `input` outside every replaced range, which must reappear unchanged and in order. */
function preservedSegments(input: string): string[] {
  const scan = scanArticle(input, SEED_URL);
  // Lazy-loader status text beside an archived image goes too (it would say "loading…" forever).
  const loaders = scan.occurrences.filter((o) => o.kind === 'img').flatMap((o) => loaderStatusRanges(input, o));
  const ranges = [...scan.occurrences.map((o) => o.range), ...scan.scripts, ...loaders].sort((a, b) => a.start - b.start);
  const segments: string[] = [];
  let pos = 0;
  for (const r of ranges) {
    if (r.start < pos) continue;
    segments.push(input.slice(pos, r.start));
    pos = r.end;
  }
  segments.push(input.slice(pos));
  return segments.filter((s) => s.length > 0);
}

/** Opens a page with every request that is not to the service refused and recorded. */
async function openOffline(url: string, colorScheme: 'light' | 'dark' = 'light') {
  const context = await browser.newContext({ viewport: { width: 900, height: 900 }, colorScheme });
  const leaked: string[] = [];
  const dialogs: string[] = [];
  await context.route('**/*', (route) => (route.request().url().startsWith(svc.url) ? route.continue() : (leaked.push(route.request().url()), route.abort())));
  const page = await context.newPage();
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await page.goto(url, { waitUntil: 'load' });
  return { page, context, leaked, dialogs };
}

beforeAll(async () => {
  upstream = await startUpstream();
  svc = await startService({ UPSTREAM_OVERRIDES: JSON.stringify(upstream.overrides) }, { worker: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const res = await svc.api('/v1/archive?wait=60', json({ article: { url: SEED_URL, html: SEED } }));
  expect(res.status).toBe(200);
  articleId = ((await res.json()) as { article: { id: string } }).article.id;
  await waitForQueueIdle(svc.runtime.deps.queue);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await svc?.close();
  await upstream?.close();
});

describe('the seed article rendered from the archive', () => {
  it('differs from the input only inside the embeds', async () => {
    const out = await (await svc.api(`/v1/articles/${articleId}/render?mode=static`, { token: null })).text();
    let pos = 0;
    for (const segment of preservedSegments(SEED)) {
      const at = out.indexOf(segment, pos);
      expect(at, `segment ${JSON.stringify(segment.slice(0, 60))}`).toBeGreaterThanOrEqual(pos);
      pos = at + segment.length;
    }
    expect(out).not.toContain('platform.twitter.com/widgets.js');
    expect(out).not.toContain('<script');
    expect(out).toContain(`data-embedkeep-id="`);
    expect(out).not.toMatch(/<img[^>]*\s(?:data-)?src="https:\/\/pbs\.twimg\.com/);
    expect(out).not.toContain('>loading…<');
  });

  it.each(['light', 'dark'] as const)('shows the post and the photo with the network cut off (%s)', async (scheme) => {
    const { page, context, leaked } = await openOffline(`${svc.url}/v1/articles/${articleId}/render?mode=static`, scheme);
    try {
      const card = page.locator('[data-embedkeep-id]').filter({ hasText: 'Negotiations between Lavrov' });
      await expect(card.isVisible()).resolves.toBe(true);
      expect(await card.innerText()).toContain('Sprinter Monitor');
      expect(await card.innerText()).toContain('@SpriterMonitor1');
      // Every image loaded from the archive, the lead photo included.
      // Lazy images load as a reader scrolls; load them all before looking.
      await page.evaluate(() => Promise.all([...document.images].map((i) => { i.loading = 'eager'; return i.decode().catch(() => undefined); })));
      const images = await page.$$eval('img', (imgs) => imgs.filter((i) => i.checkVisibility()).map((i) => ({ src: i.currentSrc, w: i.naturalWidth })));
      expect(images.length).toBeGreaterThanOrEqual(3);
      for (const img of images) {
        expect(img.src.startsWith(svc.url)).toBe(true);
        expect(img.w).toBeGreaterThan(0);
      }
      const lead = page.locator('figure.lead-media img').first();
      expect(await lead.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(100);
      const text = await page.locator('body').innerText();
      expect(text).not.toMatch(/loading/i);
      expect(leaked).toEqual([]);
      await page.screenshot({ path: `/tmp/render-static-${scheme}.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('keeps the card when the live embed cannot render (enhance mode)', async () => {
    const { page, context } = await openOffline(`${svc.url}/v1/articles/${articleId}/render?mode=enhance`);
    try {
      const card = page.locator('.ek-card').filter({ hasText: 'Negotiations between Lavrov' });
      expect(await card.isVisible()).toBe(true);
      await page.waitForSelector('[data-embedkeep-live="failed"]', { timeout: 15_000, state: 'attached' });
      expect(await card.isVisible()).toBe(true);
      expect(await page.locator('body').innerText()).not.toMatch(/loading/i);
    } finally {
      await context.close();
    }
  });

  it('answers with an ETag and 304 for a cached render, and a new ETag after the embed changes', async () => {
    const url = `/v1/articles/${articleId}/render?mode=static`;
    const first = await svc.api(url, { token: null });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect((await svc.api(url, { token: null, headers: { 'if-none-match': etag } })).status).toBe(304);
    const embed = (await (await svc.api(`/v1/embeds?url=${encodeURIComponent(`https://x.com/i/status/${SEED_TWEET_ID}`)}`)).json()) as { embeds: Array<{ id: string }> };
    await svc.runtime.deps.articles.touchEmbeds([embed.embeds[0]!.id]);
    const second = (await svc.api(url, { token: null })).headers.get('etag');
    expect(second).not.toBe(etag);
    // A worker process changes the embed through a connection of its own.
    const other = new Database(join(svc.config.dataDir, 'embedkeep.db'));
    try {
      other.prepare('update embeds set updated_at = updated_at + 1 where id = ?').run(embed.embeds[0]!.id);
    } finally {
      other.close();
    }
    expect((await svc.api(url, { token: null })).headers.get('etag')).not.toBe(second);
  });
});

describe('render API', () => {
  it('POST /v1/render rewrites posted HTML; unknown embeds fall back to their own text, escaped', async () => {
    const html = `<p>Before</p><blockquote class="twitter-tweet"><p>&lt;img src=x onerror=alert(1)&gt; pasted</p>&mdash; Someone (@someone) <a href="https://twitter.com/someone/status/${TWEET_IDS.normal}1">May 1, 2024</a></blockquote><script async src="https://platform.twitter.com/widgets.js"></script><p>After</p>`;
    const res = await svc.api('/v1/render', { method: 'POST', headers: { 'content-type': 'text/html' }, body: html });
    expect(res.status).toBe(200);
    const out = await res.text();
    expect(out.startsWith('<p>Before</p>')).toBe(true);
    expect(out.endsWith('<p>After</p>')).toBe(true);
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt; pasted');
    expect(out).not.toContain('<img src=x');
    const { page, context, dialogs } = await openOffline(`data:text/html,${encodeURIComponent(out)}`);
    try {
      expect(await page.locator('body').innerText()).toContain('<img src=x onerror=alert(1)> pasted');
      expect(dialogs).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('serves a standalone card page with a strict CSP and oEmbed discovery, and an oEmbed provider', async () => {
    const found = (await (await svc.api(`/v1/embeds?url=${encodeURIComponent(`https://twitter.com/x/status/${SEED_TWEET_ID}`)}`)).json()) as { embeds: Array<{ id: string }> };
    const id = found.embeds[0]!.id;
    const page = await svc.api(`/cards/${id}`, { token: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const body = await page.text();
    expect(body).toContain(`data-embedkeep-id="${id}"`);
    expect(body).toMatch(/<link rel="alternate" type="application\/json\+oembed"/);
    const oembed = await (await svc.api(`/oembed?url=${encodeURIComponent(`https://mobile.twitter.com/SpriterMonitor1/status/${SEED_TWEET_ID}`)}&format=json&maxwidth=400`, { token: null })).json() as Record<string, unknown>;
    expect(oembed).toMatchObject({ version: '1.0', type: 'rich', width: 400, author_name: 'Sprinter Monitor' });
    expect(oembed.html).toContain('Negotiations between Lavrov');
    expect(oembed.html).toContain(`data-embedkeep-id="${id}"`);
    expect((await svc.api(`/oembed?url=${encodeURIComponent('https://x.com/a/status/1')}`, { token: null })).status).toBe(404);
    expect((await svc.api(`/oembed?url=${encodeURIComponent(`https://x.com/i/status/${SEED_TWEET_ID}`)}&format=xml`, { token: null })).status).toBe(501);
  });
});
