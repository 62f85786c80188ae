/**
 * Runs every benchmark in sequence, each in its own process (`npm run bench`, or
 * `npm run bench -- render serve` for some of them), printing the load average around each.
 * Every run's console output is also kept in bench/results/<name>.log; the benches that do not
 * write their own JSON (extract, renditions) get bench/results/<name>.json with that output.
 * BENCH_QUIET_WAIT=600 makes each bench wait up to 10 minutes for a 1-minute load below 1.5.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadavg, printTable, RESULTS_DIR, round, waitForQuiet, type Row } from './lib/bench-kit.ts';

const ALL = ['extract', 'renditions', 'render', 'serve', 'scale', 'capture'];
const OWN_JSON = new Set(['render', 'serve', 'scale', 'capture']);
const picked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = picked.length ? picked : ALL;
for (const n of names) if (!ALL.includes(n)) throw new Error(`unknown bench "${n}"; one of ${ALL.join(', ')}`);

mkdirSync(RESULTS_DIR, { recursive: true });
const outcome: Row[] = [];
for (const name of names) {
  const file = fileURLToPath(new URL(`./${name}.bench.ts`, import.meta.url));
  // The benches with their own JSON wait for a quiet machine themselves (startRun).
  if (!OWN_JSON.has(name)) await waitForQuiet(name);
  const before = loadavg();
  console.log(`\n======== ${name} (loadavg ${before.join(' / ')}) ========`);
  const t0 = performance.now();
  const output: string[] = [];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => { process.stdout.write(chunk); output.push(chunk.toString()); });
    child.stderr.on('data', (chunk: Buffer) => { process.stderr.write(chunk); output.push(chunk.toString()); });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  const after = loadavg();
  const seconds = round((performance.now() - t0) / 1000, 1);
  writeFileSync(new URL(`${name}.log`, RESULTS_DIR), output.join(''));
  if (!OWN_JSON.has(name)) {
    writeFileSync(new URL(`${name}.json`, RESULTS_DIR), `${JSON.stringify({ name, loadStart: before, loadEnd: after, seconds, exitCode: code, output: output.join('').split('\n') }, null, 2)}\n`);
  }
  outcome.push({ bench: name, exit: code, seconds, 'load before': before[0], 'load after': after[0] });
}

// The headline ratio of each bench that writes one.
const headline: Row[] = [];
// Only a bench that succeeded in this run: an older JSON would pass off stale figures as new.
const read = (name: string) => {
  const f = new URL(`${name}.json`, RESULTS_DIR);
  if (!outcome.some((o) => o.bench === name && o.exit === 0) || !existsSync(f)) return { failed: true };
  return JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
};
const figure = (name: string, key: string) => {
  const r = read(name);
  return r.failed ? 'bench failed' : `${String(r[key])}×`;
};
if (names.includes('render')) headline.push({ target: 'scan + rewrite ≤ 3× string search', measured: figure('render', 'ratioScanPlusRewrite') });
if (names.includes('serve')) headline.push({ target: 'cached render ≥ 0.90 × Buffer', measured: figure('serve', 'ratio') });
if (names.includes('scale')) headline.push({ target: 'p50 at the largest size ≤ 1.3× of 1 k', measured: figure('scale', 'worstRatio') });
if (names.includes('capture')) {
  const r = read('capture');
  if (r.failed) headline.push({ target: '(d) ≥ 0.60 × bare limit', measured: 'bench failed' });
  for (const s of (r.summary as Row[] | undefined) ?? []) {
    headline.push({ target: `(d) ≥ 0.60 × bare limit, delay ${s.delay} ms`, measured: `c=1 ${s['d1/a']}×, c=2 ${s['d2/a']}×` });
  }
}
printTable('Benchmarks run', outcome);
printTable('Targets (DESIGN.md)', headline);
process.exitCode = outcome.some((o) => o.exit !== 0) ? 1 : 0;
