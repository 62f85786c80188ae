import { captureEmbed, recordGiveUp, RENDITIONS_JOB, type CaptureDeps } from './capture-embed.ts';
import { addRenditions } from './keep-image.ts';
import { CAPTURE_JOB, queueCaptures } from './ingest.ts';
import type { Job } from '../ports.ts';

export interface WorkerOptions {
  owner: string;
  concurrency: number;
  /** A job whose worker died becomes due again after this long. */
  leaseMs?: number;
  /** How often an idle worker looks for due jobs. */
  pollMs?: number;
  /** Base of the exponential backoff between attempts. */
  backoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
}

export const DEFAULT_LEASE_MS = 120_000;

/** Exponential backoff with full jitter in [delay/2, delay]. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const delay = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(delay / 2 + (delay / 2) * random());
}

/** Leases capture jobs from the durable queue and runs them with bounded concurrency. */
export class CaptureWorker {
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly o: Required<WorkerOptions>;

  constructor(private readonly deps: CaptureDeps, options: WorkerOptions) {
    this.o = { leaseMs: DEFAULT_LEASE_MS, pollMs: 500, backoffMs: 1_000, maxBackoffMs: 10 * 60_000, random: Math.random, ...options };
  }

  /** Re-queues embeds left pending without a job (e.g. by a crash between ingest and enqueue), then runs. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    let afterId: string | undefined;
    for (;;) {
      const page = await this.deps.articles.listEmbeds({ status: ['pending'], limit: 500, ...(afterId ? { afterId } : {}) });
      if (page.length === 0) break;
      await queueCaptures(page, { ...this.deps, priority: 5 });
      afterId = page.at(-1)!.id;
    }
    this.loop = this.run();
  }

  /** Wakes an idle worker at once (new jobs were queued in this process). */
  notify(): void {
    this.wake?.();
  }

  /** Stops leasing; waits for in-flight captures up to `graceMs`. Unfinished jobs are picked up again when their lease lapses. */
  async stop(graceMs = 30_000): Promise<{ unfinished: number }> {
    this.running = false;
    this.notify();
    await this.loop;
    const settled = Promise.allSettled([...this.inFlight]).then(() => true);
    const inTime = await Promise.race([settled, new Promise<false>((r) => setTimeout(() => r(false), graceMs).unref?.())]);
    return { unfinished: inTime ? 0 : this.inFlight.size };
  }

  get busy(): number {
    return this.inFlight.size;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const free = this.o.concurrency - this.inFlight.size;
      let jobs: Job[] = [];
      if (free > 0) {
        try {
          jobs = await this.deps.queue.lease(this.o.owner, free, this.o.leaseMs);
        } catch (error) {
          this.deps.logger.error('queue lease failed', { error });
        }
      }
      for (const job of jobs) {
        const task = this.runJob(job).finally(() => {
          this.inFlight.delete(task);
          this.deps.metrics.inFlight.set(this.inFlight.size);
          this.notify();
        });
        this.inFlight.add(task);
      }
      this.deps.metrics.inFlight.set(this.inFlight.size);
      if (jobs.length === 0 || this.inFlight.size >= this.o.concurrency) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.o.pollMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private async runJob(job: Job): Promise<void> {
    const { queue, logger, metrics } = this.deps;
    const finalAttempt = job.attempts >= job.maxAttempts;
    try {
      if (job.kind === RENDITIONS_JOB) {
        const { sha256, embedId } = job.payload as { sha256: string; embedId?: string };
        await addRenditions(sha256, this.deps);
        if (embedId) await this.deps.articles.touchEmbeds([embedId]);
        await queue.complete(job.id, this.o.owner);
        return;
      }
      if (job.kind !== CAPTURE_JOB) throw new Error(`unknown job kind ${job.kind}`);
      const { embedId } = job.payload as { embedId: string };
      const result = await captureEmbed(embedId, this.deps, { finalAttempt });
      if (result.kind === 'saved') {
        await queue.complete(job.id, this.o.owner);
        return;
      }
      const backoff = backoffDelay(job.attempts, this.o.backoffMs, this.o.maxBackoffMs, this.o.random);
      const delay = Math.max(result.afterMs + Math.round(result.afterMs * 0.2 * this.o.random()), result.afterMs ? 0 : backoff);
      metrics.retries.inc({ kind: job.kind });
      logger.warn('capture will be retried', { jobId: job.id, attempt: job.attempts, delayMs: delay, reason: result.reason });
      await queue.fail(job.id, this.o.owner, result.reason, new Date(this.deps.clock.now().getTime() + delay));
    } catch (error) {
      const delay = backoffDelay(job.attempts, this.o.backoffMs, this.o.maxBackoffMs, this.o.random);
      logger.error('job failed', { jobId: job.id, attempt: job.attempts, error, stack: (error as Error).stack });
      const reason = (error as Error).message ?? String(error);
      const outcome = await queue.fail(job.id, this.o.owner, reason, new Date(this.deps.clock.now().getTime() + delay));
      if (outcome === 'retry') metrics.retries.inc({ kind: job.kind });
      else if (job.kind === CAPTURE_JOB) await recordGiveUp((job.payload as { embedId: string }).embedId, reason, this.deps);
    }
  }
}
