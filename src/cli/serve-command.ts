import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { createApp } from '../http/app.ts';
import { createNodeRuntime } from '../adapters/node/node-runtime.ts';
import { serveHttp } from '../adapters/node/serve-http.ts';

const untilSignal = () => new Promise<string>((resolve) => {
  process.once('SIGINT', () => resolve('SIGINT'));
  process.once('SIGTERM', () => resolve('SIGTERM'));
});

/** API and, unless --no-worker, the capture worker in one process, until SIGINT/SIGTERM. */
export async function serveCommand(args: string[], config: Config): Promise<void> {
  const { values } = parseArgs({ args, options: { 'no-worker': { type: 'boolean' } }, strict: true });
  const runtime = await createNodeRuntime(config, { worker: !values['no-worker'] });
  const { logger } = runtime.deps;
  const http = await serveHttp(createApp(runtime.deps), { port: config.port, host: config.host });
  await runtime.worker?.start();
  logger.info('listening', { url: http.url, publicBaseUrl: config.publicBaseUrl, worker: Boolean(runtime.worker), dataDir: config.dataDir, snapshotDir: config.snapshotDir });
  if (!config.adminToken) logger.warn('ADMIN_TOKEN is not set: create a key with "embedkeep keys create" to use the write API');
  const signal = await untilSignal();
  logger.info('shutting down', { signal });
  await http.close();
  await runtime.close();
  logger.info('stopped');
}

/** A capture worker alone, e.g. several processes on one database. */
export async function workerCommand(args: string[], config: Config): Promise<void> {
  parseArgs({ args, options: {}, strict: true });
  const runtime = await createNodeRuntime(config, { worker: true });
  await runtime.worker!.start();
  runtime.deps.logger.info('worker started', { concurrency: config.captureConcurrency });
  const signal = await untilSignal();
  runtime.deps.logger.info('shutting down', { signal });
  await runtime.close();
}
