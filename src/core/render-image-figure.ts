import type { CardModel } from './card-model.ts';
import { escapeHtml } from './escape-html.ts';
import type { ImageView } from './embed-view.ts';
import { renderCardFooter } from './render-card-footer.ts';
import { renderImage } from './render-image.ts';
import { renderLink } from './render-link.ts';

/** Inside the `<figure>` of an article image: the archived picture (linking to our full copy) and its caption. */
export function renderImageFigure(card: CardModel, image: ImageView | undefined): string {
  const alt = card.alt ?? card.media[0]?.alt ?? card.caption ?? 'Archived image';
  const picture = image
    ? renderLink(image.url, renderImage(image, { alt, sizes: '(max-width: 550px) 100vw, 550px', className: 'ek-figure-img' }), 'ek-figure-link')
    // Without the bytes, the alt text is what the image meant: show it where the picture would be.
    : `<div class="ek-figure-missing" dir="auto">${escapeHtml(card.alt ?? 'This image could not be archived.')}</div>`;
  const caption = card.caption ? `<figcaption class="ek-caption" dir="auto">${escapeHtml(card.caption)}</figcaption>` : '';
  return picture + caption + renderCardFooter(card, {});
}
