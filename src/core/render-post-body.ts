import type { CardModel } from './card-model.ts';
import { escapeAttr, escapeHtml, safeHref } from './escape-html.ts';
import { formatCardDate } from './format-card-date.ts';
import type { PostData } from './model.ts';
import { normalizeHandle, renderCardHeader } from './render-card-header.ts';
import { renderCardFooter } from './render-card-footer.ts';
import { renderLink } from './render-link.ts';
import { renderMediaGrid } from './render-media-grid.ts';
import { renderPostText } from './render-post-text.ts';
import { renderTime } from './render-time.ts';

/**
 * BCP 47 tag for the `lang` attribute. X marks media-only, hashtag-only and undetermined posts with
 * private-use or special codes (qme, qht, und, zxx) that would mislead hyphenation and font choice.
 */
export function langAttr(lang: string | undefined): string {
  if (!lang || !/^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(lang)) return '';
  if (/^(und|zxx|mis|mul|q[a-t][a-z])$/.test(lang)) return '';
  return ` lang="${escapeAttr(lang)}"`;
}

const profileOf = (post: PostData, provider: CardModel['provider']) => {
  const handle = normalizeHandle(post.author?.handle);
  return post.author?.url ?? (provider === 'x' && handle ? `https://x.com/${handle}` : undefined);
};

/** A captured post: header, text with links, media, quoted post, footer. */
export function renderPostBody(card: CardModel, post: PostData): string {
  const handle = normalizeHandle(post.author?.handle ?? card.fallback?.authorHandle);
  const header = renderCardHeader({
    name: post.author?.name ?? card.fallback?.authorName,
    handle,
    profileUrl: profileOf(post, card.provider),
    verified: post.author?.verified,
    avatar: card.avatar,
    showXLogo: card.provider === 'x',
  });
  const hasMedia = card.media.length > 0;
  const text = post.text
    ? `<p class="ek-text" dir="auto"${langAttr(post.lang)}>${renderPostText(post.text, post.entities, { hideMedia: hasMedia })}</p>`
    : '';
  const media = renderMediaGrid(card.media, { handle, originalUrl: card.originalUrl });
  const quoted = post.quoted ? renderQuoted(post.quoted, card.provider) : '';
  return header + text + media + quoted + renderCardFooter(card, { date: post.publishedAt ?? card.fallback?.date });
}

/** The quoted post as a nested box; its own media was not archived, so it shows text only. */
function renderQuoted(quoted: NonNullable<PostData['quoted']>, provider: CardModel['provider']): string {
  const handle = normalizeHandle(quoted.author?.handle);
  const name = quoted.author?.name ?? (handle ? `@${handle}` : 'Quoted post');
  const bits = [
    renderLink(quoted.url ?? profileOf(quoted, provider), `<span class="ek-name" dir="auto">${escapeHtml(name)}</span>`, 'ek-name-link'),
    handle && name !== `@${handle}` ? `<span class="ek-handle" dir="ltr">@${escapeHtml(handle)}</span>` : '',
    quoted.publishedAt ? renderTime(formatCardDate(quoted.publishedAt)) : '',
  ].filter(Boolean).join('<span class="ek-dot" aria-hidden="true"> · </span>');
  const text = quoted.text
    ? `<p class="ek-text" dir="auto"${langAttr(quoted.lang)}>${renderPostText(quoted.text, quoted.entities, { hideMedia: false })}</p>`
    : '';
  const cite = safeHref(quoted.url);
  return `<blockquote class="ek-quote"${cite ? ` cite="${escapeAttr(cite)}"` : ''}>`
    + `<div class="ek-quote-head"><span class="ek-sr">Quoted post: </span>${bits}</div>${text}</blockquote>`;
}
