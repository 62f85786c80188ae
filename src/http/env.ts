import type { Config } from '../config.ts';
import type { TokenBuckets } from '../core/token-bucket.ts';
import type { Logger } from '../core/logger.ts';
import type { ServiceMetrics } from '../core/metrics.ts';
import type { ApiKeyRecord, ArticleStore, BlobStore, CaptureStore, Clock, KeyStore, Queue, Scope } from '../ports.ts';

export interface HealthCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

/** Everything the HTTP app needs, built by the runtime's entry. */
export interface AppDeps {
  config: Config;
  clock: Clock;
  logger: Logger;
  metrics: ServiceMetrics;
  articles: ArticleStore;
  captures: CaptureStore;
  keys: KeyStore;
  queue: Queue;
  blobs: BlobStore;
  health: HealthCheck[];
  /** Called after captures were queued, so an in-process worker starts at once. */
  onQueued?: () => void;
  /** Aborted when the service begins to stop: long polls answer with what they have instead of holding shutdown up. */
  stopping?: AbortSignal;
}

export interface Principal {
  kind: 'admin' | 'key';
  keyId?: string;
  name: string;
  scopes: ReadonlySet<Scope>;
}

export type AppEnv = {
  Variables: {
    requestId: string;
    principal?: Principal;
    deps: AppDeps;
    rateLimiter?: TokenBuckets;
  };
};

export type { ApiKeyRecord };
