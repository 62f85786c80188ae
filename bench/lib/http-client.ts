/** A minimal keep-alive HTTP/1.1 client for latency sampling: one request at a time, body read fully. */
import http from 'node:http';

export interface Timed {
  status: number;
  ms: number;
  bytes: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export class Client {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly base: URL;

  constructor(base: string) {
    this.base = new URL(base);
  }

  request(path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Timed> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = http.request({
        host: this.base.hostname, port: this.base.port, path, method: init.method ?? 'GET', agent: this.agent,
        headers: { ...init.headers, ...(init.body !== undefined ? { 'content-length': String(Buffer.byteLength(init.body)) } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, bytes: body.length, headers: res.headers, body });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(init.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
