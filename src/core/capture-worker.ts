import { captureEmbed, recordGiveUp, RENDITIONS_JOB, type CaptureDeps } from './capture-embed.ts';
import { addRenditions } from './keep-image.ts';
import { CAPTURE_JOB, queueCaptures } from './ingest.ts';
import type { Logger } from './logger.ts';
import type { Job } from '../ports.ts';

export interface WorkerOptions {
  owner: string;
  concurrency: number;
  /** A job whose worker died becomes due again after this long; a live worker renews it every third of it. */
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
  private readonly inFlight = new Map<string, { job: Job; task: Promise<void>; abort: AbortController }>();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private stopping: Promise<{ released: number }> | undefined;
  private readonly o: Required<WorkerOptions>;
  private readonly deps: CaptureDeps;

  constructor(deps: CaptureDeps, options: WorkerOptions) {
    this.o = { leaseMs: DEFAULT_LEASE_MS, pollMs: 500, backoffMs: 1_000, maxBackoffMs: 10 * 60_000, random: Math.random, ...options };
    // Several workers may write to one log stream: every line says which one did the work.
    this.deps = { ...deps, logger: withFields(deps.logger, { worker: options.owner }) };
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
    this.heartbeat = setInterval(() => void this.renewLeases(), Math.max(50, Math.floor(this.o.leaseMs / 3)));
    this.heartbeat.unref?.();
    this.loop = this.run();
  }

  /** Wakes an idle worker at once (new jobs were queued in this process). */
  notify(): void {
    this.wake?.();
  }

  /**
   * Stops leasing and waits for in-flight jobs up to `graceMs`; the ones still running then are
   * aborted and handed back to the queue (due at once, the attempt not counted) for another worker.
   */
  stop(graceMs = 30_000): Promise<{ released: number }> {
    return (this.stopping ??= this.halt(graceMs));
  }

  private async halt(graceMs: number): Promise<{ released: number }> {
    this.running = false;
    this.notify();
    await this.loop;
    const left = (await this.drain(graceMs)) ? [] : [...this.inFlight.values()];
    for (const { job, abort } of left) {
      abort.abort(new Error('the worker is shutting down'));
      await this.deps.queue.release(job.id, this.o.owner);
    }
    clearInterval(this.heartbeat);
    return { released: left.length };
  }

  /** Waits up to `timeoutMs` for the running jobs to settle; false if some still run. */
  async drain(timeoutMs: number): Promise<boolean> {
    const settled = Promise.allSettled([...this.inFlight.values()].map((f) => f.task)).then(() => true);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const inTime = await Promise.race([settled, late]);
    clearTimeout(timer);
    return inTime;
  }

  get busy(): number {
    return this.inFlight.size;
  }

  /** The name this worker leases jobs under (`host:pid` on Node). */
  get owner(): string {
    return this.o.owner;
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
        this.deps.logger.debug('job leased', { jobId: job.id, kind: job.kind, attempt: job.attempts });
        const abort = new AbortController();
        const task = this.runJob(job, abort.signal).finally(() => {
          this.inFlight.delete(job.id);
          this.deps.metrics.inFlight.set(this.inFlight.size);
          this.notify();
        });
        this.inFlight.set(job.id, { job, task, abort });
      }
      this.deps.metrics.inFlight.set(this.inFlight.size);
      if (jobs.length === 0 || this.inFlight.size >= this.o.concurrency) await this.idle();
    }
  }

  /** Keeps the leases of running jobs; a job whose lease another worker took is aborted here. */
  private async renewLeases(): Promise<void> {
    for (const { job, abort } of this.inFlight.values()) {
      if (abort.signal.aborted) continue;
      try {
        if (!(await this.deps.queue.extend(job.id, this.o.owner, this.o.leaseMs))) {
          this.deps.logger.warn('lease lost: another worker has the job', { jobId: job.id });
          abort.abort(new Error('the lease lapsed and another worker took the job'));
        }
      } catch (error) {
        this.deps.logger.error('lease renewal failed', { jobId: job.id, error });
      }
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

  private async runJob(job: Job, signal: AbortSignal): Promise<void> {
    const { queue, logger, metrics } = this.deps;
    try {
      if (job.attempts > job.maxAttempts) return await this.giveUp(job, 'the worker died during the last attempt');
      if (job.kind === RENDITIONS_JOB) {
        const { sha256, embedId } = job.payload as { sha256: string; embedId?: string };
        await addRenditions(sha256, this.deps);
        if (embedId) await this.deps.articles.touchEmbeds([embedId]);
        await queue.complete(job.id, this.o.owner);
        return;
      }
      if (job.kind !== CAPTURE_JOB) throw new Error(`unknown job kind ${job.kind}`);
      const { embedId } = job.payload as { embedId: string };
      const result = await captureEmbed(embedId, this.deps, { finalAttempt: job.attempts >= job.maxAttempts, signal });
      if (result.kind !== 'retry') {
        if (result.kind === 'done-before') logger.info('capture job already done', { jobId: job.id, embedId, status: result.status });
        await queue.complete(job.id, this.o.owner);
        return;
      }
      const backoff = backoffDelay(job.attempts, this.o.backoffMs, this.o.maxBackoffMs, this.o.random);
      const delay = Math.max(result.afterMs + Math.round(result.afterMs * 0.2 * this.o.random()), result.afterMs ? 0 : backoff);
      logger.warn('capture will be retried', { jobId: job.id, attempt: job.attempts, delayMs: delay, reason: result.reason });
      const outcome = await queue.fail(job.id, this.o.owner, result.reason, new Date(this.deps.clock.now().getTime() + delay));
      if (outcome === 'retry') metrics.retries.inc({ kind: job.kind });
    } catch (error) {
      // The job was handed back (shutdown) or taken over (lost lease): it is no longer ours to fail.
      if (signal.aborted) {
        logger.info('job abandoned', { jobId: job.id, reason: (signal.reason as Error).message });
        return;
      }
      const delay = backoffDelay(job.attempts, this.o.backoffMs, this.o.maxBackoffMs, this.o.random);
      logger.error('job failed', { jobId: job.id, attempt: job.attempts, error, stack: (error as Error).stack });
      const reason = (error as Error).message ?? String(error);
      const outcome = await queue.fail(job.id, this.o.owner, reason, new Date(this.deps.clock.now().getTime() + delay));
      if (outcome === 'retry') metrics.retries.inc({ kind: job.kind });
      else if (outcome === 'failed' && job.kind === CAPTURE_JOB) await recordGiveUp((job.payload as { embedId: string }).embedId, reason, this.deps);
    }
  }

  private async giveUp(job: Job, reason: string): Promise<void> {
    this.deps.logger.warn('job given up', { jobId: job.id, attempts: job.attempts - 1, reason });
    const outcome = await this.deps.queue.fail(job.id, this.o.owner, reason);
    if (outcome === 'failed' && job.kind === CAPTURE_JOB) await recordGiveUp((job.payload as { embedId: string }).embedId, reason, this.deps);
  }
}

function withFields(logger: Logger, fields: Record<string, unknown>): Logger {
  return {
    debug: (msg, f) => logger.debug(msg, { ...fields, ...f }),
    info: (msg, f) => logger.info(msg, { ...fields, ...f }),
    warn: (msg, f) => logger.warn(msg, { ...fields, ...f }),
    error: (msg, f) => logger.error(msg, { ...fields, ...f }),
  };
}
