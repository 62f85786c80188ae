import { BrowserError, EgressError, ImageError } from './errors.ts';
import { newId } from './ids.ts';
import type { Logger } from './logger.ts';
import type { ServiceMetrics } from './metrics.ts';
import type { Availability, CaptureStatus } from './model.ts';
import { keepImage } from './keep-image.ts';
import type {
  ArticleStore, BlobStore, Browser, CaptureRecord, CaptureStore, Clock, EmbedRecord, Fetcher, ImageProcessor, LayerResult, Queue,
} from '../ports.ts';
import { isRetryableStatus, RetryLater, UpstreamStatusError, type CaptureContext, type CaptureOutcome, type KeptImage, type ProviderDefinition } from '../providers/provider.ts';

export interface CaptureDeps {
  articles: ArticleStore;
  captures: CaptureStore;
  blobs: BlobStore;
  images: ImageProcessor;
  fetcher: Fetcher;
  browser: Browser;
  clock: Clock;
  logger: Logger;
  metrics: ServiceMetrics;
  providers: Partial<Record<EmbedRecord['provider'], ProviderDefinition>>;
  queue: Queue;
}

export const RENDITIONS_JOB = 'renditions';
/** After every capture: renditions wait behind publish-time captures (priority 0) and re-captures. */
const RENDITIONS_PRIORITY = 20;

export type CaptureResult =
  | { kind: 'saved'; status: CaptureStatus; availability: Availability; captureId: string }
  /** The embed was already final: an earlier run of the job saved its capture before its worker died. */
  | { kind: 'done-before'; status: CaptureStatus }
  | { kind: 'retry'; afterMs: number; reason: string };

export const GONE_STATES: ReadonlySet<Availability> = new Set(['deleted', 'protected', 'suspended', 'withheld', 'not_found']);
const MAX_MEDIA_BYTES = 25 * 1024 * 1024;

/** Errors worth another attempt later: the network, the browser, a 5xx — not a bad image or a refused address. */
export function isTransient(error: unknown): boolean {
  if (error instanceof EgressError) return error.reason === 'network' || error.reason === 'timeout' || error.reason === 'dns';
  if (error instanceof BrowserError) return error.reason === 'timeout' || error.reason === 'crashed' || error.reason === 'launch';
  if (error instanceof UpstreamStatusError) return isRetryableStatus(error.status);
  if (error instanceof ImageError) return false;
  return false;
}

/**
 * Runs the provider's layers for one embed and stores a new capture version. A layer that fails
 * records its error; what earlier layers kept stays. Returns `retry` for rate limits and transient
 * failures that kept nothing, unless this is the last attempt. Captures only a `pending` embed, so
 * a job run twice (its first worker died after saving) stores one capture. An aborted `signal`
 * (shutdown, lost lease) throws before anything is saved.
 */
export async function captureEmbed(embedId: string, deps: CaptureDeps, options: { finalAttempt: boolean; signal?: AbortSignal }): Promise<CaptureResult> {
  const [embed] = await deps.articles.getEmbeds([embedId]);
  if (!embed) throw new Error(`embed ${embedId} does not exist`);
  if (embed.status !== 'pending') return { kind: 'done-before', status: embed.status };
  const history = await deps.captures.listCaptures(embed.id);
  const started = deps.clock.now();
  const t0 = performance.now();
  const layers: LayerResult[] = [];
  const errors: unknown[] = [];
  const provider = deps.providers[embed.provider];

  const kept = new Set<string>();
  const storeImage = async (bytes: Uint8Array, url: string, kind: KeptImage['kind'], alt?: string): Promise<KeptImage> => {
    const meta = await keepImage(bytes, deps, { renditions: false });
    kept.add(meta.sha256);
    return { kind, sha256: meta.sha256, originalUrl: url, ...(alt ? { alt } : {}), contentType: meta.contentType, width: meta.width ?? 0, height: meta.height ?? 0 };
  };
  const ctx: CaptureContext = {
    embed,
    previouslyLive: history.some((c) => c.availability === 'live'),
    fetcher: deps.fetcher,
    browser: deps.browser,
    async layer(name, run) {
      const l0 = performance.now();
      try {
        const value = await run();
        layers.push({ layer: name, ok: true, ms: Math.round(performance.now() - l0) });
        return value;
      } catch (error) {
        if (error instanceof RetryLater) throw error;
        errors.push(error);
        const message = describe(error);
        layers.push({ layer: name, ok: false, ms: Math.round(performance.now() - l0), error: message });
        deps.metrics.captureFailures.inc({ provider: embed.provider, layer: name.split(':')[0]!, reason: reasonOf(error) });
        return undefined;
      }
    },
    skip(name, why) {
      layers.push({ layer: name, ok: true, ms: 0, skipped: true, error: why });
    },
    async keepImage(url, kind, alt) {
      const res = await deps.fetcher.fetch(url, { headers: { accept: 'image/avif,image/webp,image/*;q=0.8' }, maxBytes: MAX_MEDIA_BYTES });
      if (res.status !== 200) throw new UpstreamStatusError(res.status, { source: 'media', httpStatus: res.status, finalUrl: res.url });
      return storeImage(res.body, url, kind, alt);
    },
    keepImageBytes: storeImage,
    async keepScreenshot(shot) {
      if (shot.blocked.length) layers.push({ layer: 'egress', ok: true, ms: 0, notes: shot.blocked.slice(0, 50) });
      const meta = await keepImage(shot.png, deps, { renditions: false });
      kept.add(meta.sha256);
      return { sha256: meta.sha256, width: shot.width, height: shot.height };
    },
    async keepRaw(bytes, contentType) {
      const { sha256, size } = await deps.blobs.put(bytes);
      await deps.captures.putBlobs([{ sha256, size, contentType }]);
      return sha256;
    },
  };

  let outcome: CaptureOutcome;
  let rateLimited: RetryLater | undefined;
  try {
    if (provider) outcome = await provider.capture(ctx);
    else {
      ctx.skip('capture', `no capture layer for ${embed.provider} posts yet; the article's own markup is kept`);
      outcome = { availability: 'unknown', media: [] };
    }
  } catch (error) {
    if (!(error instanceof RetryLater)) {
      errors.push(error);
      deps.metrics.captureFailures.inc({ provider: embed.provider, layer: 'capture', reason: reasonOf(error) });
      layers.push({ layer: 'capture', ok: false, ms: Math.round(performance.now() - t0), error: describe(error) });
      outcome = { availability: 'unknown', media: [] };
    } else {
      if (!options.finalAttempt) return { kind: 'retry', afterMs: error.afterMs, reason: error.message };
      rateLimited = error;
      layers.push({ layer: 'data', ok: false, ms: Math.round(performance.now() - t0), error: error.message });
      outcome = { availability: 'rate_limited', evidence: error.evidence, media: [] };
    }
  }

  const keptSomething = Boolean(outcome.data || outcome.screenshot || outcome.media.length);
  const failed = layers.filter((l) => !l.ok);
  // A transient failure (network, a browser crash) is worth a whole new attempt while attempts remain.
  if (!rateLimited && !options.finalAttempt && errors.some(isTransient)) {
    return { kind: 'retry', afterMs: 0, reason: failed.map((l) => `${l.layer}: ${l.error}`).join('; ') };
  }
  let availability = outcome.availability;
  if (availability === 'unknown' && !keptSomething && errors.length) {
    availability = errors.some((e) => e instanceof EgressError && (e.reason === 'blocked_address' || e.reason === 'bad_url')) ? 'blocked' : 'error';
  }
  const status: CaptureStatus = keptSomething
    ? (failed.length ? 'partial' : 'archived')
    : (embed.fallback?.text || embed.fallback?.authorHandle ? 'partial' : 'failed');

  const capture: CaptureRecord = {
    id: newId('cap', started.getTime()),
    embedId: embed.id,
    method: provider?.method ?? `${embed.provider}:article`,
    status,
    availability,
    ...(outcome.data ? { data: outcome.data } : {}),
    ...(outcome.rawSha256 ? { rawSha256: outcome.rawSha256 } : {}),
    ...(outcome.screenshot ? { screenshot: outcome.screenshot } : {}),
    layers,
    ...(outcome.evidence ? { evidence: outcome.evidence } : {}),
    ...(failed.length ? { error: failed.map((l) => `${l.layer}: ${l.error}`).join('; ') } : {}),
    media: outcome.media.map(({ kind, sha256, originalUrl, alt }) => ({ kind, sha256, originalUrl, ...(alt ? { alt } : {}) })),
    startedAt: started,
    durationMs: Math.round(performance.now() - t0),
  };
  // Checked just before the save: after a shutdown released the job, another worker owns the embed.
  options.signal?.throwIfAborted();
  if (!(await deps.captures.saveCapture(capture))) {
    const [now] = await deps.articles.getEmbeds([embed.id]);
    return { kind: 'done-before', status: now?.status ?? status };
  }
  for (const sha256 of kept) {
    await deps.queue.enqueue({ kind: RENDITIONS_JOB, payload: { sha256, embedId: embed.id }, dedupKey: `renditions:${sha256}`, priority: RENDITIONS_PRIORITY });
  }
  deps.metrics.captures.inc({ provider: embed.provider, status });
  deps.metrics.captureDuration.observe(capture.durationMs / 1000, { provider: embed.provider });
  deps.logger.info('captured', { embedId: embed.id, provider: embed.provider, status, availability, ms: capture.durationMs, ...(capture.error ? { error: capture.error } : {}) });
  return { kind: 'saved', status, availability, captureId: capture.id };
}

/** A job that failed for good outside any layer still ends its embed's wait: it is recorded as failed. */
export async function recordGiveUp(embedId: string, reason: string, deps: Pick<CaptureDeps, 'articles' | 'captures' | 'clock'>): Promise<void> {
  const [embed] = await deps.articles.getEmbeds([embedId]);
  if (!embed || embed.status !== 'pending') return;
  const now = deps.clock.now();
  await deps.captures.saveCapture({
    id: newId('cap', now.getTime()),
    embedId,
    method: `${embed.provider}:gave-up`,
    status: embed.fallback?.text || embed.fallback?.authorHandle ? 'partial' : 'failed',
    availability: 'error',
    layers: [{ layer: 'capture', ok: false, ms: 0, error: reason }],
    error: reason,
    media: [],
    startedAt: now,
    durationMs: 0,
  });
}

function describe(error: unknown): string {
  if (error instanceof EgressError || error instanceof ImageError || error instanceof BrowserError) return `${error.reason}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function reasonOf(error: unknown): string {
  if (error instanceof EgressError || error instanceof ImageError || error instanceof BrowserError) return error.reason;
  if (error instanceof UpstreamStatusError) return `http_${error.status}`;
  return 'error';
}
