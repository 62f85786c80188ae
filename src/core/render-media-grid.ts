import type { CardModel } from './card-model.ts';
import { renderImage } from './render-image.ts';
import { renderLink } from './render-link.ts';

const PLAY = '<span class="ek-play" aria-hidden="true"><svg viewBox="0 0 24 24" focusable="false"><path d="M8 5.5v13l11-6.5z"/></svg></span>';

/** How wide a tile is drawn in the 550px card: a lone photo spans it, otherwise tiles are half columns. */
const SIZES = ['(max-width: 550px) 100vw, 550px', '(max-width: 550px) 50vw, 275px'] as const;

/**
 * Photos and video posters in X's layouts (1 full, 2 side by side, 3 with a tall first tile, 2×2).
 * A photo links to our full-size copy; a video poster carries a play badge and links to the original
 * post, since the video itself is not archived.
 */
export function renderMediaGrid(media: CardModel['media'], by: { handle?: string; originalUrl: string }): string {
  const shown = media.slice(0, 4);
  if (!shown.length) return '';
  const owner = by.handle ? `@${by.handle}'s post` : 'the post';
  const tiles = shown.map((item, i) => {
    const video = item.kind !== 'photo';
    const nth = shown.length > 1 ? ` ${i + 1} of ${shown.length}` : '';
    const alt = item.alt ?? `${video ? 'Video' : 'Photo'}${nth} from ${owner}`;
    const img = renderImage(item, { alt, sizes: SIZES[shown.length === 1 ? 0 : 1], className: 'ek-media-img' });
    return video
      ? renderLink(by.originalUrl, `${img}${PLAY}<span class="ek-sr">Play the video on the original post</span>`, 'ek-media-item ek-media-video')
      : renderLink(item.url, img, 'ek-media-item');
  });
  return `<div class="ek-media ek-media-${shown.length}">${tiles.join('')}</div>`;
}
