import { escapeHtml } from './escape-html.ts';
import type { PostData } from './model.ts';
import { renderLink } from './render-link.ts';

type Entity = NonNullable<PostData['entities']>[number];

/**
 * A post's text as escaped HTML with its entities turned into links. Offsets are code points (as the
 * providers give them), so the text is split with Array.from: emoji and other astral characters count
 * once. Newlines stay in the text; the stylesheet keeps them with `white-space: pre-wrap`.
 * `hideMedia` drops the pic.twitter.com links that the media grid already stands for.
 */
export function renderPostText(text: string, entities: PostData['entities'], options: { hideMedia: boolean }): string {
  const chars = Array.from(text);
  let out = '';
  let cursor = 0;
  for (const entity of usable(entities ?? [], chars.length)) {
    if (entity.start < cursor) continue;
    out += escapeHtml(chars.slice(cursor, entity.start).join(''));
    const original = chars.slice(entity.start, entity.end).join('');
    cursor = entity.end;
    if (entity.kind === 'media' && options.hideMedia) continue;
    // A t.co URL reads as its display form ("example.com/story…"); mentions and hashtags as written.
    const shown = entity.kind === 'url' || entity.kind === 'media' ? entity.display ?? original : original;
    // Without an href there is nothing trustworthy to link to: providers build hrefs, the renderer does not guess.
    out += entity.href ? renderLink(entity.href, escapeHtml(shown), `ek-entity ek-entity-${entity.kind}`) : escapeHtml(shown);
  }
  out += escapeHtml(chars.slice(cursor).join(''));
  return options.hideMedia ? out.trimEnd() : out;
}

function usable(entities: Entity[], length: number): Entity[] {
  return entities
    .filter((e) => Number.isInteger(e.start) && Number.isInteger(e.end) && e.start >= 0 && e.start < e.end && e.end <= length)
    .sort((a, b) => a.start - b.start);
}
