import type { CardModel } from './card-model.ts';
import { availabilityLabel } from './availability-label.ts';
import { escapeAttr, escapeHtml } from './escape-html.ts';
import { formatCardDate } from './format-card-date.ts';
import { renderLink } from './render-link.ts';
import { renderTime } from './render-time.ts';

const LINK_LABELS: Partial<Record<CardModel['provider'], string>> = {
  x: 'View on X', youtube: 'Watch on YouTube', image: 'Original image', bluesky: 'View on Bluesky',
  mastodon: 'View on Mastodon', instagram: 'View on Instagram', tiktok: 'View on TikTok',
  threads: 'View on Threads', facebook: 'View on Facebook', reddit: 'View on Reddit',
};

/**
 * The post's date (linking to the original, as on X), a plain link to the original, "Archived <date>"
 * and, when the original is gone, a badge whose text says why: colour alone would not reach everyone.
 */
export function renderCardFooter(card: CardModel, options: { date?: string; note?: string }): string {
  const dateLink = options.date ? renderLink(card.originalUrl, renderTime(formatCardDate(options.date)), 'ek-date-link') : '';
  const original = renderLink(card.originalUrl, escapeHtml(LINK_LABELS[card.provider] ?? 'View original'), 'ek-original-link');
  const meta = [dateLink, original].filter(Boolean).join('<span class="ek-dot" aria-hidden="true"> · </span>');
  const archived = card.archivedAt ? `<span class="ek-archived">Archived ${renderTime(formatCardDate(card.archivedAt))}</span>` : '';
  const label = availabilityLabel(card.availability);
  const badge = label
    ? `<span class="ek-badge" data-availability="${escapeAttr(card.availability)}"><span class="ek-sr">Original: </span>${escapeHtml(label)}</span>`
    : '';
  const note = options.note ? `<span class="ek-note">${escapeHtml(options.note)}</span>` : '';
  const status = [archived, note, badge].filter(Boolean).join('');
  return `<footer class="ek-foot"><div class="ek-meta">${meta}</div>${status ? `<div class="ek-status">${status}</div>` : ''}</footer>`;
}
