import { createHash } from 'node:crypto';
import { createReadStream, type Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type Database from 'better-sqlite3';

const SHA256_NAME = /^[0-9a-f]{64}$/;
const HASH_PARALLELISM = 4;
/** Shown in full; past this the report says how many more there are. */
const MAX_LISTED = 200;

/** Every column that names a blob, as `table.column`, with the SQL that lists its values. */
const BLOB_REFERENCES: ReadonlyArray<[string, string]> = [
  ['blobs.sha256', 'select sha256 from blobs'],
  ['renditions.source_sha256', 'select source_sha256 from renditions'],
  ['renditions.sha256', 'select sha256 from renditions'],
  ['captures.screenshot_sha256', 'select screenshot_sha256 from captures where screenshot_sha256 is not null'],
  ['captures.raw_sha256', 'select raw_sha256 from captures where raw_sha256 is not null'],
  ['media.sha256', 'select sha256 from media'],
];

export interface ArchiveReport {
  problems: string[];
  /** Problems past the listed ones. */
  unlisted: number;
  blobFiles: number;
  blobBytes: number;
  referencedBlobs: number;
}

export const blobPath = (root: string, sha256: string) => join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);

/** Every blob the database refers to, with the columns that refer to it. */
export function referencedBlobs(client: Database.Database): Map<string, string[]> {
  const refs = new Map<string, string[]>();
  for (const [column, query] of BLOB_REFERENCES) {
    for (const value of client.prepare(query).pluck().iterate() as IterableIterator<string>) {
      const list = refs.get(value);
      if (list) list.push(column);
      else refs.set(value, [column]);
    }
  }
  return refs;
}

/** `PRAGMA integrity_check` and `PRAGMA foreign_key_check`, as problem lines (none when both pass). */
export function checkDatabaseFile(client: Database.Database): string[] {
  const integrity = client.pragma('integrity_check', { simple: false }) as Array<{ integrity_check: string }>;
  const problems = integrity.filter((r) => r.integrity_check !== 'ok').map((r) => `integrity: ${r.integrity_check}`);
  const keys = client.pragma('foreign_key_check') as Array<{ table: string; rowid: number; parent: string }>;
  for (const k of keys) problems.push(`foreign key: ${k.table} row ${k.rowid} points at a missing ${k.parent} row`);
  return problems;
}

export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks an archive: the database passes its integrity and foreign-key checks, every blob file
 * hashes to its name and sits where its name says, and every row that names a blob has its file.
 * Files no row names are fine (a crash between a blob write and its row leaves one).
 */
export async function verifyArchive(client: Database.Database, snapshotDir: string): Promise<ArchiveReport> {
  const problems = checkDatabaseFile(client);
  const refs = referencedBlobs(client);
  const sizes = new Map(client.prepare('select sha256, size from blobs').raw().all() as Array<[string, number]>);
  const files = await listBlobFiles(snapshotDir, problems);
  const onDisk = new Set(files.map((f) => f.sha256));
  let bytes = 0;
  await forEachLimited(files, HASH_PARALLELISM, async ({ sha256, path }) => {
    let actual: string;
    let size: number;
    try {
      [actual, { size }] = await Promise.all([hashFile(path), stat(path)]);
    } catch (error) {
      return void problems.push(`blob ${sha256}: cannot read ${path}: ${(error as Error).message}`);
    }
    bytes += size;
    const expected = sizes.get(sha256);
    if (actual !== sha256) problems.push(`blob ${sha256}: the file hashes to ${actual}`);
    else if (expected !== undefined && expected !== size) problems.push(`blob ${sha256}: ${size} bytes on disk, ${expected} in the blobs table`);
  });
  for (const [sha256, columns] of refs) {
    if (!onDisk.has(sha256)) problems.push(`blob ${sha256}: missing, referenced by ${[...new Set(columns)].join(', ')}`);
  }
  return {
    problems: problems.slice(0, MAX_LISTED),
    unlisted: Math.max(0, problems.length - MAX_LISTED),
    blobFiles: files.length,
    blobBytes: bytes,
    referencedBlobs: refs.size,
  };
}

/** The `ab/cd/<sha256>` files under `root`; anything else in that tree (except `.tmp`) is a problem. */
async function listBlobFiles(root: string, problems: string[]): Promise<Array<{ sha256: string; path: string }>> {
  const found: Array<{ sha256: string; path: string }> = [];
  const walk = async (dir: string, depth: number, prefix: string): Promise<void> => {
    for (const entry of await entriesOrNone(dir)) {
      const path = join(dir, entry.name);
      if (depth === 0 && entry.name === '.tmp') continue;
      if (depth < 2 && entry.isDirectory() && /^[0-9a-f]{2}$/.test(entry.name)) await walk(path, depth + 1, prefix + entry.name);
      else if (depth === 2 && entry.isFile() && SHA256_NAME.test(entry.name) && entry.name.startsWith(prefix)) found.push({ sha256: entry.name, path });
      else problems.push(`stray entry in the blob folder: ${path}`);
    }
  };
  await walk(root, 0, '');
  return found;
}

async function entriesOrNone(path: string): Promise<Dirent[]> {
  try {
    return await readdir(path, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
