import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ExtractedEmbed, Occurrence, Range } from '../../src/core/model.ts';
import { extractEmbeds, scanArticle } from '../../src/core/scan-article.ts';
import { generateLargeArticle } from '../fixtures/articles/large-article.ts';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/articles/${name}`, import.meta.url), 'utf8');
const seed = (): string => readFileSync(new URL('../../../shared/samples/seed-article.html', import.meta.url), 'utf8');
const cut = (html: string, r: Range): string => html.slice(r.start, r.end);

const x = (id: string, role: ExtractedEmbed['role'], url: string, more: Partial<ExtractedEmbed> = {}): ExtractedEmbed =>
  ({ provider: 'x', providerId: id, canonicalUrl: `https://x.com/i/status/${id}`, role, url, ...more });
const yt = (id: string, role: ExtractedEmbed['role'], url: string): ExtractedEmbed =>
  ({ provider: 'youtube', providerId: id, canonicalUrl: `https://www.youtube.com/watch?v=${id}`, role, url });
const img = (canonicalUrl: string, url = canonicalUrl, more: Partial<ExtractedEmbed> = {}): ExtractedEmbed =>
  ({ provider: 'image', providerId: canonicalUrl, canonicalUrl, role: 'image', url, ...more });

/** Absent facts are absent fields: no undefined values (and, in embeds, no empty strings) anywhere in the output. */
function expectNoEmptyFacts(value: unknown, path = '$', emptyStringsToo = true): void {
  if (value === undefined || (emptyStringsToo && value === '')) throw new Error(`${path} is ${JSON.stringify(value)}`);
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) expectNoEmptyFacts(v, `${path}.${k}`, emptyStringsToo);
  }
}

function kinds(occurrences: Occurrence[]): string[] {
  return occurrences.map((o) => `${o.kind}:${o.embed.provider}:${o.embed.providerId}`);
}

describe('the seed article', () => {
  const html = seed();
  const url = 'https://news.example/world/2023/11/21/lavrov-arab-islamic-ministers-moscow-gaza';

  it('yields the lead photo once and the pasted X post with its fallback', () => {
    const embeds = extractEmbeds(html, url);
    expect(embeds).toEqual([
      img('https://pbs.twimg.com/media/F_cMoscowMfa1.jpg', 'https://pbs.twimg.com/media/F_cMoscowMfa1.jpg?format=jpg&name=large', {
        alt: 'Foreign ministers arriving at the Russian Foreign Ministry in Moscow',
        caption: 'Foreign ministers from the Committee of Ministers formed from the Arab-Islamic Summit arrived at the '
          + 'Russian Foreign Ministry office to meet Russian Foreign Minister Sergey Lavrov in Moscow. Photo/x/@MfaEgypt',
      }),
      x('1726942316025209093', 'embed', 'https://twitter.com/SpriterMonitor1/status/1726942316025209093?ref_src=twsrc%5Etfw', {
        fallback: {
          text: 'Negotiations between Lavrov and the foreign ministers of Saudi Arabia, Jordan, Egypt, Indonesia, Palestine '
            + 'and the OIC Secretary General on Gaza began in Moscow pic.twitter.com/2ngpSf5sg1',
          authorName: 'Sprinter Monitor',
          authorHandle: 'SpriterMonitor1',
          date: 'November 21, 2023',
        },
      }),
    ]);
    expect(embeds.filter((e) => e.role === 'image')).toHaveLength(1);
    expect(embeds[0]?.caption).toContain('Photo/x/@MfaEgypt');
    expectNoEmptyFacts(embeds);
  });

  it('gives exact ranges for both image copies, the blockquote and widgets.js', () => {
    const scan = scanArticle(html, url);
    expect(kinds(scan.occurrences)).toEqual([
      'img:image:https://pbs.twimg.com/media/F_cMoscowMfa1.jpg',
      'img:image:https://pbs.twimg.com/media/F_cMoscowMfa1.jpg',
      'blockquote:x:1726942316025209093',
    ]);
    const [lazy, noscript, quote] = scan.occurrences;
    expect(cut(html, lazy!.range)).toMatch(/^<img class="lazyload" src="data:image\/gif;base64,[^"]+" data-src="[^"]+" alt="[^"]+" width="1200" height="800">$/);
    expect(cut(html, noscript!.range)).toBe('<img src="https://pbs.twimg.com/media/F_cMoscowMfa1.jpg?format=jpg&amp;name=large" alt="Foreign ministers arriving at the Russian Foreign Ministry in Moscow">');
    const quoteStart = html.indexOf('<blockquote class="twitter-tweet"');
    expect(cut(html, quote!.range)).toBe(html.slice(quoteStart, html.indexOf('</blockquote>', quoteStart) + '</blockquote>'.length));
    expect(cut(html, quote!.range)).toMatch(/^<blockquote class="twitter-tweet" data-lang="en"><p lang="en" dir="ltr">Negotiations.*November 21, 2023<\/a><\/blockquote>$/s);
    expect(scan.scripts.map((r) => cut(html, r))).toEqual(['<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>']);
    expect(scan.baseUrl).toBe(url);
  });

  it('reports attribute value ranges for in-place rewriting', () => {
    const lazy = scanArticle(html, url).occurrences[0]!;
    const byName = Object.fromEntries(lazy.attrs!.map((a) => [a.name, a]));
    expect(Object.keys(byName)).toEqual(['class', 'src', 'data-src', 'alt', 'width', 'height']);
    expect(cut(html, byName['data-src']!.valueRange!)).toBe('https://pbs.twimg.com/media/F_cMoscowMfa1.jpg?format=jpg&amp;name=large');
    expect(byName['data-src']!.value).toBe('https://pbs.twimg.com/media/F_cMoscowMfa1.jpg?format=jpg&name=large');
    expect(cut(html, byName.width!.valueRange!)).toBe('1200');
  });
});

describe('fixtures', () => {
  it('WordPress 2021: block embeds, bare URLs, lazy images, comments with JSON', () => {
    const html = fixture('wordpress-block-embeds-2021.html');
    const url = 'https://dailyledger.example/2021/05/15/ceasefire-talks-resume-in-cairo/';
    const up = 'https://dailyledger.example/wp-content/uploads/2021/05';
    expect(extractEmbeds(html, url)).toEqual([
      img(`${up}/cairo-talks.jpg`, `${up}/cairo-talks.jpg`, {
        alt: 'Delegations arrive at the talks', caption: 'Delegations arrive at the talks on Monday. (Photo: Ledger staff)',
      }),
      x('1393574213453586433', 'link', 'https://twitter.com/MfaEgypt/status/1393574213453586433'),
      x('1393574213453586432', 'embed', 'https://twitter.com/MfaEgypt/status/1393574213453586432'),
      yt('M7lc1UVf-VE', 'embed', 'https://www.youtube.com/watch?v=M7lc1UVf-VE&t=42s'),
      x('1393601234567890123', 'embed', 'https://twitter.com/AlQaheraNews/status/1393601234567890123'),
      x('1393612345678901234', 'embed', 'https://twitter.com/UN_News_Centre/status/1393612345678901234?s=20'),
      x('1393612345678901299', 'link', 'https://x.com/UN_News_Centre/status/1393612345678901299'),
      x('1393574213453586434', 'embed', 'https://twitter.com/MfaEgypt/status/1393574213453586434?ref_src=twsrc%5Etfw', {
        fallback: {
          text: 'Talks between the delegations will continue tomorrow in Cairo. #Gaza',
          authorName: 'Egypt MFA Spokesperson', authorHandle: 'MfaEgypt', date: 'May 15, 2021',
        },
      }),
      img(`${up}/aid-trucks.jpg`, `${up}/aid-trucks.jpg`, { alt: 'Aid trucks at Rafah' }),
    ]);
    const scan = scanArticle(html, url);
    const bare = scan.occurrences.filter((o) => o.kind === 'bare-url').map((o) => cut(html, o.range));
    expect(bare).toEqual([
      'https://twitter.com/MfaEgypt/status/1393574213453586432',
      'https://www.youtube.com/watch?v=M7lc1UVf-VE&#038;t=42s',
      'https://twitter.com/AlQaheraNews/status/1393601234567890123',
      '<a href="https://twitter.com/UN_News_Centre/status/1393612345678901234?s=20">https://twitter.com/UN_News_Centre/status/1393612345678901234</a>',
    ]);
    expect(scan.scripts.map((r) => cut(html, r))).toEqual(['<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>']);
  });

  it('2012: hashbang links, uppercase HTML4, <base>, <br>-separated lines', () => {
    const html = fixture('hashbang-2012.html');
    const embeds = extractEmbeds(html, 'http://www.worlddesk.example/2012/11/24/tahrir.html');
    expect(embeds).toEqual([
      img('http://www.worlddesk.example/img/logo.gif', undefined, { alt: 'World Desk' }),
      img('http://www.worlddesk.example/2012/11/images/tahrir-crowd.jpg', undefined, { alt: 'Crowds in Tahrir Square on Friday' }),
      x('272381093562142720', 'embed', 'https://twitter.com/#!/selmasry_news/status/272381093562142720', {
        fallback: {
          text: 'Tahrir is full again tonight. Chants against the decree everywhere. twitpic.com/b5x1y2',
          authorName: 'Sarah El Masry', authorHandle: 'selmasry_news', date: 'November 24, 2012',
        },
      }),
      x('272299481245859840', 'link', 'http://twitter.com/#!/EgyMoi/status/272299481245859840'),
      x('272299999999999999', 'link', 'https://twitter.com/%23!/EgyMoi/status/272299999999999999'),
      x('272300000000000001', 'link', 'http://twitter.com/EgyMoi/statuses/272300000000000001'),
      yt('9bZkp7q19f0', 'embed', 'http://www.youtube.com/watch?v=9bZkp7q19f0&feature=youtu.be'),
      yt('kffacxfA7G4', 'embed', 'http://www.youtube.com/embed/kffacxfA7G4?rel=0'),
      x('272299481245859840', 'embed', 'https://twitter.com/EgyMoi/statuses/272299481245859840', {
        fallback: { text: 'نفي ما تردد عن الاعتقالات', authorName: 'وزارة الداخلية', authorHandle: 'EgyMoi', date: 'November 24, 2012' },
      }),
    ]);
    const scan = scanArticle(html, 'http://www.worlddesk.example/2012/11/24/tahrir.html');
    expect(scan.baseUrl).toBe('http://www.worlddesk.example/2012/11/');
    expect(scan.scripts.map((r) => cut(html, r))).toEqual(['<script src="//platform.twitter.com/widgets.js" charset="utf-8"></script>']);
    const iframe = scan.occurrences.find((o) => o.kind === 'iframe')!;
    expect(cut(html, iframe.range)).toBe('<iframe width="560" height="315" src="http://www.youtube.com/embed/kffacxfA7G4?rel=0" frameborder="0" allowfullscreen></iframe>');
    const bare = scan.occurrences.find((o) => o.kind === 'bare-url')!;
    expect(cut(html, bare.range)).toBe('http://www.youtube.com/watch?v=9bZkp7q19f0&amp;feature=youtu.be');
  });

  it('2024: x.com pastes with extra classes, text-less and Arabic posts, picture, inline loader', () => {
    const html = fixture('x-com-pastes-2024.html');
    const url = 'https://live.ledger.example/2024/02/24/rafah';
    expect(extractEmbeds(html, url)).toEqual([
      img('https://img.ledger.example/2024/02/24/crossing.jpg?w=1600', undefined, {
        alt: 'Trucks queue at the crossing', caption: 'Trucks queue at the Rafah crossing on Saturday. Photo/x/@UNRWA',
      }),
      x('1761234567890123456', 'embed', 'https://x.com/UNRWA/status/1761234567890123456?ref_src=twsrc%5Etfw', {
        fallback: {
          text: 'Aid trucks are lined up at the crossing.\n\nWe are ready to move as soon as permission is given. 🚚 pic.twitter.com/Q1w2E3r4T5',
          authorName: 'UNRWA', authorHandle: 'UNRWA', date: 'February 24, 2024',
        },
      }),
      x('1761300000000000001', 'embed', 'https://x.com/janedoe_reports/status/1761300000000000001?ref_src=twsrc%5Etfw', {
        fallback: { authorName: 'Jane Doe', authorHandle: 'janedoe_reports', date: 'February 24, 2024' },
      }),
      x('1761311111111111111', 'embed', 'https://x.com/ledgerlive/status/1761311111111111111?ref_src=twsrc%5Etfw', {
        fallback: {
          text: 'Confirmed by the agency an hour ago: x.com/UNRWA/status/1761234567890123456 — more soon',
          authorName: 'Ledger Live', authorHandle: 'ledgerlive', date: 'February 24, 2024',
        },
      }),
      x('1761234567890123456', 'link', 'https://x.com/UNRWA/status/1761234567890123456'),
      x('1761322222222222222', 'embed', 'https://x.com/MfaEgypt/status/1761322222222222222?ref_src=twsrc%5Etfw', {
        fallback: { text: 'وصول المساعدات إلى معبر رفح صباح اليوم 🇪🇬 #غزة', authorName: 'الخارجية المصرية', authorHandle: 'MfaEgypt', date: '24 فبراير 2024' },
      }),
      x('1761333333333333333', 'link', 'https://x.com/i/web/status/1761333333333333333'),
      x('1761344444444444444', 'link', 'https://mobile.twitter.com/UN/status/1761344444444444444/photo/1'),
      x('1761355555555555555', 'link', 'https://x.com/UN/status/1761355555555555555/video/1?s=46&t=Ab-Cd_Ef'),
      x('1761366666666666666', 'embed', 'https://x.com/i/status/1761366666666666666'),
      x('1761388888888888888', 'embed', 'https://x.com/UNRWA/status/1761388888888888888'),
    ]);
    const scan = scanArticle(html, url);
    // Both sources of the lead picture are rewritten along with its <img>.
    expect(scan.occurrences.slice(0, 3).map((o) => cut(html, o.range).slice(0, 30))).toEqual([
      '<source type="image/avif" srcs', '<source type="image/webp" srcs', '<img src="https://img.ledger.e',
    ]);
    const [inline, tag] = scan.scripts.map((r) => cut(html, r));
    expect(inline!.startsWith('<script>window.twttr = (function(d, s, id) {')).toBe(true);
    expect(inline!.endsWith('}(document, "script", "twitter-wjs"));</script>')).toBe(true);
    expect(tag).toBe('<script async src="https://platform.twitter.com/widgets.js?ver=20240224" charset="utf-8"></script>');
    const first = scan.occurrences.find((o) => o.kind === 'blockquote')!;
    expect(cut(html, first.range)).toMatch(/^<blockquote class="twitter-tweet tw-align-center" data-width="500"[^>]*>.*February 24, 2024<\/a><\/blockquote>$/s);
  });

  it('2019: pages saved after widgets.js rendered the posts', () => {
    const html = fixture('rendered-widgets-2019.html');
    const scan = scanArticle(html, 'https://www.gulfwire.example/news/2019/09/14/strikes');
    expect(kinds(scan.occurrences)).toEqual([
      'container:x:1171234567890123456',
      'iframe:x:1171234567890123457',
      'iframe:x:1171234567890123458',
      'iframe:youtube:ScMzIvxBSi4',
      'iframe:youtube:aqz-KE-bpKQ',
      'iframe:youtube:ScMzIvxBSi4',
    ]);
    const [container, standalone, withCaption] = scan.occurrences;
    expect(cut(html, container!.range)).toMatch(/^<div class="twitter-tweet twitter-tweet-rendered"[^>]*><iframe id="twitter-widget-0".*<\/iframe><\/div>$/s);
    expect(cut(html, standalone!.range)).toMatch(/^<iframe id="twitter-widget-1"[^>]*data-tweet-id="1171234567890123457" title="Twitter Tweet"><\/iframe>$/);
    expect(cut(html, withCaption!.range)).toMatch(/^<iframe id="twitter-widget-2".*<\/iframe>$/s);
    expect(standalone!.embed.url).toBe('https://x.com/i/status/1171234567890123457');
    expect(scan.scripts.map((r) => cut(html, r))).toEqual([
      '<script id="twitter-wjs" src="https://platform.twitter.com/widgets.js"></script>',
      '<script async="" src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>',
    ]);
    expect(extractEmbeds(html).map((e) => `${e.provider}:${e.providerId}:${e.url}`)).toEqual([
      'x:1171234567890123456:https://platform.twitter.com/embed/index.html?dnt=false&embedId=twitter-widget-0&frame=false&hideCard=false&hideThread=false&id=1171234567890123456&lang=en&origin=https%3A%2F%2Fwww.gulfwire.example%2Fnews%2F2019%2F09%2F14%2Fstrikes&theme=light&widgetsVersion=9066bb2%3A1566326325544&width=550px',
      'x:1171234567890123457:https://x.com/i/status/1171234567890123457',
      'x:1171234567890123458:https://platform.twitter.com/embed/Tweet.html?dnt=true&embedId=twitter-widget-2&id=1171234567890123458&lang=en&theme=light',
      'youtube:ScMzIvxBSi4:https://www.youtube.com/embed/ScMzIvxBSi4?feature=oembed',
      'youtube:aqz-KE-bpKQ:https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ?rel=0',
    ]);
  });

  it('2023 live blog: pbs.twimg.com media, lazy images of every kind, picture sources, trackers', () => {
    const html = fixture('live-blog-2023.html');
    const embeds = extractEmbeds(html, 'https://meridian.example/live/2023/10/14/corridor');
    const cdn = 'https://cdn.meridian.example/photos/2023/10';
    expect(embeds).toEqual([
      img('https://pbs.twimg.com/profile_images/1590123456789012345/AbCdEf12_normal.jpg'),
      img('https://pbs.twimg.com/media/F8aBcDeXkAAb1Cd.jpg', 'https://pbs.twimg.com/media/F8aBcDeXkAAb1Cd?format=jpg&name=small', { alt: 'Map of the corridor' }),
      x('1713111111111111111', 'link', 'https://twitter.com/IDF/status/1713111111111111111'),
      img('https://pbs.twimg.com/media/F8aXyZwWkAA9Hh2.jpg', 'https://pbs.twimg.com/media/F8aXyZwWkAA9Hh2.jpg:large', { alt: 'Families on the road' }),
      img('https://pbs.twimg.com/media/F8aQrStWsAAk0Lm.png', 'https://pbs.twimg.com/media/F8aQrStWsAAk0Lm.png?name=small', { alt: 'Satellite image' }),
      img(`${cdn}/convoy-1280.jpg`, undefined, { alt: 'A convoy moves south', caption: 'Credit: Reuters/Mohammed Salem' }),
      yt('XqZsoesa55w', 'link', 'https://www.youtube.com/shorts/XqZsoesa55w'),
      yt('jNQXAC9IVRw', 'link', 'https://youtu.be/jNQXAC9IVRw?t=3'),
      img('https://meridian.example/photos/2023/10/tents.jpg', undefined, { alt: 'Tents in Khan Younis' }),
      img(`${cdn}/water.jpg`, undefined, { alt: 'Water distribution' }),
      img(`${cdn}/bakery.jpg?crop=16:9&w=1200`, undefined, { alt: 'Queue at a bakery' }),
      img(`${cdn}/hospital-1600.webp`, undefined, { alt: 'The hospital courtyard' }),
    ]);
    const scan = scanArticle(html, 'https://meridian.example/live/2023/10/14/corridor');
    expect(scan.occurrences.filter((o) => o.kind === 'img')).toHaveLength(13);
    expect(scan.scripts).toEqual([]);
  });

  it('2016 malformed page: unclosed and nested pastes, fake embeds in comments, scripts, templates, textareas', () => {
    const html = fixture('malformed-2016.html');
    const url = 'https://aleppo.example/2016/11/23/power';
    expect(extractEmbeds(html, url)).toEqual([
      yt('M7lc1UVf-VE', 'embed', 'https://www.youtube.com/embed/M7lc1UVf-VE'),
      x('801234567890123456', 'embed', 'https://twitter.com/aleppo_council/status/801234567890123456', {
        fallback: { text: 'Power is back in parts of the city #Aleppo', authorName: 'Local Council', authorHandle: 'aleppo_council', date: 'November 23, 2016' },
      }),
      x('801234567890123458', 'link', 'https://twitter.com/AFP/status/801234567890123458'),
      img('https://cdn.aleppo.example/2016/11/generators.jpg', undefined, { alt: 'Generators & fuel cans' }),
      img('https://cdn.aleppo.example/2016/11/street.jpg', undefined, { alt: 'Aleppo' }),
      x('801234567890123457', 'link', 'https://twitter.com/Reuters/status/801234567890123457?s=20&t=AbC'),
      x('801234567890123459', 'link', 'https://twitter.com/AP/status/801234567890123459'),
      x('801234567890123460', 'embed', 'https://twitter.com/one/status/801234567890123460', {
        fallback: { text: 'First of two pastes', authorName: 'One', authorHandle: 'one', date: 'November 23, 2016' },
      }),
      x('801234567890123461', 'embed', 'https://twitter.com/two/status/801234567890123461', {
        fallback: { text: 'Second <b>paste</b> 🔥 \uFFFD odd', authorName: 'Two', authorHandle: 'two', date: 'November 23, 2016' },
      }),
      x('801234567890123462', 'embed', 'https://x.com/i/status/801234567890123462'),
    ]);
    const scan = scanArticle(html, url);
    expect(scan.scripts).toEqual([]);
    const quotes = scan.occurrences.filter((o) => o.kind === 'blockquote').map((o) => cut(html, o.range));
    // Left open, a paste ends with its date link; the next paste ends the one before it.
    expect(quotes[0]).toMatch(/^<blockquote class="twitter-tweet" data-lang="en">.*November 23, 2016<\/a>$/s);
    expect(quotes[1]).toMatch(/^<blockquote class="twitter-tweet"><p lang="en" dir="ltr">First of two pastes<\/p>.*November 23, 2016<\/a>$/s);
    expect(quotes[2]).toMatch(/^<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Second .*<\/blockquote>$/s);
    expect(quotes[3]).toBe('<blockquote class="twitter-tweet" data-tweet-id="801234567890123462"></blockquote>');
    const ap = scan.occurrences.find((o) => o.embed.providerId === '801234567890123459')!;
    expect(cut(html, ap.range)).toBe('<a href="https://twitter.com/AP/status/801234567890123459">link to AP\n');
    const unquoted = scan.occurrences.find((o) => o.embed.providerId === '801234567890123458')!;
    expect(cut(html, unquoted.attrs![0]!.valueRange!)).toBe('https://twitter.com/AFP/status/801234567890123458');
  });

  it('2024 roundup: Bluesky, Instagram, TikTok, Mastodon, Threads, Reddit and Facebook pastes', () => {
    const html = fixture('other-platforms-2024.html');
    const url = 'https://roundup.example/2024/02/reactions';
    const did = 'did:plc:z72i7hdynmk6r22z27h6tvur';
    const fb = 'pfbid02AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghijkl';
    expect(extractEmbeds(html, url)).toEqual([
      {
        provider: 'bluesky', providerId: `at://${did}/app.bsky.feed.post/3kgbz6tc6gl2b`,
        canonicalUrl: `https://bsky.app/profile/${did}/post/3kgbz6tc6gl2b`, role: 'embed',
        url: `https://bsky.app/profile/${did}/post/3kgbz6tc6gl2b`,
        fallback: {
          text: 'Bluesky is now open to everyone — no invite code required.\n\n[image or embed]',
          authorName: 'Bluesky', authorHandle: 'bsky.app', date: 'February 6, 2024 at 4:00 PM',
        },
      },
      {
        provider: 'instagram', providerId: 'C3xYz12AbCd', canonicalUrl: 'https://www.instagram.com/p/C3xYz12AbCd/', role: 'embed',
        url: 'https://www.instagram.com/p/C3xYz12AbCd/?utm_source=ig_embed&utm_campaign=loading',
        fallback: { authorName: 'UN Women', authorHandle: 'unwomen' },
      },
      {
        provider: 'tiktok', providerId: '6718335390845095173', canonicalUrl: 'https://www.tiktok.com/@/video/6718335390845095173', role: 'embed',
        url: 'https://www.tiktok.com/@scout2015/video/6718335390845095173',
        fallback: { text: 'Scramble up ur name & I’ll try to guess it😍❤️ #foryoupage', authorHandle: 'scout2015' },
      },
      {
        provider: 'mastodon', providerId: '112345678901234567', canonicalUrl: 'https://mastodon.social/@gargron/112345678901234567', role: 'embed',
        url: 'https://mastodon.social/@Gargron/112345678901234567/embed', fallback: { authorHandle: 'Gargron' },
      },
      {
        provider: 'threads', providerId: 'C2QBoRaRmR1', canonicalUrl: 'https://www.threads.com/t/C2QBoRaRmR1', role: 'embed',
        url: 'https://www.threads.net/@zuck/post/C2QBoRaRmR1', fallback: { authorHandle: 'zuck' },
      },
      {
        provider: 'reddit', providerId: 't3_1b2c3d4', canonicalUrl: 'https://www.reddit.com/comments/1b2c3d4/', role: 'embed',
        url: 'https://www.reddit.com/r/worldnews/comments/1b2c3d4/un_says_aid_deliveries_resume/',
        fallback: { text: 'UN says aid deliveries resume at the crossing', authorHandle: 'newsbot_2024' },
      },
      {
        provider: 'facebook', providerId: fb, canonicalUrl: `https://www.facebook.com/unicef/posts/${fb}`, role: 'embed',
        url: `https://www.facebook.com/UNICEF/posts/${fb}`,
        fallback: { text: 'Every child has the right to be safe.', authorName: 'UNICEF', date: 'Tuesday, February 20, 2024' },
      },
      yt('XqZsoesa55w', 'link', 'https://www.youtube.com/shorts/XqZsoesa55w'),
      yt('jNQXAC9IVRw', 'embed', 'https://youtu.be/jNQXAC9IVRw'),
    ]);
    const scan = scanArticle(html, url);
    expect(scan.scripts.map((r) => cut(html, r))).toEqual([
      '<script async defer crossorigin="anonymous" src="https://connect.facebook.net/en_US/sdk.js#xfbml=1&version=v19.0" nonce="AbCdEf12"></script>',
      '<script async src="https://embed.bsky.app/static/embed.js" charset="utf-8"></script>',
      '<script async src="//www.instagram.com/embed.js"></script>',
      '<script async src="https://www.tiktok.com/embed.js"></script>',
      '<script data-allowed-prefixes="https://mastodon.social/" async src="https://mastodon.social/embed.js"></script>',
      '<script async src="https://www.threads.net/embed.js"></script>',
      '<script async="" src="https://embed.reddit.com/widgets.js" charset="UTF-8"></script>',
    ]);
    const fbPost = scan.occurrences.find((o) => o.embed.provider === 'facebook')!;
    expect(cut(html, fbPost.range)).toMatch(/^<div class="fb-post".*<\/blockquote><\/div>$/s);
  });
  it('2022 long read: a full page with heavy boilerplate around ten embeds', () => {
    const html = fixture('long-read-2022.html');
    const url = 'https://courier.example/world/2022/sep/04/flood-relief';
    const media = 'https://i.courier.example/img/media';
    const embeds = extractEmbeds(html, url);
    expect(embeds.slice(0, 17)).toEqual([
      img(`${media}/flood-lead/master/620.jpg?width=620&quality=85`, undefined, {
        alt: 'Displaced families shelter on a raised motorway near Sukkur',
        caption: 'Displaced families shelter on a raised section of the motorway near Sukkur, one of the few dry places for miles. Photograph: Akhtar Soomro/Reuters',
      }),
      img('https://i.courier.example/img/contributors/saima-qureshi.png'),
      x('1565321098765432101', 'embed', 'https://twitter.com/WFP/status/1565321098765432101?ref_src=twsrc%5Etfw', {
        fallback: {
          text: 'Our teams are delivering food, water and hygiene kits to families in Sindh who have lost everything in the floods. The needs are enormous. #PakistanFloods pic.twitter.com/Fl00dRel1f',
          authorName: 'World Food Programme', authorHandle: 'WFP', date: 'September 1, 2022',
        },
      }),
      x('1565000000000000001', 'link', 'https://twitter.com/WFP/status/1565000000000000001'),
      x('1564987654321098765', 'embed', 'https://twitter.com/ESA_EO/status/1564987654321098765?ref_src=twsrc%5Etfw', {
        fallback: {
          text: 'Satellite imagery from 30 August shows the extent of flooding near Dadu. Water has merged with Lake Manchar to form an inland lake tens of kilometres wide.\n\nImage: Copernicus Sentinel-2 pic.twitter.com/S3nt1nel2a',
          authorName: 'ESA EarthObservation', authorHandle: 'ESA_EO', date: 'August 31, 2022',
        },
      }),
      x('1564812345678901234', 'link', 'https://x.com/CMShehbaz/status/1564812345678901234?s=20&t=aBcD'),
      img(`${media}/flood-1/master/2480.jpg`, undefined, { alt: 'A family wading through floodwater', caption: 'A family wades through floodwater in Jaffarabad district. Photograph: Fareed Khan/AP' }),
      img(`${media}/flood-1/master/1240.jpg`, undefined, { alt: 'A family wading through floodwater', caption: 'A family wades through floodwater in Jaffarabad district. Photograph: Fareed Khan/AP' }),
      yt('ykLm5x0ZJxU', 'embed', 'https://www.youtube-nocookie.com/embed/ykLm5x0ZJxU?rel=0&modestbranding=1'),
      yt('ykLm5x0ZJxU', 'link', 'https://www.youtube.com/watch?v=ykLm5x0ZJxU&t=95s'),
      x('1565712345678901234', 'embed', 'https://twitter.com/antonioguterres/status/1565712345678901234?ref_src=twsrc%5Etfw', {
        fallback: {
          text: 'I will travel to Pakistan next week to express my solidarity with the people of Pakistan, as they endure a devastating climate catastrophe. https://t.co/S0l1dar1ty',
          authorName: 'António Guterres', authorHandle: 'antonioguterres', date: 'September 2, 2022',
        },
      }),
      img(`${media}/flood-2/master/2480.jpg`, undefined, { alt: 'Men carrying sandbags', caption: 'Residents reinforce the embankment around Mehar. Photograph: Courier staff' }),
      img(`${media}/flood-2/master/1240.jpg`, undefined, { alt: 'Men carrying sandbags', caption: 'Residents reinforce the embankment around Mehar. Photograph: Courier staff' }),
      x('1565400000000000002', 'embed', 'https://twitter.com/NDMA_PK/status/1565400000000000002'),
      img(`${media}/flood-3/master/2480.jpg`, undefined, { alt: 'Children in a relief camp', caption: 'Children in a relief camp near Sukkur. Photograph: Akhtar Soomro/Reuters' }),
      img(`${media}/flood-3/master/1240.jpg`, undefined, { alt: 'Children in a relief camp', caption: 'Children in a relief camp near Sukkur. Photograph: Akhtar Soomro/Reuters' }),
      img('https://i.courier.example/img/contributors/saima-qureshi-bio.png', undefined, { alt: 'Saima Qureshi' }),
    ]);
    expect(embeds.slice(17)).toEqual(Array.from({ length: 12 }, (_, i) => img(`https://i.courier.example/img/related/${i}/master/400.jpg`)));
    const scan = scanArticle(html, url);
    expect(scan.scripts.map((r) => cut(html, r))).toEqual(['<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>']);
    expect(scan.occurrences.filter((o) => o.kind === 'img')).toHaveLength(3 + 1 + 6 + 1 + 24);
  });
});

describe('X blockquotes', () => {
  const date = (id: string, text = 'May 1, 2024'): string => `<a href="https://twitter.com/a/status/${id}?ref_src=twsrc%5Etfw">${text}</a>`;

  it('takes the id from data-tweet-id over the date link, and the date only from a matching link', () => {
    const html = `<blockquote class="twitter-tweet" data-tweet-id="222"><p>t</p>&mdash; A (@a) ${date('111')}</blockquote>`;
    expect(extractEmbeds(html)).toEqual([
      x('222', 'embed', 'https://x.com/i/status/222', { fallback: { text: 't', authorName: 'A', authorHandle: 'a' } }),
      x('111', 'link', 'https://twitter.com/a/status/111?ref_src=twsrc%5Etfw'),
    ]);
    expect(extractEmbeds(`<blockquote class="twitter-tweet" data-id="333">— A (@a) ${date('333')}</blockquote>`)[0]?.fallback)
      .toEqual({ authorName: 'A', authorHandle: 'a', date: 'May 1, 2024' });
  });

  it('takes the id from the last status link, and other posts in the text become links', () => {
    const html = '<blockquote class="twitter-video" data-status="hidden"><p lang="en">See <a href="https://x.com/b/status/5">this</a> and '
      + `<a href="https://youtu.be/jNQXAC9IVRw">that</a></p>— B (@b) ${date('6')}</blockquote>`;
    const scan = scanArticle(html);
    expect(kinds(scan.occurrences)).toEqual(['blockquote:x:6', 'link:x:5', 'link:youtube:jNQXAC9IVRw']);
    expect(scan.occurrences[0]!.embed.fallback).toEqual({ text: 'See this and that', authorName: 'B', authorHandle: 'b', date: 'May 1, 2024' });
    expect(cut(html, scan.occurrences[1]!.range)).toBe('<a href="https://x.com/b/status/5">this</a>');
    const at = html.indexOf('https://x.com/b/status/5');
    expect(scan.occurrences[1]!.attrs).toEqual([{ name: 'href', value: 'https://x.com/b/status/5', valueRange: { start: at, end: at + 24 } }]);
  });

  it('keeps line breaks and paragraphs, collapses the rest', () => {
    const html = '<blockquote class="twitter-tweet"><p>  one\n  line <br>two<br><br>four  </p><p>next\tpara</p>'
      + `&mdash;  Name  With  Spaces  (@h_1) ${date('7')}</blockquote>`;
    expect(extractEmbeds(html)[0]?.fallback).toEqual({
      text: 'one line\ntwo\n\nfour\n\nnext para', authorName: 'Name With Spaces', authorHandle: 'h_1', date: 'May 1, 2024',
    });
  });

  it('reads text a CMS left in front of the byline, and bylines without a dash', () => {
    expect(extractEmbeds(`<blockquote class="twitter-tweet">Text — with a dash — Name (@n) ${date('8')}</blockquote>`)[0]?.fallback)
      .toEqual({ text: 'Text — with a dash', authorName: 'Name', authorHandle: 'n', date: 'May 1, 2024' });
    expect(extractEmbeds(`<blockquote class="twitter-tweet">Name (@n) ${date('9')}</blockquote>`)[0]?.fallback)
      .toEqual({ authorName: 'Name', authorHandle: 'n', date: 'May 1, 2024' });
    expect(extractEmbeds(`<blockquote class="twitter-tweet">— Name (@not-a-handle) ${date('10')}</blockquote>`)[0]?.fallback)
      .toEqual({ authorName: 'Name', date: 'May 1, 2024' });
  });

  it('finds pastes wrapped in any markup, and ignores lookalike classes', () => {
    const html = `<figure class="wp-block-embed"><div class="wp-block-embed__wrapper"><section><blockquote class="  tw-align-center twitter-tweet " data-width="550" data-conversation="none">— A (@a) ${date('11')}</blockquote></section></div></figure>`
      + `<blockquote class="twitter-tweet-like">— A (@a) ${date('12')}</blockquote><blockquote class="not-twitter-tweet">${date('13')}</blockquote>`;
    expect(kinds(scanArticle(html).occurrences)).toEqual(['blockquote:x:11', 'link:x:12', 'link:x:13']);
  });

  it('yields nothing for a paste without any post id', () => {
    expect(scanArticle('<blockquote class="twitter-tweet"><p>gone</p>— A (@a) <a href="https://t.co/x">May 1</a></blockquote>').occurrences).toEqual([]);
  });
});

describe('bare URLs and links', () => {
  const bareOf = (html: string): string[] =>
    scanArticle(html).occurrences.filter((o) => o.kind === 'bare-url').map((o) => cut(html, o.range));
  const linksOf = (html: string): string[] =>
    scanArticle(html).occurrences.filter((o) => o.kind === 'link').map((o) => cut(html, o.range));
  const U = 'https://twitter.com/a/status/1';

  it.each([
    [`<p>${U}</p>`, [U]],
    [`<p>\n  ${U}  \n</p>`, [U]],
    [`<div class="wp-block-embed__wrapper">\n${U}\n</div>`, [U]],
    [`<li>${U}</li><li>${U}2</li>`, [U, `${U}2`]],
    [`<table><tr><td>${U}<td>x</table>`, [U]],
    [`<blockquote>${U}</blockquote>`, [U]],
    [`<p>Intro<br>\n${U}<br>More</p>`, [U]],
    [`<p>Intro<br/>${U}`, [U]],
    [`Intro line\n${U}\nnext line`, [U]],
    [`<p><span><strong>${U}</strong></span></p>`, [U]],
    [`<p>${U}<!-- note --></p>`, [U]],
    [`<p>https://youtu.be/jNQXAC9IVRw</p>`, ['https://youtu.be/jNQXAC9IVRw']],
    [`<p>${U}?s=20&amp;t=AbC</p>`, [`${U}?s=20&amp;t=AbC`]],
    [`<p>&nbsp;${U}&nbsp; &#160;</p>`, [U]],
    [`<p><a href="${U}">${U}</a></p>`, [`<a href="${U}">${U}</a>`]],
    [`<p><a href="${U}?s=20">twitter.com/a/status/1</a></p>`, [`<a href="${U}?s=20">twitter.com/a/status/1</a>`]],
    [`<div>\n  <a href="${U}"> ${U} </a>\n</div>`, [`<a href="${U}"> ${U} </a>`]],
  ])('%j is a bare URL', (html, expected) => {
    expect(bareOf(html)).toEqual(expected);
  });

  it.each([
    `<p>See ${U}</p>`,
    `<p>${U} and more</p>`,
    `<p>${U} ${U}2</p>`,
    `<p>${U}<img src="https://cdn.example/a.jpg"></p>`,
    `<p><a href="https://example.com/">${U}</a></p>`,
    `<p>twitter.com/a/status/1</p>`,
    `<p>https://x.com/a</p>`,
    `<p>${U}&nbsp;and more</p>`,
    `<p>https://t.co/abc</p>`,
    `<p>https://bsky.app/profile/a.bsky.social/post/3kgbz6tc6gl2b</p>`,
    `<pre><code>${U}x</code></pre>`,
    `<!--\n${U}\n-->`,
    `<script>\n${U}\n</script><style>\n${U}\n</style><textarea>\n${U}\n</textarea><title>${U}</title><template><p>${U}</p></template>`,
  ])('%j is not', (html) => {
    expect(bareOf(html)).toEqual([]);
  });

  it('keeps a link whose text is its URL as a link when it is not alone', () => {
    expect(linksOf(`<p>Source: <a href="${U}">${U}</a></p>`)).toEqual([`<a href="${U}">${U}</a>`]);
    expect(linksOf(`<p>Source:\n<a href="${U}">${U}</a></p>`)).toEqual([`<a href="${U}">${U}</a>`]);
    expect(linksOf(`<p><a href="${U}">${U}</a> (via AP)</p>`)).toEqual([`<a href="${U}">${U}</a>`]);
    expect(linksOf(`<p><a href="${U}">${U}</a><a href="${U}2">${U}2</a></p>`)).toEqual([`<a href="${U}">${U}</a>`, `<a href="${U}2">${U}2</a>`]);
    expect(linksOf(`<p><a href="${U}"><img src="https://cdn.example/a.jpg"></a></p>`)).toEqual([`<a href="${U}"><img src="https://cdn.example/a.jpg"></a>`]);
  });

  it('reports links to posts with their attributes, quoted or not', () => {
    const html = `<p>As <A HREF='${U}' class=cite data-x>reported</A>.</p>`;
    const [link] = scanArticle(html).occurrences;
    expect(link).toMatchObject({ kind: 'link', embed: x('1', 'link', U) });
    expect(cut(html, link!.range)).toBe(`<A HREF='${U}' class=cite data-x>reported</A>`);
    expect(link!.attrs!.map((a) => [a.name, a.value, a.valueRange && cut(html, a.valueRange)])).toEqual([
      ['href', U, U], ['class', 'cite', 'cite'], ['data-x', '', undefined],
    ]);
  });

  it('keeps to the tag’s own attributes when the parser drops a nested <form> right after it', () => {
    const html = '<form><p><a href="https://x.com/a/status/1"><form action="/x" href="https://x.com/b/status/2">t</a></p></form>';
    const [link] = scanArticle(html).occurrences;
    expect(link!.attrs!.map((a) => a.name)).toEqual(['href']);
    expect(link!.embed.providerId).toBe('1');
  });

  it('resolves relative links against the base', () => {
    expect(scanArticle('<p>See <a href="/a/status/42">this</a>.</p>', 'https://x.com/home').occurrences[0]?.embed.url).toBe('https://x.com/a/status/42');
    expect(scanArticle('<p>See <a href="/a/status/42">this</a>.</p>').occurrences).toEqual([]);
  });
});

describe('iframes', () => {
  it('finds YouTube players by src, data-src or data-lazy-src, and rendered X posts', () => {
    const html = '<iframe src="about:blank" data-src="https://www.youtube.com/embed/jNQXAC9IVRw"></iframe>'
      + '<IFRAME DATA-LAZY-SRC="//www.youtube-nocookie.com/embed/M7lc1UVf-VE"></IFRAME>'
      + '<iframe src="https://player.vimeo.com/video/1"></iframe>'
      + '<iframe data-tweet-id="77" src="https://platform.twitter.com/embed/Tweet.html?id=77"/>'
      + '<iframe class="mastodon-embed" src="https://mastodon.social/@Gargron/112345678901234567/embed"></iframe>';
    const scan = scanArticle(html);
    expect(kinds(scan.occurrences)).toEqual(['iframe:youtube:jNQXAC9IVRw', 'iframe:youtube:M7lc1UVf-VE', 'iframe:x:77', 'iframe:mastodon:112345678901234567']);
    expect(scan.occurrences.map((o) => cut(html, o.range))).toEqual([
      '<iframe src="about:blank" data-src="https://www.youtube.com/embed/jNQXAC9IVRw"></iframe>',
      '<IFRAME DATA-LAZY-SRC="//www.youtube-nocookie.com/embed/M7lc1UVf-VE"></IFRAME>',
      '<iframe data-tweet-id="77" src="https://platform.twitter.com/embed/Tweet.html?id=77"/>',
      '<iframe class="mastodon-embed" src="https://mastodon.social/@Gargron/112345678901234567/embed"></iframe>',
    ]);
  });

  it('reports the rendered wrapper only when the iframe is all it holds', () => {
    const iframe = '<iframe data-tweet-id="5" src="https://platform.twitter.com/embed/Tweet.html?id=5"></iframe>';
    const alone = `<div class="twitter-tweet twitter-tweet-rendered">\n  ${iframe}\n</div>`;
    expect(scanArticle(alone).occurrences.map((o) => [o.kind, cut(alone, o.range)])).toEqual([['container', alone]]);
    for (const html of [
      `<div class="twitter-tweet">${iframe}<span>caption</span></div>`,
      `<div class="twitter-tweet">${iframe} caption</div>`,
      `<div class="twitter-tweet-rendered">${iframe}</div>`,
    ]) {
      expect(scanArticle(html).occurrences.map((o) => [o.kind, cut(html, o.range)])).toEqual([['iframe', iframe]]);
    }
  });
});

describe('images', () => {
  const imagesOf = (html: string, base?: string): ExtractedEmbed[] => extractEmbeds(html, base).filter((e) => e.role === 'image');

  it('picks the largest srcset candidate: by width, else density, else the first', () => {
    expect(imagesOf('<img srcset="a.jpg 480w, c.jpg 1280w, b.jpg 960w" src="s.jpg">', 'https://n.example/')[0]?.url).toBe('https://n.example/c.jpg');
    expect(imagesOf('<img srcset="a.jpg, b.jpg 2x, c.jpg 1.5x">', 'https://n.example/')[0]?.url).toBe('https://n.example/b.jpg');
    expect(imagesOf('<img srcset="a.jpg, b.jpg">', 'https://n.example/')[0]?.url).toBe('https://n.example/a.jpg');
    expect(imagesOf('<img srcset="https://c.example/w_400,h_300/a.jpg 400w, https://c.example/w_800,h_600/a.jpg 800w">')[0]?.url)
      .toBe('https://c.example/w_800,h_600/a.jpg');
  });

  it('prefers lazy attributes to placeholders, and skips what cannot be archived', () => {
    const html = '<img src="data:image/gif;base64,R0lGOD" data-src="https://c.example/real.jpg">'
      + '<img src="https://c.example/low.jpg" data-lazy-srcset="https://c.example/hi.jpg 2000w">'
      + '<img src="data:image/png;base64,AAAA"><img src="blob:https://c.example/1"><img src="javascript:alert(1)"><img src="">'
      + '<img src="relative.jpg"><img src="//c.example/proto.jpg"><img>';
    expect(imagesOf(html).map((e) => e.url)).toEqual(['https://c.example/real.jpg', 'https://c.example/hi.jpg', 'https://c.example/proto.jpg']);
  });

  it('skips 1×1 trackers but not small real images', () => {
    const html = '<img src="https://t.example/a.gif" width="1" height="1"><img src="https://t.example/b.gif" width=0 height=0>'
      + '<img src="https://t.example/c.gif" style="width:1px;height:1px"><img src="https://t.example/d.gif" width="1" style="height: 1px">'
      + '<img src="https://c.example/icon.png" width="16" height="16"><img src="https://c.example/rule.png" width="600" height="1">';
    expect(imagesOf(html).map((e) => e.url)).toEqual(['https://c.example/icon.png', 'https://c.example/rule.png']);
  });

  it('feeds a picture’s <img> from its sources when it has no URL of its own', () => {
    const html = '<picture><source srcset="https://c.example/a-800.webp 800w, https://c.example/a-1600.webp 1600w" type="image/webp">'
      + '<source srcset="https://c.example/a-1200.jpg 1200w"><img src="data:image/gif;base64,R0lGOD" alt="A"></picture>'
      + '<picture><source srcset="https://c.example/b.webp"></picture>';
    const scan = scanArticle(html);
    expect(kinds(scan.occurrences)).toEqual([
      'img:image:https://c.example/a-1600.webp', 'img:image:https://c.example/a-1600.webp', 'img:image:https://c.example/a-1600.webp',
      'img:image:https://c.example/b.webp',
    ]);
    expect(cut(html, scan.occurrences[3]!.range)).toBe('<source srcset="https://c.example/b.webp">');
    expect(imagesOf(html)).toEqual([img('https://c.example/a-1600.webp', undefined, { alt: 'A' }), img('https://c.example/b.webp')]);
  });

  it('resolves against <base href>, itself resolved against the article URL', () => {
    const html = '<head><base href="/media/"><base href="https://other.example/"></head><img src="a.jpg"><img src="../b.jpg">';
    const scan = scanArticle(html, 'https://n.example/2024/story.html');
    expect(scan.baseUrl).toBe('https://n.example/media/');
    expect(imagesOf(html, 'https://n.example/2024/story.html').map((e) => e.url)).toEqual(['https://n.example/media/a.jpg', 'https://n.example/b.jpg']);
    expect(scanArticle('<base href="https://cdn.example/x/"><img src="a.jpg">').occurrences[0]?.embed.url).toBe('https://cdn.example/x/a.jpg');
    expect(scanArticle('<img src="a.jpg">', 'not a url').baseUrl).toBeUndefined();
  });

  it('gives the figure caption to every image of the figure, before or after them', () => {
    const html = '<figure><figcaption>Before <a href="https://x.com/MfaEgypt">Photo/x/@MfaEgypt</a></figcaption><img src="https://c.example/1.jpg" alt=" one "></figure>'
      + '<figure><img src="https://c.example/2.jpg"><figure><img src="https://c.example/3.jpg"><figcaption>Inner</figcaption></figure><figcaption>Outer<br>line</figcaption></figure>'
      + '<figure><img src="https://c.example/4.jpg" alt=""><figcaption>  </figcaption></figure>';
    expect(imagesOf(html)).toEqual([
      img('https://c.example/1.jpg', undefined, { alt: 'one', caption: 'Before Photo/x/@MfaEgypt' }),
      img('https://c.example/2.jpg', undefined, { caption: 'Outer line' }),
      img('https://c.example/3.jpg', undefined, { caption: 'Inner' }),
      img('https://c.example/4.jpg'),
    ]);
  });

  it('keeps images inside pasted posts and live-blog markup', () => {
    const html = `<blockquote class="twitter-tweet"><p>t <img src="https://pbs.twimg.com/media/Abc?format=png&amp;name=small" alt="chart"></p>— A (@a) <a href="https://x.com/a/status/3">d</a></blockquote>`;
    expect(kinds(scanArticle(html).occurrences)).toEqual(['blockquote:x:3', 'img:image:https://pbs.twimg.com/media/Abc.png']);
  });

  it('reports every attribute with the exact range of its value', () => {
    const html = '<IMG SRC = "https://c.example/a.jpg?x=1&amp;y=2" data-srcset=\'https://c.example/b.jpg 2x\' alt=Unquoted loading=lazy hidden>';
    const [o] = scanArticle(html).occurrences;
    expect(o!.attrs!.map((a) => [a.name, a.value, a.valueRange && cut(html, a.valueRange)])).toEqual([
      ['src', 'https://c.example/a.jpg?x=1&y=2', 'https://c.example/a.jpg?x=1&amp;y=2'],
      ['data-srcset', 'https://c.example/b.jpg 2x', 'https://c.example/b.jpg 2x'],
      ['alt', 'Unquoted', 'Unquoted'],
      ['loading', 'lazy', 'lazy'],
      ['hidden', '', undefined],
    ]);
    expect(cut(html, o!.range)).toBe(html);
  });
});

describe('embed scripts', () => {
  const scriptsOf = (html: string): string[] => scanArticle(html).scripts.map((r) => cut(html, r));

  it('finds every way widgets.js is loaded, and the other platforms’ loaders', () => {
    const tags = [
      '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>',
      '<script src="//platform.twitter.com/widgets.js"></script>',
      '<script src="http://platform.twitter.com/widgets.js?ver=5.2"></script>',
      '<SCRIPT SRC="HTTPS://PLATFORM.TWITTER.COM/WIDGETS.JS"></SCRIPT>',
      '<script type="text/plain" data-cookieconsent="marketing" data-src="https://platform.twitter.com/widgets.js"></script>',
      '<script>!function(d,s,id){var js,fjs=d.getElementsByTagName(s)[0];if(!d.getElementById(id)){js=d.createElement(s);js.id=id;js.src="//platform.twitter.com/widgets.js";fjs.parentNode.insertBefore(js,fjs);}}(document,"script","twitter-wjs");</script>',
      '<script src="https://platform.twitter.com/widgets.js"/>',
      '<script async src="https://embed.bsky.app/static/embed.js" charset="utf-8"></script>',
      '<script async src="//www.instagram.com/embed.js"></script>',
      '<script async src="https://www.tiktok.com/embed.js"></script>',
      '<script async src="https://www.threads.net/embed.js"></script>',
      '<script async src="https://embed.reddit.com/widgets.js" charset="UTF-8"></script>',
      '<script async defer src="https://connect.facebook.net/en_GB/sdk.js#xfbml=1&amp;version=v19.0"></script>',
      '<script>(function(d, s, id) { var js = d.createElement(s); js.src = "https://connect.facebook.net/en_US/sdk.js#xfbml=1"; d.body.appendChild(js); }(document, "script", "facebook-jssdk"));</script>',
    ];
    const html = tags.join('\n<p>text</p>\n');
    expect(scriptsOf(html)).toEqual(tags);
  });

  it('ignores other scripts, data blobs and loaders hidden in comments', () => {
    const html = '<script src="https://cdn.example/app.js"></script><script src=""></script>'
      + '<script type="application/ld+json">{"body":"<script src=\\"https://platform.twitter.com/widgets.js\\"><\\/script>"}</script>'
      + `<script>var app = ${JSON.stringify('platform.twitter.com/widgets.js '.repeat(200))};</script>`
      + '<!-- <script src="https://platform.twitter.com/widgets.js"></script> -->'
      + '<textarea><script src="https://platform.twitter.com/widgets.js"></script></textarea>';
    expect(scriptsOf(html)).toEqual([]);
  });

  it('counts a bare /embed.js only for the instance of a Mastodon embed on the page', () => {
    const quote = '<blockquote class="mastodon-embed" data-embed-url="https://mastodon.social/@a/1/embed"></blockquote>';
    const own = '<script src="https://mastodon.social/embed.js" async></script>';
    const other = '<script src="https://cdn.example/embed.js"></script>';
    expect(scriptsOf(own + other + quote)).toEqual([own]);
    expect(scriptsOf(own + other)).toEqual([]);
  });

  it('detects scripts wherever they stand, template included, and to the end of an unclosed one', () => {
    const html = '<template><script src="https://platform.twitter.com/widgets.js"></script></template><script src="//platform.twitter.com/widgets.js">';
    expect(scriptsOf(html)).toEqual(['<script src="https://platform.twitter.com/widgets.js"></script>', '<script src="//platform.twitter.com/widgets.js">']);
  });
});

describe('extractEmbeds', () => {
  it('keeps one entry per canonical URL and role; later occurrences only fill what is missing', () => {
    const html = '<p><a href="https://twitter.com/a/status/9">cited</a></p>'
      + '<blockquote class="twitter-tweet" data-tweet-id="9"></blockquote>'
      + '<blockquote class="twitter-tweet"><p>Text</p>— A (@a) <a href="https://x.com/a/status/9">May 1</a></blockquote>'
      + '<img src="https://pbs.twimg.com/media/Q.jpg:small"><figure><img src="https://pbs.twimg.com/media/Q?format=jpg&amp;name=large" alt="Alt"><figcaption>Cap</figcaption></figure>';
    expect(extractEmbeds(html)).toEqual([
      x('9', 'link', 'https://twitter.com/a/status/9'),
      x('9', 'embed', 'https://x.com/i/status/9', { fallback: { text: 'Text', authorName: 'A', authorHandle: 'a', date: 'May 1' } }),
      img('https://pbs.twimg.com/media/Q.jpg', 'https://pbs.twimg.com/media/Q.jpg:small', { alt: 'Alt', caption: 'Cap' }),
    ]);
  });

  it('does not share objects with the scan', () => {
    const html = '<blockquote class="twitter-tweet"><p>T</p>— A (@a) <a href="https://x.com/a/status/1">d</a></blockquote>';
    const [embed] = extractEmbeds(html);
    embed!.fallback!.text = 'changed';
    expect(extractEmbeds(html)[0]?.fallback?.text).toBe('T');
  });
});

describe('robustness', () => {
  it('never throws, on any input', () => {
    let seedValue = 7;
    const rnd = (): number => {
      seedValue = (seedValue * 1103515245 + 12345) % 2147483648;
      return seedValue / 2147483648;
    };
    const pieces = [
      '<', '>', '</', '/>', '"', "'", '=', '&', '&amp;', '&#', ';', '<!--', '-->', '<![CDATA[', ']]>', '\n', ' ', '\u0000', '\uD800', '\uFFFE',
      'blockquote', 'class="twitter-tweet"', 'p', 'a', 'href=', 'https://twitter.com/a/status/1', 'https://youtu.be/jNQXAC9IVRw', 'img', 'src=',
      'srcset="a 1w, , ,b 2x"', 'data-src', 'picture', 'source', 'figure', 'figcaption', 'iframe', 'script', 'style', 'template', 'textarea',
      'svg', 'math', 'br', 'div class="twitter-tweet"', 'base href=', 'data-tweet-id="9"', '— A (@a)', 'http', '//', 'الخارجية', '🇪🇬',
    ];
    for (let n = 0; n < 400; n++) {
      let html = '';
      const len = Math.floor(rnd() * 200);
      for (let i = 0; i < len; i++) html += pieces[Math.floor(rnd() * pieces.length)];
      expect(() => {
        const scan = scanArticle(html, n % 2 === 0 ? 'https://n.example/a/' : undefined);
        for (const o of scan.occurrences) {
          if (o.range.start < 0 || o.range.end > html.length || o.range.start > o.range.end) throw new Error(`bad range in ${JSON.stringify(html)}`);
        }
        // Attribute values may be empty (`<img hidden>`); nothing may be undefined.
        expectNoEmptyFacts(scan, '$', false);
        expectNoEmptyFacts(extractEmbeds(html));
      }).not.toThrow();
    }
    for (const html of ['', '<', '<<<<', '</a>', '<a href', '<img src="https://c.example/a.jpg', '<script>', '<iframe src="https://youtu.be/jNQXAC9IVRw">', '<!--']) {
      expect(() => scanArticle(html)).not.toThrow();
    }
  });

  it('handles a 5 MB page', () => {
    const big = generateLargeArticle();
    expect(big.html.length).toBeGreaterThan(4_900_000);
    const embeds = extractEmbeds(big.html, 'https://news.example/live/2023/11/21');
    expect(embeds.filter((e) => e.provider === 'x' && e.role === 'embed').map((e) => e.providerId)).toEqual(big.posts);
    expect(embeds.filter((e) => e.provider === 'x' && e.role === 'link').map((e) => e.providerId)).toEqual(big.posts);
    expect(embeds.filter((e) => e.provider === 'youtube').map((e) => e.providerId)).toEqual(big.videos);
    expect(embeds.filter((e) => e.role === 'image').map((e) => e.canonicalUrl)).toEqual(big.images);
    expectNoEmptyFacts(embeds);
  });

  it('stays linear on pathological nesting', () => {
    // Uncapped, htmlparser2 alone needs ≈ 18 s for this on the 2-core dev machine.
    const deep = `${'<div>'.repeat(100_000)}<p>https://twitter.com/a/status/1</p>${'</span>'.repeat(30_000)}`;
    const started = performance.now();
    const scan = scanArticle(deep);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(kinds(scan.occurrences)).toEqual(['bare-url:x:1']);
    const quotes = '<blockquote class="twitter-tweet"><p>'.repeat(20_000);
    expect(() => scanArticle(quotes)).not.toThrow();
  });
});
