import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../fixtures/upstream-server.ts';
import { TWEET_IDS, type TweetCase } from '../fixtures/tweets.ts';
import { postJson, queryDb, runCli, startProcess, tempDirs, waitForQuiet, type Dirs, type ServiceProcess } from '../helpers/service-process.ts';

const FIRST: TweetCase[] = ['normal', 'media'];
const SECOND: TweetCase[] = ['quoted', 'long', 'rtl', 'emoji'];
const images = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `https://images.example/${prefix}-${i}.jpg`);
const posts = (cases: TweetCase[]) => cases.map((c) => `https://x.com/i/status/${TWEET_IDS[c]}`);

let upstream: Upstream;
let dirs: Dirs;
let env: Record<string, string>;
const procs: ServiceProcess[] = [];

beforeAll(async () => {
  upstream = await startUpstream({ embedRenderDelayMs: 100 });
  dirs = tempDirs('ek-backup-');
  env = { ...dirs.env, UPSTREAM_OVERRIDES: JSON.stringify(upstream.overrides), CAPTURE_CONCURRENCY: '2' };
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  await upstream?.close();
  rmSync(dirs.root, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const oneLineError = (out: { code: number; stdout: string; stderr: string }) => {
  expect(out.code).not.toBe(0);
  expect(out.stderr.trim().split('\n')).toHaveLength(1);
  expect(out.stderr).toMatch(/^embedkeep: error: /);
};

describe('backup and restore', () => {
  it('backs up while captures run, restores into a fresh folder, and the restored service serves every blob intact', async () => {
    const svc = await startProcess(['serve', '--lease-ms', '2000'], env);
    procs.push(svc);
    const first = await svc.api('/v1/archive?wait=90', postJson({ urls: [...posts(FIRST), ...images('first', 3)] }));
    expect(first.status).toBe(200);
    expect((await svc.api('/v1/archive', postJson({ urls: [...posts(SECOND), ...images('second', 6)] }))).status).toBe(202);

    // The backup runs while the service keeps capturing the second batch.
    const target = join(dirs.root, 'backup');
    const capturedBefore = svc.logs.filter((l) => l.msg === 'captured').length;
    const backup = await runCli(['backup', target], env);
    const capturedDuring = svc.logs.filter((l) => l.msg === 'captured').length - capturedBefore;
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^backed up \d+ embeds, \d+ captures and \d+ blobs/);
    expect(readdirSync(dirs.root).filter((n) => n.includes('.tmp-'))).toEqual([]);

    const manifest = JSON.parse(readFileSync(join(target, 'manifest.json'), 'utf8')) as {
      createdAt: string; migration: { tag: string }; counts: Record<string, number>; blobs: { count: number; bytes: number }; totalBytes: number;
    };
    expect(manifest.migration.tag).toMatch(/^\d{4}_/);
    expect(manifest.counts.embeds).toBe(FIRST.length + 3 + SECOND.length + 6);
    expect(manifest.totalBytes).toBeGreaterThan(manifest.blobs.bytes);
    const backedUp = queryDb(target, (db) => ({
      captures: db.prepare(`select embed_id as embedId, screenshot_sha256 as shot from captures`).all() as Array<{ embedId: string; shot: string | null }>,
      blobs: db.prepare('select sha256 from blobs').pluck().all() as string[],
    }));
    expect(backedUp.blobs).toHaveLength(manifest.blobs.count);
    for (const sha of backedUp.blobs) expect(sha256(readFileSync(join(target, 'snapshots', sha.slice(0, 2), sha.slice(2, 4), sha)))).toBe(sha);

    // The same folder again is refused; the backup is untouched.
    oneLineError(await runCli(['backup', target], env));
    expect(JSON.parse(readFileSync(join(target, 'manifest.json'), 'utf8'))).toEqual(manifest);
    await svc.kill('SIGTERM');

    const fresh = tempDirs('ek-restored-');
    const restoreEnv = { ...env, ...fresh.env };
    const restored = await runCli(['restore', target], restoreEnv);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain(`${manifest.counts.embeds} embeds, ${manifest.counts.captures} captures, ${manifest.counts.blobs} blobs`);
    // A second restore over data is refused without --force; with it, the old file is kept aside.
    const again = await runCli(['restore', target], restoreEnv);
    oneLineError(again);
    expect(again.stderr).toMatch(/already holds data.*--force/);
    const forced = await runCli(['restore', target, '--force'], restoreEnv);
    expect(forced.code).toBe(0);
    expect(readdirSync(fresh.env.DATA_DIR!).filter((n) => n.includes('.replaced-'))).toHaveLength(1);
    expect((await runCli(['verify'], restoreEnv)).code).toBe(0);

    const back = await startProcess(['serve', '--lease-ms', '2000'], restoreEnv);
    procs.push(back);
    for (const sha of backedUp.blobs) {
      const res = await back.api(`/v1/blobs/${sha}`);
      expect(res.status).toBe(200);
      expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha);
    }
    for (const c of backedUp.captures) {
      const embed = (await (await back.api(`/v1/embeds/${c.embedId}`)).json()) as { captures: Array<{ id: string }> };
      expect(embed.captures.length).toBeGreaterThan(0);
    }
    // Whatever was still pending at backup time is captured by the restored service.
    await waitForQuiet(fresh.env.DATA_DIR!, 240_000);
    const pending = queryDb(fresh.env.DATA_DIR!, (db) => db.prepare(`select count(*) from embeds where status = 'pending'`).pluck().get());
    expect(pending).toBe(0);
    console.log('backup:', JSON.stringify({ manifest: { counts: manifest.counts, blobs: manifest.blobs, totalBytes: manifest.totalBytes }, capturedDuringBackup: capturedDuring }));
    await back.kill('SIGTERM');
    rmSync(fresh.root, { recursive: true, force: true });
  }, 480_000);

  it('refuses a damaged backup before writing anything, and verify lists damage in a live archive', async () => {
    const source = join(dirs.root, 'backup');
    const damaged = join(dirs.root, 'damaged');
    cpSync(source, damaged, { recursive: true });
    const [sha] = queryDb(damaged, (db) => db.prepare('select sha256 from blobs order by sha256 limit 1').pluck().all() as string[]);
    const file = join(damaged, 'snapshots', sha!.slice(0, 2), sha!.slice(2, 4), sha!);
    const bytes = readFileSync(file);
    const middle = bytes.length >> 1;
    bytes.writeUInt8(bytes.readUInt8(middle) ^ 0xff, middle);
    writeFileSync(file, bytes);
    const fresh = tempDirs('ek-refused-');
    const refused = await runCli(['restore', damaged], fresh.env);
    oneLineError(refused);
    expect(refused.stderr).toContain(`blob ${sha}: the file hashes to`);
    expect(existsSync(join(fresh.env.DATA_DIR!, 'embedkeep.db'))).toBe(false);
    const bad = await Promise.all([['restore', join(dirs.root, 'nowhere')], ['restore'], ['backup'], ['verify']].map((args) => runCli(args, fresh.env)));
    bad.forEach(oneLineError);

    // The live archive: one blob damaged, one missing.
    const live = dirs.env.SNAPSHOT_DIR!;
    const [hurt, gone] = queryDb(dirs.env.DATA_DIR!, (db) => db.prepare('select sha256 from blobs order by sha256 limit 2').pluck().all() as string[]);
    writeFileSync(join(live, hurt!.slice(0, 2), hurt!.slice(2, 4), hurt!), 'not the bytes');
    rmSync(join(live, gone!.slice(0, 2), gone!.slice(2, 4), gone!));
    const verify = await runCli(['verify'], env);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(`blob ${hurt}: the file hashes to`);
    expect(verify.stdout).toMatch(new RegExp(`blob ${gone}: missing, referenced by blobs\\.sha256`));
    expect(verify.stderr).toMatch(/^embedkeep: error: the archive has 2 problems/);
    rmSync(fresh.root, { recursive: true, force: true });
  }, 60_000);
});
