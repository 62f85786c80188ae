import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { App } from '../../http/app.ts';

/** Listens with the Hono app; resolves once the port is bound. */
export function serveHttp(app: App, options: { port: number; host: string }): Promise<{ server: ServerType; url: string; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        server,
        url: `http://${host}:${info.port}`,
        close: () => new Promise<void>((done, fail) => server.close((error) => (error ? fail(error) : done()))),
      });
    });
    server.once('error', reject);
  });
}
