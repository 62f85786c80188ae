const encoder = new TextEncoder();

/**
 * The UTF-8 bytes of `parts` joined, encoded piece by piece into one buffer. Joining first costs
 * far more: a string over V8's 128 KB large-object threshold is slow to build and to flatten for
 * the encoder, and every rendered article is one (bench/render.bench.ts measures both).
 */
export function encodeParts(parts: readonly string[]): Uint8Array {
  let chars = 0;
  for (const part of parts) chars += part.length;
  // Most articles are ASCII or Latin; a larger share of multi-byte text grows the buffer once or twice.
  let out = new Uint8Array(chars + (chars >> 3) + 64);
  let at = 0;
  // A high surrogate closing one part pairs with a low one opening the next, as in the joined string.
  let carry = '';
  for (const [i, part] of parts.entries()) {
    let rest = carry ? carry + part : part;
    carry = '';
    const last = rest.charCodeAt(rest.length - 1);
    if (last >= 0xd800 && last <= 0xdbff && i < parts.length - 1) {
      carry = rest.slice(-1);
      rest = rest.slice(0, -1);
    }
    for (;;) {
      const { read, written } = encoder.encodeInto(rest, out.subarray(at));
      at += written;
      if (read === rest.length) break;
      rest = rest.slice(read);
      const grown = new Uint8Array(Math.max(out.length * 2, at + rest.length * 3));
      grown.set(out.subarray(0, at));
      out = grown;
    }
  }
  return out.subarray(0, at);
}
