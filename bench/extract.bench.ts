// Extraction throughput: scanArticle against htmlparser2 alone, same input, same run.
// `npx tsx bench/extract.bench.ts` — target (DESIGN.md): scanArticle ≥ 150 MB/s where the bare
// parser does ≈ 220 MB/s, i.e. a ratio of ≥ 0.68 to the empty-callback baseline.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { Parser } from 'htmlparser2';
import { PARSER_OPTIONS } from '../src/core/article-scanner.ts';
import { scanArticle } from '../src/core/scan-article.ts';
import { generateLargeArticle } from '../tests/fixtures/articles/large-article.ts';

interface Input {
  name: string;
  html: string;
  bytes: number;
}

const fixturesDir = new URL('../tests/fixtures/articles/', import.meta.url);
const largestFixture = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.html'))
  .map((f) => ({ f, size: statSync(new URL(f, fixturesDir)).size }))
  .sort((a, b) => b.size - a.size)[0];
if (largestFixture === undefined) throw new Error('no fixtures in tests/fixtures/articles');

const input = (name: string, html: string): Input => ({ name, html, bytes: new TextEncoder().encode(html).length });
const inputs = [
  input(largestFixture.f, readFileSync(new URL(largestFixture.f, fixturesDir), 'utf8')),
  input('generated live blog', generateLargeArticle().html),
];

const noop = (): void => {};
const cases: Array<[string, (html: string) => void]> = [
  // What the design figure measures: the parser with nothing listening.
  ['htmlparser2, empty callbacks', (html) => new Parser({}, PARSER_OPTIONS).end(html)],
  // The same events the scanner listens to, each a no-op: the cost of being called at all.
  ['htmlparser2, no-op callbacks', (html) => new Parser({
    onopentagname: noop, onattribute: noop, onopentag: noop, ontext: noop, onclosetag: noop, oncomment: noop, onend: noop,
  }, PARSER_OPTIONS).end(html)],
  ['scanArticle', (html) => void scanArticle(html, 'https://news.example/live/2023/11/21/talks')],
];

/** Median seconds per call: samples of enough calls to last ≥ 20 ms each, for ≈ `budgetMs`, interleaved by the caller. */
function sample(run: () => void, bytes: number): number {
  const reps = Math.max(1, Math.ceil(2_000_000 / bytes));
  const started = performance.now();
  for (let i = 0; i < reps; i++) run();
  return (performance.now() - started) / 1000 / reps;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] ?? Number.NaN;
};

const rounds = Number(process.env.ROUNDS ?? 25);
console.log(`node ${process.version}, ${rounds} rounds, median MB/s (MB = 10^6 bytes of UTF-8 input)\n`);
for (const { name, html, bytes } of inputs) {
  for (const [, run] of cases) for (let i = 0; i < 3; i++) run(html);
  const times = cases.map(() => [] as number[]);
  // Interleaved rounds: load on the machine hits every case alike.
  for (let r = 0; r < rounds; r++) {
    cases.forEach(([, run], i) => times[i]?.push(sample(() => run(html), bytes)));
  }
  const mbps = times.map((t) => bytes / 1e6 / median(t));
  const [empty = Number.NaN, noopCb = Number.NaN, scan = Number.NaN] = mbps;
  console.log(`${name} — ${(bytes / 1e6).toFixed(2)} MB`);
  cases.forEach(([label], i) => console.log(`  ${label.padEnd(30)} ${mbps[i]?.toFixed(0).padStart(5)} MB/s`));
  console.log(`  ratio scanArticle / empty callbacks  ${(scan / empty).toFixed(2)}`);
  console.log(`  ratio scanArticle / no-op callbacks  ${(scan / noopCb).toFixed(2)}\n`);
}
