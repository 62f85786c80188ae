import { compact } from '../core/compact.ts';
import { BrowserError } from '../core/errors.ts';
import type { ProviderDefinition } from './provider.ts';

/** Every page gets this long to show its body; slow pages are archived as far as they got. */
export const WEB_PAGE_TIMEOUT_MS = 20_000;
const VIEWPORT = { width: 1280, height: 900 };
const EXCERPT_CHARS = 1000;

/** Any other page: a screenshot of its visible top, its title and the start of its text. */
export const webProvider: ProviderDefinition = {
  provider: 'web',
  method: 'web:screenshot',
  async capture(ctx) {
    let httpStatus: number | undefined;
    const shot = await ctx.layer('screenshot', async () => {
      try {
        return await ctx.browser.screenshot({
          url: ctx.embed.url, selector: 'body', viewport: VIEWPORT, deviceScaleFactor: 1, timeoutMs: WEB_PAGE_TIMEOUT_MS, clip: 'viewport',
        });
      } catch (error) {
        if (error instanceof BrowserError) httpStatus = error.httpStatus;
        throw error;
      }
    });
    if (!shot) {
      const gone = httpStatus === 404 || httpStatus === 410;
      const availability = gone ? (ctx.previouslyLive ? 'deleted' : 'not_found') : httpStatus === 401 || httpStatus === 403 ? 'protected' : 'unknown';
      return compact({ availability, evidence: httpStatus ? { source: 'page', httpStatus } : undefined, media: [] });
    }
    const screenshot = await ctx.layer('store', () => ctx.keepScreenshot(shot));
    const text = shot.text.replace(/\s+/g, ' ').trim().slice(0, EXCERPT_CHARS);
    return compact({
      availability: 'live' as const,
      evidence: compact({ source: 'page', finalUrl: shot.finalUrl, excerpt: text.slice(0, 300) }),
      data: compact({ title: shot.title, text }),
      screenshot,
      media: [],
    });
  },
};
