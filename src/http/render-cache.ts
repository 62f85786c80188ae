/** Encoded renders with their ETag, by a key that changes whenever the article or one of its embeds does. */
export class RenderCache {
  private readonly entries = new Map<string, { etag: string; body: Uint8Array }>();

  constructor(private readonly maxEntries = 200) {}

  get(key: string) {
    const hit = this.entries.get(key);
    if (hit) {
      // Refresh its place: the map's order is the eviction order.
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: { etag: string; body: Uint8Array }) {
    this.entries.set(key, value);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
