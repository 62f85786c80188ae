import type { ImageView } from './embed-view.ts';
import { escapeHtml } from './escape-html.ts';
import { formatCardDate } from './format-card-date.ts';
import { renderImage } from './render-image.ts';
import { renderLink } from './render-link.ts';
import { renderTime } from './render-time.ts';

export interface Byline {
  name?: string;
  /** Without the leading "@". */
  handle?: string;
  profileUrl?: string;
  verified?: boolean;
  avatar?: ImageView;
  /** Shown under the name when the card has no footer date (screenshots, which carry their own). */
  date?: string;
  showXLogo?: boolean;
}

const VERIFIED = '<svg class="ek-verified" viewBox="0 0 22 22" role="img" aria-label="Verified account"><path d="M20.4 11c0-1.3-.8-2.5-2-3 .4-1.3.1-2.7-.8-3.6-.9-.9-2.3-1.2-3.6-.8-.5-1.2-1.7-2-3-2s-2.5.8-3 2c-1.3-.4-2.7-.1-3.6.8-.9.9-1.2 2.3-.8 3.6-1.2.5-2 1.7-2 3s.8 2.5 2 3c-.4 1.3-.1 2.7.8 3.6.9.9 2.3 1.2 3.6.8.5 1.2 1.7 2 3 2s2.5-.8 3-2c1.3.4 2.7.1 3.6-.8.9-.9 1.2-2.3.8-3.6 1.2-.5 2-1.7 2-3zm-11.3 4.2L5.6 11.7l1.4-1.4 2.1 2.1 4.9-5.3 1.5 1.3-6.4 6.8z"/></svg>';
const X_LOGO = '<svg class="ek-logo" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M18.2 2.3h3.4l-7.4 8.4 8.7 11.5h-6.8l-5.3-7-6.1 7H1.3l7.9-9L.9 2.3h7l4.8 6.4 5.5-6.4zm-1.2 17.9h1.9L7.1 4.2H5.1l11.9 16z"/></svg>';

export const normalizeHandle = (handle: string | undefined) => handle?.replace(/^@/, '') || undefined;

/** Avatar, name, verified mark and @handle: the top of every post-like card. */
export function renderCardHeader(by: Byline): string {
  const handle = normalizeHandle(by.handle);
  const name = by.name ?? (handle ? `@${handle}` : undefined);
  const avatar = by.avatar
    ? renderImage(by.avatar, { alt: `Profile picture of ${handle ? `@${handle}` : name ?? 'the author'}`, sizes: '48px', className: 'ek-avatar', size: { width: 48, height: 48 } })
    : `<span class="ek-avatar ek-avatar-initial" aria-hidden="true">${escapeHtml(Array.from(name ?? '?')[0] ?? '?')}</span>`;
  const nameLine = name
    ? `<span class="ek-name" dir="auto">${escapeHtml(name)}</span>${by.verified ? VERIFIED : ''}`
    : '<span class="ek-name">Unknown author</span>';
  const date = by.date ? formatCardDate(by.date) : undefined;
  const sub = [
    handle && name !== `@${handle}` ? `<span class="ek-handle" dir="ltr">@${escapeHtml(handle)}</span>` : '',
    date ? renderTime(date) : '',
  ].filter(Boolean).join('<span class="ek-dot" aria-hidden="true"> · </span>');
  return `<header class="ek-head">${renderLink(by.profileUrl, avatar, 'ek-avatar-link', 'tabindex="-1" aria-hidden="true"')}`
    + `<div class="ek-who">${renderLink(by.profileUrl, nameLine, 'ek-name-link')}${sub ? `<div class="ek-sub">${sub}</div>` : ''}</div>`
    + `${by.showXLogo ? X_LOGO : ''}</header>`;
}
