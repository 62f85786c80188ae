import type { Config } from '../../config.ts';
import { createLogger, type Logger } from '../../core/logger.ts';
import { createServiceMetrics } from '../../core/metrics.ts';
import type { AppDeps, HealthCheck } from '../../http/env.ts';
import type { Clock } from '../../ports.ts';
import { FsBlobStore } from './fs-blob-store.ts';
import { SqliteArticleStore } from './sqlite-article-store.ts';
import { SqliteCaptureStore } from './sqlite-capture-store.ts';
import { closeDatabase, openDatabase, type Db } from './sqlite-database.ts';
import { SqliteKeyStore } from './sqlite-key-store.ts';
import { SqliteQueue } from './sqlite-queue.ts';

export interface NodeRuntime {
  deps: AppDeps;
  db: Db;
  blobs: FsBlobStore;
  close(): Promise<void>;
}

export const systemClock: Clock = { now: () => new Date() };

/** Builds the Node adapters (SQLite file, blob folder, logger, metrics) from the parsed config. */
export async function createNodeRuntime(config: Config, options: { logger?: Logger; clock?: Clock } = {}): Promise<NodeRuntime> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel, (line) => process.stdout.write(`${line}\n`));
  const db = openDatabase(config.dataDir);
  const blobs = new FsBlobStore(config.snapshotDir);
  const removed = await blobs.cleanTemp();
  if (removed) logger.warn('removed temp files of interrupted blob writes', { count: removed });
  const health: HealthCheck[] = [{
    name: 'database',
    check: async () => {
      const row = db.$client.prepare('select 1 as ok').get() as { ok: number };
      return { ok: row.ok === 1 };
    },
  }];
  const deps: AppDeps = {
    config,
    clock,
    logger,
    metrics: createServiceMetrics(),
    articles: new SqliteArticleStore(db, clock),
    captures: new SqliteCaptureStore(db),
    keys: new SqliteKeyStore(db, clock),
    queue: new SqliteQueue(db, clock),
    blobs,
    health,
  };
  let closed = false;
  return {
    deps,
    db,
    blobs,
    async close() {
      if (closed) return;
      closed = true;
      closeDatabase(db);
    },
  };
}
