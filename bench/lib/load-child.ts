/**
 * Fallback load generator (when wrk is not installed): `connections` keep-alive loops against one
 * URL for `seconds`, in its own process. Prints one JSON line: rps, p50ms, p99ms, requests, errors, mbPerSec.
 */
import http from 'node:http';

const [url = '', connections = '4', seconds = '10'] = process.argv.slice(2);
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections) });
const latencies: number[] = [];
let errors = 0;
let bytes = 0;
const end = performance.now() + Number(seconds) * 1000;

function once(): Promise<void> {
  return new Promise((resolve) => {
    const t = performance.now();
    const req = http.get({ host: target.hostname, port: target.port, path: target.pathname + target.search, agent }, (res) => {
      res.on('data', (c: Buffer) => { bytes += c.length; });
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 400) errors++;
        latencies.push(performance.now() - t);
        resolve();
      });
    });
    req.on('error', () => { errors++; resolve(); });
  });
}

const t0 = performance.now();
await Promise.all(Array.from({ length: Number(connections) }, async () => {
  while (performance.now() < end) await once();
}));
const elapsed = (performance.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
const pick = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? NaN;
process.stdout.write(`${JSON.stringify({ rps: latencies.length / elapsed, p50ms: pick(50), p99ms: pick(99), requests: latencies.length, errors, mbPerSec: bytes / 1048576 / elapsed })}\n`);
agent.destroy();
