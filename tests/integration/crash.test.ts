import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../fixtures/upstream-server.ts';
import { TWEET_IDS, type TweetCase } from '../fixtures/tweets.ts';
import {
  descendantPids, isAlive, jobCounts, postJson, queryDb, runCli, startProcess, tempDirs, waitForQuiet, type Dirs, type ServiceProcess,
} from '../helpers/service-process.ts';
import { json, startService } from '../helpers/start-service.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { createNodeRuntime } from '../../src/adapters/node/node-runtime.ts';

const LIVE: TweetCase[] = ['seed', 'normal', 'quoted', 'media', 'long', 'rtl', 'emoji', 'ratelimited', 'slow'];
const GONE: TweetCase[] = ['tombstone_deleted', 'gone404'];
const FORMS = [
  (id: string) => `https://twitter.com/someone/status/${id}`,
  (id: string) => `https://x.com/i/web/status/${id}`,
  (id: string) => `https://mobile.twitter.com/someone/statuses/${id}`,
  (id: string) => `https://twitter.com/#!/someone/status/${id}`,
  (id: string) => `https://x.com/someone/status/${id}?s=20`,
];
// 19 image embeds over 6 pictures: embeds that share a blob, and fewer renditions to wait for.
const IMAGES = Array.from({ length: 19 }, (_, i) => `https://images.example/crash-${i % 6}.jpg?v=${i}`);
const LEASE = ['--lease-ms', '2000'];

type KillPoint = 'mid-capture' | 'mid-blob-write' | 'random';
interface Kill { point: KillPoint; atMs: number; leasedAtKill: number; tempFileSeen: boolean; chromiumLeft: number }

let upstream: Upstream;
let dirs: Dirs;
let env: Record<string, string>;
const running = new Set<ServiceProcess>();
const started: ServiceProcess[] = [];
let t0 = Date.now();

async function start(): Promise<ServiceProcess> {
  const proc = await startProcess(['serve', ...LEASE], env);
  running.add(proc);
  started.push(proc);
  void proc.exited.then(() => running.delete(proc));
  return proc;
}

const leasedCaptures = () => queryDb(env.DATA_DIR!, (db) =>
  db.prepare(`select count(*) from jobs where state = 'leased' and kind = 'capture'`).pluck().get() as number);
const tempFiles = () => {
  const dir = join(env.SNAPSHOT_DIR!, '.tmp');
  return existsSync(dir) ? readdirSync(dir) : [];
};

/** Waits for the kill point (bounded), then SIGKILLs the process and checks its Chromium goes too. */
async function killAt(proc: ServiceProcess, point: KillPoint): Promise<Kill> {
  let tempFileSeen = false;
  // Chromium's processes are found while the service lives: once it is killed they are re-parented.
  const browser = new Set<number>();
  const look = () => descendantPids(proc.pid).forEach((p) => browser.add(p));
  if (point === 'mid-capture') {
    await waitFor(() => (leasedCaptures() > 0 ? true : undefined), 20_000, 'a capture in flight');
    await sleep(Math.random() * 800);
  } else if (point === 'mid-blob-write') {
    // Polls with a 1 ms pause: a busy loop would starve the fixture upstream living in this process.
    const deadline = Date.now() + 15_000;
    look();
    for (let i = 1; !tempFileSeen && Date.now() < deadline; i++) {
      tempFileSeen = tempFiles().length > 0;
      if (tempFileSeen) break;
      if (i % 200 === 0) look();
      await sleep(1);
    }
  } else await sleep(500 + Math.random() * 2500);
  if (!tempFileSeen) look();
  proc.child.kill('SIGKILL');
  await proc.exited;
  const leasedAtKill = jobCounts(env.DATA_DIR!).leased;
  // Chromium notices its pipe closing and exits by itself: no orphan is left to hold memory.
  await waitFor(() => ([...browser].every((p) => !isAlive(p)) ? true : undefined), 15_000, 'the killed service\'s Chromium to exit').catch(() => undefined);
  return { point, atMs: Date.now() - t0, leasedAtKill, tempFileSeen, chromiumLeft: [...browser].filter(isAlive).length };
}

beforeAll(async () => {
  upstream = await startUpstream({ embedRenderDelayMs: 100 });
  dirs = tempDirs('ek-crash-');
  env = { ...dirs.env, UPSTREAM_OVERRIDES: JSON.stringify(upstream.overrides), CAPTURE_CONCURRENCY: '2' };
});

afterAll(async () => {
  await Promise.all([...running].map((p) => p.kill('SIGKILL')));
  await upstream?.close();
  if (dirs) rmSync(dirs.root, { recursive: true, force: true });
});

describe('crash safety', () => {
  it('loses and duplicates nothing when the service is SIGKILLed mid-capture and mid-write, again and again', async () => {
    const posts = [...LIVE, ...GONE];
    const urls = [
      ...posts.map((c, i) => FORMS[i % FORMS.length]!(TWEET_IDS[c])),
      // The same posts again in other forms: still one embed each.
      ...posts.slice(0, 4).map((c, i) => FORMS[(i + 2) % FORMS.length]!(TWEET_IDS[c])),
      ...IMAGES,
    ];
    t0 = Date.now();
    let proc = await start();
    const res = await proc.api('/v1/archive', postJson({ urls }));
    expect(res.status).toBe(202);
    const submitted = ((await res.json()) as { embeds: Array<{ id: string }> }).embeds;
    expect(submitted).toHaveLength(posts.length + IMAGES.length);

    const kills: Kill[] = [];
    const cleaned: number[] = [];
    for (const point of ['mid-capture', 'mid-blob-write', 'random', 'mid-blob-write'] as const) {
      kills.push(await killAt(proc, point));
      proc = await start();
      const removed = proc.logs.find((l) => l.msg === 'removed temp files of interrupted blob writes');
      cleaned.push(typeof removed?.count === 'number' ? removed.count : 0);
    }
    const restartedAtMs = Date.now() - t0;
    const final = await waitForQuiet(env.DATA_DIR!, 300_000).catch((error: Error) => {
      const open = queryDb(env.DATA_DIR!, (db) => db.prepare(`select kind, state, attempts, lease_owner, lease_until, run_at, last_error from jobs where state in ('queued','leased')`).all());
      console.log('STUCK', Date.now(), JSON.stringify(open), JSON.stringify(proc.logs.slice(-15)), proc.stderr());
      throw error;
    });
    const quietAtMs = Date.now() - t0;
    await proc.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });

    const { embeds, captures, stuck } = queryDb(env.DATA_DIR!, (db) => ({
      embeds: db.prepare('select id, provider, provider_id as providerId, status from embeds').all() as Array<{ id: string; provider: string; providerId: string; status: string }>,
      captures: db.prepare(`select embed_id as embedId, count(*) as n, sum(status in ('archived', 'partial')) as kept
        from captures group by embed_id`).all() as Array<{ embedId: string; n: number; kept: number }>,
      stuck: db.prepare(`select count(*) from jobs where state in ('queued', 'leased')`).pluck().get() as number,
    }));
    const count = (msg: string) => started.reduce((n, p) => n + p.logs.filter((l) => l.msg === msg).length, 0);
    const rerun = count('capture job already done');
    console.log('crash test:', JSON.stringify({ kills, tempFilesRemovedAtRestart: cleaned, jobs: final, capturesLogged: count('captured'), jobsRunAgainAfterSave: rerun, givenUp: count('job given up'), restartedAtMs, quietAtMs }));

    expect(kills.filter((k) => k.point === 'mid-capture')[0]!.leasedAtKill).toBeGreaterThan(0);
    expect(kills.every((k) => k.chromiumLeft === 0)).toBe(true);
    expect(embeds).toHaveLength(submitted.length);
    expect(stuck).toBe(0);
    expect(embeds.filter((e) => e.status === 'pending')).toEqual([]);
    // Exactly one capture per embed: none lost to a kill, none stored twice by a job run again.
    expect(captures).toHaveLength(embeds.length);
    expect(captures.filter((c) => c.n !== 1)).toEqual([]);
    const kept = embeds.filter((e) => e.status === 'archived' || e.status === 'partial').map((e) => e.id).sort();
    expect(captures.filter((c) => c.kept === 1).map((c) => c.embedId).sort()).toEqual(kept);
    const statusOf = (c: TweetCase) => embeds.find((e) => e.provider === 'x' && e.providerId === TWEET_IDS[c])?.status;
    expect(LIVE.map(statusOf)).toEqual(LIVE.map(() => 'archived'));
    expect(GONE.map(statusOf)).toEqual(GONE.map(() => 'failed'));
    expect(embeds.filter((e) => e.provider === 'image').map((e) => e.status)).toEqual(IMAGES.map(() => 'archived'));

    const verify = await runCli(['verify'], env);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^ok: \d+ blob files/);
    expect(tempFiles()).toEqual([]);
    // A clean stop checkpoints the WAL into the database file.
    const wal = join(env.DATA_DIR!, 'embedkeep.db-wal');
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
    expect(readdirSync(env.DATA_DIR!).filter((n) => n !== 'embedkeep.db')).toEqual([]);
  }, 420_000);

  // The two windows a random kill rarely hits, reproduced exactly: a worker that dies after saving,
  // and one that dies during a job's last attempt.
  it('completes a job whose worker died after saving, without a second capture; gives up a job whose worker died on its last attempt', async () => {
    const svc = await startService({ UPSTREAM_OVERRIDES: JSON.stringify(upstream.overrides) });
    try {
      const { queue, captures, articles } = svc.runtime.deps;
      const res = await svc.api('/v1/archive', json({ urls: ['https://images.example/saved.jpg', 'https://images.example/doomed.jpg'] }));
      const ids = ((await res.json()) as { embeds: Array<{ id: string }> }).embeds.map((e) => e.id);
      // A worker leases both jobs, saves the first one's capture and dies before completing it.
      const leased = await queue.lease('dead-worker:1', 2, 60_000);
      const saved = (leased[0]!.payload as { embedId: string }).embedId;
      const doomed = ids.find((id) => id !== saved)!;
      expect(await captures.saveCapture({
        id: 'cap_saved', embedId: saved, method: 'image:download', status: 'archived', availability: 'live',
        layers: [], media: [], startedAt: new Date(), durationMs: 1,
      })).toBe(true);
      // Time passes: both leases lapse, and the second job had been on its last attempt.
      queryDb(svc.config.dataDir, (db) => db.prepare(`update jobs set lease_until = 0,
        attempts = case when json_extract(payload, '$.embedId') = ? then max_attempts else attempts end`).run(doomed));

      const worker = await createNodeRuntime(svc.config, { worker: true, leaseMs: 1_000 });
      await worker.worker!.start();
      try {
        await waitFor(async () => ((await queue.stats()).queued + (await queue.stats()).leased === 0 ? true : undefined), 30_000, 'both jobs finished');
      } finally {
        await worker.close();
      }
      const jobs = queryDb(svc.config.dataDir, (db) => db.prepare(`select json_extract(payload, '$.embedId') as embedId, state, last_error as error
        from jobs where kind = 'capture'`).all() as Array<{ embedId: string; state: string; error: string | null }>);
      expect(jobs).toEqual(expect.arrayContaining([
        { embedId: saved, state: 'done', error: null },
        { embedId: doomed, state: 'failed', error: 'the worker died during the last attempt' },
      ]));
      expect((await captures.listCaptures(saved)).map((c) => c.id)).toEqual(['cap_saved']);
      const gaveUp = await captures.listCaptures(doomed);
      expect(gaveUp.map((c) => [c.method, c.status])).toEqual([['image:gave-up', 'failed']]);
      expect((await articles.getEmbeds([saved, doomed])).map((e) => e.status)).toEqual(['archived', 'failed']);
    } finally {
      await svc.close();
    }
  }, 60_000);
});
