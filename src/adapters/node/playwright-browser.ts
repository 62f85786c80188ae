import { chromium, errors as pwErrors, type Browser as PwBrowser, type BrowserContext, type Page } from 'playwright';
import { BrowserError, EgressError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { ServiceMetrics } from '../../core/metrics.ts';
import type { Browser, Fetcher, ScreenshotRequest, ScreenshotResult } from '../../ports.ts';
import { EGRESS_CONTEXT_OPTIONS, EGRESS_LAUNCH_ARGS, routeThroughEgress } from './browser-egress.ts';
import { chromiumMemoryKiB } from './chromium-memory.ts';
import { Semaphore } from './semaphore.ts';

export const BASE_LAUNCH_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-quic', '--disable-dev-shm-usage', '--hide-scrollbars', '--mute-audio',
];
/** A long-lived Chromium slowly grows; a fresh one after this many captures keeps memory flat. */
export const RECYCLE_AFTER_CAPTURES = 250;
/** A leak that outpaces the capture count: Chromium is recycled once its processes use more than this. */
export const MEMORY_LIMIT_MIB = 1024;
/** Reading /proc takes a few milliseconds; once every few captures is enough to catch a leak. */
const MEMORY_CHECK_EVERY = 5;
export const LAUNCH_TIMEOUT_MS = 30_000;
/** Images and web fonts inside the element may still be loading when it appears. */
const ASSET_SETTLE_TIMEOUT_MS = 5_000;
const MAX_TEXT_CHARS = 20_000;

export interface PlaywrightBrowserOptions {
  executablePath: string;
  fetcher: Fetcher;
  overrides: Record<string, string>;
  concurrency: number;
  logger: Logger;
  metrics: ServiceMetrics;
  recycleAfter?: number;
  memoryLimitMiB?: number;
  /** PSS of the browser's processes in KiB; undefined when it cannot be known. */
  measureMemoryKiB?: () => Promise<number | undefined>;
}

type ContextKey = string;

/** Refused requests of each context's pages, read back when its capture ends. */
const blockedByContext = new WeakMap<BrowserContext, string[]>();

/**
 * One Chromium, a fresh context per capture (no shared cookies or cache between captures), every
 * request of every context answered by the egress layer. The next context is prepared while the
 * current capture runs, so isolation costs little time.
 */
export class PlaywrightBrowser implements Browser {
  private browser: Promise<PwBrowser> | undefined;
  private spare: { key: ContextKey; context: Promise<BrowserContext> } | undefined;
  private launches = 0;
  private capturesSinceLaunch = 0;
  private active = 0;
  private recycling: Promise<void> | undefined;
  private overMemory = false;
  private measuring = false;
  /** Why the next launch happens, for the restarts metric. */
  private pendingReason = 'crash';
  private closed = false;
  private readonly slots: Semaphore;

  constructor(private readonly o: PlaywrightBrowserOptions) {
    this.slots = new Semaphore(o.concurrency);
  }

  async screenshot(req: ScreenshotRequest): Promise<ScreenshotResult> {
    return this.slots.run(async () => {
      const recycle = this.overMemory ? 'memory' : this.capturesSinceLaunch >= (this.o.recycleAfter ?? RECYCLE_AFTER_CAPTURES) ? 'recycle' : undefined;
      if (recycle) {
        this.recycling ??= this.recycleWhenIdle(recycle).finally(() => { this.recycling = undefined; });
        await this.recycling;
      }
      this.active += 1;
      try {
        const context = await this.takeContext(req);
        try {
          return await shoot(context, req);
        } finally {
          await context.close().catch(() => undefined);
        }
      } catch (error) {
        throw toBrowserError(error, req);
      } finally {
        this.active -= 1;
        this.capturesSinceLaunch += 1;
        if (this.capturesSinceLaunch % MEMORY_CHECK_EVERY === 0) this.checkMemory();
      }
    });
  }

  async health() {
    if (this.closed) return { ok: false, detail: 'closed' };
    try {
      const browser = await this.ensureBrowser();
      return browser.isConnected() ? { ok: true, detail: `chromium ${browser.version()}` } : { ok: false, detail: 'disconnected' };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  async close() {
    this.closed = true;
    await this.dropSpare();
    const browser = this.browser;
    this.browser = undefined;
    if (browser) await browser.then((b) => b.close()).catch(() => undefined);
  }

  private ensureBrowser(): Promise<PwBrowser> {
    if (this.closed) return Promise.reject(new BrowserError('crashed', 'the browser pool is closed'));
    if (!this.browser) {
      const launching = chromium.launch({
        executablePath: this.o.executablePath,
        headless: true,
        args: [...BASE_LAUNCH_ARGS, ...EGRESS_LAUNCH_ARGS],
        timeout: LAUNCH_TIMEOUT_MS,
        // Playwright would kill Chromium on the first signal, cutting off the captures a graceful
        // shutdown lets finish; the service closes it itself once the worker has stopped.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      }).then((browser) => {
        this.launches += 1;
        this.capturesSinceLaunch = 0;
        this.overMemory = false;
        if (this.launches > 1) this.o.metrics.browserRestarts.inc({ reason: this.pendingReason });
        browser.on('disconnected', () => {
          if (this.browser === launching) {
            this.browser = undefined;
            this.spare = undefined;
            this.pendingReason = 'crash';
            if (!this.closed) this.o.logger.warn('chromium disconnected; the next capture starts a new one');
          }
        });
        return browser;
      }, (error: Error) => {
        this.browser = undefined;
        throw new BrowserError('launch', `cannot start Chromium at ${this.o.executablePath}: ${error.message.split('\n')[0]}`);
      });
      this.browser = launching;
    }
    return this.browser;
  }

  private checkMemory() {
    if (this.measuring) return;
    this.measuring = true;
    const limitKiB = (this.o.memoryLimitMiB ?? MEMORY_LIMIT_MIB) * 1024;
    (this.o.measureMemoryKiB ?? chromiumMemoryKiB)().then((kib) => {
      if (kib === undefined) return;
      this.o.metrics.browserMemory.set(kib * 1024);
      if (kib > limitKiB && !this.overMemory) {
        this.overMemory = true;
        this.o.logger.warn('chromium is over its memory bound; a fresh one takes over once idle', { mib: Math.round(kib / 1024), limitMib: limitKiB / 1024 });
      }
    }, (error: Error) => {
      this.o.logger.warn('cannot measure the memory of chromium', { error: error.message });
    }).finally(() => { this.measuring = false; });
  }

  /** A recycle waits for the captures still running on the old browser, so none of them is cut off. */
  private async recycleWhenIdle(reason: 'recycle' | 'memory') {
    while (this.active > 0) await new Promise((r) => setTimeout(r, 50));
    this.pendingReason = reason;
    await this.dropSpare();
    const old = this.browser;
    this.browser = undefined;
    if (old) await old.then((b) => b.close()).catch(() => undefined);
  }

  private async takeContext(req: ScreenshotRequest): Promise<BrowserContext> {
    const key = JSON.stringify([req.viewport, req.deviceScaleFactor, req.colorScheme ?? 'light']);
    let context: BrowserContext | undefined;
    const spare = this.spare;
    this.spare = undefined;
    if (spare && spare.key === key) context = await spare.context.catch(() => undefined);
    else if (spare) void spare.context.then((c) => c.close()).catch(() => undefined);
    if (!context || !context.browser()?.isConnected()) context = await this.newContext(req);
    // Prepared now, used by the next capture: context creation overlaps with this capture's work.
    const next = this.newContext(req);
    next.catch(() => undefined);
    this.spare = { key, context: next };
    return context;
  }

  private async dropSpare() {
    const spare = this.spare;
    this.spare = undefined;
    if (spare) await spare.context.then((c) => c.close()).catch(() => undefined);
  }

  private async newContext(req: ScreenshotRequest): Promise<BrowserContext> {
    const browser = await this.ensureBrowser();
    const context = await browser.newContext({
      ...EGRESS_CONTEXT_OPTIONS,
      viewport: req.viewport,
      deviceScaleFactor: req.deviceScaleFactor,
      colorScheme: req.colorScheme ?? 'light',
      reducedMotion: 'reduce',
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    const blocked: string[] = [];
    blockedByContext.set(context, blocked);
    await routeThroughEgress(context, this.o.fetcher, {
      overrides: this.o.overrides,
      onBlocked: (url, error) => {
        blocked.push(`${error.reason} ${url.slice(0, 300)}`);
        this.o.logger.warn('browser request blocked', { url: url.slice(0, 300), reason: error.reason });
      },
    });
    // Video and audio never appear in a still; not fetching them saves most of a post's bytes.
    await context.route((url) => url.protocol !== 'data:' && url.protocol !== 'blob:', (route, request) =>
      request.resourceType() === 'media' ? route.abort('blockedbyclient') : route.fallback());
    // The page under capture may not navigate itself away (meta refresh, script): ERR_ABORTED leaves the
    // current document in place, where a blocked navigation would commit an error page over the post.
    const navigations = new WeakMap<Page, number>();
    await context.route(() => true, (route, request) => {
      const frame = request.isNavigationRequest() ? request.frame() : undefined;
      if (!frame || frame.parentFrame()) return route.fallback();
      const seen = navigations.get(frame.page()) ?? 0;
      navigations.set(frame.page(), seen + 1);
      if (seen === 0) return route.fallback();
      blocked.push(`navigation ${request.url().slice(0, 300)}`);
      return route.abort('aborted');
    });
    return context;
  }
}

async function shoot(context: BrowserContext, req: ScreenshotRequest): Promise<ScreenshotResult> {
  const page = await context.newPage();
  page.setDefaultTimeout(req.timeoutMs);
  // "commit", not "domcontentloaded": the wait below is for the post itself, and a page that starts
  // another (refused) navigation while parsing never reports its DOMContentLoaded to Playwright.
  const response = await page.goto(req.url, { waitUntil: 'commit', timeout: req.timeoutMs }).catch((error: unknown) => {
    // The document itself refused by the egress layer: say why, as a fetch would.
    const refused = blockedByContext.get(context)?.find((b) => /^(blocked_address|bad_url) /.test(b));
    if (refused) {
      const [reason] = refused.split(' ', 1) as ['blocked_address' | 'bad_url'];
      throw new EgressError(reason, `the page ${refused.slice(reason.length + 1)} was refused`, req.url);
    }
    throw error;
  });
  if (response && response.status() >= 400) {
    throw new BrowserError('not_rendered', `the page answered HTTP ${response.status()}`, response.status());
  }
  const element = page.locator(req.selector).first();
  if (req.failSelector) {
    const failed = page.locator(req.failSelector).first();
    const first = await Promise.race([
      element.waitFor({ state: 'visible', timeout: req.timeoutMs }).then(() => 'rendered' as const),
      failed.waitFor({ state: 'attached', timeout: req.timeoutMs }).then(() => 'failed' as const, () => new Promise<never>(() => undefined)),
    ]);
    if (first === 'failed' || (await failed.count()) > 0) {
      const notice = (await failed.innerText().catch(() => '')).trim().slice(0, 200);
      throw new BrowserError('not_rendered', `the page shows "${notice || req.failSelector}" instead of the post`);
    }
  } else {
    await element.waitFor({ state: 'visible', timeout: req.timeoutMs });
  }
  if (req.notSelector) {
    await page.waitForFunction((sel) => !document.querySelector(sel), req.notSelector, { timeout: req.timeoutMs });
  }
  if (req.clip === 'viewport') await page.waitForLoadState('load', { timeout: ASSET_SETTLE_TIMEOUT_MS }).catch(() => undefined);
  await element.evaluate(async (node, settleMs) => {
    const images = [...node.querySelectorAll('img')].filter((img) => !img.complete);
    const loaded = Promise.all(images.map((img) => new Promise((resolve) => {
      img.addEventListener('load', resolve, { once: true });
      img.addEventListener('error', resolve, { once: true });
    })));
    await Promise.race([Promise.all([loaded, document.fonts.ready]), new Promise((r) => setTimeout(r, settleMs))]);
  }, ASSET_SETTLE_TIMEOUT_MS);
  const box = await element.boundingBox();
  if (!box || box.width < 1 || box.height < 1) throw new BrowserError('not_rendered', `"${req.selector}" has no size`);
  const png = req.clip === 'viewport'
    ? await page.screenshot({ type: 'png', animations: 'disabled', timeout: req.timeoutMs, clip: { x: 0, y: 0, ...req.viewport } })
    : await element.screenshot({ type: 'png', animations: 'disabled', timeout: req.timeoutMs });
  const text = (await element.innerText()).slice(0, MAX_TEXT_CHARS);
  // The PNG's own size (IHDR) is what was captured; the CSS size follows from the scale factor.
  const pixels = { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
  return {
    png: new Uint8Array(png),
    width: Math.round(pixels.width / req.deviceScaleFactor),
    height: Math.round(pixels.height / req.deviceScaleFactor),
    text,
    title: (await page.title()).slice(0, 500),
    finalUrl: page.url(),
    blocked: [...(blockedByContext.get(context) ?? [])],
  };
}

function toBrowserError(error: unknown, req: ScreenshotRequest): BrowserError | EgressError {
  if (error instanceof BrowserError || error instanceof EgressError) return error;
  if (error instanceof pwErrors.TimeoutError) {
    return new BrowserError('timeout', `"${req.selector}" did not render within ${req.timeoutMs} ms at ${req.url}`);
  }
  const message = (error as Error).message ?? String(error);
  if (/closed|crash|disconnected/i.test(message)) return new BrowserError('crashed', message.split('\n')[0]!);
  return new BrowserError('not_rendered', message.split('\n')[0]!);
}
