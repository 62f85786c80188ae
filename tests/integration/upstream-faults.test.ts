import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyArchive } from '../../src/adapters/node/verify-archive.ts';
import { FAULTS_ORIGIN, IMAGE_FAULTS, startFaultyUpstream, type FaultyUpstream } from '../fixtures/faulty-upstream.ts';
import { startUpstream, type Upstream } from '../fixtures/upstream-server.ts';
import { TWEET_IDS } from '../fixtures/tweets.ts';
import { json, startService, type TestService } from '../helpers/start-service.ts';
import { waitForQueueIdle } from '../helpers/wait-for.ts';
import { sample } from '../helpers/prometheus-sample.ts';

type Embed = {
  id: string; url: string; status: string; availability: string;
  captures: Array<{ status: string; layers: Array<{ layer: string; ok: boolean; error?: string }>; error?: string }>;
};
type Job = { state: string; attempts: number; max_attempts: number; last_error: string | null };

const MAX_ATTEMPTS = 5;
const FLAKY_POST = TWEET_IDS.normal;
const image = (name: keyof typeof IMAGE_FAULTS) => `${FAULTS_ORIGIN}${name}`;
const post = (id: string) => `https://x.com/i/status/${id}`;

let upstream: Upstream;
let faulty: FaultyUpstream;
let svc: TestService;
const embeds = new Map<string, Embed>();
const jobs = new Map<string, Job>();

beforeAll(async () => {
  upstream = await startUpstream({ embedRenderDelayMs: 50 });
  faulty = await startFaultyUpstream({ flakySyndicationId: FLAKY_POST });
  const syndication = `https://cdn.syndication.twimg.com/tweet-result?id=${FLAKY_POST}`;
  svc = await startService({
    UPSTREAM_OVERRIDES: JSON.stringify({
      ...upstream.overrides,
      [FAULTS_ORIGIN]: `${faulty.url}/`,
      [syndication]: `${faulty.url}/tweet-result?id=${FLAKY_POST}`,
    }),
    CAPTURE_CONCURRENCY: '2',
  }, { worker: true, egress: { firstByteTimeoutMs: 1_000, timeoutMs: 3_000 } });

  const faults = (Object.keys(IMAGE_FAULTS) as Array<keyof typeof IMAGE_FAULTS>).filter((n) => n !== 'ok.jpg');
  const res = await svc.api('/v1/archive', json({ urls: [...faults.map(image), post(FLAKY_POST), post(TWEET_IDS.hang)] }));
  expect(res.status).toBe(202);
  const queued = ((await res.json()) as { embeds: Array<{ id: string }> }).embeds;
  await waitForQueueIdle(svc.runtime.deps.queue, 200_000);

  for (const { id } of queued) {
    const e = (await (await svc.api(`/v1/embeds/${id}`)).json()) as Embed;
    embeds.set(e.url, e);
    const job = svc.runtime.db.$client
      .prepare("select state, attempts, max_attempts, last_error from jobs where kind = 'capture' and json_extract(payload, '$.embedId') = ?")
      .get(id) as Job;
    jobs.set(e.url, job);
  }
}, 240_000);

afterAll(async () => {
  await svc?.close();
  await faulty?.close();
  await upstream?.close();
});

const embed = (url: string) => {
  const e = embeds.get(url);
  expect(e, url).toBeDefined();
  return e!;
};

describe('upstream faults reach the worker', () => {
  it('brings every embed to a final state and leaves no job queued or leased', async () => {
    expect(embeds.size).toBe(Object.keys(IMAGE_FAULTS).length - 1 + 2);
    expect([...embeds.values()].filter((e) => e.status === 'pending')).toEqual([]);
    for (const [url, job] of jobs) {
      expect(job.state, url).toBe('done');
      expect(job.attempts, url).toBeLessThanOrEqual(job.max_attempts);
      expect(job.max_attempts).toBe(MAX_ATTEMPTS);
    }
    expect(await svc.runtime.deps.queue.stats()).toMatchObject({ queued: 0, leased: 0 });
  });

  it.each([
    ['reset.jpg', /^network: ECONNRESET/],
    ['hang.jpg', /^timeout: no response headers within 1000 ms/],
    ['drip.jpg', /^timeout: no complete response within 3000 ms/],
    ['half.jpg', /^network: .*aborted/],
  ] as const)('retries %s, a transient fault, up to the attempt limit, then records why', (name, why) => {
    const e = embed(image(name));
    expect(e).toMatchObject({ status: 'failed', availability: 'error' });
    expect(jobs.get(image(name))!.attempts).toBe(MAX_ATTEMPTS);
    expect(faulty.hits(`/${name}`)).toBe(MAX_ATTEMPTS);
    // Retried attempts save nothing; only the last one is a capture.
    expect(e.captures).toHaveLength(1);
    expect(e.captures[0]!.layers.find((l) => l.layer === 'download')).toMatchObject({ ok: false, error: expect.stringMatching(why) });
  });

  it.each([
    ['reset-twice.jpg', 3],
    ['unavailable-once.jpg', 2],
  ] as const)('archives %s once the fault passes, after %i attempts', (name, attempts) => {
    expect(embed(image(name))).toMatchObject({ status: 'archived', availability: 'live' });
    expect(jobs.get(image(name))!.attempts).toBe(attempts);
    expect(faulty.hits(`/${name}`)).toBe(attempts);
  });

  it.each([
    ['loop.jpg', /more than 5 redirects/, 6],
    ['page.jpg', /not_an_image|not an image/, 1],
  ] as const)('gives up %s, a permanent fault, on the first attempt', (name, why, requests) => {
    const e = embed(image(name));
    expect(e.status).toBe('failed');
    expect(jobs.get(image(name))!.attempts).toBe(1);
    expect(faulty.hits(`/${name}`)).toBe(requests);
    expect(e.captures[0]!.error).toMatch(why);
  });

  it('archives a post whose data connection reset once, on the next attempt', () => {
    expect(embed(post(FLAKY_POST))).toMatchObject({ status: 'archived', availability: 'live' });
    expect(jobs.get(post(FLAKY_POST))!.attempts).toBe(2);
  });

  it('keeps the data of a post whose embed page hangs, after retrying the screenshot within the limit', () => {
    const e = embed(post(TWEET_IDS.hang));
    expect(e).toMatchObject({ status: 'partial', availability: 'live' });
    expect(jobs.get(post(TWEET_IDS.hang))!.attempts).toBe(MAX_ATTEMPTS);
    expect(e.captures).toHaveLength(1);
    expect(e.captures[0]!.layers.find((l) => l.layer === 'screenshot')).toMatchObject({ ok: false, error: expect.stringMatching(/timeout|within/i) });
  });

  it('counts the failures by reason on /metrics', async () => {
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    const failures = (layer: string, reason: string, provider = 'image') =>
      sample(text, 'embedkeep_capture_failures_total', { provider, layer, reason }) ?? 0;
    expect(failures('download', 'timeout')).toBe(2 * MAX_ATTEMPTS);
    expect(failures('download', 'too_many_redirects')).toBe(1);
    expect(failures('download', 'http_503')).toBe(1);
    expect(failures('decode', 'not_an_image')).toBe(1);
    // reset.jpg and half.jpg every time, reset-twice.jpg twice.
    expect(failures('download', 'network')).toBe(2 * MAX_ATTEMPTS + 2);
    expect(failures('screenshot', 'timeout', 'x')).toBe(MAX_ATTEMPTS);
    expect(failures('data', 'network', 'x')).toBe(1);
  });

  it('is still healthy and taking jobs afterwards, with every stored blob intact', async () => {
    const res = await svc.api('/v1/archive?wait=60', json({ urls: [image('ok.jpg')] }));
    expect(res.status).toBe(200);
    const [ok] = ((await res.json()) as { embeds: Embed[] }).embeds;
    expect(ok).toMatchObject({ status: 'archived', availability: 'live' });
    expect((await fetch(`${svc.url}/health`)).status).toBe(200);
    await waitForQueueIdle(svc.runtime.deps.queue);
    const report = await verifyArchive(svc.runtime.db.$client, svc.config.snapshotDir);
    expect(report.problems).toEqual([]);
    expect(report.referencedBlobs).toBeGreaterThan(0);
  });
});
