/**
 * A deterministic, realistic ~151 KB news article with 10 embeds: 6 pasted X blockquotes (each with
 * its widgets.js script), 2 YouTube iframes and 2 lazy-loaded article photos, between many ordinary
 * paragraphs, in-text links, inline SVG/data-URI icons, 1×1 beacons, scripts, styles and comments.
 * Only hosts the fixture upstream serves are used, so the article can be archived offline.
 */

export interface ArticleSpec {
  /** X post ids (6), in order. */
  posts: string[];
  /** YouTube video ids (2). */
  videos: string[];
  /** Absolute URLs of the two lazy photos. */
  photos: string[];
  /** Target size in bytes of UTF-8 (default 151 000). */
  bytes?: number;
}

export const ARTICLE_URL = 'https://news.example/world/2024/03/14/harbour-flood-heat-report';

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the council said on thursday that flood defences along the river would be raised before winter while residents ' +
  'in low lying streets described water reaching their doors within minutes of the storm arriving officials ' +
  'confirmed that the pumping station had failed twice during the night and engineers were working to restore ' +
  'power to the northern districts where schools remain closed meteorologists warned of further heavy rain ' +
  'across the region over the weekend and urged drivers to avoid the ring road heat maps published by the city ' +
  'show neighbourhoods with little shade running several degrees warmer than parks nearby according to data ' +
  'collected from sensors installed last summer the mayor promised a review of the budget for green spaces ' +
  'insurance claims rose sharply in the quarter as households counted the cost of repairs and lost belongings'
).split(' ');

const ICON = 'data:image/svg+xml;base64,' + Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M18.244 2.25h3.308l-7.227 8.26 8.502 11.24H16.17l-5.214-6.817L4.99 21.75H1.68l7.73-8.835L1.254 2.25H8.08l4.713 6.231z"/></svg>',
).toString('base64');
const PLACEHOLDER = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

function sentence(r: () => number): string {
  const n = 8 + Math.floor(r() * 18);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(r() * WORDS.length)]!);
  const s = words.join(' ');
  return s[0]!.toUpperCase() + s.slice(1) + '.';
}

function paragraph(r: () => number, i: number): string {
  const parts: string[] = [];
  const n = 3 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    let s = sentence(r);
    if (r() < 0.45) {
      const w = s.split(' ');
      const at = 1 + Math.floor(r() * (w.length - 3));
      w[at] = `<a href="https://news.example/${['world', 'climate', 'city', 'politics'][k % 4]}/2024/${(i % 12) + 1}/story-${i}-${k}" data-track="inline">${w[at]} ${w[at + 1]}</a>`;
      w.splice(at + 1, 1);
      s = w.join(' ');
    }
    if (r() < 0.15) s = s.replace(/ (\w+) /, ' <em>$1</em> ');
    if (r() < 0.1) s = s.replace(/ (\w+) /, ' <strong>$1</strong> ');
    parts.push(s);
  }
  return `<p class="body-text">${parts.join(' ')}</p>\n`;
}

function xBlockquote(id: string, i: number): string {
  const handles = ['metrodesk', 'mayalindqvist', 'dailyledger', 'SpriterMonitor1', 'cityweather', 'harbourwatch'];
  const h = handles[i % handles.length]!;
  return `<blockquote class="twitter-tweet" data-lang="en" data-dnt="true"><p lang="en" dir="ltr">` +
    `Water is now over the footpath at the Aller bridge; crews are closing the ring road between junctions ${i + 2} and ${i + 3}. ` +
    `Updates as we get them <a href="https://twitter.com/hashtag/Floods?src=hash&amp;ref_src=twsrc%5Etfw">#Floods</a> ` +
    `<a href="https://t.co/Vb7nQe2L${i}A">pic.twitter.com/Vb7nQe2L${i}A</a></p>&mdash; Desk ${i} (@${h}) ` +
    `<a href="https://twitter.com/${h}/status/${id}?ref_src=twsrc%5Etfw">March ${10 + i}, 2024</a></blockquote>\n` +
    `<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>\n`;
}

function youtubeIframe(id: string): string {
  return `<div class="video-embed"><iframe width="560" height="315" src="https://www.youtube.com/embed/${id}?si=Zr4xQ8pLmA2sB1cD" ` +
    `title="YouTube video player" frameborder="0" allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; ` +
    `picture-in-picture; web-share" referrerpolicy="strict-origin-when-cross-origin" allowfullscreen></iframe></div>\n`;
}

function lazyPhoto(url: string, i: number): string {
  return `<figure class="article-photo"><img class="lazyload" src="${PLACEHOLDER}" data-src="${url}" ` +
    `data-srcset="${url} 1200w" sizes="(max-width: 700px) 100vw, 700px" width="1200" height="800" ` +
    `alt="Flooded street number ${i + 1} seen from the bridge"><noscript>Photo loading</noscript>` +
    `<figcaption>Residents wade through the flooded street on Thursday. Photo: Metro Desk</figcaption></figure>\n`;
}

function shareBar(i: number): string {
  return `<div class="share" data-section="${i}"><a href="https://news.example/share?s=x&amp;p=${i}" class="share-x">` +
    `<img src="${ICON}" alt="" class="icon"> Share</a> <a href="https://news.example/share?s=mail&amp;p=${i}">` +
    `<img src="${ICON}" alt="" class="icon"> Email</a><img src="https://images.example/beacon-${i}.gif" width="1" height="1" alt=""></div>\n`;
}

const HEAD = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Harbour district floods as heat report warns of hotter summers | News Example</title>
<link rel="canonical" href="${ARTICLE_URL}">
<meta property="og:title" content="Harbour district floods as heat report warns of hotter summers">
<meta property="og:image" content="https://images.example/og-harbour.jpg">
<style>body{font:18px/1.6 Georgia,serif;margin:0}.body-text{max-width:680px;margin:0 auto 1em}.share img{width:16px;height:16px}
.article-photo img{max-width:100%;height:auto}.video-embed{position:relative;max-width:560px;margin:1em auto}</style>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Harbour district floods","datePublished":"2024-03-14T09:00:00Z"}</script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag('js',new Date());</script>
</head><body class="article">
<!-- site header -->
<header class="site"><nav>${Array.from({ length: 40 }, (_, i) => `<a href="https://news.example/section-${i}">Section ${i}</a>`).join(' ')}</nav></header>
<main><article class="story"><h1>Harbour district floods as heat report warns of hotter summers</h1>
<p class="byline">By <a href="https://news.example/authors/metro-desk">Metro Desk</a> · <time datetime="2024-03-14T09:00:00Z">March 14, 2024</time></p>
`;

const TAIL = `</article></main>
<footer class="site"><nav>${Array.from({ length: 60 }, (_, i) => `<a href="https://news.example/about/${i}">About ${i}</a>`).join(' ')}</nav>
<p>© 2024 News Example. All rights reserved.</p></footer>
<script src="https://news.example/static/app.3f9a1c.js" defer></script>
</body></html>
`;

/** The article; embeds are spread evenly through the body. */
export function buildNewsArticle(spec: ArticleSpec): string {
  const target = spec.bytes ?? 151_000;
  const embeds = [
    ...spec.posts.map((id, i) => xBlockquote(id, i)),
    ...spec.videos.map((id) => youtubeIframe(id)),
    ...spec.photos.map((url, i) => lazyPhoto(url, i)),
  ];
  // Interleave kinds: X, X, video, X, photo, X, X, video, photo, X.
  const order = [0, 1, 6, 2, 8, 3, 4, 7, 9, 5].map((i) => embeds[i]!).filter(Boolean);
  const fixed = Buffer.byteLength(HEAD + TAIL + order.join(''));
  const r = rng(151);
  const paragraphs: string[] = [];
  let size = fixed;
  for (let i = 0; size < target; i++) {
    const p = (i % 6 === 5 ? shareBar(i) : '') + (i % 9 === 8 ? `<h2>Section ${i / 9}</h2>\n<!-- ad slot ${i} -->\n` : '') + paragraph(r, i);
    paragraphs.push(p);
    size += Buffer.byteLength(p);
  }
  const every = Math.floor(paragraphs.length / (order.length + 1));
  const body: string[] = [];
  paragraphs.forEach((p, i) => {
    body.push(p);
    if ((i + 1) % every === 0 && (i + 1) / every <= order.length) body.push(order[(i + 1) / every - 1]!);
  });
  return HEAD + body.join('') + TAIL;
}

/** Fixed-size stand-ins for the bench that needs no upstream: ids of the right shapes. */
export const STANDALONE_SPEC: ArticleSpec = {
  posts: ['1768207158735799810', '1753459562247096818', '1768231124988857523', '1792453637436344771', '1797695028458425314', '1726942316025209093'],
  videos: ['Xk3vQ9pL2sA', 'Nd8qEmbOf4c'],
  photos: ['https://images.example/lazy-harbour.jpg', 'https://images.example/lazy-bridge.jpg'],
};
