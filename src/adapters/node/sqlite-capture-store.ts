import { asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { compact } from '../../core/compact.ts';
import type { PostData } from '../../core/model.ts';
import { blobs, captures, checks, embeds, media, renditions } from '../../db/schema.ts';
import type {
  BlobMeta, CaptureRecord, CaptureStore, CheckRecord, Evidence, LayerResult, RenditionRecord,
} from '../../ports.ts';
import type { Db } from './sqlite-database.ts';

type CaptureRow = typeof captures.$inferSelect;

export class SqliteCaptureStore implements CaptureStore {
  constructor(private readonly db: Db) {}

  async saveCapture(c: CaptureRecord) {
    return this.db.transaction((tx) => {
      // A job re-run after a lapsed lease may finish after the first run did: the first one counts.
      const embed = tx.select({ status: embeds.status }).from(embeds).where(eq(embeds.id, c.embedId)).get();
      if (embed?.status !== 'pending') return false;
      tx.insert(captures).values({
        id: c.id,
        embedId: c.embedId,
        method: c.method,
        status: c.status,
        availability: c.availability,
        data: c.data ?? null,
        rawSha256: c.rawSha256 ?? null,
        screenshotSha256: c.screenshot?.sha256 ?? null,
        screenshotWidth: c.screenshot?.width ?? null,
        screenshotHeight: c.screenshot?.height ?? null,
        layers: c.layers,
        evidence: c.evidence ?? null,
        error: c.error ?? null,
        startedAt: c.startedAt,
        durationMs: c.durationMs,
      }).run();
      c.media.forEach((m, position) => {
        tx.insert(media).values({ captureId: c.id, position, kind: m.kind, sha256: m.sha256, originalUrl: m.originalUrl, alt: m.alt ?? null }).run();
      });
      const finishedAt = new Date(c.startedAt.getTime() + c.durationMs);
      // Only a capture that holds a copy becomes the one shown; a partial one with nothing new (the
      // original is gone, the article's text is all there is) must not hide an earlier copy.
      const kept = Boolean(c.data || c.screenshot || c.media.length);
      tx.update(embeds).set({
        // A failed re-capture never hides the copy an earlier capture kept.
        status: kept ? c.status : sql`case when ${embeds.latestCaptureId} is null then ${c.status}
          else (select ${captures.status} from ${captures} where ${captures.id} = ${embeds.latestCaptureId}) end`,
        availability: c.availability,
        updatedAt: finishedAt,
        lastCheckedAt: finishedAt,
        ...(kept ? { latestCaptureId: c.id, archivedAt: finishedAt } : {}),
      }).where(eq(embeds.id, c.embedId)).run();
      return true;
    }, { behavior: 'immediate' });
  }

  async listCaptures(embedId: string): Promise<CaptureRecord[]> {
    const rows = this.db.select().from(captures).where(eq(captures.embedId, embedId)).orderBy(desc(captures.startedAt)).all();
    if (rows.length === 0) return [];
    const mediaRows = this.db.select().from(media).where(inArray(media.captureId, rows.map((r) => r.id)))
      .orderBy(asc(media.position)).all();
    return rows.map((row) => toCapture(row, mediaRows.filter((m) => m.captureId === row.id)));
  }

  async putBlobs(metas: BlobMeta[]) {
    if (metas.length === 0) return;
    const now = new Date();
    this.db.insert(blobs).values(metas.map((m) => ({
      sha256: m.sha256,
      contentType: m.contentType,
      size: m.size,
      width: m.width ?? null,
      height: m.height ?? null,
      placeholder: m.placeholder ?? null,
      createdAt: now,
    }))).onConflictDoNothing().run();
  }

  async getBlobs(sha256s: string[]): Promise<BlobMeta[]> {
    if (sha256s.length === 0) return [];
    return this.db.select().from(blobs).where(inArray(blobs.sha256, sha256s)).all().map((r) => compact({
      sha256: r.sha256,
      contentType: r.contentType,
      size: r.size,
      width: r.width ?? undefined,
      height: r.height ?? undefined,
      placeholder: r.placeholder ?? undefined,
    }));
  }

  async putRenditions(list: RenditionRecord[]) {
    if (list.length === 0) return;
    this.db.insert(renditions).values(list).onConflictDoNothing().run();
  }

  async listRenditions(sourceSha256s: string[]): Promise<RenditionRecord[]> {
    if (sourceSha256s.length === 0) return [];
    return this.db.select().from(renditions).where(inArray(renditions.sourceSha256, sourceSha256s))
      .orderBy(asc(renditions.width)).all() as RenditionRecord[];
  }

  async saveCheck(check: CheckRecord) {
    this.db.transaction((tx) => {
      tx.insert(checks).values({
        id: check.id,
        embedId: check.embedId,
        checkedAt: check.checkedAt,
        availability: check.availability,
        httpStatus: check.evidence.httpStatus ?? null,
        typename: check.evidence.typename ?? null,
        finalUrl: check.evidence.finalUrl ?? null,
        excerpt: check.evidence.excerpt ?? null,
        error: check.error ?? null,
      }).run();
      tx.update(embeds).set({ lastCheckedAt: check.checkedAt }).where(eq(embeds.id, check.embedId)).run();
    }, { behavior: 'immediate' });
  }

  async listChecks(embedId: string, limit = 50): Promise<CheckRecord[]> {
    return this.db.select().from(checks).where(eq(checks.embedId, embedId)).orderBy(desc(checks.checkedAt)).limit(limit).all()
      .map((r) => compact({
        id: r.id,
        embedId: r.embedId,
        checkedAt: r.checkedAt,
        availability: r.availability as CheckRecord['availability'],
        evidence: compact({
          httpStatus: r.httpStatus ?? undefined,
          typename: r.typename ?? undefined,
          finalUrl: r.finalUrl ?? undefined,
          excerpt: r.excerpt ?? undefined,
        }) as Evidence,
        error: r.error ?? undefined,
      }));
  }
}

function toCapture(row: CaptureRow, mediaRows: Array<typeof media.$inferSelect>): CaptureRecord {
  return compact({
    id: row.id,
    embedId: row.embedId,
    method: row.method,
    status: row.status as CaptureRecord['status'],
    availability: row.availability as CaptureRecord['availability'],
    data: (row.data ?? undefined) as PostData | undefined,
    rawSha256: row.rawSha256 ?? undefined,
    screenshot: row.screenshotSha256
      ? { sha256: row.screenshotSha256, width: row.screenshotWidth ?? 0, height: row.screenshotHeight ?? 0 }
      : undefined,
    layers: (row.layers ?? []) as LayerResult[],
    evidence: (row.evidence ?? undefined) as Evidence | undefined,
    error: row.error ?? undefined,
    media: mediaRows.map((m) => compact({ kind: m.kind as CaptureRecord['media'][number]['kind'], sha256: m.sha256, originalUrl: m.originalUrl, alt: m.alt ?? undefined })),
    startedAt: row.startedAt,
    durationMs: row.durationMs,
  });
}
