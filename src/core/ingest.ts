import { InputError } from './errors.ts';
import { sha256Hex } from './ids.ts';
import type { ExtractedEmbed } from './model.ts';
import { extractEmbeds } from './scan-article.ts';
import { classifySubmittedUrl, parseSubmittedUrl } from './submitted-url.ts';
import type { ArticleRecord, ArticleStore, EmbedRecord, Queue } from '../ports.ts';

export const MAX_URLS = 1000;
export const MAX_HTML_BYTES = 8 * 1024 * 1024;
export const CAPTURE_JOB = 'capture';
export const FINAL_STATUSES: ReadonlySet<EmbedRecord['status']> = new Set(['archived', 'partial', 'failed']);

export interface ArchiveInput {
  urls?: string[];
  article?: { url?: string; html?: string };
}

export interface ArchiveResult {
  article?: ArticleRecord;
  embeds: EmbedRecord[];
  queued: string[];
}

/** Checks that a string is plausibly an HTML document: text with markup, no NUL bytes. */
export function assertHtml(html: string, field = 'html'): void {
  if (html.length === 0) throw new InputError('HTML is empty', field);
  if (html.length > MAX_HTML_BYTES) throw new InputError(`HTML larger than ${MAX_HTML_BYTES} bytes`, field);
  if (html.includes('\u0000')) throw new InputError('HTML contains NUL characters: binary data, not HTML', field);
  if (!/<[a-zA-Z!/?]/.test(html)) throw new InputError('no HTML markup found', field);
}

function titleOf(html: string): string | undefined {
  const m = /<title[^>]*>([^<]{1,500})<\/title>/i.exec(html.slice(0, 65536));
  return m?.[1]?.trim() || undefined;
}

/** Stores the article and its embeds (one per canonical URL) and queues a capture for each one not yet kept. */
export async function ingest(input: ArchiveInput, deps: { articles: ArticleStore; queue: Queue; priority?: number; recapture?: boolean }): Promise<ArchiveResult> {
  const urls = input.urls ?? [];
  if (!input.article && urls.length === 0) throw new InputError('give "urls" or "article" (or both)');
  if (urls.length > MAX_URLS) throw new InputError(`at most ${MAX_URLS} URLs per request, got ${urls.length}`, 'urls');
  const submitted = urls.map((u, i) => classifySubmittedUrl(u, `urls[${i}]`));

  let article: ArticleRecord | undefined;
  const all: EmbedRecord[] = [];
  if (input.article) {
    const { html, url } = input.article;
    if (html === undefined && url === undefined) throw new InputError('article needs "html" or "url"', 'article');
    const articleUrl = url === undefined ? undefined : parseSubmittedUrl(url, 'article.url');
    if (articleUrl) articleUrl.hash = '';
    if (html !== undefined) assertHtml(html, 'article.html');
    const items: ExtractedEmbed[] = html === undefined ? [] : extractEmbeds(html, articleUrl?.href);
    const htmlSha256 = html === undefined ? undefined : await sha256Hex(html);
    const saved = await deps.articles.saveArticle({
      key: articleUrl?.href ?? `sha256:${htmlSha256}`,
      ...(articleUrl ? { url: articleUrl.href } : {}),
      ...(html !== undefined ? { html, htmlSha256: htmlSha256!, ...optional('title', titleOf(html)) } : {}),
    }, items);
    article = saved.article;
    all.push(...saved.embeds);
  }
  if (submitted.length) all.push(...(await deps.articles.ensureEmbeds(submitted)));

  const embeds = dedupById(all);
  const queued = await queueCaptures(embeds, deps);
  const fresh = queued.length ? await deps.articles.getEmbeds(embeds.map((e) => e.id)) : embeds;
  return { ...(article ? { article } : {}), embeds: fresh, queued };
}

/**
 * Queues a capture for every embed that is pending or failed; archived and partial ones are kept as
 * they are, unless `recapture` asks for a new version of each (the old captures stay).
 */
export async function queueCaptures(embeds: EmbedRecord[], deps: { articles: ArticleStore; queue: Queue; priority?: number; recapture?: boolean }): Promise<string[]> {
  const todo = deps.recapture ? embeds : embeds.filter((e) => e.status === 'pending' || e.status === 'failed');
  await deps.articles.markPending(todo.filter((e) => e.status !== 'pending').map((e) => e.id));
  for (const e of todo) {
    // A concurrent request may have read the same embed as pending before its capture finished.
    await deps.queue.enqueue({ kind: CAPTURE_JOB, payload: { embedId: e.id }, dedupKey: `capture:${e.id}`, whileEmbedPending: e.id, priority: deps.priority ?? 0 });
  }
  return todo.map((e) => e.id);
}

function dedupById(list: EmbedRecord[]): EmbedRecord[] {
  const seen = new Map<string, EmbedRecord>();
  for (const e of list) if (!seen.has(e.id)) seen.set(e.id, e);
  return [...seen.values()];
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Polls until every embed is final or the time is up; returns the latest states. */
export async function waitForFinal(
  ids: string[], articles: ArticleStore, timeoutMs: number, options: { pollMs?: number; signal?: AbortSignal } = {},
): Promise<{ embeds: EmbedRecord[]; done: boolean }> {
  const deadline = Date.now() + timeoutMs;
  const pollMs = options.pollMs ?? 150;
  for (;;) {
    const embeds = await articles.getEmbeds(ids);
    const done = embeds.every((e) => FINAL_STATUSES.has(e.status));
    if (done || Date.now() >= deadline || options.signal?.aborted) return { embeds, done };
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, Math.min(pollMs, Math.max(0, deadline - Date.now())));
      options.signal?.addEventListener('abort', finish, { once: true });
      function finish() {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', finish);
        resolve();
      }
    });
  }
}
