import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startService, type TestService } from '../helpers/start-service.ts';
import { startUpstream } from '../fixtures/upstream-server.ts';
import { TWEET_IDS } from '../fixtures/tweets.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/embedkeep.js', import.meta.url).pathname;
const SEED = new URL('../../../shared/samples/seed-article.html', import.meta.url).pathname;
const SEED_URL = 'https://news.example/world/2023/11/21/lavrov-arab-islamic-ministers-moscow-gaza';

async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, LOG_LEVEL: 'silent' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let svc: TestService;
beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc.close();
});

describe('embedkeep CLI', () => {
  it('extract --json prints exactly the body of POST /v1/extract', async () => {
    const out = await cli(['extract', SEED, '--url', SEED_URL, '--json']);
    expect(out.code).toBe(0);
    const api = await svc.api('/v1/extract', json({ html: readFileSync(SEED, 'utf8'), url: SEED_URL }));
    expect(out.stdout.trimEnd()).toBe(await api.text());
  });

  it('fails with one named line on stderr and a non-zero code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ek-cli-'));
    const binary = join(dir, 'bin.html');
    writeFileSync(binary, Buffer.from([0xff, 0xfe, 0x00, 0x3c]));
    for (const args of [['extract', join(dir, 'missing.html'), '--json'], ['extract', binary, '--json'], ['extract'], ['nope'], ['extract', SEED, '--url', 'javascript:x']]) {
      const out = await cli(args);
      expect(out.code, args.join(' ')).not.toBe(0);
      expect(out.stdout).toBe('');
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
      expect(out.stderr).toMatch(/^embedkeep: error: /);
    }
  });

  it('refuses a bad configuration naming the key', async () => {
    const out = await cli(['migrate'], { PORT: 'eighty', DATA_DIR: mkdtempSync(join(tmpdir(), 'ek-cli-')) });
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/PORT/);
  });

  it('migrates and creates keys that work against the API', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ek-cli-'));
    expect((await cli(['migrate'], { DATA_DIR: dataDir })).code).toBe(0);
    const created = await cli(['keys', 'create', '--name', 'cms', '--scopes', 'archive,read'], { DATA_DIR: svc.config.dataDir });
    expect(created.code).toBe(0);
    const key = /key \(shown once, store it now\): (ek_[0-9a-f]{64})/.exec(created.stdout)?.[1];
    expect(key).toBeDefined();
    const res = await svc.api('/v1/archive', { ...json({ urls: ['https://x.com/a/status/20'] }), token: key! });
    expect(res.status).toBe(202);
    const bad = await cli(['keys', 'create', '--name', 'x', '--scopes', 'root'], { DATA_DIR: dataDir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--scopes/);
  });

  it('archive --wait captures through the local database and reports progress as plain lines', async () => {
    const upstream = await startUpstream();
    try {
      const dataDir = mkdtempSync(join(tmpdir(), 'ek-cli-'));
      const env = { DATA_DIR: dataDir, SNAPSHOT_DIR: join(dataDir, 'snapshots'), UPSTREAM_OVERRIDES: JSON.stringify(upstream.overrides) };
      const out = await cli(['archive', 'https://images.example/photo.jpg', `https://x.com/i/status/${TWEET_IDS.tombstone_deleted}`, '--wait', '--json'], env);
      expect(out.code, out.stderr).toBe(0);
      const body = JSON.parse(out.stdout) as { embeds: Array<{ provider: string; status: string; availability: string }> };
      expect(body.embeds.map((e) => [e.provider, e.status, e.availability])).toEqual([['image', 'archived', 'live'], ['x', 'failed', 'deleted']]);
      expect(out.stderr).toMatch(/^2\/2 done/m);
      const queued = await cli(['archive', 'https://images.example/photo.png'], env);
      expect(queued.stdout).toMatch(/1 capture queued/);
    } finally {
      await upstream.close();
    }
  });
});
