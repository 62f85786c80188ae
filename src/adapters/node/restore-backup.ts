import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  ArchiveError, BACKUP_SNAPSHOTS, copyBlobChecked, countRows, readManifest, syncDir, syncFile, type BackupManifest,
} from './backup.ts';
import { closeDatabase, DATABASE_FILE, openDatabase } from './sqlite-database.ts';
import { blobPath, forEachLimited, hashFile, referencedBlobs, verifyArchive, type ArchiveReport } from './verify-archive.ts';

const COPY_PARALLELISM = 4;
/** SQLite's side files: they belong to the database file beside them and must never outlive it. */
const SIDE_FILES = ['-wal', '-shm', '-journal'];
/** Tables whose rows make a database worth refusing to overwrite. */
const DATA_TABLES = ['articles', 'embeds', 'captures', 'blobs', 'jobs', 'api_keys'];

export interface RestoreReport {
  manifest: BackupManifest;
  counts: BackupManifest['counts'];
  blobsCopied: number;
  blobsPresent: number;
  /** Jobs the backed-up service held leases on: due again at once, since that process is not this one. */
  releasedJobs: number;
  /** Where the replaced database went (with --force). */
  replacedAs?: string;
  verify: ArchiveReport;
}

/**
 * Restores a backup into `dataDir`/`snapshotDir` (the service must be stopped). The backup is
 * verified first; blobs go in before the database that names them; the database is copied beside
 * its target and renamed into place; a database that holds data is only replaced with `force`,
 * and then kept under a `.replaced-<time>` name.
 */
export async function restoreBackup(source: string, dataDir: string, snapshotDir: string, options: { force: boolean; now?: Date }): Promise<RestoreReport> {
  const from = resolve(source);
  const manifest = readManifest(from);
  const sourceDb = join(from, DATABASE_FILE);
  if (!existsSync(sourceDb)) throw new ArchiveError(`${from} has a manifest but no ${DATABASE_FILE}`);
  const sourceBlobs = join(from, BACKUP_SNAPSHOTS);
  const checked = await verifySource(sourceDb, sourceBlobs, manifest);

  const target = join(dataDir, DATABASE_FILE);
  const held = existingData(target);
  if (held && !options.force) throw new ArchiveError(`${target} already holds data (${held}); stop the service and pass --force to replace it`);

  const { copied, present } = await restoreBlobs(checked, sourceBlobs, snapshotDir);
  await mkdir(dataDir, { recursive: true });
  const tmp = join(dataDir, `.${DATABASE_FILE}.restore-${process.pid}-${randomBytes(4).toString('hex')}`);
  let replacedAs: string | undefined;
  try {
    await copyFile(sourceDb, tmp);
    await syncFile(tmp);
    replacedAs = await moveAside(target, held ? `.replaced-${(options.now ?? new Date()).toISOString().replace(/[:.]/g, '-')}` : undefined);
    await rename(tmp, target);
    await syncDir(dataDir);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }

  const db = openDatabase(dataDir);
  try {
    const releasedJobs = db.$client.prepare(`update jobs set state = 'queued', lease_owner = null, lease_until = null, run_at = ?
      where state = 'leased'`).run((options.now ?? new Date()).getTime()).changes;
    const verify = await verifyArchive(db.$client, snapshotDir);
    if (verify.problems.length) throw new ArchiveError(`the restored archive fails verification: ${verify.problems.slice(0, 3).join('; ')}`);
    return { manifest, counts: countRows(db.$client), blobsCopied: copied, blobsPresent: present, releasedJobs, ...(replacedAs ? { replacedAs } : {}), verify };
  } finally {
    closeDatabase(db);
  }
}

/** The backup's own checks, before anything is written: every blob hash, every reference, the database, the manifest's counts. */
async function verifySource(dbFile: string, blobs: string, manifest: BackupManifest): Promise<string[]> {
  const client = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const report = await verifyArchive(client, blobs);
    if (report.problems.length) {
      throw new ArchiveError(`the backup fails verification (${report.problems.length + report.unlisted} problems): ${report.problems.slice(0, 3).join('; ')}`);
    }
    const counts = countRows(client);
    const differ = Object.entries(manifest.counts).filter(([table, n]) => counts[table as keyof typeof counts] !== n);
    if (differ.length) throw new ArchiveError(`the backup's database does not match its manifest (${differ.map(([t]) => t).join(', ')})`);
    return [...referencedBlobs(client).keys()];
  } finally {
    client.close();
  }
}

/** What a database at `path` holds, e.g. "12 embeds, 30 captures", or undefined when it is absent or empty. */
function existingData(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  let client: Database.Database;
  try {
    client = new Database(path, { fileMustExist: true });
  } catch (error) {
    return `an unreadable file: ${(error as Error).message}`;
  }
  try {
    const tables = new Set(client.prepare(`select name from sqlite_master where type = 'table'`).pluck().all() as string[]);
    const counts = DATA_TABLES.filter((t) => tables.has(t))
      .map((t) => [t, client.prepare(`select count(*) from ${t}`).pluck().get() as number] as const)
      .filter(([, n]) => n > 0);
    return counts.length ? counts.map(([t, n]) => `${n} ${t}`).join(', ') : undefined;
  } catch (error) {
    return `a file SQLite cannot read: ${(error as Error).message}`;
  } finally {
    client.close();
  }
}

/** Copies the blobs the backup names; one already there with the right bytes is kept, a damaged one replaced. */
async function restoreBlobs(shas: string[], from: string, to: string): Promise<{ copied: number; present: number }> {
  let copied = 0;
  let present = 0;
  await forEachLimited(shas, COPY_PARALLELISM, async (sha256) => {
    const dest = blobPath(to, sha256);
    if (existsSync(dest) && (await hashFile(dest)) === sha256) {
      present += 1;
      return;
    }
    await copyBlobChecked(blobPath(from, sha256), dest, sha256, join(to, '.tmp'));
    copied += 1;
  });
  for (const dir of new Set(shas.map((s) => join(blobPath(to, s), '..')))) await syncDir(dir);
  return { copied, present };
}

/**
 * Clears the way for the restored file: the old database and its side files are renamed with
 * `suffix` when it held data, deleted when it was empty. Returns the new name of the main file.
 */
async function moveAside(target: string, suffix: string | undefined): Promise<string | undefined> {
  let moved: string | undefined;
  for (const side of ['', ...SIDE_FILES]) {
    const path = target + side;
    if (!existsSync(path)) continue;
    if (suffix) {
      await rename(path, `${target}${suffix}${side}`);
      if (!side) moved = `${target}${suffix}`;
    } else await rm(path);
  }
  return moved;
}
