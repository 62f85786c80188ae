import type { Clock, Job, JobInput, Queue } from '../../ports.ts';
import { newId } from '../../core/ids.ts';
import type { Db } from './sqlite-database.ts';

interface JobRow {
  id: string;
  kind: string;
  payload: string;
  attempts: number;
  max_attempts: number;
  dedup_key: string | null;
}

const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * A durable queue in the service's SQLite file. Leasing is one IMMEDIATE transaction, so several
 * worker processes on the same file never take the same job; a lapsed lease makes the job due again.
 */
export class SqliteQueue implements Queue {
  private readonly client: Db['$client'];

  constructor(db: Db, private readonly clock: Clock) {
    this.client = db.$client;
  }

  async enqueue(job: JobInput) {
    const now = this.clock.now().getTime();
    const id = newId('job', now);
    const add = this.client.transaction((): { id: string; created: boolean } => {
      if (job.whileEmbedPending !== undefined) {
        const status = this.client.prepare('select status from embeds where id = ?').pluck().get(job.whileEmbedPending);
        if (status !== 'pending') return { id: this.activeJob(job.dedupKey) ?? id, created: false };
      }
      // The partial unique index on dedup_key over active jobs turns a duplicate into an ignored insert.
      const info = this.client.prepare(`insert or ignore into jobs
        (id, kind, payload, state, dedup_key, priority, run_at, attempts, max_attempts, created_at, updated_at)
        values (?, ?, ?, 'queued', ?, ?, ?, 0, ?, ?, ?)`).run(
        id, job.kind, JSON.stringify(job.payload ?? null), job.dedupKey ?? null, job.priority ?? 0,
        job.runAt?.getTime() ?? now, job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, now, now,
      );
      return info.changes === 1 ? { id, created: true } : { id: this.activeJob(job.dedupKey) ?? id, created: false };
    });
    return add.immediate();
  }

  private activeJob(dedupKey: string | undefined): string | undefined {
    if (dedupKey === undefined) return undefined;
    return this.client.prepare(`select id from jobs where dedup_key = ? and state in ('queued','leased')`).pluck().get(dedupKey) as string | undefined;
  }

  async lease(owner: string, limit: number, leaseMs: number): Promise<Job[]> {
    const now = this.clock.now().getTime();
    // A lapsed lease after the last attempt is handed out too (attempts > max_attempts): its worker
    // died mid-job, and only a worker can record the give-up for what the job was doing.
    const take = this.client.prepare(`update jobs set state = 'leased', lease_owner = ?, lease_until = ?,
        attempts = attempts + 1, updated_at = ?
      where id in (select id from jobs
        where (state = 'queued' and run_at <= ?) or (state = 'leased' and lease_until <= ?)
        order by priority, run_at, id limit ?)
      returning id, kind, payload, attempts, max_attempts, dedup_key`);
    const rows = this.client.transaction(() => take.all(owner, now + leaseMs, now, now, now, limit) as JobRow[]).immediate();
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      payload: JSON.parse(r.payload) as unknown,
      attempts: r.attempts,
      maxAttempts: r.max_attempts,
      ...(r.dedup_key ? { dedupKey: r.dedup_key } : {}),
    }));
  }

  async extend(jobId: string, owner: string, leaseMs: number) {
    const now = this.clock.now().getTime();
    // Still ours even if it lapsed meanwhile: taking a job over rewrites lease_owner.
    const info = this.client.prepare(`update jobs set lease_until = ?, updated_at = ?
      where id = ? and lease_owner = ? and state = 'leased'`).run(now + leaseMs, now, jobId, owner);
    return info.changes === 1;
  }

  async release(jobId: string, owner: string) {
    const now = this.clock.now().getTime();
    this.client.prepare(`update jobs set state = 'queued', run_at = ?, lease_owner = null, lease_until = null,
        attempts = max(attempts - 1, 0), updated_at = ?
      where id = ? and lease_owner = ? and state = 'leased'`).run(now, now, jobId, owner);
  }

  async complete(jobId: string, owner: string) {
    this.client.prepare(`update jobs set state = 'done', lease_owner = null, lease_until = null, updated_at = ?
      where id = ? and lease_owner = ? and state = 'leased'`).run(this.clock.now().getTime(), jobId, owner);
  }

  async fail(jobId: string, owner: string, error: string, retryAt?: Date): Promise<'retry' | 'failed' | 'lost'> {
    const now = this.clock.now().getTime();
    const row = this.client.prepare(`select attempts, max_attempts from jobs where id = ? and lease_owner = ? and state = 'leased'`)
      .get(jobId, owner) as { attempts: number; max_attempts: number } | undefined;
    if (!row) return 'lost';
    if (retryAt && row.attempts < row.max_attempts) {
      this.client.prepare(`update jobs set state = 'queued', run_at = ?, lease_owner = null, lease_until = null,
        last_error = ?, updated_at = ? where id = ?`).run(retryAt.getTime(), error, now, jobId);
      return 'retry';
    }
    this.client.prepare(`update jobs set state = 'failed', lease_owner = null, lease_until = null,
      last_error = ?, updated_at = ? where id = ?`).run(error, now, jobId);
    return 'failed';
  }

  async stats() {
    const rows = this.client.prepare(`select state, count(*) as n from jobs group by state`).all() as Array<{ state: string; n: number }>;
    const counts = { queued: 0, leased: 0, failed: 0, done: 0 };
    for (const r of rows) if (r.state in counts) counts[r.state as keyof typeof counts] = r.n;
    return counts;
  }
}
