import { InputError } from './errors.ts';
import type { ExtractedEmbed } from './model.ts';
import { canonicalImageUrl, canonicalize } from './canonical-url.ts';

export const MAX_URL_LENGTH = 4096;
const IMAGE_PATH = /\.(?:jpe?g|png|webp|gif|avif|bmp|tiff?)$/i;

/** Validates a URL given by a caller: absolute http(s), no credentials, not too long. */
export function parseSubmittedUrl(raw: string, field = 'url'): URL {
  if (raw.length > MAX_URL_LENGTH) throw new InputError(`URL longer than ${MAX_URL_LENGTH} characters`, field);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new InputError(`not an absolute URL: ${JSON.stringify(raw.slice(0, 200))}`, field);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(`only http and https URLs can be archived, not ${url.protocol}`, field);
  }
  if (url.username || url.password) throw new InputError('URLs with credentials are refused', field);
  if (!url.hostname) throw new InputError('URL has no host', field);
  return url;
}

/** What a bare submitted URL is: a known post, an image (by its path), or a web page. */
export function classifySubmittedUrl(raw: string, field = 'url'): ExtractedEmbed {
  const url = parseSubmittedUrl(raw, field);
  const href = url.href;
  const post = canonicalize(href);
  if (post) return { ...post, role: 'embed', url: href };
  if (IMAGE_PATH.test(url.pathname) || url.hostname === 'pbs.twimg.com') {
    const canonicalUrl = canonicalImageUrl(href);
    return { provider: 'image', providerId: canonicalUrl, canonicalUrl, role: 'image', url: href };
  }
  url.hash = '';
  return { provider: 'web', providerId: url.href, canonicalUrl: url.href, role: 'link', url: href };
}
