import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as http from 'node:http';
import * as net from 'node:net';
import * as zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { createNodeFetcher, type ConnectArgs } from '../../src/adapters/node/node-fetcher.ts';
import { EgressError } from '../../src/core/errors.ts';

// Every socket in this file is opened to 127.0.0.1. "Public" answers come from an injected resolver,
// and the injected connect records them and hands back a socket to a loopback server instead.

type Served = { port: number; hits: string[]; close: () => Promise<void> };

async function serve(handler: http.RequestListener): Promise<Served> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return { port: (server.address() as AddressInfo).port, hits, close };
}

const BOMB = zlib.gzipSync(Buffer.alloc(20 * 1024 * 1024));
let bytesSentOfHuge = 0;

function upstreamHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://upstream');
  const path = url.pathname;
  if (path === '/hello') {
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.writeHead(200, { 'content-type': 'text/plain', 'x-test': 'yes' }).end('hello');
  } else if (path === '/echo') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers));
  } else if (path === '/gzip' || path === '/br' || path === '/deflate') {
    const body = Buffer.from('decoded text '.repeat(100));
    const encoded = path === '/gzip' ? zlib.gzipSync(body) : path === '/br' ? zlib.brotliCompressSync(body) : zlib.deflateSync(body);
    res.writeHead(200, { 'content-encoding': path.slice(1), 'content-length': encoded.length }).end(encoded);
  } else if (path === '/bomb') {
    res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': BOMB.length }).end(BOMB);
  } else if (path === '/huge') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(1024 * 1024, 1);
    const pump = () => {
      while (!res.destroyed && bytesSentOfHuge < 200 * chunk.length) {
        bytesSentOfHuge += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  } else if (path === '/declared-huge') {
    res.writeHead(200, { 'content-length': String(100 * 1024 * 1024) }).write('x');
  } else if (path === '/drip') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const timer = setInterval(() => res.write('.'), 50);
    res.on('close', () => clearInterval(timer));
  } else if (path === '/stall') {
    // Never answers: the time-to-first-byte cap must end it.
  } else if (path.startsWith('/r/')) {
    const n = Number(path.slice(3));
    if (n === 0) res.writeHead(200).end('end of chain');
    else res.writeHead(n % 2 === 0 ? 302 : 307, { location: `/r/${n - 1}` }).end('moving');
  } else if (path === '/loop') {
    res.writeHead(301, { location: `/loop?n=${Number(url.searchParams.get('n') ?? 0) + 1}` }).end();
  } else if (path === '/to') {
    res.writeHead(302, { location: url.searchParams.get('url') ?? '/' }).end();
  } else if (path === '/reset') {
    req.socket.destroy();
  } else {
    res.writeHead(404).end('not found');
  }
}

let upstream: Served;
let canary: Served;
let closedPort: number;
let overrides: Record<string, string>;

beforeAll(async () => {
  upstream = await serve(upstreamHandler);
  canary = await serve((_req, res) => res.end('canary reached'));
  const probe = await serve(() => undefined);
  closedPort = probe.port;
  await probe.close();
  overrides = {
    'https://upstream.test/': `http://127.0.0.1:${upstream.port}/`,
    'https://other.test/': `http://127.0.0.1:${upstream.port}/`,
    'https://closed.test/': `http://127.0.0.1:${closedPort}/`,
  };
});

afterAll(async () => {
  await Promise.all([upstream.close(), canary.close()]);
});

async function egressError(promise: Promise<unknown>, reason: EgressError['reason']): Promise<EgressError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(EgressError);
  expect((error as EgressError).reason, (error as Error).message).toBe(reason);
  return error as EgressError;
}

/** A connect step that records and, unless given a loopback port to use instead, refuses to connect. */
function recordingConnect(loopbackPort?: number) {
  const calls: ConnectArgs[] = [];
  const connect = (args: ConnectArgs): net.Socket => {
    calls.push(args);
    if (loopbackPort === undefined) throw Object.assign(new Error('the test connect step must not be reached'), { code: 'ECONNREFUSED' });
    return net.connect({ host: '127.0.0.1', port: loopbackPort });
  };
  return { calls, connect };
}

function fixedResolver(answers: string[]) {
  const asked: string[] = [];
  const resolve = async (host: string) => {
    asked.push(host);
    return answers;
  };
  return { asked, resolve };
}

describe('node fetcher through an override', () => {
  it('fetches from the operator target and reports the logical URL', async () => {
    const fetcher = createNodeFetcher({ overrides, userAgent: 'embedkeep-test' });
    const response = await fetcher.fetch('https://upstream.test/hello');
    expect(response.status).toBe(200);
    expect(new TextDecoder().decode(response.body)).toBe('hello');
    expect(response.headers).toBeInstanceOf(Headers);
    expect(response.headers.get('x-test')).toBe('yes');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(response.url).toBe('https://upstream.test/hello');
    expect(response.redirects).toEqual(['https://upstream.test/hello']);
  });

  it('sends its own user agent, encodings and host, and drops hop-by-hop headers', async () => {
    const fetcher = createNodeFetcher({ overrides, userAgent: 'embedkeep-test' });
    const response = await fetcher.fetch('https://upstream.test/echo', { headers: { 'X-Extra': '1', Connection: 'keep-alive', 'Accept-Encoding': 'zstd' } });
    const seen = JSON.parse(new TextDecoder().decode(response.body)) as Record<string, string>;
    expect(seen).toMatchObject({ 'user-agent': 'embedkeep-test', 'x-extra': '1', connection: 'close', 'accept-encoding': 'gzip, deflate, br', host: `127.0.0.1:${upstream.port}` });
  });

  it('supports HEAD', async () => {
    const response = await createNodeFetcher({ overrides }).fetch('https://upstream.test/hello', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(0);
    expect(upstream.hits).toContain('HEAD /hello');
  });

  it.each(['gzip', 'br', 'deflate'])('decodes %s and describes the decoded body', async (coding) => {
    const response = await createNodeFetcher({ overrides }).fetch(`https://upstream.test/${coding}`);
    expect(new TextDecoder().decode(response.body)).toBe('decoded text '.repeat(100));
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('content-length')).toBeNull();
  });

  it('follows relative redirects against the logical URL, listing every hop', async () => {
    const response = await createNodeFetcher({ overrides }).fetch('https://upstream.test/r/3');
    expect(response.status).toBe(200);
    expect(response.url).toBe('https://upstream.test/r/0');
    expect(response.redirects).toEqual(['https://upstream.test/r/3', 'https://upstream.test/r/2', 'https://upstream.test/r/1', 'https://upstream.test/r/0']);
  });

  it('returns the 3xx itself with maxRedirects 0', async () => {
    const response = await createNodeFetcher({ overrides }).fetch('https://upstream.test/r/2', { maxRedirects: 0 });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/r/1');
    expect(response.redirects).toEqual(['https://upstream.test/r/2']);
  });

  it('drops credentials when a redirect leaves the first origin', async () => {
    const fetcher = createNodeFetcher({ overrides });
    const next = encodeURIComponent('https://other.test/echo');
    const response = await fetcher.fetch(`https://upstream.test/to?url=${next}`, { headers: { Authorization: 'Bearer x', Cookie: 'c=1', 'X-Keep': 'k' } });
    const seen = JSON.parse(new TextDecoder().decode(response.body)) as Record<string, string>;
    expect(seen['authorization']).toBeUndefined();
    expect(seen['cookie']).toBeUndefined();
    expect(seen['x-keep']).toBe('k');
  });
});

describe('node fetcher refuses literal addresses a user gives, overrides notwithstanding', () => {
  const literals = () => [
    `http://127.0.0.1:${canary.port}/`, `http://2130706433:${canary.port}/`, `http://0x7f000001:${canary.port}/`,
    `http://0177.0.0.1:${canary.port}/`, `http://127.1:${canary.port}/`, `http://[::1]:${canary.port}/`,
    `http://[::ffff:127.0.0.1]:${canary.port}/`, `http://0.0.0.0:${canary.port}/`, `http://127.0.0.1.:${canary.port}/`,
    `http://127.0.0.1:${upstream.port}/hello`,
  ];

  it('refuses them when asked directly', async () => {
    const { calls, connect } = recordingConnect();
    const fetcher = createNodeFetcher({ overrides, connect });
    for (const url of literals()) await egressError(fetcher.fetch(url), 'blocked_address');
    expect(calls).toEqual([]);
    expect(canary.hits).toEqual([]);
  });

  it('refuses them as redirect targets of an override host', async () => {
    const fetcher = createNodeFetcher({ overrides });
    const before = upstream.hits.length;
    for (const url of literals()) {
      const error = await egressError(fetcher.fetch(`https://upstream.test/to?url=${encodeURIComponent(url)}`), 'blocked_address');
      expect(error.message).toMatch(/loopback|unspecified/);
    }
    expect(canary.hits).toEqual([]);
    // Only the redirecting hops reached the upstream, never the `/hello` that its own address names.
    expect(upstream.hits.slice(before).every((hit) => hit.startsWith('GET /to?'))).toBe(true);
  });

  it('refuses localhost once it resolves to loopback', async () => {
    const { asked, resolve } = fixedResolver(['127.0.0.1', '::1']);
    await egressError(createNodeFetcher({ overrides, resolve }).fetch(`http://localhost:${canary.port}/`), 'blocked_address');
    expect(asked).toEqual(['localhost']);
    expect(canary.hits).toEqual([]);
  });

  it.each(['file:///etc/passwd', 'http://user:pw@upstream.test/', 'gopher://127.0.0.1:70/', 'javascript:alert(1)'])(
    'refuses a redirect to %s as a bad URL',
    async (target) => {
      await egressError(createNodeFetcher({ overrides }).fetch(`https://upstream.test/to?url=${encodeURIComponent(target)}`), 'bad_url');
    },
  );
});

describe('node fetcher checks every DNS answer before connecting', () => {
  it.each([
    [['10.0.0.5'], 'private'],
    [['93.184.216.34', '169.254.169.254'], 'cloud metadata'],
    [['::ffff:127.0.0.1'], 'ipv4-mapped loopback'],
    [['2606:4700::1111', 'fd00::1'], 'unique-local'],
    [['100.64.1.1'], 'cgnat'],
    [['0.0.0.0'], 'unspecified'],
  ])('refuses %j without calling connect', async (answers, range) => {
    const { asked, resolve } = fixedResolver(answers);
    const { calls, connect } = recordingConnect();
    const error = await egressError(createNodeFetcher({ resolve, connect }).fetch('http://rebind.example/'), 'blocked_address');
    expect(error.message).toContain('rebind.example');
    expect(error.message).toContain(range);
    expect(asked).toEqual(['rebind.example']);
    expect(calls).toEqual([]);
  });

  it('connects to exactly the checked address, resolving once', async () => {
    let answers = ['93.184.216.34'];
    const asked: string[] = [];
    // A rebinding resolver: any second question would get a loopback answer.
    const resolve = async (host: string) => {
      asked.push(host);
      const now = answers;
      answers = ['127.0.0.1'];
      return now;
    };
    const { calls, connect } = recordingConnect(upstream.port);
    const response = await createNodeFetcher({ resolve, connect }).fetch('http://public.example/echo');
    expect(response.status).toBe(200);
    expect(JSON.parse(new TextDecoder().decode(response.body))).toMatchObject({ host: 'public.example' });
    expect(asked).toEqual(['public.example']);
    expect(calls.map(({ url, ...rest }) => ({ ...rest, url: url.href }))).toEqual([
      { address: '93.184.216.34', family: 4, port: 80, host: 'public.example', tls: false, url: 'http://public.example/echo' },
    ]);
  });

  it('falls back to the next checked address when a connection fails', async () => {
    const { resolve } = fixedResolver(['2606:4700::1111', '93.184.216.34']);
    const calls: string[] = [];
    const connect = (args: ConnectArgs) => {
      calls.push(args.address);
      if (args.family === 6) throw Object.assign(new Error('no IPv6 route'), { code: 'ENETUNREACH' });
      return net.connect({ host: '127.0.0.1', port: upstream.port });
    };
    const response = await createNodeFetcher({ resolve, connect }).fetch('http://dual.example/hello');
    expect(response.status).toBe(200);
    expect(calls).toEqual(['2606:4700::1111', '93.184.216.34']);
  });

  it('checks a redirect to another host name again', async () => {
    const { asked, resolve } = fixedResolver(['192.168.1.10']);
    // The override hop goes to the operator's loopback target; the redirect hop must never get here.
    const { calls, connect } = recordingConnect(upstream.port);
    const target = encodeURIComponent('http://intranet.example/admin');
    await egressError(createNodeFetcher({ overrides, resolve, connect }).fetch(`https://upstream.test/to?url=${target}`), 'blocked_address');
    expect(asked).toEqual(['intranet.example']);
    expect(calls.map((call) => `${call.address}:${call.port}`)).toEqual([`127.0.0.1:${upstream.port}`]);
  });

  it('speaks TLS to the checked address with the original host as SNI', async () => {
    let hello = Buffer.alloc(0);
    const tlsSink = net.createServer((socket) => socket.once('data', (data) => { hello = data; socket.destroy(); }));
    await new Promise<void>((resolve) => tlsSink.listen(0, '127.0.0.1', resolve));
    const { resolve } = fixedResolver(['93.184.216.34']);
    const { calls, connect } = recordingConnect((tlsSink.address() as AddressInfo).port);
    await egressError(createNodeFetcher({ resolve, connect }).fetch('https://secure.example/'), 'network');
    tlsSink.close();
    expect(calls[0]).toMatchObject({ address: '93.184.216.34', port: 443, host: 'secure.example', tls: true });
    expect(hello.includes('secure.example')).toBe(true);
  });

  it('maps resolver failures to dns', async () => {
    const notFound = async () => { throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.example'), { code: 'ENOTFOUND' }); };
    await egressError(createNodeFetcher({ resolve: notFound }).fetch('http://nowhere.example/'), 'dns');
    await egressError(createNodeFetcher({ resolve: fixedResolver([]).resolve }).fetch('http://empty.example/'), 'dns');
  });
});

describe('node fetcher caps', () => {
  it('stops endless redirects', async () => {
    const error = await egressError(createNodeFetcher({ overrides, defaults: { maxRedirects: 3 } }).fetch('https://upstream.test/loop'), 'too_many_redirects');
    expect(error.message).toContain('3');
    await egressError(createNodeFetcher({ overrides }).fetch('https://upstream.test/loop'), 'too_many_redirects');
    const response = await createNodeFetcher({ overrides }).fetch('https://upstream.test/r/5');
    expect(response.redirects).toHaveLength(6);
  });

  it('stops a huge body at the 15 MB default and closes the socket', async () => {
    bytesSentOfHuge = 0;
    await egressError(createNodeFetcher({ overrides }).fetch('https://upstream.test/huge'), 'too_large');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bytesSentOfHuge).toBeLessThan(60 * 1024 * 1024);
  });

  it('refuses a declared length over the cap before reading', async () => {
    await egressError(createNodeFetcher({ overrides }).fetch('https://upstream.test/declared-huge'), 'too_large');
  });

  it('applies the cap to the decoded size of a compression bomb', async () => {
    await egressError(createNodeFetcher({ overrides }).fetch('https://upstream.test/bomb'), 'too_large');
    await egressError(createNodeFetcher({ overrides }).fetch('https://upstream.test/gzip', { maxBytes: 100 }), 'too_large');
  });

  it('ends a slow-drip body at the total time cap', async () => {
    const started = Date.now();
    await egressError(createNodeFetcher({ overrides }).fetch('https://upstream.test/drip', { timeoutMs: 600 }), 'timeout');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('ends a silent server at the first-byte cap', async () => {
    const started = Date.now();
    await egressError(createNodeFetcher({ overrides, defaults: { firstByteTimeoutMs: 300 } }).fetch('https://upstream.test/stall'), 'timeout');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('ends a hanging resolver at the first-byte cap', async () => {
    const resolve = () => new Promise<string[]>(() => undefined);
    await egressError(createNodeFetcher({ resolve, defaults: { firstByteTimeoutMs: 200 } }).fetch('http://slow-dns.example/'), 'timeout');
  });
});

describe('node fetcher network trouble', () => {
  it('maps a refused connection to network', async () => {
    await egressError(createNodeFetcher({ overrides }).fetch('https://closed.test/'), 'network');
  });

  it('maps a reset to network', async () => {
    await egressError(createNodeFetcher({ overrides }).fetch('https://upstream.test/reset'), 'network');
  });

  it('refuses malformed input as a bad URL', async () => {
    await egressError(createNodeFetcher({ overrides }).fetch('not a url'), 'bad_url');
    await egressError(createNodeFetcher({ overrides }).fetch('ftp://upstream.test/'), 'bad_url');
  });
});
