import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_ORIGIN, HOSTILE_POST_ID, HOSTILE_REFRESH_ID, HOSTILE_SCRIPT_NAV_ID, startCanary, startHostile, type Listening } from '../fixtures/hostile-upstream.ts';
import { startUpstream, type Upstream } from '../fixtures/upstream-server.ts';
import { json, startService, type TestService } from '../helpers/start-service.ts';

type Embed = { id: string; url: string; status: string; availability: string; captures: Array<{ error?: string; layers: Array<{ layer: string; ok: boolean; error?: string; notes?: string[] }> }> };

let canary: Awaited<ReturnType<typeof startCanary>>;
let hostile: Listening;
let upstream: Upstream;
let svc: TestService;

/** Loopback in every spelling a URL parser accepts, each aimed at the canary's port. */
function loopbackSpellings(port: string): string[] {
  return [
    `http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://LOCALHOST:${port}`, `http://localhost.:${port}`,
    `http://2130706433:${port}`, `http://0x7f000001:${port}`, `http://0177.0.0.1:${port}`, `http://017700000001:${port}`,
    `http://127.1:${port}`, `http://127.0.1:${port}`, `http://0x7f.0.0.1:${port}`, `http://0x7f.1:${port}`,
    `http://[::1]:${port}`, `http://[0:0:0:0:0:0:0:1]:${port}`, `http://[::ffff:127.0.0.1]:${port}`, `http://[::ffff:7f00:1]:${port}`,
    `http://[::127.0.0.1]:${port}`, `http://[64:ff9b::127.0.0.1]:${port}`, `http://0.0.0.0:${port}`, `http://0:${port}`,
    `http://127.0.0.1.:${port}`, `http://127.127.127.127:${port}`, `http://%31%32%37.0.0.1:${port}`, `http://127。0。0。1:${port}`,
    `http://①②⑦.⓪.⓪.①:${port}`, `https://127.0.0.1:${port}`, `http://[::ffff:127.0.0.1]:${port}`.replace('127.0.0.1', '127.1.2.3'),
  ];
}

let direct: string[];
let redirects: string[];
let inArticle: string[];
let pages: string[];
let hostilePage: Embed;
let results: Embed[];
let post: Embed;
let navPosts: Embed[];
const healthDuring: Array<number | string> = [];

beforeAll(async () => {
  canary = await startCanary();
  hostile = await startHostile(canary.url);
  upstream = await startUpstream();
  const narrow = (id: string) => ({
    [`https://cdn.syndication.twimg.com/tweet-result?id=${id}`]: `${hostile.url}/tweet-result?id=${id}`,
    [`https://platform.twitter.com/embed/Tweet.html?id=${id}`]: `${hostile.url}/embed/Tweet.html?id=${id}`,
  });
  svc = await startService({
    UPSTREAM_OVERRIDES: JSON.stringify({
      ...upstream.overrides,
      [HOSTILE_ORIGIN]: `${hostile.url}/`,
      ...narrow(HOSTILE_POST_ID), ...narrow(HOSTILE_REFRESH_ID), ...narrow(HOSTILE_SCRIPT_NAV_ID),
    }),
  }, { worker: true });

  const port = new URL(canary.url).port;
  const spellings = loopbackSpellings(port);
  direct = spellings.map((base, i) => `${base}/direct-${i}.jpg`);
  redirects = [301, 302, 303, 307, 308].flatMap((status, i) => [spellings[0]!, spellings[4]!, spellings[12]!].map((base, j) =>
    `${HOSTILE_ORIGIN}redirect.jpg?status=${status}&to=${encodeURIComponent(`${base}/redirect-${i}-${j}.jpg`)}`));
  inArticle = [spellings[1]!, spellings[6]!, spellings[13]!].map((base, i) => `${base}/article-${i}.jpg`);
  // Pages (not images) go to the browser: its document request meets the same guard.
  pages = [spellings[0]!, spellings[2]!, spellings[4]!, spellings[12]!, spellings[18]!].map((base, i) => `${base}/page-${i}`);
  const html = `<article><p>Photos</p>${inArticle.map((src) => `<img src="${src}" alt="x">`).join('')}
    <img srcset="${spellings[5]}/srcset.jpg 2x" alt="y"></article>`;

  // A fresh connection per probe: a reused keep-alive socket can meet the server closing it, which
  // says nothing about the service. Any failure is recorded, so the assertion below sees it.
  const probe = setInterval(() => {
    get(`${svc.url}/health`, { agent: false }, (r) => {
      r.resume();
      healthDuring.push(r.statusCode ?? 0);
    }).on('error', (error: NodeJS.ErrnoException) => healthDuring.push(error.code ?? error.message));
  }, 200);
  try {
    const res = await svc.api('/v1/archive?wait=110', json({ urls: [...direct, ...redirects, ...pages], article: { url: 'https://news.example/ssrf', html } }));
    expect(res.status).toBe(200);
    results = ((await res.json()) as { embeds: Embed[] }).embeds;
    const posts = await svc.api('/v1/archive?wait=60', json({ urls: [HOSTILE_POST_ID, HOSTILE_REFRESH_ID, HOSTILE_SCRIPT_NAV_ID].map((id) => `https://x.com/i/status/${id}`) }));
    const postEmbeds = ((await posts.json()) as { embeds: Embed[] }).embeds;
    post = postEmbeds[0]!;
    navPosts = postEmbeds.slice(1);
    const page = await svc.api('/v1/archive?wait=60', json({ urls: [`${HOSTILE_ORIGIN}embed/Tweet.html?id=page`] }));
    hostilePage = ((await page.json()) as { embeds: Embed[] }).embeds[0]!;
  } finally {
    clearInterval(probe);
  }
}, 240_000);

afterAll(async () => {
  await svc?.close();
  await upstream?.close();
  await hostile?.close();
  await canary?.close();
});

describe('SSRF battery', () => {
  it('runs at least 40 URL vectors, besides the post data and embed-page ones', () => {
    expect(direct.length + redirects.length + inArticle.length + pages.length).toBeGreaterThanOrEqual(40);
  });

  it('refuses every loopback spelling, redirect and article image, recording "blocked" on the embed', () => {
    expect(results.length).toBeGreaterThanOrEqual(direct.length + redirects.length);
    for (const e of results) {
      expect(e.status, e.url).toBe('failed');
      expect(e.availability, e.url).toBe('blocked');
      expect(e.captures[0]!.error, e.url).toMatch(/blocked_address|bad_url/);
    }
  });

  it('refuses post data and every request of a hostile embed page that aims at the canary', () => {
    const failedMedia = post.captures[0]!.layers.filter((l) => l.layer.startsWith('media:') && !l.ok);
    expect(failedMedia.length).toBeGreaterThanOrEqual(3);
    for (const l of failedMedia) expect(l.error).toMatch(/blocked_address/);
    const notes = post.captures[0]!.layers.find((l) => l.layer === 'egress')?.notes ?? [];
    for (const what of ['img.png', 'decimal.png', 'v6.png', 'localhost.png', 'iframe', 'style.css', 'script.js', 'fetch', 'xhr']) {
      expect(notes.some((n) => n.includes(what)), what).toBe(true);
    }
  });

  it('archives a hostile web page while refusing everything on it that aims at the canary', () => {
    expect(hostilePage).toMatchObject({ status: 'archived', availability: 'live' });
    const notes = hostilePage.captures[0]!.layers.find((l) => l.layer === 'egress')?.notes ?? [];
    expect(notes.filter((n) => n.includes(`:${new URL(canary.url).port}`)).length).toBeGreaterThanOrEqual(8);
  });

  it('refuses navigations away from the embed page (meta refresh, script)', () => {
    expect(navPosts).toHaveLength(2);
    for (const e of navPosts) {
      expect(['archived', 'partial']).toContain(e.status);
      const notes = e.captures[0]!.layers.find((l) => l.layer === 'egress')?.notes ?? [];
      expect(notes.some((n) => n.startsWith('navigation ') && /refresh|js-location/.test(n))).toBe(true);
    }
  });

  it('lets nothing reach the canary, and keeps serving', () => {
    expect(canary.requests).toEqual([]);
    expect(canary.connections).toBe(0);
    expect(healthDuring.length).toBeGreaterThan(3);
    expect(healthDuring.every((s) => s === 200)).toBe(true);
  });
});
