import { compact } from './compact.ts';
import { keptCapture, type EmbedViewSources, type ImageView } from './embed-view.ts';
import type { Availability, CaptureStatus, PostData, Provider } from './model.ts';

/** Everything a card shows, resolved to absolute URLs of our copies. Absent facts are absent fields. */
export interface CardModel {
  id: string;
  provider: Provider;
  status: CaptureStatus;
  availability: Availability;
  /** The original post URL (the first form it was submitted in). */
  originalUrl: string;
  canonicalUrl: string;
  /** Our standalone card page. */
  cardUrl: string;
  archivedAt?: string;
  post?: PostData;
  /** What the article itself carried, for embeds never captured. */
  fallback?: { text?: string; authorName?: string; authorHandle?: string; date?: string };
  avatar?: ImageView;
  /** Photos and video posters, in order, with their renditions. */
  media: Array<ImageView & { kind: string; alt?: string }>;
  /** The screenshot of the rendered post (or the archived image / video thumbnail). */
  screenshot?: ImageView;
  /** Alt text and caption an article image had. */
  alt?: string;
  caption?: string;
}

const blobUrl = (base: string, sha256: string) => `${base}/v1/blobs/${sha256}`;

export function buildCardModel(src: EmbedViewSources, baseUrl: string): CardModel {
  const { embed } = src;
  const kept = keptCapture(embed, src.captures);
  const image = (sha256: string, width?: number, height?: number): ImageView => {
    const meta = src.blobs.get(sha256);
    return compact({
      url: blobUrl(baseUrl, sha256),
      width: width ?? meta?.width,
      height: height ?? meta?.height,
      contentType: meta?.contentType,
      placeholder: meta?.placeholder,
      renditions: src.renditions.filter((r) => r.sourceSha256 === sha256)
        .map((r) => ({ url: blobUrl(baseUrl, r.sha256), format: r.format, width: r.width, height: r.height })),
    });
  };
  const avatar = kept?.media.find((m) => m.kind === 'avatar');
  return compact({
    id: embed.id,
    provider: embed.provider,
    status: embed.status,
    availability: embed.availability,
    originalUrl: embed.url,
    canonicalUrl: embed.canonicalUrl,
    cardUrl: `${baseUrl}/cards/${embed.id}`,
    archivedAt: embed.archivedAt?.toISOString(),
    post: kept?.data,
    fallback: embed.fallback,
    avatar: avatar ? image(avatar.sha256) : undefined,
    media: (kept?.media ?? []).filter((m) => m.kind !== 'avatar').map((m) => compact({ ...image(m.sha256), kind: m.kind, alt: m.alt })),
    screenshot: kept?.screenshot ? image(kept.screenshot.sha256, kept.screenshot.width, kept.screenshot.height) : undefined,
    alt: embed.hints?.alt,
    caption: embed.hints?.caption,
  });
}
