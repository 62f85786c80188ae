/**
 * Shared pieces of the side-by-side benchmarks: statistics, the load average around a run, an
 * optional wait for a quiet machine, a small table printer and the JSON results under bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';

export const RESULTS_DIR = new URL('../results/', import.meta.url);

export const median = (xs: readonly number[]): number => percentile(xs, 50);

/** Linear interpolation between the closest ranks (p in 0–100). NaN for an empty list. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const at = ((s.length - 1) * p) / 100;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return s[lo]! + (s[hi]! - s[lo]!) * (at - lo);
}

export const round = (x: number, digits = 2): number => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

export function loadavg(): [number, number, number] {
  const [a = 0, b = 0, c = 0] = os.loadavg();
  return [round(a), round(b), round(c)];
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits (up to BENCH_QUIET_WAIT seconds, default 0) for the 1-minute load average to fall below
 * BENCH_QUIET_LOAD (default 1.5): other people's test runs on a 2-core machine skew every figure.
 * Returns whether the machine was quiet when the wait ended.
 */
export async function waitForQuiet(label: string): Promise<boolean> {
  const limit = Number(process.env.BENCH_QUIET_LOAD ?? 1.5);
  const maxWaitS = Number(process.env.BENCH_QUIET_WAIT ?? 0);
  const until = Date.now() + maxWaitS * 1000;
  let announced = false;
  for (;;) {
    const [one] = loadavg();
    if (one < limit) return true;
    if (Date.now() >= until) {
      if (maxWaitS > 0) console.log(`[${label}] load ${one} is still ≥ ${limit} after ${maxWaitS} s: measuring anyway`);
      return false;
    }
    if (!announced) console.log(`[${label}] 1-min load ${one} ≥ ${limit}: waiting up to ${maxWaitS} s for a quieter machine…`);
    announced = true;
    await sleep(5_000);
  }
}

export interface RunInfo {
  name: string;
  startedAt: string;
  node: string;
  cpus: number;
  cpuModel: string;
  loadStart: [number, number, number];
  quietAtStart: boolean;
  loadEnd?: [number, number, number];
  seconds?: number;
}

/** Prints the header of a run (node, CPUs, load) after the optional quiet wait. */
export async function startRun(name: string): Promise<RunInfo> {
  const quiet = await waitForQuiet(name);
  const info: RunInfo = {
    name,
    startedAt: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    loadStart: loadavg(),
    quietAtStart: quiet,
  };
  console.log(`# ${name} — node ${info.node}, ${info.cpus} CPUs (${info.cpuModel}), loadavg at start ${info.loadStart.join(' / ')}${quiet ? '' : '  (machine busy)'}`);
  return info;
}

/** Prints the closing load average and writes bench/results/<name>.json. */
export function finishRun(info: RunInfo, results: Record<string, unknown>): void {
  info.loadEnd = loadavg();
  info.seconds = round((Date.now() - Date.parse(info.startedAt)) / 1000, 1);
  console.log(`loadavg at end ${info.loadEnd.join(' / ')}; ${info.seconds} s`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = new URL(`${info.name}.json`, RESULTS_DIR);
  writeFileSync(file, `${JSON.stringify({ run: info, ...results }, null, 2)}\n`);
  console.log(`wrote ${file.pathname}\n`);
}

export type Row = Record<string, string | number | undefined>;

/** A plain-text table: numbers right-aligned, the rest left-aligned. */
export function printTable(title: string, rows: Row[]): void {
  if (rows.length === 0) return;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: string | number | undefined) => (v === undefined ? '' : typeof v === 'number' ? fmt(v) : v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: Array<string | number | undefined>) =>
    vals.map((v, i) => (typeof v === 'number' ? cell(v).padStart(widths[i]!) : cell(v).padEnd(widths[i]!))).join('  ');
  console.log(`\n${title}`);
  console.log(line(cols));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(cols.map((c) => r[c])));
}

function fmt(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return v.toFixed(0);
  if (a >= 100) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

/** Median time of `run` in ms, sampled in batches lasting ≥ `minBatchMs` so the timer's resolution does not matter. */
export function timeBatch(run: () => void, reps: number): number {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) run();
  return (performance.now() - t0) / reps;
}

/** How many calls of `run` last about `targetMs`. */
export function calibrate(run: () => void, targetMs = 20): number {
  let reps = 1;
  for (;;) {
    const ms = timeBatch(run, reps) * reps;
    if (ms >= targetMs / 4 || reps > 1e6) return Math.max(1, Math.ceil((reps * targetMs) / Math.max(ms, 0.001)));
    reps *= 4;
  }
}
