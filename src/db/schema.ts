import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const createdAt = () => integer('created_at', { mode: 'timestamp_ms' }).notNull();
const updatedAt = () => integer('updated_at', { mode: 'timestamp_ms' }).notNull();

export const articles = sqliteTable('articles', {
  id: text('id').primaryKey(),
  /** Identity: the canonical article URL, or `sha256:<hash of html>` when no URL was given. */
  key: text('key').notNull().unique(),
  url: text('url'),
  title: text('title'),
  html: text('html'),
  htmlSha256: text('html_sha256'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const embeds = sqliteTable('embeds', {
  id: text('id').primaryKey(),
  provider: text('provider').notNull(),
  providerId: text('provider_id').notNull(),
  url: text('url').notNull(),
  canonicalUrl: text('canonical_url').notNull().unique(),
  status: text('status').notNull().default('pending'),
  availability: text('availability').notNull().default('unknown'),
  /** JSON Fallback parsed from the first article that carried the embed. */
  fallback: text('fallback', { mode: 'json' }),
  /** JSON extra facts from extraction (alt, caption). */
  hints: text('hints', { mode: 'json' }),
  latestCaptureId: text('latest_capture_id'),
  archivedAt: integer('archived_at', { mode: 'timestamp_ms' }),
  lastCheckedAt: integer('last_checked_at', { mode: 'timestamp_ms' }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [index('embeds_provider_id').on(t.provider, t.providerId), index('embeds_status').on(t.status)]);

export const articleEmbeds = sqliteTable('article_embeds', {
  articleId: text('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
  position: integer('position').notNull(),
  embedId: text('embed_id').notNull().references(() => embeds.id),
  role: text('role').notNull(),
  url: text('url').notNull(),
  fallback: text('fallback', { mode: 'json' }),
}, (t) => [primaryKey({ columns: [t.articleId, t.position] }), index('article_embeds_embed').on(t.embedId)]);

export const blobs = sqliteTable('blobs', {
  sha256: text('sha256').primaryKey(),
  contentType: text('content_type').notNull(),
  size: integer('size').notNull(),
  width: integer('width'),
  height: integer('height'),
  /** Thumbhash placeholder (base64) for images. */
  placeholder: text('placeholder'),
  createdAt: createdAt(),
});

export const renditions = sqliteTable('renditions', {
  sourceSha256: text('source_sha256').notNull().references(() => blobs.sha256),
  format: text('format').notNull(),
  width: integer('width').notNull(),
  sha256: text('sha256').notNull().references(() => blobs.sha256),
  height: integer('height').notNull(),
}, (t) => [primaryKey({ columns: [t.sourceSha256, t.format, t.width] })]);

export const captures = sqliteTable('captures', {
  id: text('id').primaryKey(),
  embedId: text('embed_id').notNull().references(() => embeds.id),
  method: text('method').notNull(),
  status: text('status').notNull(),
  availability: text('availability').notNull(),
  /** JSON PostData: text, author, entities, media, quoted post. */
  data: text('data', { mode: 'json' }),
  rawSha256: text('raw_sha256').references(() => blobs.sha256),
  screenshotSha256: text('screenshot_sha256').references(() => blobs.sha256),
  screenshotWidth: integer('screenshot_width'),
  screenshotHeight: integer('screenshot_height'),
  /** JSON array of { layer, ok, error?, ms } — what each layer did. */
  layers: text('layers', { mode: 'json' }),
  /** JSON evidence of the availability decision (status, typename, final URL, excerpt). */
  evidence: text('evidence', { mode: 'json' }),
  error: text('error'),
  startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
  durationMs: integer('duration_ms').notNull(),
}, (t) => [index('captures_embed').on(t.embedId, t.startedAt)]);

export const media = sqliteTable('media', {
  captureId: text('capture_id').notNull().references(() => captures.id, { onDelete: 'cascade' }),
  position: integer('position').notNull(),
  kind: text('kind').notNull(),
  sha256: text('sha256').notNull().references(() => blobs.sha256),
  originalUrl: text('original_url').notNull(),
  alt: text('alt'),
}, (t) => [primaryKey({ columns: [t.captureId, t.position] })]);

export const jobs = sqliteTable('jobs', {
  id: text('id').primaryKey(),
  kind: text('kind').notNull(),
  payload: text('payload', { mode: 'json' }).notNull(),
  /** queued | leased | done | failed */
  state: text('state').notNull(),
  dedupKey: text('dedup_key'),
  priority: integer('priority').notNull().default(0),
  runAt: integer('run_at', { mode: 'timestamp_ms' }).notNull(),
  attempts: integer('attempts').notNull().default(0),
  maxAttempts: integer('max_attempts').notNull().default(5),
  leaseOwner: text('lease_owner'),
  leaseUntil: integer('lease_until', { mode: 'timestamp_ms' }),
  lastError: text('last_error'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('jobs_due').on(t.state, t.priority, t.runAt),
  uniqueIndex('jobs_active_dedup').on(t.dedupKey).where(sql`${t.state} in ('queued', 'leased') and ${t.dedupKey} is not null`),
]);

export const checks = sqliteTable('checks', {
  id: text('id').primaryKey(),
  embedId: text('embed_id').notNull().references(() => embeds.id),
  checkedAt: integer('checked_at', { mode: 'timestamp_ms' }).notNull(),
  availability: text('availability').notNull(),
  httpStatus: integer('http_status'),
  typename: text('typename'),
  finalUrl: text('final_url'),
  excerpt: text('excerpt'),
  error: text('error'),
}, (t) => [index('checks_embed').on(t.embedId, t.checkedAt)]);

export const apiKeys = sqliteTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** sha256 of the secret: keys are 256-bit random, so a fast hash is enough and lookups stay O(1). */
  hash: text('hash').notNull().unique(),
  prefix: text('prefix').notNull(),
  scopes: text('scopes').notNull(),
  createdAt: createdAt(),
  revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
  lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
});
