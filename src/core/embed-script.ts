/** Recognises the platforms' embed scripts, which static rendering removes wherever they stand. */
import type { Provider } from './model.ts';

const KNOWN: ReadonlyArray<readonly [string, Provider]> = [
  ['platform.twitter.com/widgets.js', 'x'],
  ['platform.x.com/widgets.js', 'x'],
  ['embed.bsky.app/static/embed.js', 'bluesky'],
  ['instagram.com/embed.js', 'instagram'],
  ['tiktok.com/embed.js', 'tiktok'],
  ['threads.net/embed.js', 'threads'],
  ['threads.com/embed.js', 'threads'],
  ['embed.reddit.com/widgets.js', 'reddit'],
  ['embed.redditmedia.com/widgets/platform.js', 'reddit'],
];

/** Inline loaders are a few hundred bytes; a bigger script naming widgets.js is app code or data, not a loader. */
export const MAX_INLINE_LOADER = 4096;

/**
 * The platform whose embed script `src` loads (any scheme, protocol-relative, with query), or null.
 * A bare `/embed.js` on any other host is reported as `mastodon`: Mastodon instances serve their
 * embed script there, and the caller keeps it only if the page embeds a post of that instance.
 */
export function embedScriptOfSrc(src: string): Provider | null {
  const s = src.trim().toLowerCase();
  const known = knownLoader(s);
  if (known !== null) return known;
  const path = s.replace(/[?#].*$/, '');
  return path.endsWith('/embed.js') ? 'mastodon' : null;
}

/** The platform whose embed script an inline loader (`js.src = "…/widgets.js"`) injects, or null. */
export function embedScriptOfInline(text: string): Provider | null {
  if (text.length > MAX_INLINE_LOADER || text.indexOf('.js') === -1) return null;
  return knownLoader(text.toLowerCase());
}

function knownLoader(s: string): Provider | null {
  for (const [needle, provider] of KNOWN) if (s.includes(needle)) return provider;
  if (s.includes('connect.facebook.net/') && (s.includes('/sdk.js') || s.includes('/all.js'))) return 'facebook';
  return null;
}

const NON_JS_TYPES = /json|template|html|x-tmpl|text\/x-/;

/** Whether an inline script with this `type` runs as JavaScript (consent managers' `text/plain` included: they run it later). */
export function isScriptType(type: string | undefined): boolean {
  return type === undefined || !NON_JS_TYPES.test(type.toLowerCase());
}
