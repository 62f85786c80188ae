import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../fixtures/upstream-server.ts';
import { TWEET_IDS, type TweetCase } from '../fixtures/tweets.ts';
import { postJson, queryDb, startProcess, tempDirs, waitForQuiet, type Dirs, type ServiceProcess } from '../helpers/service-process.ts';

// Live posts only: re-submitting a `failed` embed queues it again (pinned API), so a gone post would
// rightly get a job per request that arrives after its capture.
const POSTS: TweetCase[] = ['normal', 'quoted', 'media', 'long', 'rtl', 'emoji', 'video'];
/** Every form a post URL takes in the wild, all canonical to `https://x.com/i/status/ID`. */
const POST_FORMS = [
  (id: string) => `https://twitter.com/someone/status/${id}`,
  (id: string) => `https://x.com/someone/status/${id}`,
  (id: string) => `https://mobile.twitter.com/someone/status/${id}`,
  (id: string) => `https://mobile.x.com/someone/status/${id}`,
  (id: string) => `https://www.twitter.com/someone/status/${id}?ref_src=twsrc%5Etfw`,
  (id: string) => `https://twitter.com/i/web/status/${id}`,
  (id: string) => `https://x.com/i/status/${id}`,
  (id: string) => `https://twitter.com/someone/statuses/${id}`,
  (id: string) => `https://twitter.com/#!/someone/status/${id}`,
  (id: string) => `https://x.com/someone/status/${id}?s=20&t=AbCdEf`,
  (id: string) => `https://x.com/someone/status/${id}/photo/1`,
];
const IMAGES = Array.from({ length: 8 }, (_, i) => `https://images.example/concurrent-${i}.jpg`);
const IMAGE_FORMS = [(u: string) => u, (u: string) => `${u}#top`, (u: string) => `${u}#gallery-2`];
const REQUESTS = 320;

let upstream: Upstream;
let dirs: Dirs;
let proc: ServiceProcess | undefined;

beforeAll(async () => {
  upstream = await startUpstream({ embedRenderDelayMs: 100 });
  dirs = tempDirs('ek-concurrency-');
});

afterAll(async () => {
  await proc?.kill('SIGKILL');
  await upstream?.close();
  rmSync(dirs.root, { recursive: true, force: true });
});

/** A deterministic pseudo-random pick, so a failure can be replayed. */
function picker(seed: number) {
  let s = seed;
  return <T>(list: readonly T[]): T => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    // The low bits of this generator cycle quickly; the high ones do not.
    return list[(s >>> 16) % list.length]!;
  };
}

describe('concurrent archiving', () => {
  it(`${REQUESTS} simultaneous POST /v1/archive calls over every URL form: one embed per canonical URL, one job each, one capture each`, async () => {
    const svc = await startProcess(['serve'], { ...dirs.env, UPSTREAM_OVERRIDES: JSON.stringify(upstream.overrides), CAPTURE_CONCURRENCY: '2' });
    proc = svc;
    const pick = picker(20240601);
    const bodies = Array.from({ length: REQUESTS }, () => ({
      urls: Array.from({ length: 4 }, (_, i) => (i % 2 === 0
        ? pick(POST_FORMS)(TWEET_IDS[pick(POSTS)])
        : pick(IMAGE_FORMS)(pick(IMAGES)))),
    }));
    const t0 = Date.now();
    const responses = await Promise.all(bodies.map(async (body) => {
      const res = await svc.api('/v1/archive', postJson(body));
      return { status: res.status, body: (await res.json()) as { embeds: Array<{ id: string; canonicalUrl: string }> } };
    }));
    const ms = Date.now() - t0;
    expect(responses.filter((r) => r.status !== 202).map((r) => r.status)).toEqual([]);

    // Every response names the same embed for the same canonical URL.
    const idByCanonical = new Map<string, Set<string>>();
    for (const { body } of responses) {
      for (const e of body.embeds) idByCanonical.set(e.canonicalUrl, (idByCanonical.get(e.canonicalUrl) ?? new Set()).add(e.id));
    }
    const canonicals = [...idByCanonical.keys()];
    expect([...idByCanonical.values()].filter((ids) => ids.size !== 1)).toEqual([]);
    expect(canonicals.filter((u) => u.startsWith('https://x.com/i/status/')).sort()).toEqual(POSTS.map((c) => `https://x.com/i/status/${TWEET_IDS[c]}`).sort());
    expect(canonicals.filter((u) => u.startsWith('https://images.example/')).sort()).toEqual([...IMAGES].sort());

    const stored = () => queryDb(dirs.env.DATA_DIR!, (db) => ({
      embeds: db.prepare('select canonical_url from embeds').pluck().all() as string[],
      jobs: db.prepare(`select dedup_key as key, count(*) as n from jobs where kind = 'capture' group by dedup_key`).all() as Array<{ key: string; n: number }>,
      ids: db.prepare('select id from embeds').pluck().all() as string[],
    }));
    const before = stored();
    expect(before.embeds.sort()).toEqual(canonicals.sort());
    expect(before.jobs.map((j) => j.key).sort()).toEqual(before.ids.map((id) => `capture:${id}`).sort());
    expect(before.jobs.filter((j) => j.n !== 1)).toEqual([]);

    await waitForQuiet(dirs.env.DATA_DIR!, 240_000);
    const after = stored();
    const captures = queryDb(dirs.env.DATA_DIR!, (db) => db.prepare('select embed_id as id, count(*) as n from captures group by embed_id').all() as Array<{ id: string; n: number }>);
    console.log('concurrency:', JSON.stringify({ requests: REQUESTS, ms, embeds: after.embeds.length, captureJobs: after.jobs.length, captures: captures.length }));
    expect(after.jobs.filter((j) => j.n !== 1)).toEqual([]);
    expect(captures.map((c) => c.id).sort()).toEqual(after.ids.sort());
    expect(captures.filter((c) => c.n !== 1)).toEqual([]);
    await svc.kill('SIGTERM');
    expect(await svc.exited).toEqual({ code: 0, signal: null });
  }, 360_000);
});
