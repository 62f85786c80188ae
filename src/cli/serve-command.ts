import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { createApp } from '../http/app.ts';
import { createNodeRuntime } from '../adapters/node/node-runtime.ts';
import { serveHttp } from '../adapters/node/serve-http.ts';

/** Runs the API until SIGINT/SIGTERM, then closes the server and the database. */
export async function serveCommand(args: string[], config: Config): Promise<void> {
  parseArgs({ args, options: { 'no-worker': { type: 'boolean' } }, strict: true });
  const runtime = await createNodeRuntime(config);
  const { logger } = runtime.deps;
  const http = await serveHttp(createApp(runtime.deps), { port: config.port, host: config.host });
  logger.info('listening', { url: http.url, publicBaseUrl: config.publicBaseUrl, dataDir: config.dataDir, snapshotDir: config.snapshotDir });
  if (!config.adminToken) logger.warn('ADMIN_TOKEN is not set: create a key with "embedkeep keys create" to use the write API');
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info('shutting down', { signal });
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await http.close();
  await runtime.close();
}
