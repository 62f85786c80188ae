import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { assertHtml } from '../core/ingest.ts';
import { renderArticle } from '../core/render-article.ts';
import { parseSubmittedUrl } from '../core/submitted-url.ts';
import { createNodeRuntime } from '../adapters/node/node-runtime.ts';
import { usageError } from './cli-error.ts';
import { readTextFile } from './read-input.ts';

/** `render FILE.html [--url ARTICLE_URL] [--mode static|enhance]`: the article rewritten from the local archive, on stdout. */
export async function renderCommand(args: string[], config: Config, write: (bytes: Uint8Array) => void): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { url: { type: 'string' }, mode: { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw usageError('render needs exactly one FILE.html (or - for stdin)');
  const mode = values.mode ?? 'static';
  if (mode !== 'static' && mode !== 'enhance') throw usageError('--mode is static or enhance');
  const html = await readTextFile(positionals[0]!);
  assertHtml(html);
  const base = values.url === undefined ? undefined : parseSubmittedUrl(values.url, '--url').href;
  const runtime = await createNodeRuntime({ ...config, logLevel: 'silent' });
  try {
    write(await renderArticle(html, base, mode, runtime.deps, config.publicBaseUrl));
  } finally {
    await runtime.close();
  }
}
