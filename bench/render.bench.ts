/**
 * Rewriting a ~151 KB article with 10 embeds (6 X blockquotes + widgets.js, 2 YouTube iframes,
 * 2 lazy photos), side by side in one run, medians of interleaved rounds:
 *   string search alone (indexOf of the markers) · htmlparser2 with empty callbacks · scanArticle ·
 *   rewriteArticle with a precomputed scan · scan + rewrite, as a string and as the UTF-8 bytes served.
 * Target (DESIGN.md): scan + rewrite ≤ 3× the string search, bytes outside the embeds preserved;
 * the headline ratio is the bytes path, which is what the render routes run.
 * Then the same article end to end over HTTP on the real service (archived against the fixture
 * upstream): GET /v1/articles/:id/render uncached (its embeds touched before each request), cached,
 * and POST /v1/render, interleaved; plus where the uncached time goes, in-process.
 * Run: npx tsx bench/render.bench.ts   (ROUNDS=25 HTTP_N=300 to change the sample sizes)
 */
import { Parser } from 'htmlparser2';
import { PARSER_OPTIONS } from '../src/core/bounded-parser.ts';
import type { CardModel } from '../src/core/card-model.ts';
import { loadCards } from '../src/core/render-article.ts';
import { renderCard } from '../src/core/render-card.ts';
import { rewriteArticle, rewriteArticleBytes } from '../src/core/rewrite-article.ts';
import { scanArticle } from '../src/core/scan-article.ts';
import { sha256Hex } from '../src/core/ids.ts';
import { cardModels } from '../tests/fixtures/card-models.ts';
import { startUpstream, YOUTUBE } from '../tests/fixtures/upstream-server.ts';
import { TWEET_IDS } from '../tests/fixtures/tweets.ts';
import { json, startService } from '../tests/helpers/start-service.ts';
import { waitForQueueIdle } from '../tests/helpers/wait-for.ts';
import { calibrate, finishRun, median, percentile, printTable, round, startRun, timeBatch, type Row } from './lib/bench-kit.ts';
import { Client } from './lib/http-client.ts';
import { ARTICLE_URL, buildNewsArticle, type ArticleSpec } from './lib/news-article.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 25);
const HTTP_N = Number(process.env.HTTP_N ?? 300);
const SKIP_HTTP = process.env.SKIP_HTTP === '1';

const run = await startRun('render');

const spec: ArticleSpec = {
  posts: (['seed', 'normal', 'quoted', 'media', 'video', 'long'] as const).map((c) => TWEET_IDS[c]),
  videos: [YOUTUBE.live.id, YOUTUBE.embeddingDisabled.id],
  photos: ['https://images.example/lazy-harbour.jpg', 'https://images.example/lazy-bridge.jpg'],
};
const html = buildNewsArticle(spec);
const bytes = Buffer.byteLength(html);

// ---------------------------------------------------------------- cards by hand

/** Hand-built cards (the renderer's test fixtures) re-keyed to this article's embeds: no database needed. */
function handCards(): Map<string, CardModel> {
  const f = cardModels('https://embedkeep.example');
  const xModels = [f.live, f.rtl, f.cjk, f.deleted, f.screenshotOnly, f.live];
  const cards = new Map<string, CardModel>();
  let x = 0;
  for (const o of scanArticle(html, ARTICLE_URL).occurrences) {
    const e = o.embed;
    if (cards.has(e.canonicalUrl)) continue;
    const base = e.provider === 'x' ? xModels[x++ % xModels.length]! : e.provider === 'youtube' ? f.youtube : f.articleImage;
    cards.set(e.canonicalUrl, { ...base, id: `emb_${cards.size}`, originalUrl: e.url, canonicalUrl: e.canonicalUrl });
  }
  return cards;
}
const cards = handCards();

// ---------------------------------------------------------------- micro

const MARKERS = ['twitter-tweet', '<img', 'youtube.com/embed', 'widgets.js'];
let sink = 0;
function stringSearch(s: string): number {
  let n = 0;
  for (const m of MARKERS) for (let i = s.indexOf(m); i !== -1; i = s.indexOf(m, i + m.length)) n++;
  return n;
}
const scan = scanArticle(html, ARTICLE_URL);
const replacedCards = scan.occurrences.filter((o) => o.kind !== 'img' && o.kind !== 'link').map((o) => cards.get(o.embed.canonicalUrl)!);
const strip = <T extends { placeholder?: string }>(i: T | undefined): T | undefined => (i ? { ...i, placeholder: undefined } : i);
const noPlaceholders = new Map([...cards].map(([k, c]) => [k, {
  ...c, avatar: strip(c.avatar), screenshot: strip(c.screenshot), media: c.media.map((m) => strip(m)!),
} as CardModel]));
/** The output's pieces (kept slices and rendered cards), to time the final string assembly alone. */
const pieces: string[] = (() => {
  const ps: string[] = [];
  let pos = 0;
  const edits = [...scan.occurrences.filter((o) => o.kind !== 'img' && o.kind !== 'link').map((o) => ({ ...o.range, text: renderCard(cards.get(o.embed.canonicalUrl)!, { mode: 'static' }) })),
    ...scan.scripts.map((r) => ({ ...r, text: '' }))].sort((a, b) => a.start - b.start);
  for (const e of edits) {
    ps.push(html.slice(pos, e.start), e.text);
    pos = e.end;
  }
  ps.push(html.slice(pos));
  return ps;
})();
/** V8 puts strings over 128 KB in large-object space: 20 kept slices adding up to 100 KB, for comparison. */
const small = Array.from({ length: 20 }, (_, i) => html.slice(i * 5_000, (i + 1) * 5_000));
const HEADLINE = 'scan + rewriteArticleBytes, static (the render route)';
const cases: Array<[string, () => void]> = [
  ['string search alone (indexOf ×4 markers)', () => { sink += stringSearch(html); }],
  ['htmlparser2 Parser, empty callbacks', () => { new Parser({}, PARSER_OPTIONS).end(html); }],
  ['scanArticle', () => { sink += scanArticle(html, ARTICLE_URL).occurrences.length; }],
  ['rewriteArticle (precomputed scan), static', () => { sink += rewriteArticle(html, scan, { mode: 'static', cards }).length; }],
  ['rewriteArticle (precomputed scan), enhance', () => { sink += rewriteArticle(html, scan, { mode: 'enhance', cards }).length; }],
  ['scan + rewrite, static (string)', () => { sink += rewriteArticle(html, scanArticle(html, ARTICLE_URL), { mode: 'static', cards }).length; }],
  ['rewriteArticleBytes (precomputed scan), static', () => { sink += rewriteArticleBytes(html, scan, { mode: 'static', cards }).length; }],
  [HEADLINE, () => { sink += rewriteArticleBytes(html, scanArticle(html, ARTICLE_URL), { mode: 'static', cards }).length; }],
  // Diagnostics: where the rewrite's time goes.
  ['diag: renderCard of the 8 replaced embeds alone', () => { for (const m of replacedCards) sink += renderCard(m, { mode: 'static' }).length; }],
  ['diag: rewrite, cards without thumbhash placeholders', () => { sink += rewriteArticle(html, scan, { mode: 'static', cards: noPlaceholders }).length; }],
  ['diag: join of the same output pieces (no rendering)', () => { sink += pieces.join('').length; }],
  ['diag: join of pieces into a 100 KB string (< 128 KB)', () => { sink += small.join('').length; }],
];

// Sanity: the rewrite keeps everything outside the replaced ranges.
const out = rewriteArticle(html, scan, { mode: 'static', cards });
const firstEdit = Math.min(...scan.occurrences.map((o) => o.range.start), ...scan.scripts.map((s) => s.start));
if (out.slice(0, firstEdit) !== html.slice(0, firstEdit)) throw new Error('rewrite changed bytes before the first embed');
const cardsInOut = (out.match(/data-embedkeep-id=/g) ?? []).length;

for (const [, fn] of cases) for (let i = 0; i < 20; i++) fn();
const reps = cases.map(([, fn]) => calibrate(fn, 20));
const samples = cases.map(() => [] as number[]);
for (let r = 0; r < ROUNDS; r++) cases.forEach(([, fn], i) => samples[i]!.push(timeBatch(fn, reps[i]!)));
const base = median(samples[0]!);
const microRows: Row[] = cases.map(([label], i) => {
  const ms = median(samples[i]!);
  return { case: label, 'median ms': round(ms, 4), 'MB/s': round(bytes / 1e6 / (ms / 1000), 0), '× string search': round(ms / base, 2) };
});
printTable(`Rewrite a ${(bytes / 1000).toFixed(0)} KB article with ${cards.size} embeds (${scan.occurrences.length} occurrences, ${scan.scripts.length} embed scripts, ${cardsInOut} cards out) — median of ${ROUNDS} rounds`, microRows);
const scanPlusRewrite = median(samples[cases.findIndex(([label]) => label === HEADLINE)]!);
console.log(`target: scan + rewrite ≤ 3× string search → ${round(scanPlusRewrite / base, 2)}× (${scanPlusRewrite / base <= 3 ? 'met' : 'NOT met'})`);

// ---------------------------------------------------------------- HTTP end to end

let httpResults: Record<string, unknown> | undefined;
if (!SKIP_HTTP) {
  const upstream = await startUpstream();
  const svc = await startService({
    UPSTREAM_OVERRIDES: JSON.stringify(upstream.overrides),
    CHROMIUM_PATH: process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium',
    CAPTURE_CONCURRENCY: '2',
  }, { worker: true });
  try {
    const t0 = performance.now();
    const res = await svc.api('/v1/archive?wait=120', json({ article: { url: ARTICLE_URL, html } }));
    const archived = (await res.json()) as { article: { id: string }; embeds: Array<{ id: string; status: string; provider: string }> };
    await waitForQueueIdle(svc.runtime.deps.queue, 180_000);
    const statuses = archived.embeds.map((e) => `${e.provider}:${e.status}`).join(' ');
    console.log(`\narchived the article in ${((performance.now() - t0) / 1000).toFixed(1)} s (renditions included): ${statuses}`);
    const id = archived.article.id;
    const embedIds = archived.embeds.map((e) => e.id);
    const { articles } = svc.runtime.deps;

    const client = new Client(svc.url);
    const cachedPath = `/v1/articles/${id}/render`;
    const postPath = `/v1/render?url=${encodeURIComponent(ARTICLE_URL)}`;
    const kinds = {
      'GET render, uncached (embeds touched)': async () => {
        await articles.touchEmbeds(embedIds);
        return client.request(cachedPath);
      },
      'GET render, cached': () => client.request(cachedPath),
      'GET render, cached, If-None-Match → 304': async () => client.request(cachedPath, { headers: { 'if-none-match': etag } }),
      'POST /v1/render (text/html body)': () =>
        client.request(postPath, { method: 'POST', body: html, headers: { 'content-type': 'text/html; charset=utf-8', authorization: 'Bearer test-admin-token-0123456789' } }),
    };
    let etag = String((await client.request(cachedPath)).headers.etag);
    const lat = new Map(Object.keys(kinds).map((k) => [k, [] as number[]]));
    const etags = new Set<string>();
    let size = 0;
    for (let i = 0; i < HTTP_N + 10; i++) {
      for (const [k, fn] of Object.entries(kinds)) {
        // A few milliseconds between touches, so every uncached request gets a new key.
        const r = await fn();
        if (r.status !== 200 && r.status !== 304) throw new Error(`${k}: HTTP ${r.status} ${r.body.toString().slice(0, 200)}`);
        if (k.includes('uncached')) {
          etags.add(String(r.headers.etag));
          etag = String(r.headers.etag);
          size = r.bytes;
        }
        if (i >= 10) lat.get(k)!.push(r.ms);
      }
    }
    client.close();
    const cachedP50 = percentile(lat.get('GET render, cached')!, 50);
    const httpRows: Row[] = [...lat].map(([k, xs]) => ({
      request: k, n: xs.length, 'p50 ms': round(percentile(xs, 50), 3), 'p99 ms': round(percentile(xs, 99), 3),
      'p50 × cached': round(percentile(xs, 50) / cachedP50, 2),
    }));
    printTable(`End to end over HTTP (keep-alive, one request at a time, ${(size / 1000).toFixed(0)} KB response; ${etags.size} distinct ETags from ${HTTP_N + 10} uncached GETs)`, httpRows);

    // Where an uncached GET spends its time, step by step in-process (the route's own calls).
    const deps = svc.runtime.deps;
    const found = (await articles.getArticle(id))!;
    const steps: Array<[string, () => Promise<unknown> | unknown]> = [
      ['articles.getArticle (row + 151 KB html)', () => articles.getArticle(id)],
      ['articles.articleVersion (cache key)', () => articles.articleVersion(id)],
      ['scanArticle', () => scanArticle(found.html!, ARTICLE_URL)],
      ['loadCards (findEmbed ×10 + sources)', () => loadCards(scan, deps, deps.config.publicBaseUrl)],
      ['rewriteArticleBytes (static, archived cards)', async () => rewriteArticleBytes(found.html!, scan, { mode: 'static', cards: await realCards })],
      ['sha256Hex of the key (ETag)', () => sha256Hex(`${id}|static|${embedIds.join('|')}`)],
    ];
    const realCards = loadCards(scan, deps, deps.config.publicBaseUrl);
    // What-if: the rows loadCards reads, with 6 batched prepared statements instead of ~5 drizzle queries per embed.
    const sqlite = svc.runtime.db.$client;
    const IN = (table: string, column: string, order = '') => sqlite.prepare(`select * from ${table} where ${column} in (select value from json_each(?))${order}`);
    const qEmbeds = IN('embeds', 'canonical_url');
    const qCaptures = IN('captures', 'embed_id', ' order by started_at desc');
    const qMedia = IN('media', 'capture_id', ' order by position');
    const qChecks = IN('checks', 'embed_id', ' order by checked_at desc');
    const qBlobs = IN('blobs', 'sha256');
    const qRenditions = IN('renditions', 'source_sha256', ' order by width');
    const canonical = JSON.stringify([...new Set(scan.occurrences.map((o) => o.embed.canonicalUrl))]);
    steps.splice(4, 0, ['what-if: same rows via 6 batched prepared statements', () => {
      const embeds = qEmbeds.all(canonical) as Array<{ id: string; latest_capture_id: string | null; fallback: string | null; hints: string | null }>;
      for (const e of embeds) { if (e.fallback) JSON.parse(e.fallback); if (e.hints) JSON.parse(e.hints); }
      const ids = JSON.stringify(embeds.map((e) => e.id));
      const captures = qCaptures.all(ids) as Array<{ id: string; screenshot_sha256: string | null; data: string | null; layers: string | null; evidence: string | null }>;
      for (const c of captures) for (const v of [c.data, c.layers, c.evidence]) if (v) JSON.parse(v);
      const media = qMedia.all(JSON.stringify(captures.map((c) => c.id))) as Array<{ sha256: string }>;
      qChecks.all(ids);
      const shas = JSON.stringify([...captures.flatMap((c) => (c.screenshot_sha256 ? [c.screenshot_sha256] : [])), ...media.map((m) => m.sha256)]);
      return [qBlobs.all(shas), qRenditions.all(shas)];
    }]);
    const stepTimes = steps.map(() => [] as number[]);
    for (let r = 0; r < 200; r++) {
      for (const [i, [, fn]] of steps.entries()) {
        const t = performance.now();
        await fn();
        if (r >= 20) stepTimes[i]!.push(performance.now() - t);
      }
    }
    const stepRows: Row[] = steps.map(([label], i) => ({ step: label, 'median ms': round(median(stepTimes[i]!), 3) }));
    printTable('Where an uncached GET render goes (in-process, median of 180)', stepRows);
    httpResults = { http: httpRows, steps: stepRows, distinctUncachedEtags: etags.size, responseBytes: size, embeds: statuses };
  } finally {
    await svc.close();
    await upstream.close();
  }
}

finishRun(run, {
  article: { bytes, embeds: cards.size, occurrences: scan.occurrences.length, scripts: scan.scripts.length },
  micro: microRows,
  ratioScanPlusRewrite: round(scanPlusRewrite / base, 2),
  ...httpResults,
  sink,
});
