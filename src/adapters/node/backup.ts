import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DATABASE_FILE, MIGRATIONS_DIR, type Db } from './sqlite-database.ts';
import { blobPath, checkDatabaseFile, forEachLimited, referencedBlobs } from './verify-archive.ts';

export const MANIFEST_FILE = 'manifest.json';
export const BACKUP_SNAPSHOTS = 'snapshots';
const COPY_PARALLELISM = 4;
/** One backup step copies every page: a single read transaction is a consistent snapshot under concurrent writers. */
const ALL_PAGES = 0x7fffffff;
const COUNTED_TABLES = ['articles', 'embeds', 'article_embeds', 'captures', 'media', 'blobs', 'renditions', 'jobs', 'checks', 'api_keys'] as const;

/** A backup or restore that cannot go on; the message says why in one line. */
export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
}

export interface BackupManifest {
  format: 'embedkeep-backup';
  version: 1;
  createdAt: string;
  /** The last migration applied to the copied database. */
  migration: { tag?: string; hash: string; appliedAt: number } | null;
  counts: Record<(typeof COUNTED_TABLES)[number], number>;
  blobs: { count: number; bytes: number };
  databaseBytes: number;
  totalBytes: number;
}

/**
 * Copies the archive into `target` while the service keeps running: the SQLite online backup API
 * takes a consistent copy of the database, then every blob that copy refers to is copied and its
 * sha256 checked. Blob files are written before the rows naming them, so each one exists. All of it
 * is written into a temp folder beside `target`, renamed into place only once complete.
 */
export async function createBackup(db: Db, snapshotDir: string, target: string, now = new Date()): Promise<BackupManifest> {
  const dest = resolve(target);
  await assertEmptyOrAbsent(dest);
  const tmp = join(dirname(dest), `.${basename(dest)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp, { recursive: true });
  try {
    const dbFile = join(tmp, DATABASE_FILE);
    await db.$client.backup(dbFile, { progress: () => ALL_PAGES });
    const copy = new Database(dbFile);
    let manifest: BackupManifest;
    try {
      // A single self-contained file: the copy is not left in WAL mode with side files.
      copy.pragma('journal_mode = DELETE');
      const problems = checkDatabaseFile(copy);
      if (problems.length) throw new ArchiveError(`the database copy fails its checks: ${problems.slice(0, 3).join('; ')}`);
      const blobs = await copyBlobs(copy, snapshotDir, join(tmp, BACKUP_SNAPSHOTS));
      const databaseBytes = (await stat(dbFile)).size;
      manifest = {
        format: 'embedkeep-backup',
        version: 1,
        createdAt: now.toISOString(),
        migration: lastMigration(copy),
        counts: countRows(copy),
        blobs,
        databaseBytes,
        totalBytes: databaseBytes + blobs.bytes,
      };
    } finally {
      copy.close();
    }
    await syncFile(dbFile);
    await writeSynced(join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await syncDir(tmp);
    // rename(2) replaces an empty directory in one step; a non-empty one was refused above.
    await rename(tmp, dest);
    await syncDir(dirname(dest));
    return manifest;
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

export function readManifest(dir: string): BackupManifest {
  let raw: string;
  try {
    raw = readFileSync(join(dir, MANIFEST_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ArchiveError(`${dir} is not an embedkeep backup: it has no ${MANIFEST_FILE}`);
    throw error;
  }
  let manifest: Partial<BackupManifest>;
  try {
    manifest = JSON.parse(raw) as Partial<BackupManifest>;
  } catch {
    throw new ArchiveError(`${join(dir, MANIFEST_FILE)} is not valid JSON`);
  }
  if (manifest.format !== 'embedkeep-backup' || manifest.version !== 1) {
    throw new ArchiveError(`${join(dir, MANIFEST_FILE)} is not an embedkeep backup manifest (version 1)`);
  }
  return manifest as BackupManifest;
}

export function countRows(client: Database.Database): BackupManifest['counts'] {
  return Object.fromEntries(COUNTED_TABLES.map((t) => [t, client.prepare(`select count(*) from ${t}`).pluck().get() as number])) as BackupManifest['counts'];
}

/**
 * Copies `from` to `to` through a temp file in `tmpDir` (named like the blob store's, so an orphan is
 * cleaned at startup), fsynced, renamed into place only when the bytes hash to `sha256`.
 */
export async function copyBlobChecked(from: string, to: string, sha256: string, tmpDir: string): Promise<number> {
  await mkdir(tmpDir, { recursive: true });
  const tmp = join(tmpDir, `${sha256}.${process.pid}.${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  const out = await open(tmp, 'wx');
  try {
    const input = await open(from, 'r');
    try {
      for await (const chunk of input.createReadStream({ autoClose: false })) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
        await out.write(chunk as Buffer);
      }
    } finally {
      await input.close();
    }
    await out.sync();
  } catch (error) {
    await out.close();
    await rm(tmp, { force: true });
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ArchiveError(`blob ${sha256} is missing (${from}); run "embedkeep verify"`);
    throw error;
  }
  await out.close();
  const actual = hash.digest('hex');
  if (actual !== sha256) {
    await rm(tmp, { force: true });
    throw new ArchiveError(`blob ${sha256} is damaged: ${from} hashes to ${actual}; run "embedkeep verify"`);
  }
  await mkdir(dirname(to), { recursive: true });
  await rename(tmp, to);
  return size;
}

async function copyBlobs(client: Database.Database, from: string, to: string): Promise<{ count: number; bytes: number }> {
  const shas = [...referencedBlobs(client).keys()];
  const tmpDir = join(to, '.tmp');
  let bytes = 0;
  await forEachLimited(shas, COPY_PARALLELISM, async (sha256) => {
    const size = await copyBlobChecked(blobPath(from, sha256), blobPath(to, sha256), sha256, tmpDir);
    bytes += size;
  });
  await rm(tmpDir, { recursive: true, force: true });
  // Each folder's entries are made durable once, after all its files are in.
  const folders = new Set(shas.map((s) => dirname(blobPath(to, s))));
  for (const folder of folders) await syncDir(folder);
  return { count: shas.length, bytes };
}

/** The last drizzle migration recorded in the database, with its tag from the migrations journal. */
function lastMigration(client: Database.Database): BackupManifest['migration'] {
  const row = client.prepare('select hash, created_at as appliedAt from __drizzle_migrations order by created_at desc limit 1')
    .get() as { hash: string; appliedAt: number } | undefined;
  if (!row) return null;
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ tag: string; when: number }> };
  const tag = journal.entries.find((e) => e.when === Number(row.appliedAt))?.tag;
  return { ...(tag ? { tag } : {}), hash: row.hash, appliedAt: Number(row.appliedAt) };
}

async function assertEmptyOrAbsent(dir: string): Promise<void> {
  try {
    const entries = await readdir(dir);
    if (entries.length) throw new ArchiveError(`${dir} is not empty; back up into a new or empty folder`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new ArchiveError(`${dir} is a file, not a folder`);
    throw error;
  }
}

export async function writeSynced(path: string, text: string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function syncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
