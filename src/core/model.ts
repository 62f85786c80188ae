/** Pinned vocabularies and the domain shapes shared by every runtime (see DESIGN.md). */

export const PROVIDERS = [
  'x', 'youtube', 'bluesky', 'mastodon', 'instagram', 'tiktok',
  'threads', 'facebook', 'reddit', 'image', 'web',
] as const;
export type Provider = (typeof PROVIDERS)[number];

export const ROLES = ['embed', 'link', 'image'] as const;
export type Role = (typeof ROLES)[number];

export const AVAILABILITY = [
  'live', 'deleted', 'protected', 'suspended', 'withheld', 'not_found',
  'embedding_disabled', 'rate_limited', 'blocked', 'error', 'unknown',
] as const;
export type Availability = (typeof AVAILABILITY)[number];

export const CAPTURE_STATUS = ['pending', 'archived', 'partial', 'failed'] as const;
export type CaptureStatus = (typeof CAPTURE_STATUS)[number];

export const MEDIA_KINDS = ['photo', 'video', 'animated_gif', 'avatar', 'poster'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

/** What a pasted post blockquote already tells about the post. Absent facts are absent fields. */
export interface Fallback {
  text?: string;
  authorName?: string;
  authorHandle?: string;
  date?: string;
}

/** Identity of an embed: one per canonical URL. */
export interface EmbedIdentity {
  provider: Provider;
  providerId: string;
  canonicalUrl: string;
}

/** One entry of the pinned `POST /v1/extract` answer. */
export interface ExtractedEmbed extends EmbedIdentity {
  role: Role;
  /** The URL as it stood in the article (resolved to absolute). */
  url: string;
  fallback?: Fallback;
  /** Images: alt text and the figure's caption (credit lines included). */
  alt?: string;
  caption?: string;
}

/** Half-open byte range [start, end) into the article string (UTF-16 code unit offsets). */
export interface Range {
  start: number;
  end: number;
}

export type OccurrenceKind =
  | 'blockquote'    // pasted fallback markup (X, Bluesky, Instagram, …)
  | 'iframe'        // rendered embed iframe (X rendered, YouTube)
  | 'bare-url'      // a post URL alone on its line or paragraph
  | 'link'          // in-text <a href> to a post
  | 'img'           // <img> (or <source>) of an article image
  | 'container';    // rendered embed wrapper (e.g. div.twitter-tweet-rendered holding the iframe)

/** An attribute of an element, with the range of its value (without quotes) for in-place rewriting. */
export interface AttrSpan {
  name: string;
  value: string;
  /** Range of the value inside the source, or undefined when the attribute has no value. */
  valueRange?: Range;
}

/** Where an embed stands in the article: what `rewrite` replaces. */
export interface Occurrence {
  kind: OccurrenceKind;
  embed: ExtractedEmbed;
  /** The whole element (or text run) that stands for the embed. */
  range: Range;
  /** For img/source/link occurrences: the attributes with their value ranges. */
  attrs?: AttrSpan[];
}

export interface ScanResult {
  occurrences: Occurrence[];
  /** Every known embed script (widgets.js, Bluesky, Instagram, TikTok … loaders), wherever it stands. */
  scripts: Range[];
  /** The base URL used to resolve relative URLs (article URL or <base href>). */
  baseUrl?: string;
}

export interface MediaItem {
  kind: MediaKind;
  sha256: string;
  /** Our copy. */
  url: string;
  originalUrl: string;
  contentType: string;
  width?: number;
  height?: number;
  alt?: string;
}

/** Normalised post data produced by a provider's data layer. */
export interface PostData {
  text?: string;
  lang?: string;
  author?: { name?: string; handle?: string; url?: string; avatarUrl?: string; verified?: boolean };
  publishedAt?: string;
  /** Links, mentions and hashtags with code-point offsets into `text`, for rendering. */
  entities?: Array<{ kind: 'url' | 'mention' | 'hashtag' | 'symbol' | 'media'; start: number; end: number; href?: string; display?: string }>;
  media?: Array<{ kind: MediaKind; url: string; width?: number; height?: number; alt?: string; posterUrl?: string; videoUrl?: string }>;
  quoted?: PostData & { id?: string; url?: string };
  inReplyTo?: { id?: string; handle?: string };
  title?: string;
  metrics?: { likes?: number; replies?: number };
  sensitive?: boolean;
}
