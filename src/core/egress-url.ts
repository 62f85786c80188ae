/** Outbound URL hygiene and UPSTREAM_OVERRIDES mapping. Pure: the SSRF address check lives with the connection. */
import { EgressError } from './errors.ts';

function badUrl(message: string, input: string, cause?: unknown): EgressError {
  const error = new EgressError('bad_url', message, input);
  if (cause !== undefined) error.cause = cause;
  return error;
}

/**
 * Parses with the WHATWG URL parser (the one browsers use, so the guard sees the host a browser
 * would dial: IDN to punycode, every IPv4 spelling to dotted decimal, IPv6 compressed) and refuses
 * what must never leave the service: other schemes, credentials, odd hosts and ports.
 * The fragment is dropped because it is never sent.
 */
export function normalizeOutboundUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch (error) {
    throw badUrl(`not a valid absolute URL: ${JSON.stringify(input)}`, input, error);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badUrl(`only http and https may be fetched, not ${url.protocol}`, input);
  }
  // Userinfo is how `https://trusted.example@evil.example/` passes for a trusted host to a human.
  if (url.username !== '' || url.password !== '') throw badUrl('URLs with credentials are refused', input);
  if (url.port === '0') throw badUrl('port 0 is not a valid destination', input);
  const host = url.hostname;
  if (host === '' || host.startsWith('.') || host.includes('..')) {
    throw badUrl(`not a usable host name: ${JSON.stringify(host)}`, input);
  }
  // `example.com.` is the same DNS name as `example.com`; one spelling keeps override keys and caches honest.
  if (host.endsWith('.')) url.hostname = host.slice(0, -1);
  if (url.hostname.endsWith('.')) throw badUrl(`not a usable host name: ${JSON.stringify(host)}`, input);
  url.hash = '';
  return url;
}

/**
 * Maps a URL through UPSTREAM_OVERRIDES: the longest key that the *normalised* URL starts with,
 * compared as exact strings, is replaced by its target. Only such URLs are `overridden`, and only
 * they skip the address check; a URL that merely looks like a key or names a target does not.
 */
export function applyOverrides(url: string, overrides: Record<string, string>): { url: string; overridden: boolean } {
  const href = normalizeOutboundUrl(url).href;
  let key: string | undefined;
  for (const candidate of Object.keys(overrides)) {
    if (candidate !== '' && href.startsWith(candidate) && candidate.length > (key?.length ?? 0)) key = candidate;
  }
  const target = key === undefined ? undefined : overrides[key];
  if (key === undefined || target === undefined) return { url: href, overridden: false };
  let targetOrigin: string;
  let mapped: URL;
  try {
    targetOrigin = new URL(target).origin;
    mapped = new URL(target + href.slice(key.length));
  } catch (error) {
    throw badUrl(`override ${JSON.stringify(key)} maps ${href} to an invalid URL`, url, error);
  }
  // A key without a trailing slash also matches `https://key.host.evil.example/`; the remainder must
  // not move the request off the operator's target, or the unchecked path would reach any host.
  if (mapped.origin !== targetOrigin) {
    throw badUrl(`override ${JSON.stringify(key)} would send ${href} away from ${targetOrigin}`, url);
  }
  return { url: mapped.href, overridden: true };
}
