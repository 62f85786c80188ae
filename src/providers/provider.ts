import type { Availability, MediaKind, PostData, Provider } from '../core/model.ts';
import type { Browser, EmbedRecord, Evidence, Fetcher, MediaRecord, ScreenshotResult } from '../ports.ts';

/** What a provider can use during one capture. Layers record their own timing and errors. */
export interface CaptureContext {
  embed: EmbedRecord;
  /** Earlier captures' data, newest first: lets a check tell "deleted" from "never existed". */
  previouslyLive: boolean;
  fetcher: Fetcher;
  browser: Browser;
  /** Runs one layer; a thrown error is recorded on the layer and yields undefined. */
  layer<T>(name: string, run: () => Promise<T>): Promise<T | undefined>;
  /** Marks a layer as not applicable (e.g. no screenshot of a deleted post). */
  skip(name: string, why: string): void;
  /** Downloads an image through egress, validates it and stores it with renditions. */
  keepImage(url: string, kind: MediaKind, alt?: string): Promise<KeptImage>;
  /** Validates and stores image bytes already downloaded from `url`. */
  keepImageBytes(bytes: Uint8Array, url: string, kind: MediaKind, alt?: string): Promise<KeptImage>;
  keepScreenshot(shot: ScreenshotResult): Promise<{ sha256: string; width: number; height: number }>;
  /** Stores the raw platform answer (JSON, HTML) as evidence. */
  keepRaw(bytes: Uint8Array, contentType: string): Promise<string>;
}

export interface KeptImage extends MediaRecord {
  contentType: string;
  width: number;
  height: number;
}

export interface CaptureOutcome {
  availability: Availability;
  evidence?: Evidence;
  data?: PostData;
  rawSha256?: string;
  screenshot?: { sha256: string; width: number; height: number };
  media: MediaRecord[];
}

/** An upstream answered with a status that says nothing about the post (5xx, 403 on an image …). */
/** Statuses that say nothing about the content: worth another attempt. */
export const isRetryableStatus = (status: number): boolean => status >= 500 || status === 408;

export class UpstreamStatusError extends Error {
  override readonly name = 'UpstreamStatusError';
  constructor(readonly status: number, readonly evidence: Evidence) {
    super(`upstream answered HTTP ${status}`);
  }
}

/** The platform asked us to come back later (429): the whole capture is retried. */
export class RetryLater extends Error {
  override readonly name = 'RetryLater';
  constructor(message: string, readonly afterMs: number, readonly evidence: Evidence) {
    super(message);
  }
}

export interface ProviderDefinition {
  provider: Provider;
  /** Short method name stored on each capture, e.g. "x:syndication+embed". */
  method: string;
  capture(ctx: CaptureContext): Promise<CaptureOutcome>;
}
