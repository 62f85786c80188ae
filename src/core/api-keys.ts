import { sha256Hex, toHex } from './ids.ts';

export const KEY_PREFIX = 'ek_';

/** A new secret: 256 random bits. Only its hash is stored; the secret is shown once. */
export function generateKeySecret(): string {
  return `${KEY_PREFIX}${toHex(crypto.getRandomValues(new Uint8Array(32)))}`;
}

export const hashKeySecret = (secret: string) => sha256Hex(secret);

/** Constant-time comparison of two strings of any length. */
export function timingSafeEqualString(a: string, b: string): boolean {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  const len = Math.max(ea.length, eb.length);
  let diff = ea.length ^ eb.length;
  for (let i = 0; i < len; i++) diff |= (ea[i] ?? 0) ^ (eb[i] ?? 0);
  return diff === 0;
}
