import { buildCardModel, type CardModel } from './card-model.ts';
import { loadEmbedSources } from './embed-view.ts';
import type { ScanResult } from './model.ts';
import { rewriteArticleBytes, type RenderMode } from './rewrite-article.ts';
import { scanArticle } from './scan-article.ts';
import type { ArticleStore, CaptureStore } from '../ports.ts';

type Stores = { articles: ArticleStore; captures: CaptureStore };

/** Cards of every archived embed the scan mentions, by canonical URL. */
export async function loadCards(scan: ScanResult, stores: Stores, baseUrl: string): Promise<Map<string, CardModel>> {
  const canonical = [...new Set(scan.occurrences.map((o) => o.embed.canonicalUrl))];
  const found = await Promise.all(canonical.map((url) => stores.articles.findEmbed(url)));
  const ids = found.flatMap((e) => (e ? [e.id] : []));
  const sources = await loadEmbedSources(ids, stores);
  return new Map(sources.map((src) => [src.embed.canonicalUrl, buildCardModel(src, baseUrl)]));
}

/** Scans an article, looks its embeds up in the archive and rewrites it from the archived copies, as UTF-8. */
export async function renderArticle(html: string, articleUrl: string | undefined, mode: RenderMode, stores: Stores, baseUrl: string): Promise<Uint8Array> {
  const scan = scanArticle(html, articleUrl);
  return rewriteArticleBytes(html, scan, { mode, cards: await loadCards(scan, stores, baseUrl) });
}
