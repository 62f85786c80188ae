import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { FINAL_STATUSES, ingest } from '../core/ingest.ts';
import type { EmbedRecord } from '../ports.ts';
import { createNodeRuntime } from '../adapters/node/node-runtime.ts';
import { usageError } from './cli-error.ts';
import { readTextFile } from './read-input.ts';
import { createProgress } from './progress.ts';

const POLL_MS = 250;

/** `archive URL… | --article FILE.html [--url ARTICLE_URL] [--wait [SECONDS]]` against the local database. */
export async function archiveCommand(args: string[], config: Config, out: (line: string) => void): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { article: { type: 'string' }, url: { type: 'string' }, wait: { type: 'boolean' }, timeout: { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (!values.article && positionals.length === 0) throw usageError('archive needs URLs or --article FILE.html');
  const timeoutS = values.timeout === undefined ? 600 : Number(values.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw usageError('--timeout takes a number of seconds');
  const html = values.article ? await readTextFile(values.article) : undefined;
  // Only a waiting run captures here; otherwise the service's worker takes the queued jobs.
  const runtime = await createNodeRuntime({ ...config, logLevel: 'silent' }, { worker: Boolean(values.wait) });
  try {
    const result = await ingest({
      ...(positionals.length ? { urls: positionals } : {}),
      ...(values.article ? { article: { html: html!, ...(values.url ? { url: values.url } : {}) } } : {}),
    }, runtime.deps);
    let embeds = result.embeds;
    if (values.wait) {
      await runtime.worker!.start();
      const progress = createProgress(process.stderr, embeds.length);
      const deadline = Date.now() + timeoutS * 1000;
      for (;;) {
        embeds = await runtime.deps.articles.getEmbeds(embeds.map((e) => e.id));
        const done = embeds.filter((e) => FINAL_STATUSES.has(e.status));
        progress.update(done.length, done.at(-1)?.canonicalUrl);
        if (done.length === embeds.length || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      progress.finish();
    }
    if (values.json) out(JSON.stringify({ ...(result.article ? { article: { id: result.article.id } } : {}), embeds: embeds.map(summary) }));
    else {
      if (result.article) out(`article ${result.article.id}${result.article.url ? ` ${result.article.url}` : ''}`);
      for (const e of embeds) out(`${e.status.padEnd(8)} ${e.availability.padEnd(18)} ${e.id} ${e.canonicalUrl}`);
      if (!values.wait && result.queued.length) out(`${result.queued.length} capture${result.queued.length === 1 ? '' : 's'} queued; a running "embedkeep serve" or "embedkeep worker" takes them`);
    }
  } finally {
    await runtime.close();
  }
}

const summary = (e: EmbedRecord) => ({ id: e.id, provider: e.provider, canonicalUrl: e.canonicalUrl, status: e.status, availability: e.availability });
