import { compact } from './compact.ts';
import type { Availability, CaptureStatus, MediaKind, Provider } from './model.ts';
import type { ArticleStore, BlobMeta, CaptureRecord, CaptureStore, CheckRecord, EmbedRecord, RenditionRecord } from '../ports.ts';

export interface RenditionView { url: string; format: string; width: number; height: number }
export interface ImageView { url: string; width?: number; height?: number; contentType?: string; placeholder?: string; renditions: RenditionView[] }
export interface MediaView {
  kind: MediaKind; sha256: string; url: string; originalUrl: string; contentType: string;
  width?: number; height?: number; alt?: string; placeholder?: string; renditions: RenditionView[];
}

/** The pinned Embed JSON of the API. Absent facts are absent fields. */
export interface EmbedView {
  id: string;
  provider: Provider;
  url: string;
  canonicalUrl: string;
  providerId: string;
  status: CaptureStatus;
  availability: Availability;
  archivedAt?: string;
  lastCheckedAt?: string;
  text?: string;
  author?: { name?: string; handle?: string; url?: string };
  publishedAt?: string;
  screenshot?: ImageView;
  media: MediaView[];
  fallback?: EmbedRecord['fallback'];
  alt?: string;
  caption?: string;
  captures: Array<{
    id: string; method: string; status: CaptureStatus; availability: Availability; startedAt: string; durationMs: number;
    layers: CaptureRecord['layers']; error?: string; evidence?: CaptureRecord['evidence']; screenshotSha256?: string;
  }>;
  checks: Array<{ checkedAt: string; availability: Availability; httpStatus?: number; typename?: string; finalUrl?: string; excerpt?: string; error?: string }>;
}

export interface EmbedViewSources {
  embed: EmbedRecord;
  captures: CaptureRecord[];
  checks: CheckRecord[];
  blobs: Map<string, BlobMeta>;
  renditions: RenditionRecord[];
}

const blobUrl = (base: string, sha256: string) => `${base}/v1/blobs/${sha256}`;

function renditionsOf(base: string, sha256: string, all: RenditionRecord[]): RenditionView[] {
  return all.filter((r) => r.sourceSha256 === sha256).map((r) => ({ url: blobUrl(base, r.sha256), format: r.format, width: r.width, height: r.height }));
}

/** The capture whose copy is shown: the latest one that kept something. */
export function keptCapture(embed: EmbedRecord, captures: CaptureRecord[]): CaptureRecord | undefined {
  return captures.find((c) => c.id === embed.latestCaptureId);
}

export function buildEmbedView(src: EmbedViewSources, baseUrl: string): EmbedView {
  const { embed } = src;
  const kept = keptCapture(embed, src.captures);
  const data = kept?.data;
  const fb = embed.fallback;
  const author = compact({
    name: data?.author?.name ?? fb?.authorName,
    handle: data?.author?.handle ?? fb?.authorHandle,
    url: data?.author?.url,
  });
  const shot = kept?.screenshot;
  const shotMeta = shot ? src.blobs.get(shot.sha256) : undefined;
  return compact({
    id: embed.id,
    provider: embed.provider,
    url: embed.url,
    canonicalUrl: embed.canonicalUrl,
    providerId: embed.providerId,
    status: embed.status,
    availability: embed.availability,
    archivedAt: embed.archivedAt?.toISOString(),
    lastCheckedAt: embed.lastCheckedAt?.toISOString(),
    text: data?.text ?? data?.title ?? fb?.text,
    author: Object.keys(author).length ? author : undefined,
    publishedAt: data?.publishedAt ?? fb?.date,
    screenshot: shot ? compact({
      url: `${baseUrl}/v1/embeds/${embed.id}/screenshot`,
      width: shot.width,
      height: shot.height,
      contentType: shotMeta?.contentType,
      placeholder: shotMeta?.placeholder,
      renditions: renditionsOf(baseUrl, shot.sha256, src.renditions),
    }) : undefined,
    media: (kept?.media ?? []).map((m) => {
      const meta = src.blobs.get(m.sha256);
      return compact({
        kind: m.kind,
        sha256: m.sha256,
        url: blobUrl(baseUrl, m.sha256),
        originalUrl: m.originalUrl,
        contentType: meta?.contentType ?? 'application/octet-stream',
        width: meta?.width,
        height: meta?.height,
        alt: m.alt,
        placeholder: meta?.placeholder,
        renditions: renditionsOf(baseUrl, m.sha256, src.renditions),
      });
    }),
    fallback: fb,
    alt: embed.hints?.alt,
    caption: embed.hints?.caption,
    captures: src.captures.map((c) => compact({
      id: c.id,
      method: c.method,
      status: c.status,
      availability: c.availability,
      startedAt: c.startedAt.toISOString(),
      durationMs: c.durationMs,
      layers: c.layers,
      error: c.error,
      evidence: c.evidence,
      screenshotSha256: c.screenshot?.sha256,
    })),
    checks: src.checks.map((k) => compact({ checkedAt: k.checkedAt.toISOString(), availability: k.availability, ...k.evidence, error: k.error })),
  }) as EmbedView;
}

type Stores = { articles: ArticleStore; captures: CaptureStore };

/** Gathers what views and cards of these embeds need from the stores, a few queries per embed. */
export async function loadEmbedSources(ids: string[], stores: Stores): Promise<EmbedViewSources[]> {
  const embeds = await stores.articles.getEmbeds(ids);
  return Promise.all(embeds.map(async (embed) => {
    const [captures, checks] = await Promise.all([stores.captures.listCaptures(embed.id), stores.captures.listChecks(embed.id)]);
    const kept = keptCapture(embed, captures);
    const shas = [...(kept?.screenshot ? [kept.screenshot.sha256] : []), ...(kept?.media ?? []).map((m) => m.sha256)];
    const [metas, renditions] = await Promise.all([stores.captures.getBlobs(shas), stores.captures.listRenditions(shas)]);
    return { embed, captures, checks, blobs: new Map(metas.map((m) => [m.sha256, m])), renditions };
  }));
}

export async function loadEmbedViews(ids: string[], stores: Stores, baseUrl: string): Promise<EmbedView[]> {
  return (await loadEmbedSources(ids, stores)).map((src) => buildEmbedView(src, baseUrl));
}
