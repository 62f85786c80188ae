/**
 * Does lookup and render latency hold as the archive grows? The same database — the ~151 KB article
 * with its 10 embeds (archived, one capture each) — grown to 1 000, 100 000 and (when the insert
 * is projected to stay under ~60 s) 1 000 000 embeds, each filler embed with one capture, inserted
 * directly with prepared statements in one transaction into the service's SQLite file before the
 * service starts. All sizes run at once, requests interleaved, p50/p99 over HTTP:
 *   lookup    GET /v1/embeds?url=  (one of the article's posts, by its twitter.com form)
 *   lookup*   GET /v1/embeds?url=  (a random filler post, a different one every request)
 *   render    POST /v1/render of the article (uncached: scan, 10 lookups, rewrite)
 *   cached    GET /v1/articles/:id/render (cached)
 * Target (DESIGN.md): p50 at 1 M within 1.3× of 1 k.
 * Run: npx tsx bench/scale.bench.ts   env: SIZES=1000,100000,1000000 N=300 MAX_INSERT_S=60
 */
import Database from 'better-sqlite3';
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATABASE_FILE } from '../src/adapters/node/sqlite-database.ts';
import { newId } from '../src/core/ids.ts';
import { ADMIN_TOKEN, json, startService, type TestService } from '../tests/helpers/start-service.ts';
import { finishRun, percentile, printTable, round, startRun, type Row } from './lib/bench-kit.ts';
import { Client } from './lib/http-client.ts';
import { ARTICLE_URL, buildNewsArticle, STANDALONE_SPEC } from './lib/news-article.ts';

const REQUESTED = (process.env.SIZES ?? '1000,100000,1000000').split(',').map(Number);
const N = Number(process.env.N ?? 300);
const MAX_INSERT_S = Number(process.env.MAX_INSERT_S ?? 60);
const FILLER_BASE_ID = 1_500_000_000_000_000_000n;

const run = await startRun('scale');
const root = mkdtempSync(join(tmpdir(), 'ek-bench-scale-'));
const html = buildNewsArticle(STANDALONE_SPEC);

const postData = (i: number) => JSON.stringify({
  text: `Filler post number ${i}: water levels on the river rose again overnight, crews are on site. #Floods https://t.co/a${i}`,
  lang: 'en',
  author: { name: `Reporter ${i % 997}`, handle: `reporter${i % 997}`, url: `https://x.com/reporter${i % 997}` },
  publishedAt: new Date(1_700_000_000_000 + i * 60_000).toISOString(),
  entities: [{ kind: 'hashtag', start: 82, end: 89, href: 'https://x.com/hashtag/Floods' }],
  metrics: { likes: i % 5000, replies: i % 300 },
});
const LAYERS = JSON.stringify([{ layer: 'article', ok: true, ms: 0, skipped: true }, { layer: 'data', ok: true, ms: 41 }, { layer: 'screenshot', ok: true, ms: 612 }]);

/** Inserts `count` archived embeds, each with one capture, in one transaction; returns seconds. */
function insertFiller(file: string, count: number, onlyForEmbeds?: string[]): number {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // A fixture build, not the service: no fsync, and a page cache big enough for the indexes being grown.
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  db.pragma('foreign_keys = ON');
  const insertEmbed = db.prepare(`insert into embeds (id, provider, provider_id, url, canonical_url, status, availability, fallback,
    latest_capture_id, archived_at, created_at, updated_at) values (?, 'x', ?, ?, ?, 'archived', 'live', ?, ?, ?, ?, ?)`);
  const insertCapture = db.prepare(`insert into captures (id, embed_id, method, status, availability, data, layers, started_at, duration_ms)
    values (?, ?, 'x:syndication+embed', 'archived', 'live', ?, ?, ?, 653)`);
  const archive = db.prepare(`update embeds set status = 'archived', availability = 'live', latest_capture_id = ?, archived_at = ?, updated_at = ? where id = ?`);
  const t0 = performance.now();
  db.transaction(() => {
    const start = 1_700_000_000_000;
    for (const embedId of onlyForEmbeds ?? []) {
      const capId = newId('cap', start);
      insertCapture.run(capId, embedId, postData(0), LAYERS, start);
      archive.run(capId, start, start, embedId);
    }
    for (let i = 0; i < count; i++) {
      const at = start + i;
      const postId = String(FILLER_BASE_ID + BigInt(i) * 7919n);
      const embedId = newId('emb', at);
      const capId = newId('cap', at);
      const handle = `reporter${i % 997}`;
      insertEmbed.run(embedId, postId, `https://twitter.com/${handle}/status/${postId}`, `https://x.com/i/status/${postId}`,
        JSON.stringify({ text: `Filler post ${i}`, authorName: `Reporter ${i % 997}`, authorHandle: handle, date: 'March 14, 2024' }),
        capId, at, at, at);
      insertCapture.run(capId, embedId, postData(i), LAYERS, at);
    }
  })();
  const seconds = (performance.now() - t0) / 1000;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return seconds;
}

const fillerUrl = (i: number) => `https://twitter.com/reporter${i % 997}/status/${FILLER_BASE_ID + BigInt(i) * 7919n}`;

// ---------------------------------------------------------------- the base database: the article, archived

const baseDir = join(root, 'base');
let articleId: string;
let articleEmbedIds: string[];
{
  const svc = await startService({ DATA_DIR: join(baseDir, 'data'), SNAPSHOT_DIR: join(baseDir, 'snapshots') });
  const res = await svc.api('/v1/archive', json({ article: { url: ARTICLE_URL, html } }));
  const body = (await res.json()) as { article: { id: string }; embeds: Array<{ id: string; provider: string }> };
  articleId = body.article.id;
  articleEmbedIds = body.embeds.filter((e) => e.provider !== 'image').map((e) => e.id);
  await svc.close();
  insertFiller(join(baseDir, 'data', DATABASE_FILE), 0, articleEmbedIds);
}

// ---------------------------------------------------------------- grow copies of it

const sizes: Array<{ size: number; dir: string; insertS: number; fileMB: number }> = [];
let rate = Number.NaN; // rows (embed + capture) per second seen so far
for (const size of REQUESTED.sort((a, b) => a - b)) {
  const filler = Math.max(0, size - 10);
  // B-trees get slower to grow as they deepen: 1.5× over a straight extrapolation of the last rate.
  const projected = (1.5 * filler * 2) / rate;
  if (Number.isFinite(projected) && projected > MAX_INSERT_S) {
    console.log(`skipping ${size} embeds: the insert is projected at ${projected.toFixed(0)} s (> ${MAX_INSERT_S} s)`);
    continue;
  }
  const dir = join(root, String(size));
  cpSync(baseDir, dir, { recursive: true });
  const file = join(dir, 'data', DATABASE_FILE);
  const insertS = insertFiller(file, filler);
  if (filler >= 10_000) rate = (filler * 2) / insertS;
  const fileMB = statSync(file).size / 1048576;
  console.log(`${size} embeds: inserted ${filler} embeds + ${filler} captures in ${insertS.toFixed(1)} s, database ${fileMB.toFixed(0)} MB`);
  sizes.push({ size, dir, insertS: round(insertS, 1), fileMB: round(fileMB, 0) });
}

// ---------------------------------------------------------------- measure, interleaved

const services: Array<{ size: number; svc: TestService; client: Client }> = [];
try {
  for (const s of sizes) {
    const svc = await startService({ DATA_DIR: join(s.dir, 'data'), SNAPSHOT_DIR: join(s.dir, 'snapshots') });
    services.push({ size: s.size, svc, client: new Client(svc.url) });
  }
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const articlePost = `https://twitter.com/metrodesk/status/${STANDALONE_SPEC.posts[0]}?ref_src=twsrc%5Etfw`;
  let seed = 42;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const kinds: Record<string, (c: Client, size: number) => Promise<{ status: number; ms: number; body: Buffer }>> = {
    'lookup GET /v1/embeds?url= (article post)': (c) => c.request(`/v1/embeds?url=${encodeURIComponent(articlePost)}`, { headers: auth }),
    'lookup GET /v1/embeds?url= (random filler post)': (c, size) =>
      c.request(`/v1/embeds?url=${encodeURIComponent(fillerUrl(Math.floor(random() * Math.max(1, size - 10))))}`, { headers: auth }),
    'render POST /v1/render (uncached)': (c) => c.request(`/v1/render?url=${encodeURIComponent(ARTICLE_URL)}`, {
      method: 'POST', body: html, headers: { ...auth, 'content-type': 'text/html; charset=utf-8' },
    }),
    'render GET /v1/articles/:id/render (cached)': (c) => c.request(`/v1/articles/${articleId}/render`),
  };
  const lat = new Map<string, number[]>();
  for (let i = 0; i < N + 10; i++) {
    for (const [kind, fn] of Object.entries(kinds)) {
      for (const { size, client } of services) {
        const r = await fn(client, size);
        if (r.status !== 200) throw new Error(`${kind} at ${size}: HTTP ${r.status} ${r.body.toString().slice(0, 200)}`);
        if (kind.includes('lookup') && !r.body.toString().includes('"archived"')) throw new Error(`${kind} at ${size}: not found`);
        if (i >= 10) lat.set(`${kind}|${size}`, [...(lat.get(`${kind}|${size}`) ?? []), r.ms]);
      }
    }
  }
  const smallest = sizes[0]!.size;
  const rows: Row[] = [];
  for (const kind of Object.keys(kinds)) {
    const base = percentile(lat.get(`${kind}|${smallest}`)!, 50);
    for (const { size } of sizes) {
      const xs = lat.get(`${kind}|${size}`)!;
      rows.push({ request: kind, embeds: size, 'p50 ms': round(percentile(xs, 50), 3), 'p99 ms': round(percentile(xs, 99), 3), [`p50 × ${smallest}`]: round(percentile(xs, 50) / base, 2) });
    }
  }
  printTable(`Latency by archive size — ${N} requests per cell, sizes and kinds interleaved, keep-alive, one at a time`, rows);
  const largest = sizes.at(-1)!.size;
  const worst = Math.max(...rows.filter((r) => r.embeds === largest).map((r) => Number(r[`p50 × ${smallest}`])));
  console.log(`target: p50 at ${largest} within 1.3× of ${smallest} → worst ${worst}× (${worst <= 1.3 ? 'met' : 'NOT met'})`);
  finishRun(run, { sizes, rows, worstRatio: worst });
} finally {
  for (const { svc, client } of services) {
    client.close();
    await svc.close();
  }
  rmSync(root, { recursive: true, force: true });
}
