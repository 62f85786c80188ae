import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFetcher } from '../../src/adapters/node/node-fetcher.ts';
import { locateChromium } from '../../src/adapters/node/locate-chromium.ts';
import { chromiumMemoryKiB } from '../../src/adapters/node/chromium-memory.ts';
import { PlaywrightBrowser } from '../../src/adapters/node/playwright-browser.ts';
import { BrowserError } from '../../src/core/errors.ts';
import { createServiceMetrics } from '../../src/core/metrics.ts';
import { embedPageUrl } from '../../src/providers/x.ts';
import { TWEET_IDS } from '../fixtures/tweets.ts';
import { startUpstream, type Upstream } from '../fixtures/upstream-server.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
let upstream: Upstream;

const request = (id: string, timeoutMs = 10_000) => ({
  url: embedPageUrl(id), selector: 'article', notSelector: '[data-testid="tweet-placeholder"]',
  viewport: { width: 600, height: 1000 }, deviceScaleFactor: 2, timeoutMs,
});

function pool(options: { recycleAfter?: number; concurrency?: number; memoryLimitMiB?: number } = {}) {
  const metrics = createServiceMetrics();
  const browser = new PlaywrightBrowser({
    executablePath: locateChromium(process.env.CHROMIUM_PATH),
    fetcher: createNodeFetcher({ overrides: upstream.overrides }),
    overrides: upstream.overrides,
    concurrency: options.concurrency ?? 2,
    logger: silent,
    metrics,
    ...(options.recycleAfter ? { recycleAfter: options.recycleAfter } : {}),
    ...(options.memoryLimitMiB ? { memoryLimitMiB: options.memoryLimitMiB } : {}),
  });
  return { browser, metrics };
}

beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => {
  await upstream.close();
});

describe('PlaywrightBrowser', () => {
  it('shoots the rendered post, never the placeholder, clipped to it at 2×', async () => {
    const { browser } = pool();
    try {
      const shot = await browser.screenshot(request(TWEET_IDS.normal));
      expect(shot.text).toContain('@');
      expect(shot.text).not.toMatch(/Loading…/);
      expect(shot.png.slice(1, 4)).toEqual(new Uint8Array([0x50, 0x4e, 0x47]));
      const buf = Buffer.from(shot.png);
      expect(Math.abs(buf.readUInt32BE(16) - shot.width * 2)).toBeLessThanOrEqual(1);
      expect(shot.width).toBeLessThanOrEqual(560);
      expect(shot.blocked).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('fails with a timeout, not a picture, when the post never renders', async () => {
    const { browser } = pool();
    try {
      await expect(browser.screenshot(request(TWEET_IDS.hang, 3000))).rejects.toMatchObject({ name: 'BrowserError', reason: 'timeout' });
    } finally {
      await browser.close();
    }
  });

  it('recycles Chromium after N captures without cutting off captures in flight', async () => {
    const { browser, metrics } = pool({ recycleAfter: 3 });
    try {
      const ids = [TWEET_IDS.normal, TWEET_IDS.quoted, TWEET_IDS.media, TWEET_IDS.emoji, TWEET_IDS.rtl, TWEET_IDS.long, TWEET_IDS.seed, TWEET_IDS.video];
      const shots = await Promise.all(ids.map((id) => browser.screenshot(request(id))));
      expect(shots.every((s) => s.png.length > 1000)).toBe(true);
      expect(await metrics.registry.render()).toMatch(/embedkeep_browser_restarts_total\{reason="recycle"\} [1-9]/);
    } finally {
      await browser.close();
    }
  });

  it('measures Chromium\'s memory and recycles it once it grows over its bound', async () => {
    const { browser, metrics } = pool({ memoryLimitMiB: 16, concurrency: 1 });
    try {
      for (let i = 0; i < 7; i += 1) expect((await browser.screenshot(request(TWEET_IDS.normal))).png.length).toBeGreaterThan(1000);
      const text = await metrics.registry.render();
      const bytes = Number(/^embedkeep_browser_memory_bytes (\d+)$/m.exec(text)?.[1]);
      // A real measurement: a running Chromium is far over 16 MiB and under a few GiB.
      expect(bytes).toBeGreaterThan(50 * 1024 * 1024);
      expect(bytes).toBeLessThan(4 * 1024 * 1024 * 1024);
      expect(text).toMatch(/^embedkeep_browser_restarts_total\{reason="memory"\} 1$/m);
      expect(await chromiumMemoryKiB()).toBeGreaterThan(0);
    } finally {
      await browser.close();
    }
    expect(await chromiumMemoryKiB()).toBe(0);
  });

  it('says clearly what is missing when no browser is found', () => {
    expect(() => locateChromium('/nonexistent/chromium')).toThrow(BrowserError);
    expect(() => locateChromium('/nonexistent/chromium')).toThrow(/CHROMIUM_PATH=\/nonexistent\/chromium is not an executable/);
  });
});
