import Database from 'better-sqlite3';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_TOKEN } from './start-service.ts';
import { waitFor } from './wait-for.ts';

const BIN = new URL('../../bin/embedkeep.js', import.meta.url).pathname;

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
export async function startProcess(args: string[], env: Record<string, string>): Promise<ServiceProcess> {
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
    for (const line of lines) if (line.trim()) logs.push(parseLine(line));
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
  try {
    // Generous: a loaded two-core machine takes seconds to load the TypeScript sources.
    const line = await proc.waitForLog((l) => l.msg === ready, 60_000, `"${ready}" from ${args.join(' ')}`);
    if (typeof line.url === 'string') proc.url = line.url;
    return proc;
  } catch (error) {
    await proc.kill('SIGKILL');
    throw error;
  }
}

/** A log line; anything else a dependency prints on stdout is kept as `raw`. */
function parseLine(line: string): LogLine {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return { time: '', level: 'raw', msg: line };
  }
}

/**
 * Direct children of a process, read from /proc/PID/task/TID/children (what pgrep -P reports,
 * without spawning it, so it can be polled every millisecond); empty when it is gone.
 */
export function childPidsNow(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return tasks.flatMap((tid) => {
    try {
      return readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH') return [];
      throw error;
    }
  });
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

/** Parent pid of a running process; undefined once it has exited (gone, or a zombie waiting to be reaped). */
export function parentOf(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
    throw error;
  }
  const m = /^\d+ \(.*\) (\S) (\d+)/s.exec(stat);
  return m && m[1] !== 'Z' ? Number(m[2]) : undefined;
}

export const isAlive = (pid: number): boolean => parentOf(pid) !== undefined;

export const postJson = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Runs `fn` on a fresh connection to the archive's database (the service may be running) and closes it. */
export function queryDb<T>(dataDir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(join(dataDir, 'embedkeep.db'), { fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export interface JobCounts { queued: number; leased: number; done: number; failed: number }

export function jobCounts(dataDir: string): JobCounts {
  const rows = queryDb(dataDir, (db) => db.prepare('select state, count(*) as n from jobs group by state').all() as Array<{ state: keyof JobCounts; n: number }>);
  const counts: JobCounts = { queued: 0, leased: 0, done: 0, failed: 0 };
  for (const r of rows) counts[r.state] = r.n;
  return counts;
}

/** Waits until no embed is pending and no job is queued or leased. */
export function waitForQuiet(dataDir: string, timeoutMs: number): Promise<JobCounts> {
  return waitFor(() => {
    const pending = queryDb(dataDir, (db) => db.prepare(`select count(*) from embeds where status = 'pending'`).pluck().get() as number);
    const jobs = jobCounts(dataDir);
    return pending === 0 && jobs.queued === 0 && jobs.leased === 0 ? jobs : undefined;
  }, timeoutMs, 'every embed final and every job done or failed');
}

/** `node bin/embedkeep.js ARGS` to completion (LOG_LEVEL=silent). */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, LOG_LEVEL: 'silent' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
