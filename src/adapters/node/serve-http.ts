import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { App } from '../../http/app.ts';

/** How long requests in progress may run on once the server stops listening. */
export const CLOSE_GRACE_MS = 10_000;

/** Listens with the Hono app; resolves once the port is bound. */
export function serveHttp(app: App, options: { port: number; host: string }): Promise<{ server: ServerType; url: string; close(graceMs?: number): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        server,
        url: `http://${host}:${info.port}`,
        // A request that outlives the grace (a client trickling its body) has its connection cut, so closing is bounded.
        close: (graceMs = CLOSE_GRACE_MS) => new Promise<void>((done, fail) => {
          const cut = setTimeout(() => {
            if ('closeAllConnections' in server) server.closeAllConnections();
          }, graceMs);
          server.close((error) => {
            clearTimeout(cut);
            if (error) fail(error);
            else done();
          });
        }),
      });
    });
    server.once('error', reject);
  });
}
