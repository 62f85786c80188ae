/** Drops keys whose value is undefined, null or '': absent facts are absent fields. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== undefined && v !== null && v !== '') out[k] = v;
  }
  return out as T;
}
