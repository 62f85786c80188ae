const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Time-ordered, URL-safe ids (Crockford base32: 10 chars of milliseconds + 12 random). */
export function newId(prefix: string, now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let tail = '';
  for (const byte of randomBytes(12)) tail += ALPHABET[byte % 32];
  return `${prefix}_${time}${tail}`;
}

/** One getRandomValues call per id is a system call per request; ids draw from a pool instead. */
const pool = new Uint8Array(1_200);
let used = pool.length;

function randomBytes(n: number): Uint8Array {
  if (used + n > pool.length) {
    crypto.getRandomValues(pool);
    used = 0;
  }
  used += n;
  return pool.subarray(used - n, used);
}

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return toHex(new Uint8Array(digest));
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;
