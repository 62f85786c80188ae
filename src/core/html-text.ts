/** Small text helpers shared by the extractor: HTML whitespace (not Unicode \s, which would eat NBSP). */

const SPACE_RUN = /[ \t\n\r\f]+/g;

/** HTML's ASCII whitespace. NBSP is content, as in a browser. */
export function isHtmlSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13 || c === 12;
}

/** Collapses whitespace runs to one space and trims, like rendered inline text. */
export function collapseSpace(s: string): string {
  const t = s.trim();
  // Most alt texts and captions are already clean: check before building a new string.
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 32 ? t.charCodeAt(i + 1) === 32 : isHtmlSpace(c)) return t.replace(SPACE_RUN, ' ');
  }
  return t;
}

const AMP_ENTITY = /&(?:amp;?|#0*38;?|#x0*26;?)/gi;
const OTHER_ENTITY = /&(?:quot|apos|lt|gt|#\d+|#x[\da-f]+);/gi;
const NAMED: Record<string, string> = { '&quot;': '"', '&apos;': "'", '&lt;': '<', '&gt;': '>' };

/**
 * Decodes the entities that occur in URLs written as raw page text. Bare URLs are read from the
 * source slice (so their range stays exact), where `&amp;`/`&#038;` (WordPress) still stand encoded.
 */
export function decodeUrlEntities(raw: string): string {
  if (raw.indexOf('&') === -1) return raw;
  return raw.replace(AMP_ENTITY, '&').replace(OTHER_ENTITY, (m) => {
    const named = NAMED[m.toLowerCase()];
    if (named !== undefined) return named;
    const hex = m[2] === 'x' || m[2] === 'X';
    const cp = Number.parseInt(m.slice(hex ? 3 : 2, -1), hex ? 16 : 10);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}

/** Whether a class attribute holds this class token. */
export function hasClass(cls: string | undefined, token: string): boolean {
  if (cls === undefined) return false;
  let i = cls.indexOf(token);
  while (i !== -1) {
    const before = i === 0 ? 32 : cls.charCodeAt(i - 1);
    const after = i + token.length === cls.length ? 32 : cls.charCodeAt(i + token.length);
    if (before <= 32 && after <= 32) return true;
    i = cls.indexOf(token, i + 1);
  }
  return false;
}
