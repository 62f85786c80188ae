import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type Config } from '../../src/config.ts';
import { createNodeRuntime, type NodeRuntime } from '../../src/adapters/node/node-runtime.ts';
import type { EgressCaps } from '../../src/adapters/node/node-fetcher.ts';
import { serveHttp } from '../../src/adapters/node/serve-http.ts';
import { createApp } from '../../src/http/app.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestService {
  url: string;
  dir: string;
  config: Config;
  runtime: NodeRuntime;
  /** fetch against the service with the admin token unless headers say otherwise. */
  api(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  close(): Promise<void>;
}

/** The real service over HTTP on a random loopback port, with its own SQLite file and blob folder. */
export async function startService(env: Record<string, string> = {}, options: { worker?: boolean; egress?: Partial<EgressCaps> } = {}): Promise<TestService> {
  const dir = mkdtempSync(join(tmpdir(), 'embedkeep-test-'));
  const config = parseConfig({
    PORT: '0',
    DATA_DIR: join(dir, 'data'),
    SNAPSHOT_DIR: join(dir, 'snapshots'),
    ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const runtime = await createNodeRuntime(config, { worker: options.worker ?? false, ...(options.egress ? { egress: options.egress } : {}) });
  const http = await serveHttp(createApp(runtime.deps), { port: 0, host: '127.0.0.1' });
  config.publicBaseUrl = env.PUBLIC_BASE_URL ?? http.url;
  await runtime.worker?.start();
  return {
    url: http.url,
    dir,
    config,
    runtime,
    api(path, init = {}) {
      const { token = ADMIN_TOKEN, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token !== null && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
      return fetch(`${http.url}${path}`, { ...rest, headers });
    },
    async close() {
      await http.close();
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
