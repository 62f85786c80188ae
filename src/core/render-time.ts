import type { CardDate } from './format-card-date.ts';
import { escapeAttr, escapeHtml } from './escape-html.ts';

/** `<time datetime>` when the date was understood, else the text as written in a plain span. */
export function renderTime(date: CardDate, className = 'ek-time'): string {
  const label = escapeHtml(date.label);
  return date.datetime
    ? `<time class="${className}" datetime="${escapeAttr(date.datetime)}">${label}</time>`
    : `<span class="${className}">${label}</span>`;
}
