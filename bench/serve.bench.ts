/**
 * Cached render throughput, side by side in one run with the same load generator (wrk if installed,
 * else a Node keep-alive client in a child process), rounds interleaved, medians:
 *   service   GET /v1/articles/:id/render on the real service (cached: the same request repeated)
 *   Buffer    a bare node:http server answering the same bytes as a pre-encoded Buffer
 *   string    the same, answering a string (encoded per request)
 *   hono      diagnostic: Hono + @hono/node-server answering the same Buffer with the same headers
 *             (the framework's share, apart from the route's own work)
 * Target (DESIGN.md): cached renders at ≥ 90 % of the Buffer figure.
 * The article (~151 KB, 10 embeds) is archived without a worker: its embeds stay pending and render
 * as fallback cards, which changes nothing for serving cached bytes.
 * Run: npx tsx bench/serve.bench.ts   env: ROUNDS=3 SECONDS=4 CONNECTIONS=4 THREADS=1
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { json, startService } from '../tests/helpers/start-service.ts';
import { finishRun, median, printTable, round, startRun, type Row } from './lib/bench-kit.ts';
import { hasWrk, load, type LoadResult } from './lib/load.ts';
import { ARTICLE_URL, buildNewsArticle, STANDALONE_SPEC } from './lib/news-article.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 4);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 4);
const THREADS = Number(process.env.THREADS ?? 1);

const run = await startRun('serve');
const html = buildNewsArticle(STANDALONE_SPEC);

const svc = await startService();
const servers: Array<{ close(): void }> = [];
try {
  const res = await svc.api('/v1/archive', json({ article: { url: ARTICLE_URL, html } }));
  const { article } = (await res.json()) as { article: { id: string } };
  const path = `/v1/articles/${article.id}/render`;
  const first = await fetch(`${svc.url}${path}`);
  const body = Buffer.from(await first.arrayBuffer());
  const text = body.toString('utf8');
  const headers: Record<string, string> = {};
  first.headers.forEach((v, k) => { if (k !== 'date' && k !== 'content-length' && k !== 'x-request-id') headers[k] = v; });
  console.log(`render: ${body.length} bytes (article ${Buffer.byteLength(html)} bytes), ETag ${first.headers.get('etag')}; load: ${hasWrk() ? `wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s` : `node client, ${CONNECTIONS} connections, ${SECONDS} s`}`);

  const listen = (server: http.Server) => new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
  const bufferServer = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
  const stringServer = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  servers.push(bufferServer, stringServer);
  const hono = new Hono();
  const bytes = new Uint8Array(body);
  hono.get('/', (c) => c.body(bytes, 200, headers));
  const honoUrl = await new Promise<string>((resolve) => {
    const s = serve({ fetch: hono.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(`http://127.0.0.1:${info.port}`));
    servers.push(s);
  });

  // The version query run on every request, as the route ran it before versions were kept between database changes.
  const keyStmt = svc.runtime.db.$client.prepare(`select a.updated_at as a, count(e.id) as n, max(e.updated_at) as e, sum(e.updated_at) as s
    from articles a left join article_embeds ae on ae.article_id = a.id left join embeds e on e.id = ae.embed_id
    where a.id = ? group by a.id`);
  const whatIf = new Hono();
  whatIf.get('/', (c) => (keyStmt.get(article.id) ? c.body(bytes, 200, headers) : c.notFound()));
  const whatIfUrl = await new Promise<string>((resolve) => {
    const s = serve({ fetch: whatIf.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(`http://127.0.0.1:${info.port}`));
    servers.push(s);
  });

  const targets: Array<[string, string]> = [
    ['service GET render (cached)', `${svc.url}${path}`],
    ['bare node:http, pre-encoded Buffer', `${await listen(bufferServer)}/`],
    ['bare node:http, string', `${await listen(stringServer)}/`],
    ['diagnostic: Hono + node-server, same Buffer + headers', `${honoUrl}/`],
    ['diagnostic: Hono + the version query on every request + Buffer', `${whatIfUrl}/`],
  ];
  for (const [, url] of targets) {
    const check = await fetch(url);
    const got = Buffer.from(await check.arrayBuffer());
    if (check.status !== 200 || !got.equals(body)) throw new Error(`${url} does not answer the same ${body.length} bytes`);
    await load(url, { connections: CONNECTIONS, seconds: 1, threads: THREADS }); // warm-up
  }
  const samples = new Map<string, LoadResult[]>(targets.map(([k]) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, url] of targets) samples.get(k)!.push(await load(url, { connections: CONNECTIONS, seconds: SECONDS, threads: THREADS }));
  }
  const rps = (k: string) => median(samples.get(k)!.map((s) => s.rps));
  const bufferRps = rps(targets[1]![0]);
  const rows: Row[] = targets.map(([k]) => {
    const s = samples.get(k)!;
    return {
      target: k, 'req/s': round(rps(k), 0), '× Buffer': round(rps(k) / bufferRps, 3),
      'p50 ms': round(median(s.map((x) => x.p50ms)), 2), 'p99 ms': round(median(s.map((x) => x.p99ms)), 2),
      'MB/s': round(median(s.map((x) => x.mbPerSec)), 0), errors: s.reduce((n, x) => n + x.errors, 0),
    };
  });
  printTable(`Serve a ${(body.length / 1000).toFixed(0)} KB render — median of ${ROUNDS} interleaved rounds of ${SECONDS} s, ${CONNECTIONS} connections`, rows);
  const ratio = rps(targets[0]![0]) / bufferRps;
  console.log(`target: cached render ≥ 90 % of the Buffer figure → ${Math.round(ratio * 100)} % (${ratio >= 0.9 ? 'met' : 'NOT met'})`);

  // What every cached request does before it reaches the cache, in-process.
  const { articles } = svc.runtime.deps;
  const steps: Array<[string, () => Promise<unknown>]> = [
    ['articles.articleVersion (the route: kept until the database changes)', () => articles.articleVersion(article.id)],
    ['the version query itself (prepared statement)', async () => keyStmt.get(article.id)],
    ['for comparison: articles.getArticle (row + 151 KB html)', () => articles.getArticle(article.id)],
  ];
  const times = steps.map(() => [] as number[]);
  for (let i = 0; i < 520; i++) {
    for (const [j, [, fn]] of steps.entries()) {
      const t = performance.now();
      await fn();
      if (i >= 20) times[j]!.push(performance.now() - t);
    }
  }
  const stepRows: Row[] = steps.map(([label], j) => ({ 'per cached request': label, 'median ms': round(median(times[j]!), 3) }));
  const perRequestMs = 1000 / rps(targets[0]![0]);
  stepRows.push({ 'per cached request': `whole request at the measured rate (${CONNECTIONS} connections, 1 core)`, 'median ms': round(perRequestMs, 3) });
  printTable('Work per cached request before the cache is consulted (in-process, median of 500)', stepRows);

  finishRun(run, {
    settings: { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, threads: THREADS, tool: hasWrk() ? 'wrk' : 'node' },
    responseBytes: body.length, rows, ratio: round(ratio, 3), steps: stepRows,
    raw: Object.fromEntries(samples),
  });
} finally {
  for (const s of servers) s.close();
  await svc.close();
}
