import type { App } from '../app.ts';

export function registerOpsRoutes(app: App) {
  app.get('/health', async (c) => {
    const deps = c.get('deps');
    const results = await Promise.all(deps.health.map(async (h) => {
      try {
        return { name: h.name, ...(await h.check()) };
      } catch (error) {
        return { name: h.name, ok: false, detail: (error as Error).message };
      }
    }));
    const ok = results.every((r) => r.ok);
    return c.json({ status: ok ? 'ok' : 'unavailable', checks: Object.fromEntries(results.map(({ name, ...r }) => [name, r])) }, ok ? 200 : 503,
      { 'cache-control': 'no-store' });
  });

  app.get('/metrics', async (c) => {
    const deps = c.get('deps');
    const q = await deps.queue.stats();
    for (const [state, n] of Object.entries(q)) deps.metrics.queueDepth.set(n, { state });
    return c.body(await deps.metrics.registry.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
  });
}
