import { readdirSync, readFileSync } from 'node:fs';
import { Parser } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import type { CardModel } from '../../src/core/card-model.ts';
import type { ScanResult } from '../../src/core/model.ts';
import { loaderStatusRanges } from '../../src/core/rewrite-image.ts';
import { applyEdits, rewriteArticle, rewriteArticleBytes } from '../../src/core/rewrite-article.ts';
import { scanArticle } from '../../src/core/scan-article.ts';

const DIR = new URL('../fixtures/articles/', import.meta.url);
const ARTICLES = readdirSync(DIR).filter((f) => f.endsWith('.html')).map((f) => [f, readFileSync(new URL(f, DIR), 'utf8')] as const);
const SEED = readFileSync(new URL('../../../shared/samples/seed-article.html', import.meta.url), 'utf8');
const BASE = 'https://keep.example';

/** Checks that every byte outside the replaced ranges reappears, unchanged and in order. */
function expectPreserved(input: string, scan: ScanResult, out: string, extra: Array<{ start: number; end: number }> = []) {
  const ranges = [...scan.occurrences.map((o) => o.range), ...scan.scripts, ...extra].sort((a, b) => a.start - b.start);
  let pos = 0;
  let at = 0;
  for (const r of ranges) {
    if (r.start < pos) continue;
    const segment = input.slice(pos, r.start);
    const found = out.indexOf(segment, at);
    expect(found, `segment before ${r.start}: ${JSON.stringify(segment.slice(-60))}`).toBeGreaterThanOrEqual(at);
    at = found + segment.length;
    pos = r.end;
  }
  expect(out.endsWith(input.slice(pos))).toBe(true);
}

function card(canonicalUrl: string, over: Partial<CardModel> = {}): CardModel {
  const id = `emb_${canonicalUrl.length}${canonicalUrl.slice(-6).replace(/\W/g, '')}`;
  return {
    id, provider: 'x', status: 'archived', availability: 'live', originalUrl: canonicalUrl, canonicalUrl,
    cardUrl: `${BASE}/cards/${id}`, archivedAt: '2024-05-02T10:00:00.000Z', media: [],
    post: { text: `Archived text of ${canonicalUrl}`, author: { name: 'Archived Author', handle: 'archived' }, publishedAt: '2024-05-01T09:00:00.000Z' },
    ...over,
  };
}

function imageCard(canonicalUrl: string): CardModel {
  const sha = 'a'.repeat(64);
  return {
    ...card(canonicalUrl), provider: 'image', post: undefined,
    screenshot: { url: `${BASE}/v1/blobs/${sha}`, width: 1200, height: 800, renditions: [
      { url: `${BASE}/v1/blobs/${'b'.repeat(64)}`, format: 'webp', width: 640, height: 427 },
      { url: `${BASE}/v1/blobs/${'c'.repeat(64)}`, format: 'avif', width: 640, height: 427 },
    ] },
  };
}

function cardsFor(scan: ScanResult) {
  const cards = new Map<string, CardModel>();
  for (const o of scan.occurrences) {
    const url = o.embed.canonicalUrl;
    if (!cards.has(url)) cards.set(url, o.embed.provider === 'image' ? imageCard(url) : card(url, { provider: o.embed.provider }));
  }
  return cards;
}

describe('rewriteArticle', () => {
  it.each(ARTICLES)('keeps every byte outside the embeds of %s (static, archived cards)', (_name, html) => {
    const scan = scanArticle(html, 'https://news.example/story');
    const cards = cardsFor(scan);
    const out = rewriteArticle(html, scan, { mode: 'static', cards });
    const loaders = scan.occurrences.filter((o) => o.kind === 'img').flatMap((o) => loaderStatusRanges(html, o));
    expectPreserved(html, scan, out, loaders);
    for (const s of scan.scripts) expect(out).not.toContain(html.slice(s.start, s.end));
    const embeds = scan.occurrences.filter((o) => ['blockquote', 'iframe', 'container', 'bare-url'].includes(o.kind));
    for (const o of embeds) expect(out).toContain(`data-embedkeep-id="${cards.get(o.embed.canonicalUrl)!.id}"`);
    // The output is still well-formed enough to parse, and holds no embed script.
    let scripts = 0;
    new Parser({ onopentag: (name, attrs) => { if (name === 'script' && /platform\.twitter\.com|embed\.bsky\.app|instagram\.com\/embed|tiktok\.com\/embed|embed\.reddit\.com|threads\.net\/embed/.test(attrs.src ?? '')) scripts += 1; } }).end(out);
    expect(scripts).toBe(0);
  });

  it.each(ARTICLES)('falls back to the article\'s own text for embeds never archived: %s', (_name, html) => {
    const scan = scanArticle(html, 'https://news.example/story');
    const out = rewriteArticle(html, scan, { mode: 'static', cards: new Map() });
    expectPreserved(html, scan, out);
    for (const o of scan.occurrences.filter((x) => x.kind === 'blockquote' && x.embed.fallback?.text)) {
      expect(out).toContain(o.embed.fallback!.text!.slice(0, 20).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    }
    expect(out).not.toMatch(/>\s*loading…?\s*</i);
  });

  it('renders the seed article: the post card, the photo from the archive, no loader text, no widgets.js', () => {
    const scan = scanArticle(SEED, 'https://news.example/story');
    const out = rewriteArticle(SEED, scan, { mode: 'static', cards: cardsFor(scan) });
    expect(out).toContain('Archived text of https://x.com/i/status/1726942316025209093');
    expect(out).toMatch(/<img class="lazyload" src="https:\/\/keep\.example\/v1\/blobs\/a{64}" data-src="https:\/\/keep\.example\/v1\/blobs\/a{64}"/);
    expect(out).not.toContain('widgets.js');
    expect(out).not.toContain('>loading…<');
    expect(out.match(/<style data-embedkeep>/g)).toHaveLength(1);
    expect(out).toContain('<p>Yesterday the delegation together with Saudi Arabian Foreign Minister');
  });

  it('adds Robust Links attributes to in-text post links and leaves their href alone', () => {
    const html = '<p>As <a href="https://twitter.com/someone/status/1234567890123456789">she wrote</a>, it began.</p>';
    const scan = scanArticle(html);
    const out = rewriteArticle(html, scan, { mode: 'static', cards: cardsFor(scan) });
    expect(out).toBe(`<p>As <a data-originalurl="https://twitter.com/someone/status/1234567890123456789" data-versionurl="${BASE}/cards/${card('https://x.com/i/status/1234567890123456789').id}" data-versiondate="2024-05-02" href="https://twitter.com/someone/status/1234567890123456789">she wrote</a>, it began.</p>`);
  });

  it('quotes an unquoted srcset it rewrites, and adds src to an img that had none', () => {
    const html = '<p><img data-src=https://images.example/a.jpg srcset=https://images.example/a.jpg alt=x></p>';
    const scan = scanArticle(html);
    const out = rewriteArticle(html, scan, { mode: 'static', cards: cardsFor(scan) });
    expect(out).toContain(`srcset="${BASE}/v1/blobs/${'b'.repeat(64)} 640w, ${BASE}/v1/blobs/${'a'.repeat(64)} 1200w"`);
    expect(out).toMatch(/^<p><img src="https:\/\/keep\.example\/v1\/blobs\/a{64}" data-src="https:\/\/keep\.example\/v1\/blobs\/a{64}"/);
  });

  it('enhance mode keeps the live markup and its script beside the card', () => {
    const scan = scanArticle(SEED);
    const out = rewriteArticle(SEED, scan, { mode: 'enhance', cards: cardsFor(scan) });
    expect(new TextDecoder().decode(rewriteArticleBytes(SEED, scan, { mode: 'enhance', cards: cardsFor(scan) }))).toBe(out);
    expect(out).toContain('platform.twitter.com/widgets.js');
    expect(out).toMatch(/<div class="ek-enhance"[^>]*data-embedkeep-live="auto"><article class="ek-card"/);
    expect(out).toContain('<div class="ek-live" aria-hidden="true"');
    expect(out).toContain('<blockquote class="twitter-tweet" data-lang="en">');
    expect(out.match(/<script data-embedkeep>/g)).toHaveLength(1);
  });

  it('survives nested and malformed markup around embeds', () => {
    const html = `<div><section><blockquote class="twitter-tweet"><p>Unclosed <b>bold
      &mdash; A (@a) <a href="https://x.com/a/status/111">May 1</a></blockquote></div>
      <!-- <blockquote class="twitter-tweet"><a href="https://x.com/a/status/222">x</a></blockquote> -->
      <script>var s = '<blockquote class="twitter-tweet"><a href="https://x.com/a/status/333"></a></blockquote>';</script>
      <p>Tail <img src="https://images.example/t.png" alt="t"`;
    const scan = scanArticle(html);
    const out = rewriteArticle(html, scan, { mode: 'static', cards: cardsFor(scan) });
    expectPreserved(html, scan, out);
    expect(out).toContain('<!-- <blockquote class="twitter-tweet"><a href="https://x.com/a/status/222">x</a></blockquote> -->');
    expect(out).toContain(`var s = '<blockquote class="twitter-tweet">`);
    expect(out).toContain('Archived text of https://x.com/i/status/111');
  });

  it('applies edits in order and drops one nested in an earlier replacement', () => {
    expect(applyEdits('0123456789', [{ start: 6, end: 8, text: 'B' }, { start: 1, end: 4, text: 'A' }, { start: 2, end: 3, text: 'X' }])).toBe('0A45B89');
  });
});
