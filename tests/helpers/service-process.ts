import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_TOKEN } from './start-service.ts';
import { waitFor } from './wait-for.ts';

export const BIN = new URL('../../bin/embedkeep.js', import.meta.url).pathname;

export interface LogLine {
  time: string;
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A real `embedkeep` process: its parsed JSON log lines, its exit, and (for `serve`) its URL. */
export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  /** Set once a `serve` process logs `listening`. */
  url: string;
  logs: LogLine[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number, what?: string): Promise<LogLine>;
  api(path: string, init?: RequestInit): Promise<Response>;
  /** SIGKILL unless it already exited; resolves once it has. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface Dirs {
  root: string;
  env: Record<string, string>;
}

/** A fresh DATA_DIR and SNAPSHOT_DIR under one temp folder, as environment variables. */
export function tempDirs(prefix = 'ek-proc-'): Dirs {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return { root, env: { DATA_DIR: join(root, 'data'), SNAPSHOT_DIR: join(root, 'snapshots') } };
}

/**
 * Starts `node bin/embedkeep.js ARGS` with LOG_LEVEL=info on a random port and waits for its ready
 * line (`listening` for serve, `worker started` for worker).
 */
export async function startProcess(args: string[], env: Record<string, string>, options: { readyTimeoutMs?: number } = {}): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, PORT: '0', ADMIN_TOKEN, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let stderr = '';
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let gone = false;
  void exited.then(() => (gone = true));
  const proc: ServiceProcess = {
    child,
    pid: child.pid!,
    url: '',
    logs,
    stderr: () => stderr,
    exited,
    waitForLog: (match, timeoutMs = 30_000, what = 'a log line') => waitFor(() => {
      const hit = logs.find(match);
      if (hit) return hit;
      if (gone) throw new Error(`process exited while waiting for ${what}; stderr: ${stderr.slice(-2000)}`);
      return undefined;
    }, timeoutMs, what),
    api(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Bearer ${ADMIN_TOKEN}`);
      return fetch(`${proc.url}${path}`, { ...init, headers });
    },
    async kill(signal = 'SIGKILL') {
      if (!gone) child.kill(signal);
      await exited;
    },
  };
  const ready = args[0] === 'worker' ? 'worker started' : 'listening';
  const line = await proc.waitForLog((l) => l.msg === ready, options.readyTimeoutMs ?? 30_000, `"${ready}" from ${args.join(' ')}`);
  if (typeof line.url === 'string') proc.url = line.url;
  return proc;
}

/** Direct children of a process (pgrep -P); empty when it has none or is gone. */
export function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch (error) {
    // pgrep exits 1 when nothing matches.
    if ((error as { status?: number }).status === 1) return [];
    throw error;
  }
}

/** Every process below `pid`, depth first. */
export function descendantPids(pid: number): number[] {
  return childPids(pid).flatMap((c) => [c, ...descendantPids(c)]);
}

/** Resident memory of a process in KiB, 0 once it is gone. */
export function rssKiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH') return 0;
    throw error;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

export const postJson = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
