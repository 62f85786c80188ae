/**
 * Post-card capture throughput (captures/s) and per-capture latency (p50/p95) against the fixture
 * embed page, every variant in the same run, interleaved round by round, medians:
 *   a      bare limit: one reused page; goto + wait for `article` + element screenshot
 *   b      a fresh browser.newContext() per capture, same steps
 *   b.rd   (b) with every request routed through Node, answered by a plain fetch of the override
 *          target (the cost of Playwright request interception alone)
 *   b.eg   (b) with routeThroughEgress + the Node egress fetcher (interception + egress layer)
 *   b.pre  what-if: (b.eg) with the next context AND its page prepared during the current capture
 *          and the context closed off the critical path (what PlaywrightBrowser could do)
 *   c      capture-website-like: fresh context + goto(waitUntil 'networkidle') + element screenshot
 *   d1/d2  our PlaywrightBrowser.screenshot() at concurrency 1 and 2 (egress routing included)
 *   e      the whole captureEmbed pipeline through the real service worker (CAPTURE_CONCURRENCY 2):
 *          POST /v1/archive?wait of a batch of posts, timed to "all final" and to "queue drained"
 * Target (DESIGN.md): isolated captures (d) at ≥ 60 % of the bare limit (a).
 * (a), (b), (c) reach the fixture through a loopback TLS-terminating proxy in the upstream's own
 * process, so the bare browser does no request interception at all; nothing leaves loopback.
 * (a)×2 (two reused pages in parallel) is there to judge (d) at concurrency 2.
 * Run: npx tsx bench/capture.bench.ts   env: DELAYS=50,400 ROUNDS=… PER_ROUND=8 VARIANTS_400=a,b,… CHROMIUM_PATH=…
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { chromium, type Browser as PwBrowser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright';
import { EGRESS_CONTEXT_OPTIONS, EGRESS_LAUNCH_ARGS, routeThroughEgress } from '../src/adapters/node/browser-egress.ts';
import { createNodeFetcher } from '../src/adapters/node/node-fetcher.ts';
import { BASE_LAUNCH_ARGS, PlaywrightBrowser } from '../src/adapters/node/playwright-browser.ts';
import { applyOverrides } from '../src/core/egress-url.ts';
import { createLogger } from '../src/core/logger.ts';
import { createServiceMetrics } from '../src/core/metrics.ts';
import type { Fetcher, ScreenshotRequest } from '../src/ports.ts';
import { embedPageUrl, X_EMBED_TIMEOUT_MS } from '../src/providers/x.ts';
import { TWEET_IDS } from '../tests/fixtures/tweets.ts';
import { json, startService, type TestService } from '../tests/helpers/start-service.ts';
import { waitForQueueIdle } from '../tests/helpers/wait-for.ts';
import { finishRun, median, percentile, printTable, round, startRun, type Row } from './lib/bench-kit.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';
const DELAYS = (process.env.DELAYS ?? '50,400').split(',').map(Number);
const PER_ROUND = Number(process.env.PER_ROUND ?? 8);
/** Rounds and variants per delay: the long delay only adds waiting, so it gets the headline variants. */
const ROUNDS_AT = (delay: number) => Number(process.env.ROUNDS ?? (delay <= 100 ? 4 : 3));
const VARIANTS_AT = (delay: number) => (process.env[`VARIANTS_${delay}`] ?? (delay <= 100 ? 'a,a2,b,b.rd,b.eg,b.pre,c,d1,d2' : 'a,a2,b,c,d1,d2')).split(',');
const VIEWPORT = { width: 600, height: 1200 };
const SCALE = 2;
const POSTS = (['seed', 'normal', 'quoted', 'media', 'video', 'long', 'rtl', 'emoji'] as const).map((c) => TWEET_IDS[c]);
/** What the X provider asks of the browser (src/providers/x.ts). */
const request = (id: string): ScreenshotRequest => ({
  url: embedPageUrl(id),
  selector: 'article',
  notSelector: '[role="progressbar"], [data-testid="tweet-placeholder"], [aria-busy="true"]',
  failSelector: '[data-testid="tweet-unavailable"], [data-testid="tombstone"]',
  viewport: VIEWPORT,
  deviceScaleFactor: SCALE,
  timeoutMs: X_EMBED_TIMEOUT_MS,
});
const CONTEXT: BrowserContextOptions = { viewport: VIEWPORT, deviceScaleFactor: SCALE, reducedMotion: 'reduce', locale: 'en-US', timezoneId: 'UTC' };

const run = await startRun('capture');

// ---------------------------------------------------------------- the outside world, in a child

interface Child { process: ChildProcess; url: string; overrides: Record<string, string>; proxy: string }

async function startChild(delayMs: number): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./lib/upstream-child.ts', import.meta.url).pathname, String(delayMs)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`upstream child exited with ${code}`)));
  });
  return { process: child, ...(JSON.parse(line) as Omit<Child, 'process'>) };
}

async function stopChild(child: Child) {
  const exited = new Promise((resolve) => child.process.once('exit', resolve));
  child.process.stdin!.end();
  await exited;
}

async function upstreamRequests(child: Child): Promise<number> {
  return ((await (await fetch(`${child.proxy}/__stats`)).json()) as { upstreamRequests: number }).upstreamRequests;
}

// ---------------------------------------------------------------- instrumentation of Playwright calls

/** Per-capture milliseconds by Playwright call, recorded only while `recording` is set (d1). */
let recording: Map<string, number> | null = null;
const record = (label: string, ms: number) => recording?.set(label, (recording.get(label) ?? 0) + ms);

function wrap(proto: object, method: string, label: string) {
  const p = proto as Record<string, unknown>;
  const original = p[method] as (...args: unknown[]) => unknown;
  if (typeof original !== 'function' || (original as { wrapped?: boolean }).wrapped) return;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    if (!recording) return original.apply(this, args);
    const t = performance.now();
    const out = original.apply(this, args);
    if (out instanceof Promise) return out.finally(() => record(label, performance.now() - t));
    record(label, performance.now() - t);
    return out;
  };
  (wrapped as { wrapped?: boolean }).wrapped = true;
  p[method] = wrapped;
}

async function instrument(browser: PwBrowser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  wrap(Object.getPrototypeOf(browser), 'newContext', 'browser.newContext (spare, overlapped)');
  wrap(Object.getPrototypeOf(context), 'newPage', 'context.newPage');
  wrap(Object.getPrototypeOf(context), 'close', 'context.close');
  wrap(Object.getPrototypeOf(context), 'route', 'context.route ×3 + routeWebSocket setup (spare)');
  wrap(Object.getPrototypeOf(context), 'routeWebSocket', 'context.route ×3 + routeWebSocket setup (spare)');
  wrap(Object.getPrototypeOf(page), 'goto', 'page.goto (commit)');
  wrap(Object.getPrototypeOf(page), 'waitForFunction', 'page.waitForFunction (notSelector gone)');
  const locator = Object.getPrototypeOf(page.locator('article'));
  wrap(locator, 'waitFor', 'locator.waitFor (article visible ∥ failSelector attached)');
  wrap(locator, 'evaluate', 'element.evaluate (images + fonts settle)');
  wrap(locator, 'boundingBox', 'element.boundingBox');
  wrap(locator, 'screenshot', 'element.screenshot (PNG)');
  wrap(locator, 'innerText', 'element.innerText');
  wrap(locator, 'count', 'failSelector count');
  await page.route('**/*', async (route, req) => {
    wrap(Object.getPrototypeOf(req), 'allHeaders', 'route: request.allHeaders (summed over requests)');
    wrap(Object.getPrototypeOf(route), 'fulfill', 'route: route.fulfill (summed over requests)');
    await route.fulfill({ body: 'ok' });
  });
  await page.goto('http://127.0.0.1:9/instrument');
  await context.close();
}

function timedFetcher(inner: Fetcher): Fetcher & { calls: number } {
  const f = {
    calls: 0,
    async fetch(url: string, options?: Parameters<Fetcher['fetch']>[1]) {
      f.calls++;
      const t = performance.now();
      try {
        return await inner.fetch(url, options);
      } finally {
        record('route: egress fetcher.fetch (summed over requests)', performance.now() - t);
      }
    },
  };
  return f;
}

// ---------------------------------------------------------------- variants

interface Variant {
  key: string;
  label: string;
  concurrency: number;
  /** Fraction of PER_ROUND this variant captures per round (slow baselines take fewer). */
  share?: number;
  capture(id: string): Promise<void>;
  requests?: () => number;
}

async function bareSteps(page: Page, url: string, waitUntil: 'domcontentloaded' | 'networkidle' = 'domcontentloaded') {
  await page.goto(url, { waitUntil, timeout: 30_000 });
  const element = page.locator('article').first();
  await element.waitFor({ state: 'visible', timeout: 30_000 });
  const png = await element.screenshot({ type: 'png' });
  if (png.length < 2_000) throw new Error(`suspiciously small screenshot (${png.length} bytes) of ${url}`);
}

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'host']);

async function buildVariants(child: Child, bare: PwBrowser, routed: PwBrowser, services: { d1: PlaywrightBrowser; d2: PlaywrightBrowser }) {
  const reusedContext = await bare.newContext({ ...CONTEXT, ignoreHTTPSErrors: true });
  const reused = await reusedContext.newPage();
  const freePages = [await reusedContext.newPage(), await reusedContext.newPage()];
  let routedRequests = 0;
  let spare: Promise<{ context: BrowserContext; page: Page }> | undefined;
  const prepareSpare = async () => {
    const context = await routed.newContext({ ...CONTEXT, ...EGRESS_CONTEXT_OPTIONS });
    await routeThroughEgress(context, egressFetcher, { overrides: child.overrides });
    return { context, page: await context.newPage() };
  };
  const variants: Variant[] = [
    {
      key: 'a', label: '(a) bare limit: one reused page', concurrency: 1,
      capture: (id) => bareSteps(reused, embedPageUrl(id)),
    },
    {
      key: 'a2', label: '(a) ×2: two reused pages in parallel', concurrency: 2,
      async capture(id) {
        const page = freePages.pop()!; // one page per in-flight capture
        try {
          await bareSteps(page, embedPageUrl(id));
        } finally {
          freePages.push(page);
        }
      },
    },
    {
      key: 'b', label: '(b) fresh context per capture', concurrency: 1,
      async capture(id) {
        const context = await bare.newContext({ ...CONTEXT, ignoreHTTPSErrors: true });
        try {
          await bareSteps(await context.newPage(), embedPageUrl(id));
        } finally {
          await context.close();
        }
      },
    },
    {
      key: 'b.rd', label: '(b) + every request routed via Node, plain fetch of the override', concurrency: 1,
      requests: () => routedRequests,
      async capture(id) {
        const context = await routed.newContext({ ...CONTEXT, ...EGRESS_CONTEXT_OPTIONS });
        await context.route((u) => u.protocol !== 'data:' && u.protocol !== 'blob:', async (route, req) => {
          routedRequests++;
          const mapped = applyOverrides(req.url(), child.overrides);
          if (!mapped.overridden) return route.abort('blockedbyclient');
          const res = await fetch(mapped.url, { method: req.method(), headers: req.headers() });
          const headers: Record<string, string> = {};
          res.headers.forEach((v, k) => { if (!HOP.has(k)) headers[k] = v; });
          await route.fulfill({ status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) });
        });
        try {
          await bareSteps(await context.newPage(), embedPageUrl(id));
        } finally {
          await context.close();
        }
      },
    },
    {
      key: 'b.eg', label: '(b) + routeThroughEgress (Node egress fetcher)', concurrency: 1,
      async capture(id) {
        const context = await routed.newContext({ ...CONTEXT, ...EGRESS_CONTEXT_OPTIONS });
        await routeThroughEgress(context, egressFetcher, { overrides: child.overrides });
        try {
          await bareSteps(await context.newPage(), embedPageUrl(id));
        } finally {
          await context.close();
        }
      },
    },
    {
      key: 'b.pre', label: 'what-if: (b.eg) with context + page prepared ahead, close off the critical path', concurrency: 1,
      async capture(id) {
        const current = await (spare ?? prepareSpare());
        spare = prepareSpare();
        spare.catch(() => undefined);
        try {
          await bareSteps(current.page, embedPageUrl(id));
        } finally {
          void current.context.close().catch(() => undefined);
        }
      },
    },
    {
      key: 'c', label: "(c) capture-website-like: fresh context + waitUntil 'networkidle'", concurrency: 1, share: 0.5,
      async capture(id) {
        const context = await bare.newContext({ ...CONTEXT, ignoreHTTPSErrors: true });
        try {
          await bareSteps(await context.newPage(), embedPageUrl(id), 'networkidle');
        } finally {
          await context.close();
        }
      },
    },
    {
      key: 'd1', label: '(d) PlaywrightBrowser.screenshot(), concurrency 1', concurrency: 1,
      async capture(id) {
        recording = new Map();
        const t = performance.now();
        try {
          const shot = await services.d1.screenshot(request(id));
          if (shot.png.length < 2_000 || !shot.text) throw new Error('empty capture');
          if (shot.blocked.length) throw new Error(`blocked requests: ${shot.blocked.join(', ')}`);
        } finally {
          recording.set('total', performance.now() - t);
          d1Steps.push(recording);
          recording = null;
        }
      },
    },
    {
      key: 'd2', label: '(d) PlaywrightBrowser.screenshot(), concurrency 2', concurrency: 2,
      async capture(id) {
        const shot = await services.d2.screenshot(request(id));
        if (shot.png.length < 2_000 || !shot.text) throw new Error('empty capture');
      },
    },
  ];
  return variants;
}

const silent = createLogger('silent', () => undefined);
let egressFetcher: Fetcher;
let d1Steps: Array<Map<string, number>> = [];

interface Batch { wallMs: number; latencies: number[]; n: number }

async function runBatch(v: Variant, ids: string[]): Promise<Batch> {
  let next = 0;
  const latencies: number[] = [];
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const t = performance.now();
      await v.capture(id);
      latencies.push(performance.now() - t);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: v.concurrency }, worker));
  return { wallMs: performance.now() - t0, latencies, n: ids.length };
}

// ---------------------------------------------------------------- (e) the whole pipeline

interface PipelineBatch extends Batch { drainMs: number; layers: Array<Record<string, number>>; statuses: string[] }

async function pipelineBatch(svc: TestService, ids: string[], reset: boolean): Promise<PipelineBatch> {
  const db = svc.runtime.db.$client;
  if (reset) db.prepare(`update embeds set status = 'failed' where provider = 'x'`).run();
  const t0 = performance.now();
  const res = await svc.api('/v1/archive?wait=120', json({ urls: ids.map((id) => `https://x.com/i/status/${id}`) }));
  const wallMs = performance.now() - t0;
  if (res.status !== 200) throw new Error(`archive answered ${res.status}`);
  const body = (await res.json()) as { embeds: Array<{ id: string; status: string }> };
  await waitForQueueIdle(svc.runtime.deps.queue, 180_000);
  const drainMs = performance.now() - t0;
  const rows = db.prepare(`select c.duration_ms as ms, c.layers as layers from captures c join embeds e on e.latest_capture_id = c.id
    where e.id in (${body.embeds.map(() => '?').join(',')})`).all(...body.embeds.map((e) => e.id)) as Array<{ ms: number; layers: string }>;
  const layers = rows.map((r) => {
    const out: Record<string, number> = { total: r.ms };
    for (const l of JSON.parse(r.layers) as Array<{ layer: string; ms: number }>) {
      const name = l.layer.startsWith('media:') ? 'media (all)' : l.layer;
      out[name] = (out[name] ?? 0) + l.ms;
    }
    return out;
  });
  return { wallMs, drainMs, latencies: rows.map((r) => r.ms), n: ids.length, layers, statuses: body.embeds.map((e) => e.status) };
}

// ---------------------------------------------------------------- one delay

function idsFor(round: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => POSTS[(round * n + i) % POSTS.length]!);
}

const results: Record<string, unknown> = {};
const summary: Row[] = [];

for (const delay of DELAYS) {
  console.log(`\n== embedRenderDelayMs ${delay}: starting the upstream, browsers and service…`);
  const child = await startChild(delay);
  const launch = (args: string[]) => chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...BASE_LAUNCH_ARGS, ...args] });
  const bare = await launch([`--proxy-server=${child.proxy}`, '--proxy-bypass-list=<-loopback>', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1']);
  const routed = await launch([...EGRESS_LAUNCH_ARGS]);
  await instrument(routed);
  egressFetcher = createNodeFetcher({ overrides: child.overrides });
  const d1Fetcher = timedFetcher(createNodeFetcher({ overrides: child.overrides }));
  const pool = (concurrency: number, fetcher: Fetcher) => new PlaywrightBrowser({
    executablePath: CHROMIUM, fetcher, overrides: child.overrides, concurrency, logger: silent, metrics: createServiceMetrics(),
  });
  const services = { d1: pool(1, d1Fetcher), d2: pool(2, createNodeFetcher({ overrides: child.overrides })) };
  const svc = await startService({ UPSTREAM_OVERRIDES: JSON.stringify(child.overrides), CHROMIUM_PATH: CHROMIUM, CAPTURE_CONCURRENCY: '2' }, { worker: true });
  const ROUNDS = ROUNDS_AT(delay);
  const variants = (await buildVariants(child, bare, routed, services)).filter((v) => VARIANTS_AT(delay).includes(v.key));
  d1Steps = [];
  try {
    // Warm-up: browsers launched, fixture images generated, JIT warm; the pipeline's embeds created.
    for (const v of variants) await runBatch(v, idsFor(0, 2));
    await pipelineBatch(svc, POSTS, false);
    d1Steps = [];
    const before = await upstreamRequests(child);
    const rd = variants.find((v) => v.key === 'b.rd');
    const rdBefore = rd?.requests?.() ?? 0;

    const batches = new Map<string, Batch[]>();
    const pipeline: PipelineBatch[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const v of variants) {
        const b = await runBatch(v, idsFor(r + 1, Math.max(2, Math.round(PER_ROUND * (v.share ?? 1)))));
        batches.set(v.key, [...(batches.get(v.key) ?? []), b]);
      }
      pipeline.push(await pipelineBatch(svc, idsFor(r + 1, PER_ROUND), true));
      process.stdout.write(`  round ${r + 1}/${ROUNDS} done, load ${(await import('node:os')).loadavg()[0]!.toFixed(2)}\n`);
    }
    const totalUpstream = (await upstreamRequests(child)) - before;
    const rdCaptures = batches.get('b.rd')?.reduce((n, b) => n + b.n, 0) ?? 0;
    const rdPerCapture = rd ? round((rd.requests!() - rdBefore) / rdCaptures, 1) : undefined;

    const rate = (bs: Batch[]) => median(bs.map((b) => (b.n * 1000) / b.wallMs));
    const aRate = rate(batches.get('a')!);
    const rows: Row[] = variants.map((v) => {
      const bs = batches.get(v.key)!;
      const lat = bs.flatMap((b) => b.latencies);
      return {
        variant: v.label, n: lat.length, 'captures/s': round(rate(bs), 2), '× (a)': round(rate(bs) / aRate, 2),
        'p50 ms': round(percentile(lat, 50), 0), 'p95 ms': round(percentile(lat, 95), 0),
      };
    });
    const pLat = pipeline.flatMap((b) => b.latencies);
    const pRate = median(pipeline.map((b) => (b.n * 1000) / b.wallMs));
    const pDrain = median(pipeline.map((b) => (b.n * 1000) / b.drainMs));
    rows.push(
      { variant: '(e) captureEmbed via the service worker, c=2, to "all final"', n: pLat.length, 'captures/s': round(pRate, 2), '× (a)': round(pRate / aRate, 2), 'p50 ms': round(percentile(pLat, 50), 0), 'p95 ms': round(percentile(pLat, 95), 0) },
      { variant: '(e) same, to "queue drained" (renditions too)', n: pLat.length, 'captures/s': round(pDrain, 2), '× (a)': round(pDrain / aRate, 2) },
    );
    printTable(`Capture a post card, embedRenderDelayMs ${delay} — median throughput over ${ROUNDS} interleaved rounds, latency over all captures`, rows);
    const statuses = [...new Set(pipeline.flatMap((b) => b.statuses))];
    console.log(`pipeline statuses: ${statuses.join(', ')}; upstream requests per measured capture ≈ ${round(totalUpstream / ([...batches.values()].flat().reduce((n, b) => n + b.n, 0) + pipeline.reduce((n, b) => n + b.n, 0)), 1)}; routed (b.rd) ${rdPerCapture ?? '–'} requests/capture`);

    const get = (k: string) => (batches.has(k) ? rate(batches.get(k)!) : Number.NaN);
    const latOf = (k: string) => (batches.has(k) ? percentile(batches.get(k)!.flatMap((b) => b.latencies), 50) : Number.NaN);
    const decomposition: Row[] = [
      { step: 'fresh context per capture: (b) − (a)', 'p50 ms': round(latOf('b') - latOf('a'), 1) },
      { step: 'Playwright interception via Node: (b.rd) − (b)', 'p50 ms': round(latOf('b.rd') - latOf('b'), 1) },
      { step: 'egress layer instead of a plain fetch: (b.eg) − (b.rd)', 'p50 ms': round(latOf('b.eg') - latOf('b.rd'), 1) },
      { step: 'PlaywrightBrowser beyond (b.eg) (spare ctx, extra waits/routes): (d1) − (b.eg)', 'p50 ms': round(latOf('d1') - latOf('b.eg'), 1) },
      { step: '(d1) − (a): total p50 latency difference', 'p50 ms': round(latOf('d1') - latOf('a'), 1) },
    ].filter((r) => Number.isFinite(r['p50 ms']));
    printTable(`Where the time goes (differences of p50 latency), delay ${delay}`, decomposition);

    const labels = [...new Set(d1Steps.flatMap((m) => [...m.keys()]))];
    const stepRows: Row[] = labels.map((l) => ({ 'Playwright call in (d1)': l, 'median ms/capture': round(median(d1Steps.map((m) => m.get(l) ?? 0)), 1) }));
    printTable(`(d1) PlaywrightBrowser.screenshot() by call, median per capture (calls marked overlapped/summed run concurrently with others), delay ${delay}`, stepRows);
    const layerNames = [...new Set(pipeline.flatMap((b) => b.layers.flatMap((l) => Object.keys(l))))];
    const layerRows: Row[] = layerNames.map((name) => ({ 'captureEmbed layer (e)': name, 'median ms': round(median(pipeline.flatMap((b) => b.layers.map((l) => l[name] ?? 0))), 0) }));
    printTable(`(e) captureEmbed layers as recorded on the captures (median per capture, concurrency 2), delay ${delay}`, layerRows);

    const dRatio1 = get('d1') / aRate;
    const dRatio2 = get('d2') / aRate;
    console.log(`target: (d) ≥ 60 % of (a) → c=1 ${Math.round(dRatio1 * 100)} %, c=2 ${Math.round(dRatio2 * 100)} % (${Math.max(dRatio1, dRatio2) >= 0.6 ? 'met' : 'NOT met'})`);
    summary.push({
      delay, 'a /s': round(aRate, 2), 'a×2 /s': round(get('a2'), 2), 'd1 /s': round(get('d1'), 2), 'd2 /s': round(get('d2'), 2),
      'd1/a': round(dRatio1, 2), 'd2/a': round(dRatio2, 2), 'd2/a×2': round(get('d2') / get('a2'), 2), 'e /s': round(pRate, 2), 'e/a': round(pRate / aRate, 2),
    });
    results[`delay${delay}`] = { rounds: ROUNDS, variants: rows, decomposition, d1Calls: stepRows, pipelineLayers: layerRows, statuses, upstreamRequests: totalUpstream, routedRequestsPerCapture: rdPerCapture };
  } finally {
    await svc.close();
    await services.d1.close();
    await services.d2.close();
    await bare.close();
    await routed.close();
    await stopChild(child);
  }
}

printTable('Summary: (d) as a share of the bare limit (target ≥ 0.60)', summary);
finishRun(run, { settings: { delays: DELAYS, perRound: PER_ROUND, viewport: VIEWPORT, deviceScaleFactor: SCALE }, summary, ...results });
