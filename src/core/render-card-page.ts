import type { CardModel } from './card-model.ts';
import { escapeAttr, escapeHtml } from './escape-html.ts';
import { accessibleName, CARD_CSS, renderCard } from './render-card.ts';

const PAGE_CSS = `html,body{margin:0;padding:0;background:transparent}
body{min-height:100vh;display:flex;align-items:center;justify-content:center;padding:8px;box-sizing:border-box}
body>.ek-card{margin:0}`;

/**
 * The standalone card page (`GET /cards/:id`), iframe-able: no script, no request to anyone, a transparent
 * background so it sits on any host page, and oEmbed discovery when the caller knows the endpoint URL.
 */
export function renderCardPage(card: CardModel, options: { oembedUrl?: string }): string {
  const title = `${pageSubject(card)} — archived by embedkeep`;
  const oembed = options.oembedUrl
    ? `<link rel="alternate" type="application/json+oembed" href="${escapeAttr(options.oembedUrl)}" title="${escapeAttr(title)}">\n`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
${oembed}<style>${CARD_CSS}${PAGE_CSS}</style>
</head>
<body>
${renderCard(card, { mode: 'static' })}
</body>
</html>
`;
}

/** The card's accessible name without the trailing ", archived" the page title says in its own words. */
function pageSubject(card: CardModel): string {
  if (card.provider === 'image') return card.caption ?? card.alt ?? 'Image';
  const name = accessibleName(card).replace(/, archived$/, '');
  return name === 'Archived post' ? 'Post' : name;
}
