import type { Config } from '../../config.ts';
import { createLogger, type Logger } from '../../core/logger.ts';
import { createServiceMetrics } from '../../core/metrics.ts';
import type { AppDeps, HealthCheck } from '../../http/env.ts';
import type { Clock } from '../../ports.ts';
import { FsBlobStore } from './fs-blob-store.ts';
import { SqliteArticleStore } from './sqlite-article-store.ts';
import { SqliteCaptureStore } from './sqlite-capture-store.ts';
import { checkDatabase, closeDatabase, openDatabase, type Db } from './sqlite-database.ts';
import { SqliteKeyStore } from './sqlite-key-store.ts';
import { SqliteQueue } from './sqlite-queue.ts';
import { CaptureWorker } from '../../core/capture-worker.ts';
import { PROVIDER_REGISTRY } from '../../providers/registry.ts';
import { hostname } from 'node:os';
import { BrowserError } from '../../core/errors.ts';
import { locateChromium } from './locate-chromium.ts';
import { createNodeFetcher, type EgressCaps } from './node-fetcher.ts';
import { PlaywrightBrowser } from './playwright-browser.ts';
import { SharpImageProcessor } from './sharp-image-processor.ts';
import type { Browser } from '../../ports.ts';

export interface NodeRuntime {
  deps: AppDeps;
  db: Db;
  blobs: FsBlobStore;
  /** Present when built with `worker: true`. */
  worker?: CaptureWorker;
  browser?: Browser;
  /** The first step of a shutdown: open long polls answer now with the states they have. */
  beginStop(): void;
  close(): Promise<void>;
}

/** How long in-flight captures may finish at shutdown before their jobs are handed back to the queue. */
export const SHUTDOWN_GRACE_MS = 20_000;
/** After the browser is closed, how long handed-back captures get to notice before the database closes. */
const ABANDON_MS = 5_000;

export const systemClock: Clock = { now: () => new Date() };

/** Builds the Node adapters (SQLite file, blob folder, logger, metrics) from the parsed config. */
export async function createNodeRuntime(
  config: Config,
  options: {
    logger?: Logger; clock?: Clock; worker?: boolean; leaseMs?: number;
    /** Caps of every Node fetch; tests shorten the time caps so a hung host costs seconds. */
    egress?: Partial<EgressCaps>;
  } = {},
): Promise<NodeRuntime> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel, (line) => process.stdout.write(`${line}\n`));
  const db = openDatabase(config.dataDir);
  const blobs = new FsBlobStore(config.snapshotDir);
  const removed = await blobs.cleanTemp();
  if (removed) logger.warn('removed temp files of interrupted blob writes', { count: removed });
  const health: HealthCheck[] = [{ name: 'database', check: async () => checkDatabase(db) }];
  const stopping = new AbortController();
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
    stopping: stopping.signal,
  };
  const runtime: NodeRuntime = {
    deps,
    db,
    blobs,
    beginStop: () => stopping.abort(),
    async close() {
      runtime.beginStop();
      const worker = runtime.worker;
      const stopped = await worker?.stop(SHUTDOWN_GRACE_MS);
      if (stopped?.released) logger.warn('handed unfinished jobs back to the queue', { count: stopped.released });
      // Closing the browser makes the handed-back captures fail fast; none of them saves anything.
      await runtime.browser?.close();
      if (worker && !(await worker.drain(ABANDON_MS))) logger.warn('captures still running as the database closes', { count: worker.busy });
      closeDatabase(db);
    },
  };
  if (options.worker) {
    const fetcher = createNodeFetcher({ overrides: config.upstreamOverrides, ...(options.egress ? { defaults: options.egress } : {}) });
    const browser = createBrowser(config, deps, fetcher);
    runtime.browser = browser;
    runtime.worker = new CaptureWorker({
      ...deps,
      fetcher,
      browser,
      images: new SharpImageProcessor(),
      providers: PROVIDER_REGISTRY,
    }, {
      owner: `${hostname()}:${process.pid}`,
      concurrency: config.captureConcurrency,
      ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    });
    health.push({ name: 'browser', check: () => browser.health() });
    deps.onQueued = () => runtime.worker?.notify();
  }
  let closing: Promise<void> | undefined;
  const close = runtime.close;
  runtime.close = () => (closing ??= close());
  return runtime;
}

/** A missing Chromium does not stop the service: screenshot layers fail with the reason, and /health says so. */
function createBrowser(config: Config, deps: AppDeps, fetcher: ReturnType<typeof createNodeFetcher>): Browser {
  let executablePath: string;
  try {
    executablePath = locateChromium(config.chromiumPath);
  } catch (error) {
    const reason = (error as BrowserError).message;
    deps.logger.error('no browser: screenshots are disabled', { reason });
    return {
      screenshot: () => Promise.reject(error),
      health: async () => ({ ok: false, detail: reason }),
      close: async () => undefined,
    };
  }
  return new PlaywrightBrowser({
    executablePath,
    fetcher,
    overrides: config.upstreamOverrides,
    concurrency: config.captureConcurrency,
    logger: deps.logger,
    metrics: deps.metrics,
  });
}
