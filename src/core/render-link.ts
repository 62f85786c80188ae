import { escapeAttr, safeHref } from './escape-html.ts';

/**
 * `inner` (already-escaped HTML) inside a link to `url` when it is http(s); otherwise inside a span, so a
 * `javascript:` or malformed URL loses its link but never its text. Links leave the card in a new tab
 * because cards are also shown inside iframes.
 */
export function renderLink(url: string | undefined, inner: string, className: string, extra = ''): string {
  const href = safeHref(url);
  const cls = `class="${escapeAttr(className)}"`;
  if (href === undefined) return `<span ${cls}${extra ? ` ${extra}` : ''}>${inner}</span>`;
  return `<a ${cls} href="${escapeAttr(href)}" target="_blank" rel="noopener noreferrer nofollow ugc"${extra ? ` ${extra}` : ''}>${inner}</a>`;
}
