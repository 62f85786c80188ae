import { thumbHashToDataURL } from 'thumbhash';

/** Decoding a thumbhash and encoding its PNG costs ≈0.3 ms; every card render would pay it again. */
const MEMO_LIMIT = 2000;
const memo = new Map<string, string | undefined>();

/**
 * The PNG data: URL of a base64 thumbhash, or undefined when the hash is not valid base64 or does not
 * decode. The `thumbhash` package is plain JS using only `btoa`, so this runs on Node and Workers alike.
 */
export function thumbhashDataUrl(base64: string): string | undefined {
  if (memo.has(base64)) return memo.get(base64);
  const url = decode(base64);
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value!);
  memo.set(base64, url);
  return url;
}

function decode(base64: string): string | undefined {
  if (!/^[A-Za-z0-9+/]{6,}={0,2}$/.test(base64)) return undefined;
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const url = thumbHashToDataURL(bytes);
    return /^data:image\/png;base64,[A-Za-z0-9+/=]+$/.test(url) ? url : undefined;
  } catch {
    return undefined;
  }
}
