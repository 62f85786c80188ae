/** The small interfaces the core needs; each runtime implements them in src/adapters/<runtime>/. */
import type {
  Availability, CaptureStatus, ExtractedEmbed, Fallback, MediaKind, PostData, Provider, Range, Role,
} from './core/model.ts';

export interface Clock {
  now(): Date;
}

export interface BlobStore {
  /** Stores bytes under their sha256 (hex); writing the same bytes twice is a no-op. */
  put(bytes: Uint8Array): Promise<{ sha256: string; size: number }>;
  get(sha256: string): Promise<Uint8Array | null>;
  has(sha256: string): Promise<boolean>;
  list(): AsyncIterable<string>;
}

export interface FetchOptions {
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** Body cap; going over it is an EgressError('too_large'). */
  maxBytes?: number;
  /** Total time for the request, body included. */
  timeoutMs?: number;
  maxRedirects?: number;
}

export interface FetchResponse {
  status: number;
  headers: Headers;
  /** The final URL after redirects. */
  url: string;
  /** Every URL followed, in order, the first one included. */
  redirects: string[];
  body: Uint8Array;
}

/** Every outbound request of the service goes through this: overrides, SSRF guard, caps. */
export interface Fetcher {
  fetch(url: string, options?: FetchOptions): Promise<FetchResponse>;
}

export interface ScreenshotRequest {
  url: string;
  /** The element that holds the rendered post; the screenshot is clipped to it. */
  selector: string;
  /** Elements that mean "not rendered yet" (placeholders, spinners); must be absent. */
  notSelector?: string;
  /** Elements that mean "will never render" (an unavailable-post notice): fail at once instead of timing out. */
  failSelector?: string;
  viewport: { width: number; height: number };
  deviceScaleFactor: number;
  colorScheme?: 'light' | 'dark';
  timeoutMs: number;
  /** `viewport`: the visible top of the page instead of the element (whole web pages). */
  clip?: 'element' | 'viewport';
}

export interface ScreenshotResult {
  png: Uint8Array;
  /** CSS pixel size of the element; the PNG is deviceScaleFactor times that. */
  width: number;
  height: number;
  /** innerText of the element (at most 20 000 characters). */
  text: string;
  title: string;
  finalUrl: string;
  /** Requests of the page the egress layer refused, as "reason url". */
  blocked: string[];
}

export interface Browser {
  screenshot(request: ScreenshotRequest): Promise<ScreenshotResult>;
  health(): Promise<{ ok: boolean; detail?: string }>;
  close(): Promise<void>;
}

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'tiff' | 'svg';

export interface ImageInfo {
  format: ImageFormat;
  contentType: string;
  width: number;
  height: number;
  pages: number;
}

export interface Rendition {
  bytes: Uint8Array;
  contentType: string;
  width: number;
  height: number;
}

export interface ImageProcessor {
  /** Decodes the header and the pixels under the limits; throws ImageError on anything else. */
  probe(bytes: Uint8Array): Promise<ImageInfo>;
  render(bytes: Uint8Array, target: { format: 'webp' | 'avif' | 'png'; width: number }): Promise<Rendition>;
  /** A tiny base64 placeholder (thumbhash) shown while the real image loads. */
  placeholder(bytes: Uint8Array): Promise<string>;
}

export interface JobInput {
  kind: string;
  payload: unknown;
  /** One active (queued or leased) job per key at most. */
  dedupKey?: string;
  /**
   * An embed id: the job is made only while that embed is `pending`, checked with the insert in one
   * step, so a capture that finished between the caller's read and this call is not queued again.
   */
  whileEmbedPending?: string;
  /** Lower runs first; publish-time work is 0, backfill 10. */
  priority?: number;
  runAt?: Date;
  maxAttempts?: number;
}

export interface Job {
  id: string;
  kind: string;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
  dedupKey?: string;
}

export interface Queue {
  enqueue(job: JobInput): Promise<{ id: string; created: boolean }>;
  /**
   * Takes up to `limit` due jobs for `owner` for `leaseMs`; a lapsed lease makes a job due again.
   * A job handed out with `attempts > maxAttempts` lost its worker during its last attempt: give it up.
   */
  lease(owner: string, limit: number, leaseMs: number): Promise<Job[]>;
  /** Renews a lease the owner still holds; false when it lapsed and another worker may have the job. */
  extend(jobId: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Hands a leased job back, due now, without counting the attempt (the worker is shutting down). */
  release(jobId: string, owner: string): Promise<void>;
  complete(jobId: string, owner: string): Promise<void>;
  /**
   * Retries at `retryAt`, or fails for good when attempts are used up or `retryAt` is absent;
   * `lost` (nothing changed) when the owner's lease lapsed and another worker took the job.
   */
  fail(jobId: string, owner: string, error: string, retryAt?: Date): Promise<'retry' | 'failed' | 'lost'>;
  stats(): Promise<{ queued: number; leased: number; failed: number; done: number }>;
}

export interface EmbedRecord {
  id: string;
  provider: Provider;
  providerId: string;
  url: string;
  canonicalUrl: string;
  status: CaptureStatus;
  availability: Availability;
  fallback?: Fallback;
  hints?: { alt?: string; caption?: string };
  latestCaptureId?: string;
  archivedAt?: Date;
  lastCheckedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface ArticleRecord {
  id: string;
  key: string;
  url?: string;
  title?: string;
  htmlSha256?: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ArticleItem {
  position: number;
  role: Role;
  url: string;
  embedId: string;
  fallback?: Fallback;
}

export interface ArticleInput {
  key: string;
  url?: string;
  title?: string;
  html?: string;
  htmlSha256?: string;
}

/** Articles, embeds and their occurrences. */
export interface ArticleStore {
  /** Upserts the article by key, one embed per canonical URL, and replaces its occurrences; all or nothing. */
  saveArticle(article: ArticleInput, items: ExtractedEmbed[]): Promise<{ article: ArticleRecord; created: boolean; embeds: EmbedRecord[] }>;
  /** Creates missing embeds (one per canonical URL) and returns them in input order, deduplicated. */
  ensureEmbeds(items: ExtractedEmbed[]): Promise<EmbedRecord[]>;
  getArticle(id: string): Promise<{ article: ArticleRecord; html?: string; items: ArticleItem[] } | null>;
  /** A stamp that changes whenever the article or one of its embeds does, without reading the HTML. */
  articleVersion(id: string): Promise<string | null>;
  getEmbeds(ids: string[]): Promise<EmbedRecord[]>;
  findEmbed(canonicalUrl: string): Promise<EmbedRecord | null>;
  /** Embeds by status in id order, paged by `afterId`: for sweeps (re-queue after a crash, audits). */
  /** Marks embeds as changed (their renditions arrived): cached renders of them are stale. */
  touchEmbeds(ids: string[]): Promise<void>;
  /** Moves embeds back to `pending` before they are captured again (their kept copies stay). */
  markPending(ids: string[]): Promise<void>;
  listEmbeds(filter: { status?: CaptureStatus[]; limit?: number; afterId?: string }): Promise<EmbedRecord[]>;
}

export interface LayerResult {
  layer: string;
  ok: boolean;
  ms: number;
  error?: string;
  skipped?: boolean;
  /** What else happened, e.g. requests of the page that the egress layer refused. */
  notes?: string[];
}

export interface Evidence {
  httpStatus?: number;
  typename?: string;
  finalUrl?: string;
  excerpt?: string;
  source?: string;
}

export interface MediaRecord {
  kind: MediaKind;
  sha256: string;
  originalUrl: string;
  alt?: string;
}

export interface CaptureRecord {
  id: string;
  embedId: string;
  method: string;
  status: CaptureStatus;
  availability: Availability;
  data?: PostData;
  rawSha256?: string;
  screenshot?: { sha256: string; width: number; height: number };
  layers: LayerResult[];
  evidence?: Evidence;
  error?: string;
  media: MediaRecord[];
  startedAt: Date;
  durationMs: number;
}

export interface BlobMeta {
  sha256: string;
  contentType: string;
  size: number;
  width?: number;
  height?: number;
  placeholder?: string;
}

export interface RenditionRecord {
  sourceSha256: string;
  format: 'webp' | 'avif' | 'png';
  width: number;
  height: number;
  sha256: string;
}

export interface CheckRecord {
  id: string;
  embedId: string;
  checkedAt: Date;
  availability: Availability;
  evidence: Evidence;
  error?: string;
}

/** Captures (versions), blob metadata, renditions and link-rot checks. */
export interface CaptureStore {
  /**
   * Adds a capture version and moves the embed to its status/availability in one step, only while the
   * embed is `pending`: false, and nothing stored, when another run of the same job finished it first.
   */
  saveCapture(capture: CaptureRecord): Promise<boolean>;
  listCaptures(embedId: string): Promise<CaptureRecord[]>;
  putBlobs(metas: BlobMeta[]): Promise<void>;
  getBlobs(sha256s: string[]): Promise<BlobMeta[]>;
  putRenditions(renditions: RenditionRecord[]): Promise<void>;
  listRenditions(sourceSha256s: string[]): Promise<RenditionRecord[]>;
  saveCheck(check: CheckRecord): Promise<void>;
  listChecks(embedId: string, limit?: number): Promise<CheckRecord[]>;
}

export const SCOPES = ['archive', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: Date;
  revokedAt?: Date;
  lastUsedAt?: Date;
}

export interface KeyStore {
  create(key: { id: string; name: string; hash: string; prefix: string; scopes: Scope[] }): Promise<ApiKeyRecord>;
  /** The live (not revoked) key with this hash. */
  findByHash(hash: string): Promise<ApiKeyRecord | null>;
  revoke(id: string): Promise<boolean>;
  list(): Promise<ApiKeyRecord[]>;
}

export type { Range };
