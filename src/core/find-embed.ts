import { canonicalImageUrl, canonicalize } from './canonical-url.ts';
import type { ArticleStore, EmbedRecord } from '../ports.ts';

/** The embed any URL form names: a post's canonical URL, else the image's, else the page's (no fragment). */
export async function findEmbedByUrl(url: URL, articles: ArticleStore): Promise<EmbedRecord | null> {
  const identity = canonicalize(url.href);
  const bare = new URL(url.href);
  bare.hash = '';
  const candidates = identity ? [identity.canonicalUrl] : [...new Set([canonicalImageUrl(bare.href), bare.href])];
  for (const canonicalUrl of candidates) {
    const embed = await articles.findEmbed(canonicalUrl);
    if (embed) return embed;
  }
  return null;
}
