/** Embed extraction from article HTML: every occurrence with its source range, and the deduplicated list. */
import type { ExtractedEmbed, Fallback, ScanResult } from './model.ts';
import { ArticleScanner } from './article-scanner.ts';

/**
 * Finds, in document order, every embed occurrence of an article (pasted post blockquotes, embed
 * iframes, bare post URLs, in-text post links, images) with the exact source range of each, and
 * every known embed script. Relative URLs resolve against `<base href>` or `articleUrl`.
 */
export function scanArticle(html: string, articleUrl?: string): ScanResult {
  return new ArticleScanner(html, articleUrl).scan();
}

/**
 * The article's embeds in document order, one per (canonicalUrl, role): the first occurrence
 * wins, later ones only fill in fallback fields, alt text or caption it lacked.
 */
export function extractEmbeds(html: string, articleUrl?: string): ExtractedEmbed[] {
  const out: ExtractedEmbed[] = [];
  const seen = new Map<string, ExtractedEmbed>();
  for (const { embed } of scanArticle(html, articleUrl).occurrences) {
    const key = `${embed.role} ${embed.canonicalUrl}`;
    const first = seen.get(key);
    if (first === undefined) {
      const copy: ExtractedEmbed = { ...embed };
      if (embed.fallback !== undefined) copy.fallback = { ...embed.fallback };
      seen.set(key, copy);
      out.push(copy);
    } else {
      fillIn(first, embed);
    }
  }
  return out;
}

function fillIn(first: ExtractedEmbed, later: ExtractedEmbed): void {
  if (first.alt === undefined && later.alt !== undefined) first.alt = later.alt;
  if (first.caption === undefined && later.caption !== undefined) first.caption = later.caption;
  if (later.fallback === undefined) return;
  const fallback: Fallback = first.fallback ?? {};
  for (const key of ['text', 'authorName', 'authorHandle', 'date'] as const) {
    const v = later.fallback[key];
    if (fallback[key] === undefined && v !== undefined) fallback[key] = v;
  }
  if (Object.keys(fallback).length > 0) first.fallback = fallback;
}
