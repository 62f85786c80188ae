import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMemoryKiB } from '../../src/adapters/node/chromium-memory.ts';
import { startUpstream, type Upstream } from '../fixtures/upstream-server.ts';
import { liveTweet, syndicationToken } from '../fixtures/tweets.ts';
import {
  postJson, rssKiB, startProcess, tempDirs, waitForQuiet, type Dirs, type ServiceProcess,
} from '../helpers/service-process.ts';

/** SOAK_CAPTURES=500 for the long run; CI does 40. */
const CAPTURES = Number(process.env.SOAK_CAPTURES ?? 40);
const BATCH = CAPTURES >= 200 ? 10 : 4;
const FIRST_ID = 1_900_000_000_000_000_000n;

let upstream: Upstream;
let posts: Server;
let dirs: Dirs;
let proc: ServiceProcess | undefined;

/**
 * The fixture knows a handful of posts; a soak needs hundreds of distinct live ones. This answers
 * the syndication endpoint for any id with a post of its own text (so each screenshot differs) and
 * leaves every other host to the fixture.
 */
function startPosts(): Promise<Server> {
  const template = liveTweet('slow');
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const id = url.searchParams.get('id') ?? '';
    if (url.pathname !== '/tweet-result' || !/^\d+$/.test(id) || url.searchParams.get('token') !== syndicationToken(id)) {
      res.writeHead(400).end();
      return;
    }
    const text = `Soak post ${BigInt(id) - FIRST_ID}: the tram timetable changes again on Monday.`;
    const body = JSON.stringify({ ...template, id_str: id, text, display_text_range: [0, [...text].length] });
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' }).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  upstream = await startUpstream({ embedRenderDelayMs: 50 });
  posts = await startPosts();
  dirs = tempDirs('ek-soak-');
});

afterAll(async () => {
  await proc?.kill('SIGKILL');
  await upstream?.close();
  await new Promise((r) => posts?.close(r));
  rmSync(dirs.root, { recursive: true, force: true });
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : 0;
};

describe('soak', () => {
  it(`keeps memory flat over ${CAPTURES} captures`, async () => {
    const overrides = {
      ...upstream.overrides,
      'https://cdn.syndication.twimg.com/': `http://127.0.0.1:${(posts.address() as AddressInfo).port}/`,
    };
    const svc = await startProcess(['serve'], { ...dirs.env, UPSTREAM_OVERRIDES: JSON.stringify(overrides), CAPTURE_CONCURRENCY: '2' });
    proc = svc;
    // In batches, each left to finish (renditions included) before the sample: every kind of work the
    // worker does is in what is compared, as after a burst of publishing.
    const samples: Array<{ done: number; nodeMiB: number; browserMiB: number }> = [];
    for (let done = 0; done < CAPTURES;) {
      const n = Math.min(BATCH, CAPTURES - done);
      // Every fourth capture is an article image: the sharp path gets soaked too.
      const urls = Array.from({ length: n }, (_, i) => ((done + i) % 4 === 3
        ? `https://images.example/soak-${done + i}.jpg`
        : `https://x.com/i/status/${FIRST_ID + BigInt(done + i)}`));
      expect((await svc.api('/v1/archive', postJson({ urls }))).status).toBe(202);
      await waitForQuiet(dirs.env.DATA_DIR!, 240_000);
      done += n;
      // Chromium's processes share most of their pages: PSS counts each page once, summed RSS many times.
      samples.push({ done, nodeMiB: rssKiB(svc.pid) / 1024, browserMiB: ((await chromiumMemoryKiB(svc.pid)) ?? 0) / 1024 });
    }
    const quarter = (q: number) => samples.slice(Math.floor((samples.length * q) / 4), Math.floor((samples.length * (q + 1)) / 4));
    const stats = (key: 'nodeMiB' | 'browserMiB' | 'total') => [1, 3].map((q) => median(quarter(q).map((s) => (key === 'total' ? s.nodeMiB + s.browserMiB : s[key]))));
    const [node2, node4] = stats('nodeMiB');
    const [total2, total4] = stats('total');
    console.log(`soak: ${CAPTURES} captures, MiB after each batch (node RSS / chromium tree PSS):`);
    console.log(samples.map((s) => `${s.done}: ${s.nodeMiB.toFixed(0)} / ${s.browserMiB.toFixed(0)}`).join(', '));
    console.log(`soak: median node RSS 2nd quarter ${node2!.toFixed(0)} MiB, last quarter ${node4!.toFixed(0)} MiB; node + chromium PSS ${total2!.toFixed(0)} → ${total4!.toFixed(0)} MiB`);

    expect(samples.every((s) => s.browserMiB > 0)).toBe(true);
    expect(node4!).toBeLessThanOrEqual(node2! * 1.5);
    expect(total4!).toBeLessThanOrEqual(total2! * 1.5);
    await svc.kill('SIGTERM');
    expect((await svc.exited).code).toBe(0);
  }, 120_000 + CAPTURES * 8_000);
});
