import { newId, sha256Hex, toHex } from './ids.ts';
import type { ApiKeyRecord, KeyStore, Scope } from '../ports.ts';

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

/** Creates a key; the secret is returned once and only its hash is stored. */
export async function createApiKey(keys: KeyStore, name: string, scopes: Scope[]): Promise<{ record: ApiKeyRecord; secret: string }> {
  const secret = generateKeySecret();
  const record = await keys.create({
    id: newId('key'),
    name,
    hash: await hashKeySecret(secret),
    prefix: secret.slice(0, KEY_PREFIX.length + 6),
    scopes: [...new Set(scopes)],
  });
  return { record, secret };
}
