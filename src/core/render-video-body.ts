import type { CardModel } from './card-model.ts';
import { escapeHtml } from './escape-html.ts';
import type { ImageView } from './embed-view.ts';
import type { PostData } from './model.ts';
import { renderCardFooter } from './render-card-footer.ts';
import { renderImage } from './render-image.ts';
import { renderLink } from './render-link.ts';

const PLAY = '<span class="ek-play ek-play-large" aria-hidden="true"><svg viewBox="0 0 24 24" focusable="false"><path d="M8 5.5v13l11-6.5z"/></svg></span>';

/** A video: the archived thumbnail with a play button that leads to the original, its title and channel. */
export function renderVideoBody(card: CardModel, thumbnail: ImageView, post: PostData | undefined): string {
  const title = post?.title ?? card.fallback?.text;
  const channel = post?.author?.name ?? card.fallback?.authorName;
  const alt = title ? `Video thumbnail: ${title}` : 'Video thumbnail';
  const thumb = renderImage(thumbnail, { alt, sizes: '(max-width: 550px) 100vw, 550px', className: 'ek-video-img' });
  const info = [
    title ? renderLink(card.originalUrl, `<span dir="auto">${escapeHtml(title)}</span>`, 'ek-title') : '',
    channel ? renderLink(post?.author?.url, `<span dir="auto">${escapeHtml(channel)}</span>`, 'ek-channel') : '',
  ].join('');
  return renderLink(card.originalUrl, `${thumb}${PLAY}<span class="ek-sr">Play on YouTube</span>`, 'ek-video')
    + (info ? `<div class="ek-video-info">${info}</div>` : '')
    + renderCardFooter(card, { date: post?.publishedAt ?? card.fallback?.date });
}
