import Database from 'better-sqlite3';
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE, MIGRATIONS_DIR } from '../../src/adapters/node/sqlite-database.ts';
import { waitFor } from '../helpers/wait-for.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/embedkeep.js', import.meta.url).pathname;
const CHILD = new URL('../fixtures/migrate-child.ts', import.meta.url).pathname;
const roots: string[] = [];

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'ek-migrate-'));
  roots.push(root);
  return root;
}

const cli = (args: string[], dataDir: string) =>
  run(process.execPath, [BIN, ...args], { env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' } })
    .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));

/**
 * The real migrations plus a second one that alters a table and then writes ~100 MB in one
 * statement: slow enough to be killed in the middle, as a real data migration on a big archive is.
 */
function foldersWithSlowMigration(root: string): string {
  const folder = join(root, 'migrations');
  cpSync(MIGRATIONS_DIR, folder, { recursive: true });
  writeFileSync(join(folder, '0001_slow.sql'), [
    'ALTER TABLE `embeds` ADD `audit_note` text;',
    'CREATE TABLE `scratch` AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1200000) SELECT x, randomblob(40) AS b FROM c;',
    'DROP TABLE `scratch`;',
  ].join('\n--> statement-breakpoint\n'));
  const journalFile = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: Array<{ idx: number; version: string; when: number; tag: string; breakpoints: boolean }> };
  const last = journal.entries.at(-1)!;
  journal.entries.push({ idx: last.idx + 1, version: last.version, when: last.when + 1_000, tag: '0001_slow', breakpoints: true });
  writeFileSync(journalFile, JSON.stringify(journal, null, 2));
  return folder;
}

function inspect(dataDir: string) {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      history: (db.prepare('select count(*) from __drizzle_migrations').pluck().get() as number),
      auditNote: (db.pragma('table_info(embeds)') as Array<{ name: string }>).some((c) => c.name === 'audit_note'),
      scratch: Boolean(db.prepare("select 1 from sqlite_master where name = 'scratch'").get()),
      keys: db.prepare('select name from api_keys').pluck().all(),
    };
  } finally {
    db.close();
  }
}

describe('a migration', () => {
  it('killed midway, leaves the file as it was; the next start applies it once', async () => {
    const root = tempRoot();
    const dataDir = join(root, 'data');
    expect((await cli(['migrate'], dataDir)).code).toBe(0);
    expect((await cli(['keys', 'create', '--name', 'survivor'], dataDir)).code).toBe(0);
    const folder = foldersWithSlowMigration(root);

    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, folder], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // The slow statement is under way once its pages spill into the WAL.
    const wal = join(dataDir, `${DATABASE_FILE}-wal`);
    const walSize = await waitFor(() => {
      const size = statSync(wal, { throwIfNoEntry: false })?.size ?? 0;
      return size > 8 * 1024 * 1024 ? size : undefined;
    }, 60_000, 'the migration to write into the WAL');
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    console.log('killed with a WAL of', Math.round(walSize / 1024 / 1024), 'MiB');

    expect(inspect(dataDir)).toEqual({ integrity: 'ok', history: 1, auditNote: false, scratch: false, keys: ['survivor'] });

    const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, dataDir, folder]);
    expect(JSON.parse(stdout)).toEqual({ applied: 1 });
    expect(inspect(dataDir)).toEqual({ integrity: 'ok', history: 2, auditNote: true, scratch: false, keys: ['survivor'] });

    // This build does not know that migration: it refuses the file rather than misread it.
    const older = await cli(['migrate'], dataDir);
    expect(older.code).toBe(2);
    expect(older.stderr.trim().split('\n')).toHaveLength(1);
    expect(older.stderr).toMatch(/^embedkeep: error: .*embedkeep\.db was migrated by a newer embedkeep/);
    expect(inspect(dataDir).history).toBe(2);
  });

  it('runs once when several processes start together on a fresh file', async () => {
    const dataDir = join(tempRoot(), 'data');
    const results = await Promise.all([1, 2, 3, 4].map(() => cli(['migrate'], dataDir)));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    const applied = results.map((r) => Number(/applied (\d+) migration/.exec(r.stdout)?.[1]));
    expect(applied.sort()).toEqual([0, 0, 0, 1]);
    expect(inspect(dataDir)).toMatchObject({ integrity: 'ok', history: 1 });
  });
});
