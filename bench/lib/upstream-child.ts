/**
 * The fixture upstream (tests/fixtures/upstream-server.ts) in its own process — the outside world
 * should not share the measured process's event loop — plus a loopback forward proxy that lets a
 * plain Chromium reach it with no request interception at all (the "bare" baselines):
 *   - `CONNECT host:443` is accepted and the TLS inside is terminated here with a throwaway
 *     self-signed certificate (the bench context sets ignoreHTTPSErrors);
 *   - each request, https or http, is mapped with the upstream's overrides (real origin → fixture
 *     prefix) and forwarded over a keep-alive agent; a URL no override maps is answered 502, so
 *     nothing ever leaves loopback.
 * Prints one JSON line { url, overrides, proxy } on stdout, then serves until stdin closes.
 * `GET http://127.0.0.1:<proxy>/__stats` answers { upstreamRequests } (the fixture's request log).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startUpstream } from '../../tests/fixtures/upstream-server.ts';

const delay = Number(process.argv[2] ?? 400);
const upstream = await startUpstream({ embedRenderDelayMs: delay });

const dir = mkdtempSync(join(tmpdir(), 'ek-bench-tls-'));
execFileSync('openssl', [
  'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
  '-subj', '/CN=embedkeep-bench.invalid', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
], { stdio: 'ignore' });
const key = readFileSync(join(dir, 'key.pem'));
const cert = readFileSync(join(dir, 'cert.pem'));
rmSync(dir, { recursive: true, force: true });

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const entries = Object.entries(upstream.overrides).sort((a, b) => b[0].length - a[0].length);
function mapUrl(url: string): string | undefined {
  for (const [from, to] of entries) if (url.startsWith(from)) return to + url.slice(from.length);
  return undefined;
}

function forward(original: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const target = mapUrl(original);
  if (target === undefined) {
    res.writeHead(502, { 'content-type': 'text/plain' }).end(`bench proxy: no override for ${original}\n`);
    return;
  }
  const headers = { ...req.headers };
  delete headers['proxy-connection'];
  delete headers.host;
  const out = http.request(target, { method: req.method, headers, agent }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  out.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(String(error));
  });
  req.pipe(out);
}

const tlsServer = https.createServer({ key, cert, keepAlive: true }, (req, res) => {
  forward(`https://${req.headers.host ?? 'invalid'}${req.url ?? '/'}`, req, res);
});

const proxy = http.createServer((req, res) => {
  const url = req.url ?? '/';
  if (url === '/__stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ upstreamRequests: upstream.requests.length }));
    return;
  }
  // An absolute-form request: plain http through the proxy.
  forward(url, req, res);
});
proxy.on('connect', (req, socket, head) => {
  socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  if (head.length) socket.unshift(head);
  tlsServer.emit('connection', socket);
});
proxy.keepAliveTimeout = 30_000;
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const port = (proxy.address() as AddressInfo).port;

process.stdout.write(`${JSON.stringify({ url: upstream.url, overrides: upstream.overrides, proxy: `http://127.0.0.1:${port}` })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  proxy.closeAllConnections();
  proxy.close();
  await upstream.close();
  process.exit(0);
});
