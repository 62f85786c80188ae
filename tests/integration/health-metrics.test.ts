import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../fixtures/upstream-server.ts';
import { TWEET_IDS } from '../fixtures/tweets.ts';
import { childPids, postJson, startProcess, tempDirs, waitForQuiet, type Dirs, type ServiceProcess } from '../helpers/service-process.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { sample } from '../helpers/prometheus-sample.ts';
import { startService } from '../helpers/start-service.ts';

let upstream: Upstream;
let dirs: Dirs;
const procs: ServiceProcess[] = [];

beforeAll(async () => {
  upstream = await startUpstream({ embedRenderDelayMs: 100 });
  dirs = tempDirs('ek-ops-');
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  await upstream?.close();
  rmSync(dirs.root, { recursive: true, force: true });
});

const post = (id: string) => `https://x.com/i/status/${id}`;

describe('/metrics and /health of a running service', () => {
  it('/metrics follows queue depth, in-flight captures, retries, failures by reason, latency and browser restarts', async () => {
    const svc = await startProcess(['serve'], { ...dirs.env, UPSTREAM_OVERRIDES: JSON.stringify(upstream.overrides), CAPTURE_CONCURRENCY: '2' });
    procs.push(svc);
    const metrics = async () => (await fetch(`${svc.url}/metrics`)).text();

    // The slow post answers after 3 s: its capture is in flight meanwhile.
    await svc.api('/v1/archive', postJson({ urls: [post(TWEET_IDS.slow)] }));
    const during = await waitFor(async () => {
      const text = await metrics();
      return (sample(text, 'embedkeep_captures_in_flight') ?? 0) >= 1 ? text : undefined;
    }, 15_000, 'a capture in flight on /metrics');
    expect(sample(during, 'embedkeep_queue_jobs', { state: 'leased' })).toBeGreaterThanOrEqual(1);

    const res = await svc.api('/v1/archive?wait=90', postJson({
      urls: [post(TWEET_IDS.normal), post(TWEET_IDS.ratelimited), post(TWEET_IDS.html), 'https://images.example/notimage.jpg', 'https://images.example/ops.jpg'],
    }));
    expect(res.status).toBe(200);

    // Chromium dies under the service: the next post starts a new one.
    const [chromium] = childPids(svc.pid);
    expect(chromium).toBeDefined();
    process.kill(chromium!, 'SIGKILL');
    await svc.waitForLog((l) => l.msg === 'chromium disconnected; the next capture starts a new one', 10_000, 'the service to notice');
    expect((await svc.api('/v1/archive?wait=90', postJson({ urls: [post(TWEET_IDS.quoted)] }))).status).toBe(200);
    await waitForQuiet(dirs.env.DATA_DIR!, 240_000);

    const text = await metrics();
    const seen = {
      done: sample(text, 'embedkeep_queue_jobs', { state: 'done' }),
      queued: sample(text, 'embedkeep_queue_jobs', { state: 'queued' }),
      inFlight: sample(text, 'embedkeep_captures_in_flight'),
      retries: sample(text, 'embedkeep_job_retries_total', { kind: 'capture' }),
      notAnImage: sample(text, 'embedkeep_capture_failures_total', { provider: 'image', layer: 'decode', reason: 'not_an_image' }),
      dataFailures: sample(text, 'embedkeep_capture_failures_total', { provider: 'x', layer: 'data' }),
      xCaptures: sample(text, 'embedkeep_capture_duration_seconds_count', { provider: 'x' }),
      xUnder60s: sample(text, 'embedkeep_capture_duration_seconds_bucket', { provider: 'x', le: '60' }),
      restarts: sample(text, 'embedkeep_browser_restarts_total', { reason: 'crash' }),
    };
    console.log('metrics:', JSON.stringify(seen));
    expect(seen.done).toBeGreaterThanOrEqual(7);
    expect(seen.queued).toBe(0);
    expect(seen.inFlight).toBe(0);
    expect(seen.retries).toBeGreaterThanOrEqual(1);
    expect(seen.notAnImage).toBe(1);
    expect(seen.dataFailures).toBeGreaterThanOrEqual(1);
    expect(seen.xCaptures).toBe(5);
    expect(seen.xUnder60s).toBe(5);
    expect(seen.restarts).toBe(1);
    await svc.kill('SIGTERM');
  }, 360_000);

  it('/health answers 503 while the database is locked or once its file is deleted', async () => {
    const api = await startProcess(['serve', '--no-worker'], tempDirs('ek-health-').env);
    procs.push(api);
    const health = async () => {
      const res = await fetch(`${api.url}/health`);
      return { status: res.status, body: (await res.json()) as { checks: { database: { ok: boolean; detail?: string } } } };
    };
    expect((await health()).status).toBe(200);

    const dbFile = join(api.logs.find((l) => l.msg === 'listening')!.dataDir as string, 'embedkeep.db');
    const other = new Database(dbFile);
    other.exec('begin exclusive');
    try {
      const locked = await health();
      expect(locked.status).toBe(503);
      expect(locked.body.checks.database).toEqual({ ok: false, detail: 'the database is locked' });
    } finally {
      other.exec('rollback');
      other.close();
    }
    expect((await health()).status).toBe(200);

    rmSync(dbFile);
    const gone = await health();
    expect(gone.status).toBe(503);
    expect(gone.body.checks.database.detail).toMatch(/embedkeep\.db is gone$/);
    await api.kill('SIGKILL');
  }, 60_000);
  it('/health answers 503 while no browser can be started, naming what is missing; the API keeps answering', async () => {
    const svc = await startService({ CHROMIUM_PATH: '/nonexistent/chromium' }, { worker: true });
    try {
      const res = await fetch(`${svc.url}/health`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean; detail?: string }> };
      expect(body.status).toBe('unavailable');
      expect(body.checks.database).toMatchObject({ ok: true });
      expect(body.checks.browser).toMatchObject({ ok: false, detail: expect.stringMatching(/CHROMIUM_PATH=\/nonexistent\/chromium is not an executable/) });
      expect((await svc.api('/v1/extract', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ html: '<p>x</p>' }) })).status).toBe(200);
    } finally {
      await svc.close();
    }
  });
});
