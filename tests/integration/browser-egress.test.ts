import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext } from 'playwright';
import { createNodeFetcher } from '../../src/adapters/node/node-fetcher.ts';
import { EGRESS_CONTEXT_OPTIONS, EGRESS_LAUNCH_ARGS, routeThroughEgress } from '../../src/adapters/node/browser-egress.ts';
import type { EgressError } from '../../src/core/errors.ts';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-quic', ...EGRESS_LAUNCH_ARGS,
];
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///ywAAAAAAQABAAACAUwAOw==', 'base64');

let allowed: http.Server;
let canaries: http.Server[] = [];
let canaryConnections = 0;
let canaryPort = 0;
let browser: Browser;

function page(c: number): string {
  return `<!doctype html><html><head><title>allowed</title>
<link rel="stylesheet" href="/style.css">
<link rel="stylesheet" href="http://localhost:${c}/style.css">
<script src="http://127.1:${c}/script.js"></script>
</head><body>
<h1 id="ok">allowed page</h1>
<img id="good" src="/pixel.gif">
<img id="redirected-good" src="/redirect?to=%2Fpixel.gif">
<img src="http://2130706433:${c}/img">
<img src="/redirect?to=${encodeURIComponent(`http://[::1]:${c}/redirected-img`)}">
<iframe src="http://127.0.0.1:${c}/iframe"></iframe>
<iframe src="/frame-meta"></iframe>
<iframe src="/frame-js"></iframe>
<iframe src="/redirect?to=${encodeURIComponent(`http://0x7f000001:${c}/redirected-frame`)}"></iframe>
<p id="post"></p><p id="fetched"></p><p id="post-redirected"></p><div class="bg">x</div>
<script>
  fetch('http://0x7f000001:${c}/fetch').catch(() => {});
  const xhr = new XMLHttpRequest(); xhr.open('GET', 'http://[::1]:${c}/xhr'); xhr.send();
  const ws = new WebSocket('ws://127.0.0.1:${c}/ws');
  ws.onclose = () => { window.wsClosed = true; };
  fetch('http://127.0.0.1:${c}/post', { method: 'POST', body: 'x' }).catch(() => {});
  navigator.sendBeacon('http://127.0.0.1:${c}/beacon', 'x');
  new Worker(URL.createObjectURL(new Blob(["fetch('http://127.0.0.1:${c}/worker-fetch').catch(() => {})"])));
  fetch('/post', { method: 'POST', body: 'hello' }).then((r) => r.text()).then((t) => { document.getElementById('post').textContent = t; });
  fetch('/data.json').then((r) => r.json()).then((j) => { document.getElementById('fetched').textContent = j.ok; });
  fetch('/see-other?to=%2Fdata.json', { method: 'POST' }).then((r) => r.json()).then((j) => { document.getElementById('post-redirected').textContent = j.ok; });
  fetch('/see-other?to=${encodeURIComponent(`http://127.0.0.1:${c}/post-redirected`)}', { method: 'POST' }).catch(() => {});
</script></body></html>`;
}

function allowedHandler(c: number): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://allowed.test');
    const html = (body: string) => res.writeHead(200, { 'content-type': 'text/html' }).end(body);
    if (url.pathname === '/') return html(page(c));
    if (url.pathname === '/pixel.gif') return res.writeHead(200, { 'content-type': 'image/gif' }).end(PIXEL);
    if (url.pathname === '/style.css') {
      return res.writeHead(200, { 'content-type': 'text/css' }).end(
        `@font-face { font-family: canary; src: url(http://0177.0.0.1:${c}/font.woff); }
         body { font-family: canary, sans-serif; }
         .bg { background: url(http://[::ffff:127.0.0.1]:${c}/bg.png); }`,
      );
    }
    if (url.pathname === '/frame-meta') return html(`<meta http-equiv="refresh" content="0;url=http://127.1:${c}/meta">meta`);
    if (url.pathname === '/frame-js') return html(`<script>location = 'http://0x7f.1:${c}/js';</script>js`);
    if (url.pathname === '/see-other') return res.writeHead(303, { location: url.searchParams.get('to') ?? '/' }).end();
    if (url.pathname === '/redirect') return res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
    if (url.pathname === '/data.json') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":"fetched"}');
    if (url.pathname === '/post' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      return req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end(`posted ${body}`));
    }
    res.writeHead(404).end();
  };
}

async function listen(server: http.Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  return (server.address() as AddressInfo).port;
}

/** The canary answers on 127.0.0.1 and ::1 at one port and counts raw connections, upgrades included. */
async function startCanary(): Promise<void> {
  for (;;) {
    const v4 = http.createServer((_req, res) => res.end('canary'));
    const v6 = http.createServer((_req, res) => res.end('canary'));
    for (const server of [v4, v6]) server.on('connection', () => { canaryConnections += 1; });
    canaryPort = await listen(v4, 0, '127.0.0.1');
    try {
      await listen(v6, canaryPort, '::1');
      canaries = [v4, v6];
      return;
    } catch {
      v4.close();
    }
  }
}

beforeAll(async () => {
  await startCanary();
  allowed = http.createServer(allowedHandler(canaryPort));
  await listen(allowed, 0, '127.0.0.1');
  browser = await chromium.launch({ executablePath: '/usr/lib/chromium/chromium', args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const server of [allowed, ...canaries]) {
    server.closeAllConnections();
    server.close();
  }
});

async function egressContext(): Promise<{ context: BrowserContext; blocked: Array<{ url: string; error: EgressError }> }> {
  const overrides = { 'http://allowed.test/': `http://127.0.0.1:${(allowed.address() as AddressInfo).port}/` };
  // Fail closed: no name but localhost resolves, so nothing here can reach a real resolver.
  const resolve = async (host: string) => {
    if (host === 'localhost') return ['127.0.0.1', '::1'];
    throw Object.assign(new Error(`test resolver: ${host} unknown`), { code: 'ENOTFOUND' });
  };
  const fetcher = createNodeFetcher({ overrides, resolve, defaults: { timeoutMs: 10_000 } });
  const context = await browser.newContext(EGRESS_CONTEXT_OPTIONS);
  const blocked: Array<{ url: string; error: EgressError }> = [];
  await routeThroughEgress(context, fetcher, { overrides, onBlocked: (url, error) => blocked.push({ url, error }) });
  return { context, blocked };
}

const EXPECTED_BLOCKED_PATHS = [
  '/iframe', '/img', '/redirected-img', '/redirected-frame', '/meta', '/js', '/fetch', '/xhr', '/script.js',
  '/style.css', '/font.woff', '/bg.png', '/post', '/beacon', '/worker-fetch', '/post-redirected',
];

describe('browser egress', () => {
  it('renders the allowed page while every literal loopback address stays unreached', async () => {
    const { context, blocked } = await egressContext();
    const tab = await context.newPage();
    await tab.goto('http://allowed.test/');
    await expect.poll(() => tab.textContent('#post'), { timeout: 30_000 }).toBe('posted hello');
    await expect.poll(() => tab.textContent('#fetched'), { timeout: 30_000 }).toBe('fetched');
    await expect.poll(() => tab.textContent('#post-redirected'), { timeout: 30_000 }).toBe('fetched');
    expect(await tab.textContent('#ok')).toBe('allowed page');
    expect(await tab.$eval('#good', (img: HTMLImageElement) => img.naturalWidth)).toBe(1);
    expect(await tab.$eval('#redirected-good', (img: HTMLImageElement) => img.naturalWidth)).toBe(1);
    await expect.poll(() => tab.evaluate(() => (window as { wsClosed?: boolean }).wsClosed === true), { timeout: 30_000 }).toBe(true);
    // error.url names the hop that was refused, which for a redirect is not the URL the browser asked for.
    const blockedPaths = () => blocked.map(({ url, error }) => new URL(error.url ?? url).pathname);
    await expect.poll(() => EXPECTED_BLOCKED_PATHS.filter((p) => !blockedPaths().includes(p)), { timeout: 30_000 }).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const { url, error } of blocked) {
      expect(new URL(error.url ?? url).port, url).toBe(String(canaryPort));
      expect(['blocked_address', 'bad_url'], `${url}: ${error.message}`).toContain(error.reason);
    }
    expect(canaryConnections).toBe(0);
    await context.close();
  }, 60_000);

  it('refuses a top-level redirect to a loopback literal and direct navigation to one', async () => {
    const { context, blocked } = await egressContext();
    const tab = await context.newPage();
    const target = encodeURIComponent(`http://127.0.0.1:${canaryPort}/top`);
    await expect(tab.goto(`http://allowed.test/redirect?to=${target}`)).rejects.toThrow(/ERR_BLOCKED_BY_CLIENT/);
    for (const url of [`http://2130706433:${canaryPort}/`, `http://[::1]:${canaryPort}/`, `http://localhost:${canaryPort}/`, `http://127.1:${canaryPort}/`]) {
      await expect(tab.goto(url)).rejects.toThrow(/ERR_BLOCKED_BY_CLIENT/);
    }
    expect(blocked.map(({ error }) => error.reason)).toEqual(Array(5).fill('blocked_address'));
    expect(canaryConnections).toBe(0);
    await context.close();
  }, 60_000);

  it('blocks service workers and downloads in the context options', () => {
    expect(EGRESS_CONTEXT_OPTIONS).toEqual({ serviceWorkers: 'block', acceptDownloads: false });
  });
});
