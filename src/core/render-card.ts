import type { CardModel } from './card-model.ts';
import { escapeAttr } from './escape-html.ts';
import { normalizeHandle } from './render-card-header.ts';
import { renderFallbackBody } from './render-fallback-body.ts';
import { renderImageFigure } from './render-image-figure.ts';
import { renderPostBody } from './render-post-body.ts';
import { renderVideoBody } from './render-video-body.ts';

export { CARD_CSS } from './card-css.ts';

export interface RenderCardOptions {
  mode: 'static' | 'enhance';
  /** Accepted for callers that pin the clock; every date on a card is absolute, so none depends on it. */
  now?: Date;
}

/**
 * The archived card of one embed as an HTML fragment: HTML and CSS only (see CARD_CSS), every untrusted
 * string escaped, every URL taken from the model. In `enhance` mode the article rewriter wraps this same
 * card around the live embed, so the mode is only recorded on the root for its script to find.
 */
export function renderCard(card: CardModel, options: RenderCardOptions): string {
  if (card.provider === 'image') {
    const image = card.screenshot ?? card.media[0];
    // A figure with a caption is named by it; without one it needs a name of its own.
    const label = card.caption ? '' : ` aria-label="${escapeAttr(`Image${card.alt ? `: ${card.alt}` : ''}, archived`)}"`;
    return root('figure', card, options, label, renderImageFigure(card, image));
  }
  const label = ` aria-label="${escapeAttr(accessibleName(card))}"`;
  if (card.provider === 'youtube' && card.screenshot) return root('article', card, options, label, renderVideoBody(card, card.screenshot, card.post));
  if (card.post && card.provider !== 'youtube') return root('article', card, options, label, renderPostBody(card, card.post));
  return root('article', card, options, label, renderFallbackBody(card));
}

function root(tag: 'article' | 'figure', card: CardModel, options: RenderCardOptions, label: string, body: string): string {
  return `<${tag} class="ek-card" data-embedkeep-id="${escapeAttr(card.id)}" data-embedkeep-mode="${options.mode === 'enhance' ? 'enhance' : 'static'}"`
    + ` data-embedkeep-provider="${escapeAttr(card.provider)}" data-embedkeep-availability="${escapeAttr(card.availability)}"`
    + ` lang="en"${label}>${body}</${tag}>`;
}

/** "Post by Name (@handle), archived": what a screen reader announces when it enters the card. */
export function accessibleName(card: CardModel): string {
  if (card.provider === 'youtube') {
    const title = card.post?.title ?? card.fallback?.text;
    const channel = card.post?.author?.name ?? card.fallback?.authorName;
    return `Video${title ? ` “${title}”` : ''}${channel ? ` by ${channel}` : ''}, archived`;
  }
  const name = card.post?.author?.name ?? card.fallback?.authorName;
  const handle = normalizeHandle(card.post?.author?.handle ?? card.fallback?.authorHandle);
  const by = name && handle ? `${name} (@${handle})` : name ?? (handle ? `@${handle}` : undefined);
  return by ? `Post by ${by}, archived` : 'Archived post';
}
