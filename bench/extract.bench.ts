// Extraction throughput: scanArticle against htmlparser2 alone, same input, same run.
// `npx tsx bench/extract.bench.ts` (ROUNDS=n to change the sample count). Target (DESIGN.md):
// scanArticle ≥ 150 MB/s where the bare parser does ≈ 220 MB/s, i.e. a ratio ≥ 0.68 to it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { Parser } from 'htmlparser2';
import { PARSER_OPTIONS } from '../src/core/bounded-parser.ts';
import { scanArticle } from '../src/core/scan-article.ts';
import { generateLargeArticle } from '../tests/fixtures/articles/large-article.ts';

const fixturesDir = new URL('../tests/fixtures/articles/', import.meta.url);
const largest = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.html'))
  .map((f) => ({ f, size: statSync(new URL(f, fixturesDir)).size }))
  .sort((a, b) => b.size - a.size)[0];
if (largest === undefined) throw new Error('no fixtures in tests/fixtures/articles');

const inputs = [
  { name: largest.f, html: readFileSync(new URL(largest.f, fixturesDir), 'utf8') },
  { name: 'generated live blog', html: generateLargeArticle().html },
].map((i) => ({ ...i, bytes: new TextEncoder().encode(i.html).length }));

const noop = (): void => {};
const cases: Array<[string, (html: string) => void]> = [
  // The design figure: the parser with nothing listening.
  ['htmlparser2, empty callbacks', (html) => new Parser({}, PARSER_OPTIONS).end(html)],
  // The events scanArticle listens to, each a no-op: the price of being called at all.
  ['htmlparser2, no-op callbacks', (html) => new Parser({
    onopentagname: noop, onattribute: noop, ontext: noop, onclosetag: noop, oncomment: noop, onend: noop,
  }, PARSER_OPTIONS).end(html)],
  ['scanArticle', (html) => void scanArticle(html, 'https://news.example/world/2022/sep/04/story')],
];

/** Seconds per call, timed over enough calls to last ≈ 10 ms or more. */
function sample(run: () => void, bytes: number): number {
  const reps = Math.max(1, Math.ceil(1_500_000 / bytes));
  const started = performance.now();
  for (let i = 0; i < reps; i++) run();
  return (performance.now() - started) / 1000 / reps;
}

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);

const rounds = Number(process.env.ROUNDS ?? 25);
console.log(`node ${process.version}, ${rounds} interleaved rounds; MB = 10^6 bytes of UTF-8 input\n`);
for (const { name, html, bytes } of inputs) {
  for (const [, run] of cases) for (let i = 0; i < 5; i++) run(html);
  const times = cases.map(() => [] as number[]);
  // Interleaved: a burst of load on the machine hits every case alike.
  for (let r = 0; r < rounds; r++) cases.forEach(([, run], i) => times[i]?.push(sample(() => run(html), bytes)));
  const median = times.map((t) => bytes / 1e6 / (sorted(t)[t.length >> 1] ?? Number.NaN));
  const best = times.map((t) => bytes / 1e6 / (sorted(t)[0] ?? Number.NaN));
  console.log(`${name} — ${(bytes / 1e6).toFixed(2)} MB            median    best`);
  cases.forEach(([label], i) => {
    console.log(`  ${label.padEnd(30)} ${median[i]?.toFixed(0).padStart(5)} MB/s ${best[i]?.toFixed(0).padStart(5)} MB/s`);
  });
  const ratio = (a: number[], i: number): string => ((a[2] ?? Number.NaN) / (a[i] ?? Number.NaN)).toFixed(2);
  console.log(`  scanArticle / empty callbacks  ${ratio(median, 0).padStart(9)}  ${ratio(best, 0).padStart(9)}`);
  console.log(`  scanArticle / no-op callbacks  ${ratio(median, 1).padStart(9)}  ${ratio(best, 1).padStart(9)}\n`);
}
