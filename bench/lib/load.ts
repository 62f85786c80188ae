/**
 * One load generator for every target of a benchmark: wrk when installed, else a Node keep-alive
 * client in a separate child process (bench/lib/load-child.ts), so the load never shares the
 * server's event loop. Returns requests/s and latency percentiles.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface LoadResult {
  tool: 'wrk' | 'node';
  rps: number;
  p50ms: number;
  p99ms: number;
  requests: number;
  errors: number;
  mbPerSec: number;
}

let wrkPath: string | null | undefined;
export function hasWrk(): boolean {
  if (wrkPath === undefined) {
    try {
      wrkPath = execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim() || null;
    } catch {
      wrkPath = null;
    }
  }
  return wrkPath !== null && process.env.BENCH_LOAD !== 'node';
}

const ms = (v: string, unit: string) => Number(v) * (unit === 'us' ? 1e-3 : unit === 's' ? 1e3 : 1);
const mb = (v: string, unit: string) => Number(v) * (unit === 'KB' ? 1 / 1024 : unit === 'GB' ? 1024 : unit === 'B' ? 1 / 1048576 : 1);

export async function load(url: string, options: { connections: number; seconds: number; threads?: number }): Promise<LoadResult> {
  if (hasWrk()) {
    const args = [`-t${options.threads ?? 1}`, `-c${options.connections}`, `-d${options.seconds}s`, '--latency', url];
    const out = await new Promise<string>((resolve, reject) =>
      execFile(wrkPath!, args, { encoding: 'utf8' }, (error, stdout) => (error ? reject(error) : resolve(stdout))));
    const num = (re: RegExp) => re.exec(out);
    const rps = Number(num(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? NaN);
    const p50 = num(/\n\s+50%\s+([\d.]+)(us|ms|s)/);
    const p99 = num(/\n\s+99%\s+([\d.]+)(us|ms|s)/);
    const total = Number(num(/(\d+) requests in/)?.[1] ?? NaN);
    const non2xx = Number(num(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0);
    const sockErr = num(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
    const transfer = num(/Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB)/);
    return {
      tool: 'wrk', rps, requests: total,
      p50ms: p50 ? ms(p50[1]!, p50[2]!) : NaN, p99ms: p99 ? ms(p99[1]!, p99[2]!) : NaN,
      errors: non2xx + (sockErr ? sockErr.slice(1).reduce((s, v) => s + Number(v), 0) : 0),
      mbPerSec: transfer ? mb(transfer[1]!, transfer[2]!) : NaN,
    };
  }
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./load-child.ts', import.meta.url).pathname,
    url, String(options.connections), String(options.seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => (code ? reject(new Error(`load child exited with ${code}`)) : undefined));
  });
  return { tool: 'node', ...(JSON.parse(line) as Omit<LoadResult, 'tool'>) };
}
