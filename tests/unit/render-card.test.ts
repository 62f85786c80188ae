import { describe, it, expect } from 'vitest';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { CardModel } from '../../src/core/card-model.ts';
import { AVAILABILITY } from '../../src/core/model.ts';
import { escapeAttr, escapeHtml, safeHref } from '../../src/core/escape-html.ts';
import { formatCardDate } from '../../src/core/format-card-date.ts';
import { CARD_CSS, renderCard } from '../../src/core/render-card.ts';
import { renderCardPage } from '../../src/core/render-card-page.ts';
import { thumbhashDataUrl } from '../../src/core/thumbhash-data-url.ts';
import { cardModels, CJK_TEXT } from '../fixtures/card-models.ts';

type Element = ReturnType<typeof DomUtils.findAll>[number];

const BASE = 'https://ek.example';
const models = cardModels(BASE);
const XSS = '<img src=x onerror=alert(1)>';

function render(card: CardModel, mode: 'static' | 'enhance' = 'static') {
  const html = renderCard(card, { mode });
  const doc = parseDocument(html);
  const els = DomUtils.findAll(() => true, doc.children);
  const root = els[0]!;
  const all = (name: string) => els.filter((e) => e.name === name);
  const byClass = (cls: string) => els.filter((e) => (e.attribs.class ?? '').split(' ').includes(cls));
  return { html, root, els, all, byClass, text: DomUtils.textContent(doc) };
}

/** The invariants every card keeps, whatever its data. */
function expectSafeCard(card: CardModel) {
  const { root, els, all, text, html } = render(card);
  expect(DomUtils.getParent(root)?.type).toBe('root');
  expect(root.attribs['data-embedkeep-id']).toBe(card.id);
  expect(root.attribs.class).toBe('ek-card');
  expect(['article', 'figure']).toContain(root.name);
  expect(all('script')).toEqual([]);
  expect(all('iframe')).toEqual([]);
  for (const el of els) {
    expect(Object.keys(el.attribs).filter((a) => /^on/i.test(a)), el.name).toEqual([]);
    if (el.attribs.href !== undefined) expect(el.attribs.href).toMatch(/^https?:\/\//);
    if (el.attribs.src !== undefined) expect(el.attribs.src).toMatch(/^https?:\/\//);
    for (const candidate of (el.attribs.srcset ?? '').split(',').filter(Boolean)) expect(candidate.trim()).toMatch(/^https?:\/\/\S+ \d+w$/);
    if (el.attribs.style !== undefined) expect(el.attribs.style).toMatch(/^background-image:url\("data:image\/png;base64,[A-Za-z0-9+/=]+"\)$/);
  }
  for (const img of all('img')) {
    for (const attr of ['width', 'height', 'alt', 'loading', 'decoding']) expect(img.attribs[attr], `img ${attr}`).toBeDefined();
    expect(img.attribs.alt!.trim()).not.toBe('');
    expect(img.attribs.loading).toBe('lazy');
    expect(img.attribs.decoding).toBe('async');
    expect(Number(img.attribs.width)).toBeGreaterThan(0);
  }
  expect(text.trim().length).toBeGreaterThan(10);
  expect(text.toLowerCase()).not.toContain('loading');
  expect(html).not.toMatch(/javascript:/i);
}

describe('renderCard', () => {
  it.each(Object.entries(models))('%s keeps the safety and structure invariants', (_name, card) => expectSafeCard(card));

  it('renders a live X post: header, linked entities, photos, quoted post, dates', () => {
    const { root, html, all, byClass } = render(models.live);
    expect(root.name).toBe('article');
    expect(root.attribs['aria-label']).toBe('Post by Sprinter Monitor (@SpriterMonitor1), archived');
    expect(root.attribs['data-embedkeep-mode']).toBe('static');
    expect(html).toContain('<span class="ek-name" dir="auto">Sprinter Monitor</span>');
    expect(html).toContain('aria-label="Verified account"');
    expect(html).toContain('<span class="ek-handle" dir="ltr">@SpriterMonitor1</span>');
    const rel = 'target="_blank" rel="noopener noreferrer nofollow ugc"';
    const text = byClass('ek-text')[0]!;
    expect(text.attribs).toMatchObject({ dir: 'auto', lang: 'en' });
    // The flag before the mention is two code points and four UTF-16 units: offsets must stay right.
    expect(DomUtils.getInnerHTML(text, { encodeEntities: 'utf8' })).toBe('🇷🇺 Negotiations between Lavrov and '
      + `<a class="ek-entity ek-entity-mention" href="https://x.com/MfaEgypt" ${rel}>@MfaEgypt</a> on `
      + `<a class="ek-entity ek-entity-hashtag" href="https://x.com/hashtag/Gaza" ${rel}>#Gaza</a> began in Moscow: `
      + `<a class="ek-entity ek-entity-url" href="https://news.example/world/lavrov-talks" ${rel}>news.example/world/lavrov…</a>\nMore soon.`);
    const [avatar, photo1, photo2] = all('img');
    expect(avatar!.attribs).toMatchObject({ class: 'ek-avatar', width: '48', height: '48', alt: 'Profile picture of @SpriterMonitor1', sizes: '48px' });
    expect(photo1!.attribs).toMatchObject({
      src: `${BASE}/v1/blobs/photo-1-1024.webp`, width: '1200', height: '800', alt: 'Ministers arriving at the Russian Foreign Ministry',
      srcset: `${BASE}/v1/blobs/photo-1-640.webp 640w, ${BASE}/v1/blobs/photo-1-1024.webp 1024w, ${BASE}/v1/blobs/photo-1 1200w`,
      sizes: '(max-width: 550px) 50vw, 275px',
    });
    expect(photo1!.attribs.style).toMatch(/^background-image:url\("data:image\/png;base64,/);
    expect(photo2!.attribs.alt).toBe("Photo 2 of 2 from @SpriterMonitor1's post");
    const sources = all('source');
    expect(sources).toHaveLength(3);
    expect(sources[1]!.attribs).toMatchObject({ type: 'image/avif', srcset: `${BASE}/v1/blobs/photo-1-640.avif 640w, ${BASE}/v1/blobs/photo-1-1024.avif 1024w` });
    expect((DomUtils.getParent(sources[1]!) as Element).name).toBe('picture');
    expect(byClass('ek-media-2')).toHaveLength(1);
    const quote = all('blockquote')[0]!;
    expect(quote.attribs.cite).toBe('https://x.com/MfaEgypt/status/1726900000000000000');
    expect(DomUtils.textContent(quote)).toContain('Foreign Minister Shoukry arrives in Moscow for talks on Gaza.');
    expect(html).toContain('<time class="ek-time" datetime="2023-11-21T14:02:11.000Z">Nov 21, 2023</time>');
    expect(html).toContain('Archived <time class="ek-time" datetime="2023-11-22T08:15:00.000Z">Nov 22, 2023</time>');
    expect(all('a').some((a) => a.attribs.href === models.live.originalUrl && DomUtils.textContent(a) === 'View on X')).toBe(true);
    expect(byClass('ek-badge')).toEqual([]);
    expect(html).not.toContain('t.co/');
  });

  it('marks an Arabic post right-to-left by content and language', () => {
    const { byClass } = render(models.rtl);
    expect(byClass('ek-text')[0]!.attribs).toMatchObject({ dir: 'auto', lang: 'ar' });
    expect(byClass('ek-name')[0]!.attribs.dir).toBe('auto');
    expect(DomUtils.textContent(byClass('ek-entity-hashtag')[0]!)).toBe('#غزة');
  });

  it('counts emoji sequences and CJK by code point', () => {
    const { byClass } = render(models.cjk);
    const text = byClass('ek-text')[0]!;
    expect(text.attribs.lang).toBe('ja');
    expect(DomUtils.textContent(text)).toBe(CJK_TEXT);
    expect(DomUtils.textContent(byClass('ek-entity-hashtag')[0]!)).toBe('#東京');
    expect(DomUtils.textContent(byClass('ek-avatar-initial')[0]!)).toBe('山');
    expect(CARD_CSS).toMatch(/system-ui,.*"Noto Sans",.*"Noto Sans CJK SC",.*"Noto Color Emoji",.*sans-serif/);
  });

  it('shows the article fallback of a deleted post with a badge', () => {
    const { html, text, byClass } = render(models.deleted);
    expect(text).toContain('Lavrov meets Arab and Muslim ministers on Gaza in Moscow today.');
    expect(html).toContain('<time class="ek-time" datetime="2023-11-21">Nov 21, 2023</time>');
    expect(DomUtils.textContent(byClass('ek-badge')[0]!)).toBe('Original: Deleted');
    expect(text).toContain('Archived Nov 22, 2023');
  });

  it('shows a never-captured post from the article, without claiming an archive date', () => {
    const { text, html } = render(models.neverCaptured);
    expect(text).toContain('Talks are scheduled for tomorrow in Moscow.');
    expect(html).toContain('<span class="ek-handle" dir="ltr">@mzakharova</span>');
    expect(text).toContain('As quoted in the article');
    expect(text).not.toContain('Archived');
  });

  it('still says something when nothing at all was kept', () => {
    const bare: CardModel = { ...models.neverCaptured, fallback: undefined, availability: 'not_found' };
    const { text } = render(bare);
    expect(text).toContain('This post could not be archived.');
    expect(text).toContain('Not found');
    expect(text).toContain('View on X');
  });

  it('shows the screenshot when there is no post data, with the byline above it', () => {
    const { all, byClass } = render(models.screenshotOnly);
    const img = all('img')[0]!;
    expect(img.attribs).toMatchObject({ class: 'ek-shot-img', width: '1100', height: '700', alt: 'Screenshot of the post by @SpriterMonitor1: Ministers meet in Moscow.' });
    expect(DomUtils.textContent(byClass('ek-head')[0]!)).toContain('Nov 21, 2023');
  });

  it('renders a YouTube video as a thumbnail with a play button, title and channel', () => {
    const { root, all, byClass } = render(models.youtube);
    expect(root.attribs['aria-label']).toBe('Video “Lavrov and Arab ministers: press conference” by News Channel, archived');
    const play = byClass('ek-video')[0]!;
    expect(play.attribs.href).toBe('https://www.youtube.com/watch?v=dQw4w9WgXcQ');
    expect(byClass('ek-play-large')).toHaveLength(1);
    expect(all('img')[0]!.attribs.alt).toBe('Video thumbnail: Lavrov and Arab ministers: press conference');
    expect(DomUtils.textContent(byClass('ek-channel')[0]!)).toBe('News Channel');
  });

  it('renders an article image as a figure with its caption', () => {
    const { root, all } = render(models.articleImage);
    expect(root.name).toBe('figure');
    expect(all('img')[0]!.attribs.alt).toBe('Foreign ministers arriving at the Russian Foreign Ministry in Moscow');
    expect(DomUtils.textContent(all('figcaption')[0]!)).toBe('Foreign ministers arrived in Moscow. Photo/x/@MfaEgypt');
  });

  it('escapes hostile text in every field and drops non-http links', () => {
    const hostile: CardModel = {
      ...models.live, id: 'x"><script>alert(1)</script>', originalUrl: 'javascript:alert(1)',
      post: {
        ...models.live.post, text: XSS, entities: [{ kind: 'url', start: 0, end: 4, href: 'javascript:alert(2)', display: '<b>x</b>' }],
        author: { name: XSS, handle: '"><svg onload=alert(3)>', url: 'javascript:alert(4)' },
        quoted: { text: XSS, url: 'data:text/html,<script>alert(5)</script>', author: { name: '</blockquote><script>' } },
      },
      media: [{ ...models.live.media[0]!, alt: '" onerror="alert(6)', url: 'javascript:alert(7)' }],
    };
    const { html, els, byClass } = render(hostile);
    expectSafeCard(hostile);
    expect(html).toContain('data-embedkeep-id="x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(DomUtils.getInnerHTML(byClass('ek-text')[0]!, { encodeEntities: 'utf8' })).toBe('<span class="ek-entity ek-entity-url">&lt;b&gt;x&lt;/b&gt;</span> src=x onerror=alert(1)&gt;');
    expect(html).toContain('<span class="ek-name" dir="auto">&lt;img src=x onerror=alert(1)&gt;</span>');
    expect(html).toContain('alt="&quot; onerror=&quot;alert(6)"');
    expect(html).toContain('@&quot;&gt;&lt;svg onload=alert(3)&gt;');
    expect(DomUtils.textContent(byClass('ek-quote')[0]!)).toContain(XSS);
    expect(els.filter((e) => e.name === 'svg').every((e) => !e.attribs.onload)).toBe(true);
    const plain = render({ ...models.deleted, fallback: { text: XSS, authorName: XSS, authorHandle: XSS, date: XSS } });
    expect(plain.html).toContain('<p class="ek-text" dir="auto">&lt;img src=x onerror=alert(1)&gt;</p>');
    expect(plain.all('img')).toEqual([]);
    const image = render({ ...models.articleImage, alt: XSS, caption: XSS });
    expect(image.html).toContain(`<figcaption class="ek-caption" dir="auto">${escapeHtml(XSS)}</figcaption>`);
    expect(image.all('img')[0]!.attribs.alt).toBe(XSS);
  });

  it.each(AVAILABILITY.map((a) => [a]))('labels availability %s with text', (availability) => {
    const badge = render({ ...models.deleted, availability }).byClass('ek-badge')[0];
    if (availability === 'live' || availability === 'unknown') expect(badge).toBeUndefined();
    else expect(DomUtils.textContent(badge!).replace('Original: ', '')).toMatch(/^[A-Z][a-z]+( [a-z]+)?$/);
  });

  it('records the enhance mode on the root', () => {
    expect(render(models.live, 'enhance').root.attribs['data-embedkeep-mode']).toBe('enhance');
  });

  it('scopes every rule of the stylesheet under .ek-card', () => {
    const selectors = CARD_CSS.replace(/@media[^{]+\{/g, '').split('}').map((r) => r.split('{')[0]!.trim()).filter(Boolean);
    for (const list of selectors) for (const s of list.split(',')) expect(s.trim()).toMatch(/^\.ek-card\b/);
    expect(CARD_CSS).toContain('@media (prefers-color-scheme:dark)');
    expect(CARD_CSS).toContain('max-width:550px');
  });
});

describe('renderCardPage', () => {
  it('is a complete document with oEmbed discovery and no script', () => {
    const page = renderCardPage(models.live, { oembedUrl: `${BASE}/oembed?url=a&format=json` });
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toContain('<title>Post by Sprinter Monitor (@SpriterMonitor1) — archived by embedkeep</title>');
    expect(page).toContain(`<link rel="alternate" type="application/json+oembed" href="${BASE}/oembed?url=a&amp;format=json" title="Post by Sprinter Monitor (@SpriterMonitor1) — archived by embedkeep">`);
    expect(page).toContain(CARD_CSS);
    const els = DomUtils.findAll(() => true, parseDocument(page).children);
    expect(els.filter((e) => e.name === 'script' || (e.name === 'link' && e.attribs.rel !== 'alternate'))).toEqual([]);
    expect(els.filter((e: Element) => e.attribs.src !== undefined).every((e) => e.attribs.src!.startsWith(BASE))).toBe(true);
    expect(renderCardPage(models.live, {})).not.toContain('oembed');
    expect(renderCardPage({ ...models.live, post: { ...models.live.post, author: { name: XSS } } }, {})).toContain(`<title>Post by ${escapeHtml(XSS)} — archived`);
  });
});

describe('helpers', () => {
  it('escapes text and attributes', () => {
    expect(escapeHtml(`<a href="x">Tom & 'Jerry'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;');
    expect(escapeAttr('a`b"c')).toBe('a&#96;b&quot;c');
  });

  it.each([
    ['https://x.com/a', 'https://x.com/a'], ['HTTP://Example.COM', 'http://example.com/'],
    ['javascript:alert(1)', undefined], [' java\tscript:alert(1)', undefined], ['data:text/html,x', undefined],
    ['/relative', undefined], ['https://x.com@evil.example/', undefined], ['vbscript:x', undefined], [undefined, undefined],
  ])('safeHref(%j) = %j', (input, expected) => expect(safeHref(input)).toBe(expected));

  it('decodes thumbhashes to PNG data URLs and rejects garbage', () => {
    expect(thumbhashDataUrl(models.live.avatar!.placeholder!)).toMatch(/^data:image\/png;base64,/);
    expect(thumbhashDataUrl('")</style><script>')).toBeUndefined();
    expect(thumbhashDataUrl('AAAA')).toBeUndefined();
  });

  it.each([
    ['2023-11-21T14:02:11.000Z', 'Nov 21, 2023', '2023-11-21T14:02:11.000Z'], ['2023-11-21', 'Nov 21, 2023', '2023-11-21'],
    ['November 21, 2023', 'Nov 21, 2023', '2023-11-21'], ['21 November 2023', 'Nov 21, 2023', '2023-11-21'],
    ['Sept. 3, 2024', 'Sep 3, 2024', '2024-09-03'], ['yesterday', 'yesterday', undefined], ['February 30, 2023', 'February 30, 2023', undefined],
  ])('formatCardDate(%j)', (input, label, datetime) => expect(formatCardDate(input)).toEqual(datetime ? { label, datetime } : { label }));
});
