import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startService, type TestService } from '../helpers/start-service.ts';

const SEED = readFileSync(new URL('../../../shared/samples/seed-article.html', import.meta.url), 'utf8');
const SEED_URL = 'https://news.example/world/2023/11/21/lavrov-arab-islamic-ministers-moscow-gaza';
const POST_ID = '1726942316025209093';

let svc: TestService;
beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc.close();
});

async function problem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = await res.json() as { type: string; title: string; status: number; detail: string };
  expect(body.status).toBe(status);
  expect(body.type).toMatch(/^urn:embedkeep:problem:/);
  expect(body.title.length).toBeGreaterThan(0);
  expect(body.detail.length).toBeGreaterThan(0);
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
  return body;
}

async function counts() {
  const c = svc.runtime.db.$client;
  const n = (t: string) => (c.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n;
  return { articles: n('articles'), embeds: n('embeds'), items: n('article_embeds'), jobs: n('jobs') };
}

describe('ingest over HTTP', () => {
  it('extracts the seed article without storing anything', async () => {
    const before = await counts();
    const res = await svc.api('/v1/extract', json({ html: SEED, url: SEED_URL }));
    expect(res.status).toBe(200);
    const body = await res.json() as { embeds: Array<Record<string, unknown>> };
    expect(body.embeds.map((e) => [e.provider, e.role, e.canonicalUrl])).toEqual([
      ['image', 'image', 'https://pbs.twimg.com/media/F_cMoscowMfa1.jpg'],
      ['x', 'embed', `https://x.com/i/status/${POST_ID}`],
    ]);
    expect(body.embeds[1]).toMatchObject({
      providerId: POST_ID,
      fallback: { authorName: 'Sprinter Monitor', authorHandle: 'SpriterMonitor1', date: 'November 21, 2023' },
    });
    expect(await counts()).toEqual(before);
  });

  it('archives an article: one embed per canonical URL, fallback stored, one job each, idempotent', async () => {
    const res = await svc.api('/v1/archive', json({ article: { url: SEED_URL, html: SEED } }));
    expect(res.status).toBe(202);
    const body = await res.json() as { article: { id: string; url: string }; embeds: Array<Record<string, any>> };
    expect(body.article.url).toBe(SEED_URL);
    expect(body.embeds).toHaveLength(2);
    const post = body.embeds.find((e) => e.provider === 'x')!;
    expect(post).toMatchObject({ status: 'pending', availability: 'unknown', providerId: POST_ID, author: { name: 'Sprinter Monitor', handle: 'SpriterMonitor1' } });
    expect(post.text).toContain('Negotiations between Lavrov');
    const first = await counts();

    const again = await svc.api('/v1/archive', json({ article: { url: SEED_URL, html: SEED } }));
    const body2 = await again.json() as typeof body;
    expect(body2.article.id).toBe(body.article.id);
    expect(body2.embeds.map((e) => e.id)).toEqual(body.embeds.map((e) => e.id));
    expect(await counts()).toEqual(first);

    // Any URL form of the post finds the same embed.
    for (const form of [
      `https://twitter.com/SpriterMonitor1/status/${POST_ID}?ref_src=twsrc%5Etfw`,
      `https://mobile.x.com/SpriterMonitor1/status/${POST_ID}/photo/1`,
      `https://twitter.com/#!/SpriterMonitor1/status/${POST_ID}`,
      `https://x.com/i/web/status/${POST_ID}`,
    ]) {
      const found = await (await svc.api(`/v1/embeds?url=${encodeURIComponent(form)}`)).json() as { embeds: Array<{ id: string }> };
      expect(found.embeds.map((e) => e.id)).toEqual([post.id]);
    }
    const bySubmit = await (await svc.api('/v1/archive', json({ urls: [`https://x.com/someone/statuses/${POST_ID}`] }))).json() as typeof body;
    expect(bySubmit.embeds.map((e) => e.id)).toEqual([post.id]);
    expect(await counts()).toEqual(first);

    const article = await (await svc.api(`/v1/articles/${body.article.id}`)).json() as { items: Array<{ role: string; embedId: string }>; embeds: unknown[] };
    expect(article.items.map((i) => i.role)).toEqual(['image', 'embed']);
    expect(article.embeds).toHaveLength(2);
    const one = await (await svc.api(`/v1/embeds/${post.id}`)).json() as Record<string, unknown>;
    expect(one).toMatchObject({ id: post.id, canonicalUrl: `https://x.com/i/status/${POST_ID}`, captures: [], checks: [], media: [] });
  });

  it('stores no empty strings: absent facts are absent fields', async () => {
    const res = await svc.api('/v1/archive', json({ urls: ['https://images.example/photos/lead.jpg#frag'] }));
    const body = await res.json() as { embeds: Array<Record<string, unknown>> };
    expect(body.embeds[0]).toMatchObject({ provider: 'image', canonicalUrl: 'https://images.example/photos/lead.jpg' });
    expect(Object.values(body.embeds[0]!)).not.toContain('');
    expect(body.embeds[0]).not.toHaveProperty('text');
  });
});

describe('auth', () => {
  it('refuses POSTs and metadata without a key, with a wrong key, and with a key lacking the scope', async () => {
    await problem(await svc.api('/v1/archive', { ...json({ urls: ['https://x.com/a/status/1'] }), token: null }), 401);
    await problem(await svc.api('/v1/archive', { ...json({ urls: ['https://x.com/a/status/1'] }), token: 'nope' }), 401);
    await problem(await svc.api('/v1/embeds?url=https://x.com/a/status/1', { token: null }), 401);
  });

  it('accepts a created key with its scopes only, and not once revoked', async () => {
    const { keysCommand } = await import('../../src/cli/keys-command.ts');
    const lines: string[] = [];
    await keysCommand(['create', '--name', 'reader', '--scopes', 'read', '--json'], svc.runtime.deps.keys, (l) => lines.push(l));
    const { key, id } = JSON.parse(lines[0]!) as { key: string; id: string };
    const stored = svc.runtime.db.$client.prepare('select hash from api_keys where id = ?').get(id) as { hash: string };
    expect(stored.hash).not.toContain(key);
    expect((await svc.api('/v1/embeds?url=https://x.com/a/status/1', { token: key })).status).toBe(200);
    await problem(await svc.api('/v1/archive', { ...json({ urls: ['https://x.com/a/status/1'] }), token: key }), 403);
    await keysCommand(['revoke', id], svc.runtime.deps.keys, () => undefined);
    await problem(await svc.api('/v1/embeds?url=https://x.com/a/status/1', { token: key }), 401);
  });
});

describe('bad input is refused cleanly and changes nothing', () => {
  const raw = (body: BodyInit, type = 'application/json'): RequestInit => ({ method: 'POST', headers: { 'content-type': type }, body });
  const cases: Array<[string, () => Promise<Response>, number]> = [
    ['non-JSON body', () => svc.api('/v1/archive', raw('{"urls": [')), 400],
    ['plain text content type', () => svc.api('/v1/archive', raw('hello', 'text/plain')), 415],
    ['empty body', () => svc.api('/v1/archive', raw('')), 400],
    ['JSON array', () => svc.api('/v1/archive', raw('[1,2]')), 400],
    ['wrong types', () => svc.api('/v1/archive', json({ urls: 'https://x.com/a/status/1' })), 400],
    ['unknown field', () => svc.api('/v1/archive', json({ url: ['https://x.com/a/status/1'] })), 400],
    ['neither urls nor article', () => svc.api('/v1/archive', json({})), 400],
    ['javascript: URL', () => svc.api('/v1/archive', json({ urls: ['javascript:alert(1)'] })), 400],
    ['data: URL', () => svc.api('/v1/archive', json({ urls: ['data:text/html,<b>x</b>'] })), 400],
    ['file: URL', () => svc.api('/v1/archive', json({ urls: ['file:///etc/passwd'] })), 400],
    ['credentials in URL', () => svc.api('/v1/archive', json({ urls: ['https://user:pw@x.com/a/status/1'] })), 400],
    ['relative URL', () => svc.api('/v1/archive', json({ urls: ['/a/status/1'] })), 400],
    ['10 000 URLs', () => svc.api('/v1/archive', json({ urls: Array.from({ length: 10_000 }, (_, i) => `https://x.com/a/status/${i + 1}`) })), 400],
    ['20 MB body', () => svc.api('/v1/archive', json({ article: { html: `<p>${'a'.repeat(20 * 1024 * 1024)}</p>` } })), 413],
    ['HTML that is not HTML', () => svc.api('/v1/archive', json({ article: { html: 'just words, no markup at all' } })), 400],
    ['binary as HTML', () => svc.api('/v1/extract', json({ html: '<p>\u0000\u0001\u0002</p>' })), 400],
    ['invalid UTF-8', () => svc.api('/v1/archive', raw(new Uint8Array([0x7b, 0x22, 0x75, 0x72, 0x6c, 0x73, 0x22, 0x3a, 0x5b, 0x22, 0xff, 0xfe, 0x22, 0x5d, 0x7d]))), 400],
    ['bad article URL', () => svc.api('/v1/archive', json({ article: { url: 'ftp://example.com/a', html: '<p>x</p>' } })), 400],
    ['extract without html', () => svc.api('/v1/extract', json({ url: 'https://example.com/' })), 400],
    ['wait that is not a number', () => svc.api('/v1/archive?wait=soon', json({ urls: ['https://x.com/a/status/1'] })), 400],
  ];
  for (const [name, send, status] of cases) {
    it(name, async () => {
      const before = await counts();
      await problem(await send(), status);
      expect(await counts()).toEqual(before);
    });
  }

  it('unknown routes and ids are problem+json 404s', async () => {
    await problem(await svc.api('/v1/nope'), 404);
    await problem(await svc.api('/v1/embeds/emb_missing'), 404);
    await problem(await svc.api('/v1/articles/art_missing'), 404);
    await problem(await svc.api('/v1/blobs/../../etc/passwd', { token: null }), 404);
  });
});

describe('operations', () => {
  it('reports health from the database and serves Prometheus metrics', async () => {
    const health = await svc.api('/health', { token: null });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', checks: { database: { ok: true } } });
    const metrics = await (await svc.api('/metrics', { token: null })).text();
    expect(metrics).toMatch(/^# TYPE embedkeep_http_requests_total counter$/m);
    expect(metrics).toMatch(/^embedkeep_queue_jobs\{state="queued"\} \d+$/m);
  });

  it('publishes an OpenAPI 3.1 document and a readable docs page', async () => {
    const doc = await (await svc.api('/openapi.json', { token: null })).json() as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/v1/archive', '/v1/extract', '/v1/embeds/{id}', '/v1/embeds', '/v1/articles/{id}', '/v1/render', '/v1/articles/{id}/render',
      '/cards/{id}', '/oembed', '/v1/embeds/{id}/screenshot', '/v1/blobs/{sha256}', '/v1/keys', '/health', '/metrics',
    ]));
    expect(doc.components.schemas).toHaveProperty('Embed');
    const page = await (await svc.api('/docs', { token: null })).text();
    expect(page).toContain('/v1/archive');
  });

  it('tags every response with a request id and nosniff', async () => {
    const res = await svc.api('/health', { token: null, headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
