import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHUTDOWN_GRACE_MS } from '../../src/adapters/node/node-runtime.ts';
import { startUpstream, type Upstream } from '../fixtures/upstream-server.ts';
import { TWEET_IDS, type TweetCase } from '../fixtures/tweets.ts';
import {
  childPids, childPidsNow, descendantPids, isAlive, parentOf, postJson, queryDb, startProcess, tempDirs, type Dirs, type ServiceProcess,
} from '../helpers/service-process.ts';
import { json, startService } from '../helpers/start-service.ts';
import { waitFor } from '../helpers/wait-for.ts';

const POSTS: TweetCase[] = ['seed', 'normal', 'quoted', 'media', 'long', 'rtl', 'emoji', 'video', 'slow'];

let upstream: Upstream;
let dirs: Dirs;
let proc: ServiceProcess | undefined;

beforeAll(async () => {
  upstream = await startUpstream({ embedRenderDelayMs: 300 });
  dirs = tempDirs('ek-shutdown-');
});

afterAll(async () => {
  await proc?.kill('SIGKILL');
  await upstream?.close();
  rmSync(dirs.root, { recursive: true, force: true });
});

describe('graceful shutdown', () => {
  it('on SIGTERM stops taking jobs, finishes the running ones, closes Chromium, checkpoints the WAL and exits 0', async () => {
    const env = { ...dirs.env, UPSTREAM_OVERRIDES: JSON.stringify(upstream.overrides), CAPTURE_CONCURRENCY: '2' };
    // Debug logs include every lease, in order with the shutdown line.
    const svc = await startProcess(['serve'], { ...env, LOG_LEVEL: 'debug' });
    proc = svc;
    const urls = [...POSTS.map((c) => `https://x.com/i/status/${TWEET_IDS[c]}`), ...Array.from({ length: 6 }, (_, i) => `https://images.example/shutdown-${i}.jpg`)];
    expect((await svc.api('/v1/archive', postJson({ urls }))).status).toBe(202);
    // Chromium is up once a post is captured; then wait for captures to be running.
    await svc.waitForLog((l) => l.msg === 'captured' && l.provider === 'x', 60_000, 'a first post captured');
    const leased = () => queryDb(dirs.env.DATA_DIR!, (db) => db.prepare(`select id from jobs where state = 'leased'`).pluck().all() as string[]);
    const inFlight = await waitFor(() => (leased().length ? leased() : undefined), 30_000, 'captures in flight');
    const chromium = childPids(svc.pid);
    expect(chromium.length).toBeGreaterThan(0);
    const browser = descendantPids(svc.pid);

    const t0 = Date.now();
    svc.child.kill('SIGTERM');
    // Polled every millisecond while the service shuts down. Seeing it alive with no child proves it
    // closed Chromium itself; a Chromium seen with another parent was orphaned by an early exit. When
    // both vanish between two polls, not being orphaned is what shows Chromium went first.
    let closedWhileAlive = false;
    let orphaned = false;
    let exited = false;
    void svc.exited.then(() => (exited = true));
    while (!exited) {
      const parents = chromium.map(parentOf);
      if (parents.some((p) => p !== undefined && p !== svc.pid)) orphaned = true;
      if (parents.every((p) => p === undefined) && childPidsNow(svc.pid).length === 0 && isAlive(svc.pid)) closedWhileAlive = true;
      await sleep(1);
    }
    orphaned ||= chromium.some((c) => isAlive(c));
    const exit = await svc.exited;
    const ms = Date.now() - t0;
    const logs = svc.logs;
    const shutdownAt = logs.findIndex((l) => l.msg === 'shutting down');
    const capturedAfter = logs.slice(shutdownAt).filter((l) => l.msg === 'captured').length;
    const leasedAfter = logs.slice(shutdownAt).filter((l) => l.msg === 'job leased');
    const jobs = queryDb(dirs.env.DATA_DIR!, (db) => db.prepare('select id, state, attempts, kind from jobs').all() as Array<{ id: string; state: string; attempts: number; kind: string }>);
    console.log('shutdown:', JSON.stringify({ ms, inFlightAtSigterm: inFlight.length, capturedAfter, closedWhileAlive, browserProcesses: browser.length, jobs: jobs.length }));

    expect(exit).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(SHUTDOWN_GRACE_MS + 15_000);
    expect(orphaned).toBe(false);
    expect(browser.filter(isAlive)).toEqual([]);
    expect(shutdownAt).toBeGreaterThan(0);
    // Nothing was taken after SIGTERM, nothing is left leased, and work remains queued for the next start.
    expect(leasedAfter).toEqual([]);
    // Chromium stays up until the worker has stopped: no running capture is cut off by the signal.
    expect(logs.slice(shutdownAt).filter((l) => l.msg === 'capture will be retried' && /crashed|closed/.test(String(l.reason)))).toEqual([]);
    expect(capturedAfter).toBeLessThanOrEqual(2);
    expect(jobs.filter((j) => j.state === 'leased')).toEqual([]);
    expect(jobs.filter((j) => j.state === 'queued' && j.kind === 'capture').length).toBeGreaterThan(0);
    for (const id of inFlight) expect(['done', 'queued']).toContain(jobs.find((j) => j.id === id)?.state);
    const wal = join(dirs.env.DATA_DIR!, 'embedkeep.db-wal');
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
    expect(readdirSync(dirs.env.DATA_DIR!)).toEqual(['embedkeep.db']);
  }, 240_000);

  it('answers an open ?wait= request at once with the states so far, and exits within the grace', async () => {
    const data = tempDirs('ek-shutdown-wait-');
    try {
      const svc = await startProcess(['serve'], { ...data.env, UPSTREAM_OVERRIDES: JSON.stringify(upstream.overrides) });
      // This post's embed page never renders: without the stop signal the request would hold on for 120 s.
      const waiting = svc.api('/v1/archive?wait=120', postJson({ urls: [`https://x.com/i/status/${TWEET_IDS.hang}`] }));
      const leased = () => queryDb(data.env.DATA_DIR!, (db) => db.prepare(`select count(*) from jobs where state = 'leased'`).pluck().get() as number);
      await waitFor(() => (leased() ? true : undefined), 30_000, 'the capture to start');
      const t0 = Date.now();
      svc.child.kill('SIGTERM');
      const res = await waiting;
      const answeredMs = Date.now() - t0;
      expect(res.status).toBe(202);
      expect(((await res.json()) as { embeds: Array<{ status: string }> }).embeds).toMatchObject([{ status: 'pending' }]);
      expect(await svc.exited).toEqual({ code: 0, signal: null });
      const exitedMs = Date.now() - t0;
      console.log('shutdown with an open wait:', JSON.stringify({ answeredMs, exitedMs }));
      expect(answeredMs).toBeLessThan(5_000);
      expect(exitedMs).toBeLessThan(SHUTDOWN_GRACE_MS + 15_000);
    } finally {
      rmSync(data.root, { recursive: true, force: true });
    }
  }, 120_000);

  it('hands a capture that outlives the grace time back to the queue, attempt uncounted, and saves nothing of it', async () => {
    const svc = await startService({ UPSTREAM_OVERRIDES: JSON.stringify(upstream.overrides), CAPTURE_CONCURRENCY: '1' }, { worker: true });
    try {
      // This post's embed page never renders: its screenshot waits for its full timeout.
      const res = await svc.api('/v1/archive', json({ urls: [`https://x.com/i/status/${TWEET_IDS.hang}`] }));
      expect(res.status).toBe(202);
      const dataDir = svc.config.dataDir;
      const job = () => queryDb(dataDir, (db) => db.prepare(`select state, attempts, lease_owner as owner from jobs where kind = 'capture'`).get() as { state: string; attempts: number; owner: string | null });
      await waitFor(() => (job().state === 'leased' ? true : undefined), 20_000, 'the capture to start');
      await sleep(500);
      expect(await svc.runtime.worker!.stop(300)).toEqual({ released: 1 });
      expect(job()).toEqual({ state: 'queued', attempts: 0, owner: null });
      await svc.runtime.close();
      expect(job()).toEqual({ state: 'queued', attempts: 0, owner: null });
      const stored = queryDb(dataDir, (db) => ({
        captures: db.prepare('select count(*) from captures').pluck().get(),
        status: db.prepare('select status from embeds').pluck().get(),
      }));
      expect(stored).toEqual({ captures: 0, status: 'pending' });
    } finally {
      await svc.close();
    }
  }, 60_000);
});
