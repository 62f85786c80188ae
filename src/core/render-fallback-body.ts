import type { CardModel } from './card-model.ts';
import { escapeHtml, safeHref } from './escape-html.ts';
import { normalizeHandle, renderCardHeader } from './render-card-header.ts';
import { renderCardFooter } from './render-card-footer.ts';
import { renderImage } from './render-image.ts';
import { renderLink } from './render-link.ts';

/**
 * A post without captured data. With a screenshot, the picture is the post (its alt carries the text the
 * article quoted); without one, the article's own text, author and date are shown plainly, and when even
 * those are missing the card still says what it is and links to the original: never an empty box.
 */
export function renderFallbackBody(card: CardModel): string {
  // A video whose thumbnail is missing may still have its title and channel from the data layer.
  const fb = { text: card.post?.title ?? card.post?.text, authorName: card.post?.author?.name, date: card.post?.publishedAt, ...card.fallback };
  const handle = normalizeHandle(fb.authorHandle);
  const profileUrl = card.provider === 'x' && handle ? `https://x.com/${handle}` : undefined;
  const hasByline = fb.authorName !== undefined || handle !== undefined;
  if (card.screenshot) {
    const by = handle ? `@${handle}` : fb.authorName ?? 'the author';
    const alt = fb.text ? `Screenshot of the post by ${by}: ${fb.text}` : `Screenshot of the post by ${by}`;
    const header = hasByline || fb.date
      ? renderCardHeader({ name: fb.authorName, handle, profileUrl, date: fb.date, showXLogo: card.provider === 'x' })
      : '';
    const shot = renderImage(card.screenshot, { alt, sizes: '(max-width: 550px) 100vw, 550px', className: 'ek-shot-img' });
    return header + renderLink(card.originalUrl, shot, 'ek-shot') + renderCardFooter(card, {});
  }
  const header = hasByline ? renderCardHeader({ name: fb.authorName, handle, profileUrl, showXLogo: card.provider === 'x' }) : '';
  const text = fb.text
    ? `<p class="ek-text" dir="auto">${escapeHtml(fb.text)}</p>`
    : `<p class="ek-text ek-empty">${escapeHtml(emptyMessage(card))}</p>`;
  const note = card.archivedAt ? undefined : 'As quoted in the article';
  return header + text + renderCardFooter(card, { date: fb.date, note });
}

function emptyMessage(card: CardModel): string {
  const what = card.provider === 'youtube' ? 'video' : card.provider === 'image' ? 'image' : 'post';
  return `This ${what} could not be archived.${safeHref(card.originalUrl) ? ' The link below leads to the original.' : ''}`;
}

