import type { Statement } from 'better-sqlite3';
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { ExtractedEmbed, Fallback } from '../../core/model.ts';
import { newId } from '../../core/ids.ts';
import { articleEmbeds, articles, embeds } from '../../db/schema.ts';
import type { ArticleInput, ArticleItem, ArticleRecord, ArticleStore, Clock, EmbedRecord } from '../../ports.ts';
import type { Db } from './sqlite-database.ts';
import { compact } from '../../core/compact.ts';

type EmbedRow = typeof embeds.$inferSelect;
type ArticleRow = typeof articles.$inferSelect;
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export function toEmbedRecord(row: EmbedRow): EmbedRecord {
  return compact({
    id: row.id,
    provider: row.provider,
    providerId: row.providerId,
    url: row.url,
    canonicalUrl: row.canonicalUrl,
    status: row.status,
    availability: row.availability,
    fallback: (row.fallback ?? undefined) as Fallback | undefined,
    hints: (row.hints ?? undefined) as EmbedRecord['hints'],
    latestCaptureId: row.latestCaptureId ?? undefined,
    archivedAt: row.archivedAt ?? undefined,
    lastCheckedAt: row.lastCheckedAt ?? undefined,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }) as EmbedRecord;
}

function toArticleRecord(row: ArticleRow): ArticleRecord {
  return compact({
    id: row.id,
    key: row.key,
    url: row.url ?? undefined,
    title: row.title ?? undefined,
    htmlSha256: row.htmlSha256 ?? undefined,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }) as ArticleRecord;
}

function hintsOf(item: ExtractedEmbed): EmbedRecord['hints'] | null {
  const hints = compact({ alt: item.alt, caption: item.caption });
  return Object.keys(hints).length ? hints : null;
}

/** Article versions remembered between two changes of the database. */
const MAX_KEPT_VERSIONS = 10_000;

export class SqliteArticleStore implements ArticleStore {
  private versionQuery: Statement | undefined;
  private stampQuery: Statement | undefined;
  private versionsStamp = '';
  private readonly versions = new Map<string, string | null>();

  constructor(private readonly db: Db, private readonly clock: Clock) {}

  async saveArticle(input: ArticleInput, items: ExtractedEmbed[]) {
    return this.db.transaction((tx) => {
      const now = this.clock.now();
      const existing = tx.select().from(articles).where(eq(articles.key, input.key)).get();
      let row: ArticleRow;
      if (existing) {
        row = tx.update(articles).set({
          url: input.url ?? existing.url,
          title: input.title ?? existing.title,
          html: input.html ?? existing.html,
          htmlSha256: input.htmlSha256 ?? existing.htmlSha256,
          updatedAt: now,
        }).where(eq(articles.id, existing.id)).returning().get();
      } else {
        row = tx.insert(articles).values({
          id: newId('art', now.getTime()),
          key: input.key,
          url: input.url ?? null,
          title: input.title ?? null,
          html: input.html ?? null,
          htmlSha256: input.htmlSha256 ?? null,
          createdAt: now,
          updatedAt: now,
        }).returning().get();
      }
      const resolved = this.ensureEmbedsTx(tx, items, now);
      tx.delete(articleEmbeds).where(eq(articleEmbeds.articleId, row.id)).run();
      items.forEach((item, position) => {
        tx.insert(articleEmbeds).values({
          articleId: row.id,
          position,
          embedId: resolved.byCanonical.get(item.canonicalUrl)!.id,
          role: item.role,
          url: item.url,
          fallback: item.fallback ?? null,
        }).run();
      });
      return { article: toArticleRecord(row), created: !existing, embeds: resolved.ordered };
    }, { behavior: 'immediate' });
  }

  async ensureEmbeds(items: ExtractedEmbed[]): Promise<EmbedRecord[]> {
    return this.db.transaction((tx) => this.ensureEmbedsTx(tx, items, this.clock.now()).ordered, { behavior: 'immediate' });
  }

  private ensureEmbedsTx(tx: Tx, items: ExtractedEmbed[], now: Date) {
    const byCanonical = new Map<string, EmbedRecord>();
    for (const item of items) {
      if (byCanonical.has(item.canonicalUrl)) continue;
      tx.insert(embeds).values({
        id: newId('emb', now.getTime()),
        provider: item.provider,
        providerId: item.providerId,
        url: item.url,
        canonicalUrl: item.canonicalUrl,
        status: 'pending',
        availability: 'unknown',
        fallback: item.fallback ?? null,
        hints: hintsOf(item),
        createdAt: now,
        updatedAt: now,
      }).onConflictDoNothing({ target: embeds.canonicalUrl }).run();
      let row = tx.select().from(embeds).where(eq(embeds.canonicalUrl, item.canonicalUrl)).get()!;
      // A later article may carry the post's text where the first one had a text-less paste.
      if (item.fallback?.text && !(row.fallback as Fallback | null)?.text) {
        row = tx.update(embeds).set({ fallback: item.fallback, updatedAt: now }).where(eq(embeds.id, row.id)).returning().get();
      }
      byCanonical.set(item.canonicalUrl, toEmbedRecord(row));
    }
    return { byCanonical, ordered: [...byCanonical.values()] };
  }

  async getArticle(id: string) {
    const row = this.db.select().from(articles).where(eq(articles.id, id)).get();
    if (!row) return null;
    const items = this.db.select().from(articleEmbeds).where(eq(articleEmbeds.articleId, id)).orderBy(asc(articleEmbeds.position)).all();
    return compact({
      article: toArticleRecord(row),
      html: row.html ?? undefined,
      items: items.map((i) => compact({
        position: i.position,
        role: i.role,
        url: i.url,
        embedId: i.embedId,
        fallback: (i.fallback ?? undefined) as Fallback | undefined,
      }) as ArticleItem),
    }) as { article: ArticleRecord; html?: string; items: ArticleItem[] };
  }

  /**
   * Asked on every cached render. The answer is kept until the database changes: `data_version`
   * moves when another connection (a worker process) commits, `total_changes()` when this one writes.
   */
  async articleVersion(id: string): Promise<string | null> {
    const client = this.db.$client;
    this.stampQuery ??= client.prepare("select total_changes() || '.' || data_version from pragma_data_version").pluck();
    const stamp = this.stampQuery.get() as string;
    if (stamp !== this.versionsStamp || this.versions.size > MAX_KEPT_VERSIONS) {
      this.versions.clear();
      this.versionsStamp = stamp;
    }
    const kept = this.versions.get(id);
    if (kept !== undefined) return kept;
    this.versionQuery ??= client.prepare(`select a.updated_at as a, count(e.id) as n, max(e.updated_at) as e, sum(e.updated_at) as s
      from articles a left join article_embeds ae on ae.article_id = a.id left join embeds e on e.id = ae.embed_id
      where a.id = ? group by a.id`);
    const row = this.versionQuery.get(id) as { a: number; n: number; e: number | null; s: number | null } | undefined;
    const version = row ? `${row.a}.${row.n}.${row.e ?? 0}.${row.s ?? 0}` : null;
    this.versions.set(id, version);
    return version;
  }

  async getEmbeds(ids: string[]): Promise<EmbedRecord[]> {
    if (ids.length === 0) return [];
    const rows = this.db.select().from(embeds).where(inArray(embeds.id, ids)).all();
    const byId = new Map(rows.map((r) => [r.id, toEmbedRecord(r)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async findEmbed(canonicalUrl: string): Promise<EmbedRecord | null> {
    const row = this.db.select().from(embeds).where(eq(embeds.canonicalUrl, canonicalUrl)).get();
    return row ? toEmbedRecord(row) : null;
  }

  async touchEmbeds(ids: string[]) {
    if (ids.length === 0) return;
    this.db.update(embeds).set({ updatedAt: this.clock.now() }).where(inArray(embeds.id, ids)).run();
  }

  async markPending(ids: string[]) {
    if (ids.length === 0) return;
    this.db.update(embeds).set({ status: 'pending', updatedAt: this.clock.now() })
      .where(inArray(embeds.id, ids)).run();
  }

  async listEmbeds(filter: { status?: EmbedRecord['status'][]; limit?: number; afterId?: string }) {
    const conditions = [
      filter.status?.length ? inArray(embeds.status, filter.status) : undefined,
      filter.afterId ? gt(embeds.id, filter.afterId) : undefined,
    ].filter((c) => c !== undefined);
    return this.db.select().from(embeds).where(conditions.length ? and(...conditions) : undefined)
      .orderBy(asc(embeds.id)).limit(filter.limit ?? 500).all().map(toEmbedRecord);
  }
}
