import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { ArchiveError, createBackup } from '../adapters/node/backup.ts';
import { restoreBackup } from '../adapters/node/restore-backup.ts';
import { closeDatabase, DATABASE_FILE, openDatabase, type Db } from '../adapters/node/sqlite-database.ts';
import { verifyArchive } from '../adapters/node/verify-archive.ts';
import { CliError, usageError } from './cli-error.ts';

type Out = (line: string) => void;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** `backup DIR`: a consistent copy of the database and its blobs, safe while the service runs. */
export async function backupCommand(args: string[], config: Config, out: Out): Promise<void> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw usageError('backup needs exactly one DIR (new or empty)');
  const manifest = await withDatabase(config, (db) => createBackup(db, config.snapshotDir, positionals[0]!));
  out(`backed up ${manifest.counts.embeds} embeds, ${manifest.counts.captures} captures and ${manifest.blobs.count} blobs `
    + `(${mib(manifest.totalBytes)}) into ${positionals[0]}`);
}

/** `restore DIR [--force]`: a verified backup into DATA_DIR and SNAPSHOT_DIR, with the service stopped. */
export async function restoreCommand(args: string[], config: Config, out: Out): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { force: { type: 'boolean' } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw usageError('restore needs exactly one DIR made by "embedkeep backup"');
  const report = await archiveErrors(() => restoreBackup(positionals[0]!, config.dataDir, config.snapshotDir, { force: Boolean(values.force) }));
  const c = report.counts;
  out(`restored the backup of ${report.manifest.createdAt}: ${c.articles} articles, ${c.embeds} embeds, ${c.captures} captures, `
    + `${c.blobs} blobs (${report.blobsCopied} copied, ${report.blobsPresent} already there), ${c.jobs} jobs`);
  if (report.releasedJobs) out(`${report.releasedJobs} jobs leased at backup time are due again`);
  if (report.replacedAs) out(`the database it replaced is kept as ${report.replacedAs}`);
  out(`verified: ${report.verify.blobFiles} blob files hash to their names, every referenced blob is there, integrity ok`);
}

/** `verify`: every blob hashes to its name, every row's blob exists, SQLite's integrity and foreign-key checks pass. */
export async function verifyCommand(args: string[], config: Config, out: Out): Promise<void> {
  parseArgs({ args, options: {}, strict: true });
  const report = await withDatabase(config, (db) => verifyArchive(db.$client, config.snapshotDir));
  for (const problem of report.problems) out(problem);
  if (report.unlisted) out(`… and ${report.unlisted} more`);
  const total = report.problems.length + report.unlisted;
  if (total) throw new CliError(`the archive has ${total} problem${total === 1 ? '' : 's'} (listed on stdout)`, 1);
  out(`ok: ${report.blobFiles} blob files (${mib(report.blobBytes)}) hash to their names, ${report.referencedBlobs} referenced blobs present, `
    + 'integrity and foreign keys ok');
}

/** Opens the existing database without migrating it: these commands must not change the archive they read. */
async function withDatabase<T>(config: Config, run: (db: Db) => Promise<T>): Promise<T> {
  if (!existsSync(join(config.dataDir, DATABASE_FILE))) throw new CliError(`no database at ${join(config.dataDir, DATABASE_FILE)} (check DATA_DIR)`);
  const db = openDatabase(config.dataDir, { migrate: false });
  try {
    return await archiveErrors(() => run(db));
  } finally {
    closeDatabase(db);
  }
}

async function archiveErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ArchiveError) throw new CliError(error.message);
    throw error;
  }
}
