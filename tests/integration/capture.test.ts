import { execFileSync } from 'node:child_process';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, YOUTUBE, type Upstream } from '../fixtures/upstream-server.ts';
import { TWEET_IDS, TWEETS, SEED_TWEET_ID } from '../fixtures/tweets.ts';
import { json, startService, type TestService } from '../helpers/start-service.ts';
import { waitFor, waitForQueueIdle } from '../helpers/wait-for.ts';

type Embed = {
  id: string; provider: string; providerId: string; url: string; status: string; availability: string; text?: string;
  author?: { name?: string; handle?: string }; screenshot?: { url: string; width: number; height: number; renditions: Array<{ url: string; format: string; width: number }> };
  media: Array<{ kind: string; url: string; sha256: string; width?: number; height?: number; contentType: string }>;
  captures: Array<{ status: string; availability: string; layers: Array<{ layer: string; ok: boolean; skipped?: boolean; error?: string }>; evidence?: Record<string, unknown>; error?: string }>;
};

const blockquote = (id: string, text = 'Pasted text of the post', handle = 'someone') =>
  `<blockquote class="twitter-tweet"><p lang="en" dir="ltr">${text}</p>&mdash; Some One (@${handle}) <a href="https://twitter.com/${handle}/status/${id}?ref_src=twsrc%5Etfw">May 1, 2024</a></blockquote>\n`;

const POSTS = ['seed', 'normal', 'quoted', 'media', 'video', 'long', 'rtl', 'emoji'] as const;
const GONE = { tombstone_protected: 'protected', tombstone_withheld: 'withheld', tombstone_deleted: 'deleted', tombstone_suspended: 'suspended', empty: 'not_found', gone404: 'not_found' } as const;
const IMAGES = { 'photo.jpg': 'image/jpeg', 'photo.png': 'image/png', 'photo.webp': 'image/webp', 'photo.gif': 'image/gif', 'redirect.jpg': 'image/jpeg' } as const;
const BAD_IMAGES = { 'truncated.jpg': 'corrupt', 'bomb.png': 'too_many_pixels', 'notimage.jpg': 'not_an_image', 'missing.jpg': 'not_found' } as const;

function article() {
  const ids = [...POSTS, ...Object.keys(GONE), 'ratelimited', 'html', 'broken', 'slow'].map((c) => TWEET_IDS[c as keyof typeof TWEET_IDS]);
  return `<!doctype html><html><head><title>Test article</title></head><body><article>
${ids.map((id) => blockquote(id)).join('<p>Between the posts.</p>\n')}
<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>
${[...Object.keys(IMAGES), ...Object.keys(BAD_IMAGES)].map((name) => `<figure><img src="https://images.example/${name}" alt="Image ${name}"><figcaption>Photo/x/@credit</figcaption></figure>`).join('\n')}
${Object.values(YOUTUBE).map((v) => `<iframe width="560" height="315" src="https://www.youtube.com/embed/${v.id}?feature=oembed" allowfullscreen></iframe>`).join('\n')}
</article></body></html>`;
}

let upstream: Upstream;
let svc: TestService;
let embeds: Embed[];

const byPost = (name: keyof typeof TWEET_IDS) => embeds.find((e) => e.provider === 'x' && e.providerId === TWEET_IDS[name])!;
const byImage = (name: string) => embeds.find((e) => e.provider === 'image' && e.url.endsWith(`/${name}`))!;
const byVideo = (id: string) => embeds.find((e) => e.provider === 'youtube' && e.providerId === id)!;

async function decode(url: string, accept = 'image/png') {
  const res = await fetch(url, { headers: { accept } });
  expect(res.status).toBe(200);
  const bytes = Buffer.from(await res.arrayBuffer());
  const image = sharp(bytes);
  return { meta: await image.metadata(), stats: await image.stats(), type: res.headers.get('content-type') };
}

beforeAll(async () => {
  upstream = await startUpstream();
  svc = await startService({ UPSTREAM_OVERRIDES: JSON.stringify(upstream.overrides), CAPTURE_CONCURRENCY: '2' }, { worker: true });
  const res = await svc.api('/v1/archive?wait=120', json({ article: { url: 'https://news.example/2024/test', html: article() } }));
  expect(res.status).toBe(200);
  const first = ((await res.json()) as { embeds: Embed[] }).embeds;
  // Renditions are encoded by lower-priority jobs after the captures.
  await waitForQueueIdle(svc.runtime.deps.queue);
  embeds = await Promise.all(first.map(async (e) => (await svc.api(`/v1/embeds/${e.id}`)).json() as Promise<Embed>));
}, 240_000);

afterAll(async () => {
  await svc?.close();
  await upstream?.close();
});

describe('an article archived end to end', () => {
  it('finds every embed and brings each one to a final state', () => {
    expect(embeds).toHaveLength(POSTS.length + Object.keys(GONE).length + 4 + Object.keys(IMAGES).length + Object.keys(BAD_IMAGES).length + 3);
    expect(embeds.filter((e) => e.status === 'pending')).toEqual([]);
  });

  it.each(POSTS)('keeps the %s post: data, rendered screenshot, media', async (name) => {
    const e = byPost(name);
    const fixture = TWEETS[TWEET_IDS[name]]!.json as { text: string; display_text_range: [number, number]; user: { name: string; screen_name: string } };
    expect(e).toMatchObject({ status: 'archived', availability: 'live', author: { name: fixture.user.name, handle: fixture.user.screen_name } });
    const [start, end] = fixture.display_text_range;
    expect(e.text).toBe(Array.from(fixture.text).slice(start, end).join(''));
    expect(e.captures[0]!.layers.filter((l) => !l.ok)).toEqual([]);
    // Screenshot: the rendered post at 2×, clipped to the card, not a blank or placeholder.
    const shot = await decode(e.screenshot!.url);
    expect(shot.type).toBe('image/png');
    // CSS size × 2, within the rounding of an odd pixel count.
    expect(Math.abs(shot.meta.width! - e.screenshot!.width * 2)).toBeLessThanOrEqual(1);
    expect(Math.abs(shot.meta.height! - e.screenshot!.height * 2)).toBeLessThanOrEqual(1);
    expect(e.screenshot!.width).toBeGreaterThan(300);
    expect(e.screenshot!.width).toBeLessThanOrEqual(560);
    expect(e.screenshot!.height).toBeGreaterThan(100);
    expect(Math.max(...shot.stats.channels.slice(0, 3).map((c) => c.stdev))).toBeGreaterThan(15);
    expect(e.media.some((m) => m.kind === 'avatar')).toBe(true);
    for (const m of e.media) {
      const img = await decode(m.url, '*/*');
      expect(img.meta.width).toBe(m.width);
    }
    // WebP and AVIF renditions exist and are served by negotiation.
    const formats = new Set(e.screenshot!.renditions.map((r) => r.format));
    expect(formats).toEqual(new Set(['webp', 'avif']));
    expect((await decode(`${e.screenshot!.url}?w=320`, 'image/avif,image/webp,*/*')).type).toBe('image/avif');
    expect((await decode(`${e.screenshot!.url}?w=320`, 'image/webp,*/*')).meta.width).toBe(320);
  });

  it('keeps every photo and the video poster of posts with media', () => {
    expect(byPost('media').media.filter((m) => m.kind === 'photo')).toHaveLength(2);
    expect(byPost('video').media.filter((m) => m.kind === 'poster')).toHaveLength(1);
    expect(byPost('seed').text).toContain('Negotiations between Lavrov');
  });

  it.each(Object.entries(GONE))('records %s as %s with its evidence, keeping the article text', (name, availability) => {
    const e = byPost(name as keyof typeof TWEET_IDS);
    expect(e).toMatchObject({ status: 'partial', availability, text: 'Pasted text of the post' });
    expect(e.screenshot).toBeUndefined();
    const evidence = e.captures[0]!.evidence!;
    expect(evidence.httpStatus).toBe(name === 'gone404' ? 404 : 200);
    if (name.startsWith('tombstone')) expect(evidence.typename).toBe('TweetTombstone');
    expect(e.captures[0]!.layers.find((l) => l.layer === 'screenshot')).toMatchObject({ skipped: true });
  });

  it('retries a 429 after Retry-After and then archives', () => {
    const e = byPost('ratelimited');
    expect(e).toMatchObject({ status: 'archived', availability: 'live' });
    expect(upstream.requests.filter((r) => r.path.startsWith(`/syndication/tweet-result?id=${TWEET_IDS.ratelimited}`)).length).toBeGreaterThanOrEqual(2);
  });

  it.each(['html', 'broken'] as const)('falls back to oEmbed when syndication answers %s, and keeps what it can', (name) => {
    const e = byPost(name);
    expect(e.availability).toBe('live');
    expect(e.status).toBe('partial');
    const layers = e.captures[0]!.layers;
    expect(layers.find((l) => l.layer === 'data')).toMatchObject({ ok: false });
    expect(layers.find((l) => l.layer === 'oembed')).toMatchObject({ ok: true });
    const fixture = TWEETS[TWEET_IDS[name]]!.json as { text: string };
    expect(fixture.text).toContain(e.text!.split('https://')[0]!.trim().slice(0, 40));
  });

  it('waits for a slow syndication answer', () => {
    expect(byPost('slow')).toMatchObject({ status: 'archived', availability: 'live' });
  });

  it.each(Object.entries(IMAGES))('keeps the article image %s with its original bytes', async (name, type) => {
    const e = byImage(name);
    expect(e).toMatchObject({ status: 'archived', availability: 'live' });
    expect(e.media[0]!.contentType).toBe(type);
    const original = await fetch(e.media[0]!.url);
    const bytes = Buffer.from(await original.arrayBuffer());
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(e.media[0]!.sha256);
    expect(original.headers.get('cache-control')).toMatch(/immutable/);
  });

  it.each(Object.entries(BAD_IMAGES))('refuses the bad image %s (%s) and stores nothing', (name, reason) => {
    const e = byImage(name);
    expect(e.status).toBe('failed');
    expect(e.media).toEqual([]);
    expect(e.captures[0]!.error ?? e.availability).toContain(reason === 'not_found' ? 'not_found' : reason);
  });

  it('keeps YouTube thumbnails and tells embedding-disabled from gone', () => {
    expect(byVideo(YOUTUBE.live.id)).toMatchObject({ status: 'archived', availability: 'live', text: YOUTUBE.live.title });
    expect(byVideo(YOUTUBE.embeddingDisabled.id)).toMatchObject({ status: 'archived', availability: 'embedding_disabled' });
    expect(byVideo(YOUTUBE.gone.id)).toMatchObject({ status: 'failed', availability: 'not_found' });
  });

  it('captures nothing twice when the same article is archived again', async () => {
    const count = () => (svc.runtime.db.$client.prepare('select count(*) as n from captures').get() as { n: number }).n;
    const before = count();
    const hits = upstream.requests.length;
    const res = await svc.api('/v1/archive?wait=30', json({ article: { url: 'https://news.example/2024/test', html: article() } }));
    expect(res.status).toBe(200);
    // Failed embeds are queued again (by design); everything archived or partial is left alone.
    const failed = embeds.filter((e) => e.status === 'failed').length;
    expect(count() - before).toBe(failed);
    expect(upstream.requests.slice(hits).some((r) => r.path.startsWith('/syndication/'))).toBe(false);
  });
});

describe('captures are versions', () => {
  it('recapture=true adds a capture and keeps the old one; a failed re-capture keeps the embed archived', async () => {
    const e = byPost('normal');
    const res = await svc.api('/v1/archive?wait=60&recapture=true', json({ urls: [`https://x.com/i/status/${TWEET_IDS.normal}`] }));
    expect(res.status).toBe(200);
    const [again] = ((await res.json()) as { embeds: Embed[] }).embeds;
    expect(again!.captures).toHaveLength(e.captures.length + 1);
    expect(again!.status).toBe('archived');
    // A re-capture that keeps nothing (the original is gone) leaves the archived copy shown.
    await svc.runtime.deps.articles.markPending([e.id]);
    await svc.runtime.deps.captures.saveCapture({
      id: 'cap_gone', embedId: e.id, method: 'x:syndication+embed', status: 'partial', availability: 'deleted',
      layers: [], media: [], startedAt: new Date(), durationMs: 1,
    });
    const view = (await (await svc.api(`/v1/embeds/${e.id}`)).json()) as Embed & { text: string };
    expect(view).toMatchObject({ status: 'archived', availability: 'deleted', text: again!.text });
    expect(view.captures).toHaveLength(e.captures.length + 2);
  });
});

describe('browser crash', () => {
  it('survives Chromium being killed mid-run', async () => {
    const ids = ['normal', 'quoted', 'media', 'emoji'] as const;
    // These posts are archived already; marking them failed makes the next archive call capture them again.
    const pids = () => execFileSync('pgrep', ['-P', String(process.pid)]).toString().trim().split('\n').filter(Boolean)
      .filter((pid) => /chrom/i.test(execFileSync('ps', ['-o', 'comm=', '-p', pid]).toString()));
    await waitFor(() => (pids().length ? true : undefined), 10_000, 'a running chromium');
    const article2 = ids.map((c) => blockquote(TWEET_IDS[c])).join('');
    svc.runtime.db.$client.prepare(`update embeds set status = 'failed' where provider_id in (${ids.map(() => '?').join(',')})`).run(...ids.map((c) => TWEET_IDS[c]));
    const pending = svc.api('/v1/archive?wait=90', json({ article: { url: 'https://news.example/2024/crash', html: `<article>${article2}</article>` } }));
    await waitFor(() => (upstream.requests.some((r) => r.path.startsWith('/platform/embed/')) ? true : undefined), 20_000, 'a capture in flight');
    for (const pid of pids()) process.kill(Number(pid), 'SIGKILL');
    const res = await pending;
    expect(res.status).toBe(200);
    const after = ((await res.json()) as { embeds: Embed[] }).embeds;
    expect(after.map((e) => e.status)).toEqual(['archived', 'archived', 'archived', 'archived']);
    const health = await (await svc.api('/health', { token: null })).json() as { checks: { browser: { ok: boolean } } };
    expect(health.checks.browser.ok).toBe(true);
    const restarts = await (await svc.api('/metrics', { token: null })).text();
    expect(restarts).toMatch(/embedkeep_browser_restarts_total\{reason="crash"\} [1-9]/);
  }, 120_000);
});
