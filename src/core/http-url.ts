/**
 * http(s) URLs as the extractor reads them. `new URL` does the parsing (resolution, normalisation,
 * IDNA); its getters are then avoided, because each costs a crossing into the URL implementation
 * (`pathname` ≈ 150 ns, `searchParams.get` ≈ 1 µs) and pages hold thousands of URLs. The parts are
 * cut from `href`, whose WHATWG serialisation is regular enough to split with string search.
 */

export interface HttpUrl {
  /** The WHATWG serialisation. */
  href: string;
  /** Host name, lowercase (punycode), without port. */
  host: string;
  /** Host with port, as in `href`. */
  authority: string;
  /** Path, always starting with '/'. */
  path: string;
  /** Query with its '?', or ''. */
  search: string;
  /** Fragment with its '#', or ''. */
  hash: string;
}

/**
 * Parses an absolute (or base-relative) http(s) URL. Anything else — other schemes,
 * credentials, unparsable text — is null: such URLs are never fetched nor archived.
 */
export function parseHttpUrl(url: string, base?: string): HttpUrl | null {
  let href: string;
  try {
    href = (base === undefined ? new URL(url) : new URL(url, base)).href;
  } catch {
    return null;
  }
  const from = href.startsWith('https://') ? 8 : href.startsWith('http://') ? 7 : -1;
  if (from === -1) return null;
  // Special schemes always serialise a path, so the authority ends at the first '/'.
  const pathStart = href.indexOf('/', from);
  const authority = href.slice(from, pathStart);
  if (authority === '' || authority.indexOf('@') !== -1) return null;
  const colon = authority.lastIndexOf(':');
  const host = colon > authority.lastIndexOf(']') ? authority.slice(0, colon) : authority;
  const hashAt = href.indexOf('#', pathStart);
  const end = hashAt === -1 ? href.length : hashAt;
  const q = href.indexOf('?', pathStart);
  const queryAt = q === -1 || q > end ? end : q;
  return {
    href, host, authority,
    path: href.slice(pathStart, queryAt),
    search: href.slice(queryAt, end),
    hash: href.slice(end),
  };
}

/**
 * A URL as a page means it: relative to `base`; without a base only absolute URLs, and
 * protocol-relative ones as the https page they would be loaded in.
 */
export function resolveUrl(raw: string, base: string | undefined): HttpUrl | null {
  const url = raw.trim();
  if (base !== undefined) return parseHttpUrl(url, base);
  return parseHttpUrl(url.startsWith('//') ? `https:${url}` : url);
}

/** The first value of a query parameter, decoded as forms are (`+` is a space), or null. */
export function queryParam(search: string, name: string): string | null {
  let i = 1;
  while (i < search.length) {
    let amp = search.indexOf('&', i);
    if (amp === -1) amp = search.length;
    const eq = search.indexOf('=', i);
    const keyEnd = eq === -1 || eq > amp ? amp : eq;
    if (formDecode(search.slice(i, keyEnd)) === name) return keyEnd === amp ? '' : formDecode(search.slice(keyEnd + 1, amp));
    i = amp + 1;
  }
  return null;
}

function formDecode(s: string): string {
  const plain = s.indexOf('+') === -1 ? s : s.replaceAll('+', ' ');
  if (plain.indexOf('%') === -1) return plain;
  try {
    return decodeURIComponent(plain);
  } catch {
    return plain;
  }
}
