/** Escaping for untrusted text (posts, names, alt, captions, URLs) placed into HTML we build. */

const ENTITIES: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;',
};

/** Text content. Quotes are escaped too, so a value misplaced into an attribute still cannot break out. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A double-quoted attribute value. The backtick is escaped because legacy parsers treated it as a quote. */
export function escapeAttr(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}

/**
 * The URL, normalised, when it is an absolute http(s) URL without credentials; otherwise undefined,
 * so `javascript:`, `data:` and relative links never render. Parsing first defeats obfuscations such
 * as `java\tscript:` or leading control characters, which the URL parser strips the same way browsers do.
 */
export function safeHref(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  // "https://x.com@evil.example/" reads like an X link but goes elsewhere.
  if (parsed.username !== '' || parsed.password !== '') return undefined;
  return parsed.href;
}
