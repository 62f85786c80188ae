/**
 * Puts a Playwright browser context behind the egress layer: Chromium itself never opens a
 * connection; every request is answered from `Fetcher.fetch`, which applies the overrides, the
 * address check and the caps. The dead proxy in EGRESS_LAUNCH_ARGS catches whatever routing misses.
 *
 * Redirects are followed by the fetcher, hop by hop, and the browser gets the final response at the
 * URL it asked for. A 3xx handed to the browser would not come back through the route: Playwright
 * lets the browser continue redirected requests unrouted (they would die at the dead proxy).
 */
import type { BrowserContext, BrowserContextOptions, Request, Route } from 'playwright';
import type { Fetcher } from '../../ports.ts';
import { EgressError, type EgressReason } from '../../core/errors.ts';
import { applyOverrides } from '../../core/egress-url.ts';

/**
 * A proxy on the discard port refuses every connection, and `<-loopback>` removes Chromium's
 * implicit loopback bypass, so not even 127.0.0.1 is reachable directly. Prefetching DNS and
 * WebRTC's UDP (which ignores proxies) would leak around it.
 */
export const EGRESS_LAUNCH_ARGS: readonly string[] = [
  '--proxy-server=http://127.0.0.1:9',
  '--proxy-bypass-list=<-loopback>',
  '--dns-prefetch-disable',
  '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--webrtc-ip-handling-policy=disable_non_proxied_udp',
];

/** Service workers would answer requests outside the routing; downloads write the filesystem. */
export const EGRESS_CONTEXT_OPTIONS = { serviceWorkers: 'block', acceptDownloads: false } as const satisfies BrowserContextOptions;

export interface BrowserEgressOptions {
  onBlocked?: (url: string, error: EgressError) => void;
  /** The fetcher's UPSTREAM_OVERRIDES: requests other than GET/HEAD may only go to their targets. */
  overrides?: Record<string, string>;
}

// The fetcher chooses these itself (encodings it can decode, one socket per request) or they are hop-by-hop.
// Conditional headers go too: a 304 would point the browser at a cache entry that routed responses never fill.
const DROPPED_REQUEST_HEADERS = new Set([
  'host', 'connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'content-length', 'accept-encoding', 'expect', 'if-none-match',
  'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range',
]);
const SEE_OTHER = new Set([301, 302, 303]);
// The body handed to the browser is already decoded and its length is set by Playwright.
const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding']);

const ABORT_CODES: Record<EgressReason, string> = {
  bad_url: 'blockedbyclient',
  blocked_address: 'blockedbyclient',
  dns: 'namenotresolved',
  timeout: 'timedout',
  too_large: 'failed',
  too_many_redirects: 'failed',
  network: 'failed',
};

export async function routeThroughEgress(context: BrowserContext, fetcher: Fetcher, options: BrowserEgressOptions = {}): Promise<void> {
  await context.routeWebSocket(/.*/, (ws) => ws.close());
  // data: and blob: never leave the browser, so the browser keeps them.
  await context.route((url) => url.protocol !== 'data:' && url.protocol !== 'blob:', (route, request) => answer(route, request, fetcher, options));
}

async function answer(route: Route, request: Request, fetcher: Fetcher, options: BrowserEgressOptions): Promise<void> {
  const url = request.url();
  const method = request.method();
  try {
    const headers = forwardedHeaders(await request.allHeaders());
    if (method === 'GET' || method === 'HEAD') {
      const response = await fetcher.fetch(url, { method, headers });
      await route.fulfill({ status: response.status, headers: fulfilledHeaders(response.headers), body: Buffer.from(response.body) });
      return;
    }
    // The Fetcher port carries no request bodies; an operator target is trusted, so Playwright sends it there.
    const mapped = applyOverrides(url, options.overrides ?? {});
    if (!mapped.overridden) {
      throw new EgressError('bad_url', `${method} refused: only GET and HEAD leave the browser, except to override targets`, url);
    }
    // Never let Playwright follow a redirect itself: its requests are not checked.
    const response = await route.fetch({ url: mapped.url, headers, maxRedirects: 0 });
    const location = response.headers()['location'];
    if (location !== undefined && SEE_OTHER.has(response.status())) {
      if (!URL.canParse(location, url)) throw new EgressError('bad_url', `unusable redirect Location ${JSON.stringify(location)}`, url);
      const target = new URL(location, url);
      // The page's cookies and credentials were sent for this origin, not for wherever it redirects.
      const next = await fetcher.fetch(target.href, { headers: target.origin === new URL(url).origin ? headers : {} });
      await route.fulfill({ status: next.status, headers: fulfilledHeaders(next.headers), body: Buffer.from(next.body) });
      return;
    }
    if (location !== undefined && response.status() >= 300 && response.status() < 400) {
      throw new EgressError('too_many_redirects', `${method} ${url}: a ${response.status()} that repeats the request is not followed`, url);
    }
    await route.fulfill({ response, headers: fulfilledHeaders(new Headers(response.headersArray().map((h): [string, string] => [h.name, h.value]))) });
  } catch (error) {
    const egress = error instanceof EgressError ? error : Object.assign(new EgressError('network', String(error), url), { cause: error });
    options.onBlocked?.(url, egress);
    await route.abort(ABORT_CODES[egress.reason]);
  }
}

function forwardedHeaders(all: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(all).filter(([name]) => !DROPPED_REQUEST_HEADERS.has(name.toLowerCase())));
}

function fulfilledHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!DROPPED_RESPONSE_HEADERS.has(name) && name !== 'set-cookie') out[name] = value;
  });
  // Playwright splits a fulfilled set-cookie value on newlines, one cookie per line.
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) out['set-cookie'] = cookies.join('\n');
  return out;
}
