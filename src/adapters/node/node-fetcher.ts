/**
 * The Node egress: every outbound request of the service. The host is resolved once, every answer is
 * classified, and the socket is opened to the checked address itself, so DNS cannot be re-asked
 * (rebinding) between check and connect. Redirects are followed here, each hop checked again.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as zlib from 'node:zlib';
import { promises as dns } from 'node:dns';
import { Writable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Fetcher, FetchOptions, FetchResponse } from '../../ports.ts';
import { EgressError } from '../../core/errors.ts';
import { applyOverrides, normalizeOutboundUrl } from '../../core/egress-url.ts';
import { classifyAddress, formatIpAddress, parseIpAddress, type IpAddress } from '../../core/ip-address.ts';

/** `address` is already checked; `host` only serves SNI and the certificate check, it is never resolved again. */
export interface ConnectArgs { address: string; family: 4 | 6; port: number; host: string; tls: boolean; url: URL }

export interface EgressCaps { maxBytes: number; timeoutMs: number; firstByteTimeoutMs: number; maxRedirects: number }

export interface NodeFetcherOptions {
  /** UPSTREAM_OVERRIDES: operator configuration, so matching URLs skip the address check. */
  overrides?: Record<string, string>;
  userAgent?: string;
  defaults?: Partial<EgressCaps>;
  resolve?: (host: string) => Promise<string[]>;
  /** Opens the TCP connection; TLS is layered on top by the fetcher. */
  connect?: (args: ConnectArgs) => net.Socket | Promise<net.Socket>;
}

const DEFAULT_CAPS: EgressCaps = { maxBytes: 15 * 1024 * 1024, timeoutMs: 30_000, firstByteTimeoutMs: 10_000, maxRedirects: 5 };
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Hop-by-hop or owned by the fetcher (we decode, so we choose the encodings; we close every socket).
const DROPPED_REQUEST_HEADERS = new Set([
  'host', 'connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'content-length', 'accept-encoding', 'expect',
]);
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie']);

const systemResolve = async (host: string) => (await dns.lookup(host, { all: true, verbatim: true })).map((answer) => answer.address);
// An IP literal as host: net.connect dials it as given, with no lookup of its own.
const systemConnect = ({ address, family, port }: ConnectArgs) => net.connect({ host: address, family, port });

export function createNodeFetcher(options: NodeFetcherOptions = {}): Fetcher {
  const caps = { ...DEFAULT_CAPS, ...options.defaults };
  const overrides = options.overrides ?? {};
  const hopDeps = { resolve: options.resolve ?? systemResolve, connect: options.connect ?? systemConnect };

  return {
    async fetch(input: string, fetchOptions: FetchOptions = {}): Promise<FetchResponse> {
      const timeoutMs = fetchOptions.timeoutMs ?? caps.timeoutMs;
      const total = new AbortController();
      const timer = setTimeout(() => total.abort(new EgressError('timeout', `no complete response within ${timeoutMs} ms`, input)), timeoutMs);
      return follow(input, fetchOptions, total.signal)
        .catch((error: unknown) => { throw toEgressError(error, input); })
        .finally(() => clearTimeout(timer));
    },
  };

  async function follow(input: string, fetchOptions: FetchOptions, signal: AbortSignal): Promise<FetchResponse> {
    const method = fetchOptions.method ?? 'GET';
    const maxRedirects = fetchOptions.maxRedirects ?? caps.maxRedirects;
    const redirects: string[] = [];
    let current = input;
    let given = fetchOptions.headers ?? {};
    for (;;) {
      const mapped = applyOverrides(current, overrides);
      // The logical URL (before mapping) is what redirects resolve against, as in the browser.
      const logical = normalizeOutboundUrl(current);
      if (redirects[0] !== undefined && logical.origin !== new URL(redirects[0]).origin) {
        // As browsers do: the caller's credentials were meant for the first origin only.
        given = Object.fromEntries(Object.entries(given).filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase())));
      }
      redirects.push(logical.href);
      const hop = {
        target: new URL(mapped.url), overridden: mapped.overridden, logical: logical.href, method,
        headers: requestHeaders(given, options.userAgent),
        maxBytes: fetchOptions.maxBytes ?? caps.maxBytes, firstByteTimeoutMs: caps.firstByteTimeoutMs,
      };
      const response = await exchange(hop, hopDeps, signal, maxRedirects > 0);
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || location === null || maxRedirects === 0) {
        return { ...response, url: logical.href, redirects };
      }
      if (redirects.length > maxRedirects) throw new EgressError('too_many_redirects', `more than ${maxRedirects} redirects`, input);
      if (!URL.canParse(location, logical)) throw new EgressError('bad_url', `unusable redirect Location ${JSON.stringify(location)}`, logical.href);
      current = new URL(location, logical).href;
    }
  }
}

function requestHeaders(given: Record<string, string>, userAgent: string | undefined): Record<string, string> {
  const kept = Object.entries(given).filter(([name]) => !DROPPED_REQUEST_HEADERS.has(name.toLowerCase()));
  const headers: Record<string, string> = Object.fromEntries(kept.map(([name, value]) => [name.toLowerCase(), value]));
  if (userAgent !== undefined && headers['user-agent'] === undefined) headers['user-agent'] = userAgent;
  return { ...headers, connection: 'close', 'accept-encoding': 'gzip, deflate, br' };
}

interface Hop {
  target: URL; overridden: boolean; logical: string; method: 'GET' | 'HEAD';
  headers: Record<string, string>; maxBytes: number; firstByteTimeoutMs: number;
}

type HopDeps = Required<Pick<NodeFetcherOptions, 'resolve' | 'connect'>>;

/** One request/response on its own socket; the body of a redirect that will be followed is not read. */
async function exchange(hop: Hop, deps: HopDeps, total: AbortSignal, following: boolean) {
  const local = new AbortController();
  const signal = AbortSignal.any([total, local.signal]);
  const sockets: net.Socket[] = [];
  const fail = (error: unknown) => local.abort(error);
  const destroyAll = () => sockets.forEach((socket) => socket.destroy());
  signal.addEventListener('abort', destroyAll, { once: true });
  const firstByte = setTimeout(() => fail(new EgressError('timeout', `no response headers within ${hop.firstByteTimeoutMs} ms`, hop.logical)), hop.firstByteTimeoutMs);
  try {
    const host = hop.target.hostname.replace(/^\[(.*)\]$/, '$1');
    const addresses = await raceAbort(addressesFor(host, hop, deps.resolve), signal);
    const track = (socket: net.Socket) => {
      sockets.push(socket);
      if (signal.aborted) socket.destroy();
      return socket;
    };
    const raw = await raceAbort(openSocket(addresses, host, hop, deps.connect, track, signal), signal);
    raw.on('error', fail);
    const socket = hop.target.protocol === 'https:'
      ? track(tls.connect({ socket: raw, host, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] }))
      : raw;
    socket.on('error', fail);
    const request = http.request({
      method: hop.method, path: hop.target.pathname + hop.target.search, setHost: false,
      headers: { ...hop.headers, host: hop.target.host }, createConnection: () => socket,
    });
    request.on('error', fail);
    const responded = new Promise<http.IncomingMessage>((resolve) => request.once('response', resolve));
    request.end();
    const res = await raceAbort(responded, signal);
    clearTimeout(firstByte);
    const status = res.statusCode ?? 0;
    const headers = new Headers();
    for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i] ?? '', res.rawHeaders[i + 1] ?? '');
    const hasBody = hop.method !== 'HEAD' && status !== 204 && status !== 304 && headers.get('content-length') !== '0';
    if (!hasBody || (following && REDIRECTS.has(status) && headers.has('location'))) return { status, headers, body: new Uint8Array() };
    return { status, headers, body: await readBody(res, headers, hop, signal) };
  } catch (error) {
    throw signal.aborted ? signal.reason : error;
  } finally {
    clearTimeout(firstByte);
    signal.removeEventListener('abort', destroyAll);
    destroyAll();
  }
}

async function addressesFor(host: string, hop: Hop, resolve: HopDeps['resolve']): Promise<IpAddress[]> {
  const addresses = parseIpAddress(host) !== null ? [host] : await resolve(host).catch((error: unknown) => {
    throw Object.assign(new EgressError('dns', `cannot resolve ${host}: ${(error as Error).message}`, hop.logical), { cause: error });
  });
  if (addresses.length === 0) throw new EgressError('dns', `${host} has no addresses`, hop.logical);
  return addresses.map((address) => {
    const verdict = classifyAddress(address);
    const parsed = parseIpAddress(address);
    // Operator targets (UPSTREAM_OVERRIDES) may be loopback or private by design; nothing else may.
    // A non-address answer is refused even for them: dialling it would mean a second lookup.
    if (parsed !== null && (verdict.allowed || hop.overridden)) return parsed;
    const named = address === host ? host : `${host} resolves to ${address}, which`;
    throw new EgressError('blocked_address', `${named} is in a refused range (${verdict.range})`, hop.logical);
  });
}

/** Tries each checked address in order (an IPv6 answer first on a host without IPv6 must not fail the fetch). */
async function openSocket(addresses: IpAddress[], host: string, hop: Hop, connect: HopDeps['connect'], track: (s: net.Socket) => net.Socket, signal: AbortSignal) {
  const failures: string[] = [];
  let lastError: unknown;
  const secure = hop.target.protocol === 'https:';
  const port = Number(hop.target.port || (secure ? 443 : 80));
  for (const ip of addresses) {
    // After a timeout nobody waits for this socket: dialling the next address would only leak one.
    if (signal.aborted) throw signal.reason;
    const address = formatIpAddress(ip);
    try {
      const socket = track(await connect({ address, family: ip.version, port, host, tls: secure, url: hop.target }));
      await connected(socket);
      return socket;
    } catch (error) {
      lastError = error;
      failures.push(`${address}: ${(error as Error).message}`);
    }
  }
  throw Object.assign(new EgressError('network', `cannot connect to ${host} (${failures.join('; ')})`, hop.logical), { cause: lastError });
}

/** Resolves once the socket is connected; a socket handed over already connected counts too. */
function connected(socket: net.Socket): Promise<void> {
  if (!socket.connecting) return socket.destroyed ? Promise.reject(new Error('socket closed before connecting')) : Promise.resolve();
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => { socket.off('connect', onConnect); reject(error); };
    const onConnect = () => { socket.off('error', onError); resolve(); };
    socket.once('error', onError).once('connect', onConnect);
  });
}

/** Streams the body through the decoders, counting decoded bytes so a compression bomb hits the cap too. */
async function readBody(res: http.IncomingMessage, headers: Headers, hop: Hop, signal: AbortSignal): Promise<Uint8Array> {
  const decoders = decodersFor(headers.get('content-encoding'), hop.logical);
  const declared = Number(headers.get('content-length') ?? NaN);
  if (decoders.length === 0 && declared > hop.maxBytes) throw new EgressError('too_large', `body of ${declared} bytes is over the ${hop.maxBytes}-byte cap`, hop.logical);
  const chunks: Buffer[] = [];
  let size = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      chunks.push(chunk);
      done(size > hop.maxBytes ? new EgressError('too_large', `body is over the ${hop.maxBytes}-byte cap`, hop.logical) : null);
    },
  });
  await pipeline([res, ...decoders, sink], { signal });
  // The body is handed over decoded, so its headers must not describe the encoded one.
  if (decoders.length > 0) ['content-encoding', 'content-length'].forEach((name) => headers.delete(name));
  return new Uint8Array(Buffer.concat(chunks));
}

function decodersFor(contentEncoding: string | null, url: string): Transform[] {
  const codings = (contentEncoding ?? '').split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
  // Codings are listed in the order they were applied, so they are undone last to first.
  return codings.reverse().map((coding) => {
    if (coding === 'gzip' || coding === 'x-gzip') return zlib.createGunzip();
    if (coding === 'deflate') return zlib.createInflate();
    if (coding === 'br') return zlib.createBrotliDecompress();
    throw new EgressError('network', `unsupported content-encoding ${coding}`, url);
  });
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Network trouble becomes an EgressError; anything without an error code is a bug and stays as it is. */
function toEgressError(error: unknown, url: string): unknown {
  if (error instanceof EgressError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error;
  const reason = code === 'ENOTFOUND' || code.startsWith('EAI_') ? 'dns' : code === 'ETIMEDOUT' ? 'timeout' : 'network';
  return Object.assign(new EgressError(reason, `${code}: ${(error as Error).message}`, url), { cause: error });
}
