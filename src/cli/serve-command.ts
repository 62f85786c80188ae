import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { createApp } from '../http/app.ts';
import { createNodeRuntime, SHUTDOWN_GRACE_MS } from '../adapters/node/node-runtime.ts';
import { serveHttp } from '../adapters/node/serve-http.ts';
import { usageError } from './cli-error.ts';

const untilSignal = () => new Promise<string>((resolve) => {
  process.once('SIGINT', () => resolve('SIGINT'));
  process.once('SIGTERM', () => resolve('SIGTERM'));
});

const LEASE_OPTION = { 'lease-ms': { type: 'string' } } as const;

/** `--lease-ms N`: how long a dead worker's job waits before another worker takes it (tests shorten it). */
function leaseMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 100) throw usageError('--lease-ms takes a whole number of milliseconds, at least 100');
  return ms;
}

/** API and, unless --no-worker, the capture worker in one process, until SIGINT/SIGTERM. */
export async function serveCommand(args: string[], config: Config): Promise<void> {
  const { values } = parseArgs({ args, options: { 'no-worker': { type: 'boolean' }, ...LEASE_OPTION }, strict: true });
  const lease = leaseMs(values['lease-ms']);
  const runtime = await createNodeRuntime(config, { worker: !values['no-worker'], ...(lease ? { leaseMs: lease } : {}) });
  const { logger } = runtime.deps;
  const http = await serveHttp(createApp(runtime.deps), { port: config.port, host: config.host });
  await runtime.worker?.start();
  logger.info('listening', { url: http.url, publicBaseUrl: config.publicBaseUrl, worker: Boolean(runtime.worker), dataDir: config.dataDir, snapshotDir: config.snapshotDir });
  if (!config.adminToken) logger.warn('ADMIN_TOKEN is not set: create a key with "embedkeep keys create" to use the write API');
  const signal = await untilSignal();
  logger.info('shutting down', { signal });
  runtime.beginStop();
  // No new job is taken from here on; requests in progress still get a working database.
  await Promise.all([http.close(), runtime.worker?.stop(SHUTDOWN_GRACE_MS)]);
  await runtime.close();
  logger.info('stopped');
}

/** A capture worker alone, e.g. several processes on one database. */
export async function workerCommand(args: string[], config: Config): Promise<void> {
  const { values } = parseArgs({ args, options: LEASE_OPTION, strict: true });
  const lease = leaseMs(values['lease-ms']);
  const runtime = await createNodeRuntime(config, { worker: true, ...(lease ? { leaseMs: lease } : {}) });
  await runtime.worker!.start();
  runtime.deps.logger.info('worker started', { worker: runtime.worker!.owner, concurrency: config.captureConcurrency });
  const signal = await untilSignal();
  runtime.deps.logger.info('shutting down', { signal });
  await runtime.close();
  runtime.deps.logger.info('stopped');
}
