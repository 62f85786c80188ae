import { compact } from '../core/compact.ts';
import type { Availability, PostData } from '../core/model.ts';
import { scanArticle } from '../core/scan-article.ts';
import type { Evidence, Fetcher } from '../ports.ts';

export const oembedUrl = (id: string) =>
  `https://publish.twitter.com/oembed?url=${encodeURIComponent(`https://twitter.com/i/status/${id}`)}&omit_script=1&dnt=true`;

/** The oEmbed answer: its `html` is the same fallback blockquote publishers paste, parsed the same way. */
export async function parseOEmbedFallback(fetcher: Fetcher, id: string, previouslyLive: boolean): Promise<{ availability: Availability; evidence: Evidence; data?: PostData }> {
  const res = await fetcher.fetch(oembedUrl(id), { headers: { accept: 'application/json' }, maxBytes: 1_000_000, timeoutMs: 15_000 });
  const body = new TextDecoder().decode(res.body);
  const evidence: Evidence = compact({ source: 'oembed', httpStatus: res.status, finalUrl: res.url, excerpt: body.slice(0, 300) });
  if (res.status === 404) return { availability: previouslyLive ? 'deleted' : 'not_found', evidence };
  if (res.status === 403) return { availability: 'protected', evidence };
  if (res.status !== 200) throw new Error(`oEmbed answered HTTP ${res.status}`);
  let json: { html?: unknown; author_name?: unknown; author_url?: unknown };
  try {
    json = JSON.parse(body) as typeof json;
  } catch {
    throw new Error('oEmbed answer is not JSON');
  }
  if (typeof json.html !== 'string') throw new Error('oEmbed answer has no html');
  const fallback = scanArticle(json.html).occurrences.find((o) => o.embed.providerId === id)?.embed.fallback;
  const handle = fallback?.authorHandle;
  return {
    availability: 'live',
    evidence,
    data: compact({
      text: fallback?.text,
      author: compact({
        name: typeof json.author_name === 'string' ? json.author_name : fallback?.authorName,
        handle,
        url: typeof json.author_url === 'string' ? json.author_url : undefined,
      }),
      publishedAt: fallback?.date,
    }),
  };
}
