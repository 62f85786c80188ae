import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../fixtures/upstream-server.ts';
import { TWEET_IDS, type TweetCase } from '../fixtures/tweets.ts';
import { postJson, queryDb, startProcess, tempDirs, type Dirs, type ServiceProcess } from '../helpers/service-process.ts';
import { waitFor } from '../helpers/wait-for.ts';

const POSTS: TweetCase[] = ['seed', 'normal', 'quoted', 'media', 'long', 'rtl', 'emoji', 'video'];
const IMAGES = Array.from({ length: 36 }, (_, i) => `https://images.example/worker-${i}.jpg`);
const LEASE_MS = 2_500;

let upstream: Upstream;
let dirs: Dirs;
const procs: ServiceProcess[] = [];

beforeAll(async () => {
  upstream = await startUpstream({ embedRenderDelayMs: 200 });
  dirs = tempDirs('ek-workers-');
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  await upstream?.close();
  rmSync(dirs.root, { recursive: true, force: true });
});

interface JobRow { id: string; kind: string; state: string; owner: string | null; leaseUntil: number | null; embedId: string | null }

/** Captures each worker makes before A is killed. */
const SHARED_BEFORE_KILL = 8;

describe('two worker processes on one database', () => {
  it('share a batch without capturing anything twice, and a killed worker\'s leases pass to the other once they lapse', async () => {
    const env = { ...dirs.env, UPSTREAM_OVERRIDES: JSON.stringify(upstream.overrides), CAPTURE_CONCURRENCY: '2' };
    const api = await startProcess(['serve', '--no-worker'], env);
    procs.push(api);
    // Debug logs name every job a worker leases.
    const [a, b] = await Promise.all([0, 1].map(() => startProcess(['worker', '--lease-ms', String(LEASE_MS)], { ...env, LOG_LEVEL: 'debug' })));
    procs.push(a!, b!);
    const owner = (p: ServiceProcess) => p.logs.find((l) => l.msg === 'worker started')!.worker as string;
    expect(owner(a!)).toMatch(new RegExp(`:${a!.pid}$`));

    const res = await api.api('/v1/archive', postJson({ urls: [...POSTS.map((c) => `https://x.com/i/status/${TWEET_IDS[c]}`), ...IMAGES] }));
    expect(res.status).toBe(202);
    const embeds = ((await res.json()) as { embeds: Array<{ id: string }> }).embeds;
    expect(embeds.length).toBeGreaterThanOrEqual(40);

    const jobs = () => queryDb(dirs.env.DATA_DIR!, (db) => db.prepare(`select id, kind, state, lease_owner as owner, lease_until as leaseUntil,
      json_extract(payload, '$.embedId') as embedId from jobs`).all() as JobRow[]);
    const captured = (p: ServiceProcess) => p.logs.filter((l) => l.msg === 'captured');
    // Both work side by side for a good part of the batch; then A is killed while it holds capture leases.
    const held = await waitFor(() => {
      if (captured(a!).length < SHARED_BEFORE_KILL || captured(b!).length < SHARED_BEFORE_KILL) return undefined;
      const mine = jobs().filter((j) => j.state === 'leased' && j.kind === 'capture' && j.owner === owner(a!));
      return mine.length ? mine : undefined;
    }, 90_000, 'both workers capturing, A holding a capture lease');
    a!.child.kill('SIGKILL');
    await a!.exited;
    const orphaned = jobs().filter((j) => j.state === 'leased' && j.owner === owner(a!));
    expect(orphaned.map((j) => j.id)).toEqual(expect.arrayContaining(held.map((j) => j.id)));

    const ids = new Set(embeds.map((e) => e.id));
    await waitFor(() => {
      const open = jobs().filter((j) => j.kind === 'capture' && (j.state === 'queued' || j.state === 'leased'));
      const doneOrphans = orphaned.every((o) => ['done', 'failed'].includes(jobs().find((j) => j.id === o.id)!.state));
      return open.length === 0 && doneOrphans ? true : undefined;
    }, 120_000, 'every capture job and the killed worker\'s jobs finished by B');

    // B took each orphaned job over, and only once its lease had lapsed.
    const takeovers = orphaned.map((o) => ({ until: o.leaseUntil!, at: b!.logs.find((l) => l.msg === 'job leased' && l.jobId === o.id)?.time }));
    const captures = queryDb(dirs.env.DATA_DIR!, (db) => db.prepare('select embed_id as id, count(*) as n from captures group by embed_id').all() as Array<{ id: string; n: number }>);
    const byA = captured(a!).length;
    const byB = captured(b!).length;
    console.log('two workers:', JSON.stringify({ embeds: embeds.length, capturedByA: byA, capturedByB: byB, orphanedAtKill: orphaned.length, takeoverDelaysMs: takeovers.map((t) => Date.parse(t.at!) - t.until), duplicates: captures.filter((c) => c.n > 1).length }));

    expect(byA).toBeGreaterThanOrEqual(SHARED_BEFORE_KILL);
    expect(byB).toBeGreaterThanOrEqual(SHARED_BEFORE_KILL);
    for (const t of takeovers) expect(Date.parse(t.at!)).toBeGreaterThanOrEqual(t.until);
    expect(captures.filter((c) => ids.has(c.id))).toHaveLength(embeds.length);
    expect(captures.filter((c) => c.n !== 1)).toEqual([]);
    // Every `captured` line names its worker; A's and B's never name the same embed.
    expect(captured(b!).every((l) => l.worker === owner(b!))).toBe(true);
    const capturedIds = [...captured(a!), ...captured(b!)].map((l) => l.embedId);
    expect(new Set(capturedIds).size).toBe(capturedIds.length);

    await Promise.all([b!, api].map((p) => p.kill('SIGTERM')));
    expect((await b!.exited).code).toBe(0);
  }, 480_000);
});
