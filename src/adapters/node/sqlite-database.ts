import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from '../../db/schema.ts';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url));
export const DATABASE_FILE = 'embedkeep.db';
/** How long the health probe waits for the write lock before calling the database unusable. */
const HEALTH_LOCK_WAIT_MS = 1_000;
const BUSY_TIMEOUT_MS = 10_000;

/** The inode each connection opened: a file deleted or replaced under a running service is caught by it. */
const openedInode = new WeakMap<Database.Database, number>();

/** Opens (creating if needed) the SQLite file in `dataDir` with WAL and safe pragmas. */
export function openDatabase(dataDir: string, options: { migrate?: boolean } = {}): Db {
  mkdirSync(dataDir, { recursive: true });
  const client = new Database(join(dataDir, DATABASE_FILE));
  client.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode; only an OS crash may lose the last commits.
  client.pragma('synchronous = NORMAL');
  client.pragma('foreign_keys = ON');
  client.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  client.pragma('temp_store = MEMORY');
  openedInode.set(client, statSync(client.name).ino);
  const db = drizzle(client, { schema }) as Db;
  if (options.migrate !== false) migrateDatabase(db);
  return db;
}

/** The file was migrated by a newer embedkeep than this one: running on it would misread its rows. */
export class DatabaseTooNewError extends Error {
  override readonly name = 'DatabaseTooNewError';
}

/**
 * Applies the pending migrations in one IMMEDIATE transaction. Processes starting together on a
 * fresh file queue behind the write lock instead of racing to create the same tables (drizzle's
 * migrator reads the history before its deferred BEGIN), and a process killed mid-migration leaves
 * the file as it was. The history stays in drizzle's `__drizzle_migrations` table.
 */
export function migrateDatabase(db: Db, folder = MIGRATIONS_DIR): { applied: number } {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  const client = db.$client;
  const run = client.transaction(() => {
    client.exec('CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)');
    const last = client.prepare('SELECT created_at FROM "__drizzle_migrations" ORDER BY created_at DESC LIMIT 1').pluck().get() as number | null | undefined;
    const newest = migrations.at(-1)?.folderMillis ?? 0;
    if (last != null && Number(last) > newest) {
      throw new DatabaseTooNewError(`${client.name} was migrated by a newer embedkeep (migration of ${new Date(Number(last)).toISOString()}); this one knows migrations up to ${new Date(newest).toISOString()}`);
    }
    const insert = client.prepare('INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES (?, ?)');
    let applied = 0;
    for (const migration of migrations) {
      if (last != null && Number(last) >= migration.folderMillis) continue;
      for (const statement of migration.sql) if (statement.trim()) client.exec(statement);
      insert.run(migration.hash, migration.folderMillis);
      applied += 1;
    }
    return { applied };
  });
  return run.immediate();
}

export function closeDatabase(db: Db): void {
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  db.$client.close();
}

/**
 * Readiness of the database: its file is still the one this connection opened, and the write lock
 * can be taken within a second. `select 1` would pass on a deleted or locked file.
 */
export function checkDatabase(db: Db): { ok: boolean; detail?: string } {
  const client = db.$client;
  let inode: number;
  try {
    inode = statSync(client.name).ino;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, detail: `${client.name} is gone` };
    throw error;
  }
  if (inode !== openedInode.get(client)) return { ok: false, detail: `${client.name} was replaced; restart the service` };
  // better-sqlite3 is synchronous, so no other statement of this process runs between these lines.
  if (client.inTransaction) return { ok: true };
  client.pragma(`busy_timeout = ${HEALTH_LOCK_WAIT_MS}`);
  try {
    client.prepare('begin immediate').run();
    client.prepare('rollback').run();
    return { ok: true };
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return { ok: false, detail: 'the database is locked' };
    return { ok: false, detail: (error as Error).message };
  } finally {
    client.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}
