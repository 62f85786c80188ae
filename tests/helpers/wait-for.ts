/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the service's queue has nothing queued or leased (captures and their rendition jobs done). */
export function waitForQueueIdle(queue: { stats(): Promise<{ queued: number; leased: number }> }, timeoutMs = 120_000): Promise<true> {
  return waitFor(async () => {
    const q = await queue.stats();
    return q.queued + q.leased === 0 ? true : undefined;
  }, timeoutMs, 'an idle queue');
}
