import { z } from '@hono/zod-openapi';
import { AVAILABILITY, CAPTURE_STATUS, MEDIA_KINDS, PROVIDERS, ROLES } from '../core/model.ts';
import { MAX_URLS } from '../core/ingest.ts';

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  requestId: z.string().optional(),
}).openapi('Problem');

export const Fallback = z.object({
  text: z.string().optional(),
  authorName: z.string().optional(),
  authorHandle: z.string().optional(),
  date: z.string().optional(),
}).openapi('Fallback');

export const ExtractedEmbed = z.object({
  provider: z.enum(PROVIDERS),
  providerId: z.string(),
  role: z.enum(ROLES),
  url: z.string(),
  canonicalUrl: z.string(),
  fallback: Fallback.optional(),
  alt: z.string().optional(),
  caption: z.string().optional(),
}).openapi('ExtractedEmbed');

export const ExtractRequest = z.object({
  html: z.string().openapi({ description: 'The article HTML.' }),
  url: z.string().optional().openapi({ description: 'The article URL, to resolve relative URLs.' }),
}).strict().openapi('ExtractRequest');

export const ExtractResponse = z.object({ embeds: z.array(ExtractedEmbed) }).openapi('ExtractResponse');

export const ArchiveRequest = z.object({
  urls: z.array(z.string()).max(MAX_URLS).optional().openapi({ description: `Post or image URLs, at most ${MAX_URLS}.` }),
  article: z.object({
    url: z.string().optional(),
    html: z.string().optional(),
  }).strict().optional(),
}).strict().openapi('ArchiveRequest');

const Rendition = z.object({ url: z.string(), format: z.string(), width: z.number().int(), height: z.number().int() });

export const Embed = z.object({
  id: z.string(),
  provider: z.enum(PROVIDERS),
  url: z.string(),
  canonicalUrl: z.string(),
  providerId: z.string(),
  status: z.enum(CAPTURE_STATUS),
  availability: z.enum(AVAILABILITY),
  archivedAt: z.string().optional(),
  lastCheckedAt: z.string().optional(),
  text: z.string().optional(),
  author: z.object({ name: z.string().optional(), handle: z.string().optional(), url: z.string().optional() }).optional(),
  publishedAt: z.string().optional(),
  screenshot: z.object({
    url: z.string(), width: z.number().optional(), height: z.number().optional(), contentType: z.string().optional(),
    placeholder: z.string().optional(), renditions: z.array(Rendition),
  }).optional(),
  media: z.array(z.object({
    kind: z.enum(MEDIA_KINDS), sha256: z.string(), url: z.string(), originalUrl: z.string(), contentType: z.string(),
    width: z.number().optional(), height: z.number().optional(), alt: z.string().optional(), placeholder: z.string().optional(),
    renditions: z.array(Rendition),
  })),
  fallback: Fallback.optional(),
  alt: z.string().optional(),
  caption: z.string().optional(),
  captures: z.array(z.object({
    id: z.string(), method: z.string(), status: z.enum(CAPTURE_STATUS), availability: z.enum(AVAILABILITY),
    startedAt: z.string(), durationMs: z.number(), layers: z.array(z.object({
      layer: z.string(), ok: z.boolean(), ms: z.number(), error: z.string().optional(), skipped: z.boolean().optional(),
      notes: z.array(z.string()).optional(),
    })), error: z.string().optional(), evidence: z.record(z.string(), z.unknown()).optional(), screenshotSha256: z.string().optional(),
  })),
  checks: z.array(z.object({
    checkedAt: z.string(), availability: z.enum(AVAILABILITY), httpStatus: z.number().optional(), typename: z.string().optional(),
    finalUrl: z.string().optional(), excerpt: z.string().optional(), error: z.string().optional(),
  })),
}).openapi('Embed');

export const ArticleRef = z.object({ id: z.string(), url: z.string().optional() }).openapi('ArticleRef');

export const ArchiveResponse = z.object({
  article: ArticleRef.optional(),
  embeds: z.array(Embed),
}).openapi('ArchiveResponse');

export const Article = z.object({
  id: z.string(),
  url: z.string().optional(),
  title: z.string().optional(),
  htmlSha256: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  items: z.array(z.object({ position: z.number().int(), role: z.enum(ROLES), url: z.string(), embedId: z.string(), fallback: Fallback.optional() })),
  embeds: z.array(Embed),
}).openapi('Article');

export const ArchiveQuery = z.object({
  recapture: z.enum(['true', 'false']).optional().openapi({ description: 'true: capture every embed again, archived ones too; earlier captures are kept as versions.' }),
  wait: z.coerce.number().min(0).optional().openapi({ description: 'Seconds to wait until every embed is final (clamped to 120).' }),
});

export const problemResponses = {
  400: { description: 'Bad request', content: { 'application/problem+json': { schema: Problem } } },
  401: { description: 'Missing or invalid bearer token', content: { 'application/problem+json': { schema: Problem } } },
  403: { description: 'The key lacks the scope', content: { 'application/problem+json': { schema: Problem } } },
} as const;
