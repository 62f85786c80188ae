import { describe, expect, it } from 'vitest';
import {
  canonicalImageUrl, canonicalize, imageIdentity, normalizeXId, parseXStatusId, parseYouTubeId,
} from '../../src/core/canonical-url.ts';
import { parseHttpUrl, queryParam } from '../../src/core/http-url.ts';
import { blueskyUrlFromAtUri, canonicalizeMastodon } from '../../src/core/social-url.ts';

const ID = '1726942316025209093';
const X = { provider: 'x', providerId: ID, canonicalUrl: `https://x.com/i/status/${ID}` };

describe('canonicalize: X posts', () => {
  it.each([
    `https://twitter.com/SpriterMonitor1/status/${ID}`,
    `https://twitter.com/SpriterMonitor1/status/${ID}?ref_src=twsrc%5Etfw`,
    `http://twitter.com/SpriterMonitor1/status/${ID}`,
    `https://www.twitter.com/SpriterMonitor1/status/${ID}`,
    `https://mobile.twitter.com/SpriterMonitor1/status/${ID}`,
    `https://x.com/SpriterMonitor1/status/${ID}?s=20&t=AbCdEf`,
    `https://www.x.com/SpriterMonitor1/status/${ID}`,
    `https://mobile.x.com/SpriterMonitor1/status/${ID}`,
    `HTTPS://TWITTER.COM/SpriterMonitor1/status/${ID}`,
    `https://Twitter.Com/SpriterMonitor1/Status/${ID}`,
    `https://twitter.com/SpriterMonitor1/statuses/${ID}`,
    `https://twitter.com/statuses/${ID}`,
    `https://twitter.com/#!/SpriterMonitor1/status/${ID}`,
    `https://twitter.com/%23!/SpriterMonitor1/status/${ID}`,
    `https://twitter.com/i/web/status/${ID}`,
    `https://x.com/i/status/${ID}`,
    `https://x.com/SpriterMonitor1/status/${ID}/photo/1`,
    `https://x.com/SpriterMonitor1/status/${ID}/video/2`,
    `https://x.com/SpriterMonitor1/status/${ID}/analytics`,
    `https://x.com/SpriterMonitor1/status/${ID}/`,
    `https://x.com/SpriterMonitor1/status/${ID}#fragment`,
    `https://x.com/a/status/${ID}`,
    `https://x.com/fifteen_chars_1/status/${ID}`,
    `https://platform.twitter.com/embed/Tweet.html?id=${ID}`,
    `https://platform.twitter.com/embed/Tweet.html?dnt=false&embedId=twitter-widget-0&id=${ID}&lang=en`,
    `https://platform.twitter.com/embed/index.html?id=${ID}&theme=light`,
    `https://x.com/SpriterMonitor1/status/0${ID}`,
  ])('%s', (url) => {
    expect(canonicalize(url)).toEqual(X);
  });

  it('keeps ids as decimal strings, past 2^53 and up to 20 digits', () => {
    expect(canonicalize('https://x.com/a/status/9007199254740993')?.providerId).toBe('9007199254740993');
    expect(canonicalize('https://x.com/a/status/18446744073709551615')?.providerId).toBe('18446744073709551615');
    expect(canonicalize('https://x.com/a/status/20')).toEqual({ provider: 'x', providerId: '20', canonicalUrl: 'https://x.com/i/status/20' });
  });

  it('resolves relative to a base', () => {
    expect(canonicalize(`/SpriterMonitor1/status/${ID}`, 'https://twitter.com/home')).toEqual(X);
    expect(canonicalize(`//x.com/a/status/${ID}`, 'http://news.example/a')).toEqual(X);
  });

  it.each([
    'https://t.co/2ngpSf5sg1',
    'https://x.com/SpriterMonitor1',
    'https://x.com/hashtag/Gaza?src=hash',
    'https://x.com/SpriterMonitor1/status/',
    'https://x.com/SpriterMonitor1/status/12ab',
    'https://x.com/SpriterMonitor1/status/000',
    'https://x.com/SpriterMonitor1/status/123456789012345678901',
    'https://x.com/this_handle_is_too_long/status/1',
    'https://x.com/a/b/status/1',
    'https://x.com/i/spaces/1YqKDoNqPbvxV',
    'https://nottwitter.com/a/status/1',
    'https://twitter.com.evil.example/a/status/1',
    'https://platform.twitter.com/widgets.js',
    'https://platform.twitter.com/embed/Tweet.html',
    'https://platform.twitter.com/embed/Tweet.html?id=abc',
    'ftp://twitter.com/a/status/1',
    'javascript:alert(1)//twitter.com/a/status/1',
    'https://user:pass@twitter.com/a/status/1',
    'https://user@x.com/a/status/1',
    'twitter.com/a/status/1',
    '/a/status/1',
    'http://',
    '',
    'not a url',
  ])('%s is not a post', (url) => {
    expect(canonicalize(url)).toBeNull();
  });

  it('parseXStatusId and normalizeXId', () => {
    expect(parseXStatusId(`https://twitter.com/#!/x/status/${ID}`)).toBe(ID);
    expect(parseXStatusId(`https://platform.twitter.com/embed/Tweet.html?id=${ID}`)).toBe(ID);
    expect(parseXStatusId('https://www.youtube.com/watch?v=M7lc1UVf-VE')).toBeNull();
    expect(normalizeXId(` ${ID} `)).toBe(ID);
    expect(normalizeXId('007')).toBe('7');
    expect(normalizeXId('0')).toBeNull();
    expect(normalizeXId('1e5')).toBeNull();
    expect(normalizeXId('123456789012345678901')).toBeNull();
  });
});

describe('canonicalize: YouTube', () => {
  const YT = { provider: 'youtube', providerId: 'M7lc1UVf-VE', canonicalUrl: 'https://www.youtube.com/watch?v=M7lc1UVf-VE' };

  it.each([
    'https://www.youtube.com/watch?v=M7lc1UVf-VE',
    'https://youtube.com/watch?v=M7lc1UVf-VE&t=42s',
    'https://www.youtube.com/watch?feature=share&v=M7lc1UVf-VE',
    'http://m.youtube.com/watch?v=M7lc1UVf-VE',
    'https://music.youtube.com/watch?v=M7lc1UVf-VE&list=RDAMVM',
    'https://youtu.be/M7lc1UVf-VE',
    'https://youtu.be/M7lc1UVf-VE?t=3',
    'https://www.youtube.com/embed/M7lc1UVf-VE?rel=0',
    'https://www.youtube.com/embed/M7lc1UVf-VE/',
    'https://www.youtube-nocookie.com/embed/M7lc1UVf-VE',
    'https://youtube-nocookie.com/embed/M7lc1UVf-VE?modestbranding=1',
    'https://www.youtube.com/shorts/M7lc1UVf-VE',
    'https://www.youtube.com/live/M7lc1UVf-VE?si=abc',
    'https://www.youtube.com/v/M7lc1UVf-VE?version=3',
    'https://WWW.YOUTUBE.COM/watch?v=M7lc1UVf-VE',
  ])('%s', (url) => {
    expect(canonicalize(url)).toEqual(YT);
  });

  it.each([
    'https://www.youtube.com/watch?v=short',
    'https://www.youtube.com/watch?v=M7lc1UVf-VE1',
    'https://www.youtube.com/watch',
    'https://www.youtube.com/embed/videoseries?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG',
    'https://www.youtube.com/embed/live_stream?channel=UC123',
    'https://www.youtube.com/embed/M7lc1UVf-VE/extra',
    'https://www.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw',
    'https://www.youtube.com/@user',
    'https://youtu.be/',
    'https://notyoutube.com/watch?v=M7lc1UVf-VE',
  ])('%s is not a video', (url) => {
    expect(canonicalize(url)).toBeNull();
  });

  it('parseYouTubeId', () => {
    expect(parseYouTubeId('https://youtu.be/jNQXAC9IVRw')).toBe('jNQXAC9IVRw');
    expect(parseYouTubeId('https://x.com/a/status/1')).toBeNull();
  });
});

describe('canonicalize: other platforms', () => {
  it.each([
    ['https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3kgbz6tc6gl2b?ref_src=embed', 'bluesky',
      'at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3kgbz6tc6gl2b',
      'https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3kgbz6tc6gl2b'],
    ['https://bsky.app/profile/Bsky.App/post/3kgbz6tc6gl2b', 'bluesky',
      'at://bsky.app/app.bsky.feed.post/3kgbz6tc6gl2b', 'https://bsky.app/profile/bsky.app/post/3kgbz6tc6gl2b'],
    ['https://www.instagram.com/p/C3xYz12AbCd/?utm_source=ig_embed', 'instagram', 'C3xYz12AbCd', 'https://www.instagram.com/p/C3xYz12AbCd/'],
    ['https://instagram.com/reel/C3xYz12AbCd', 'instagram', 'C3xYz12AbCd', 'https://www.instagram.com/p/C3xYz12AbCd/'],
    ['https://www.instagram.com/unwomen/p/C3xYz12AbCd/', 'instagram', 'C3xYz12AbCd', 'https://www.instagram.com/p/C3xYz12AbCd/'],
    ['https://www.tiktok.com/@scout2015/video/6718335390845095173?lang=en', 'tiktok', '6718335390845095173', 'https://www.tiktok.com/@/video/6718335390845095173'],
    ['https://www.tiktok.com/embed/v2/6718335390845095173', 'tiktok', '6718335390845095173', 'https://www.tiktok.com/@/video/6718335390845095173'],
    ['https://www.threads.net/@zuck/post/C2QBoRaRmR1', 'threads', 'C2QBoRaRmR1', 'https://www.threads.com/t/C2QBoRaRmR1'],
    ['https://www.threads.com/t/C2QBoRaRmR1', 'threads', 'C2QBoRaRmR1', 'https://www.threads.com/t/C2QBoRaRmR1'],
    ['https://www.reddit.com/r/worldnews/comments/1b2c3d4/un_says_aid_deliveries_resume/', 'reddit', 't3_1b2c3d4', 'https://www.reddit.com/comments/1b2c3d4/'],
    ['https://old.reddit.com/r/worldnews/comments/1b2c3d4/', 'reddit', 't3_1b2c3d4', 'https://www.reddit.com/comments/1b2c3d4/'],
    ['https://redd.it/1b2c3d4', 'reddit', 't3_1b2c3d4', 'https://www.reddit.com/comments/1b2c3d4/'],
    ['https://www.reddit.com/r/worldnews/comments/1b2c3d4/slug/kq1x2y3/', 'reddit', 't1_kq1x2y3', 'https://www.reddit.com/comments/1b2c3d4/_/kq1x2y3/'],
    ['https://www.facebook.com/UNICEF/posts/pfbid02AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghijkl', 'facebook',
      'pfbid02AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghijkl',
      'https://www.facebook.com/unicef/posts/pfbid02AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghijkl'],
    ['https://m.facebook.com/story.php?story_fbid=10158000000000001&id=100064000000001', 'facebook', '100064000000001_10158000000000001',
      'https://www.facebook.com/permalink.php?story_fbid=10158000000000001&id=100064000000001'],
    ['https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2FUNICEF%2Fposts%2F10158000000000001&width=500', 'facebook',
      '10158000000000001', 'https://www.facebook.com/unicef/posts/10158000000000001'],
    ['https://www.facebook.com/UNICEF/videos/1234567890123456/', 'facebook', '1234567890123456', 'https://www.facebook.com/watch/?v=1234567890123456'],
    ['https://www.facebook.com/watch/?v=1234567890123456', 'facebook', '1234567890123456', 'https://www.facebook.com/watch/?v=1234567890123456'],
  ])('%s', (url, provider, providerId, canonicalUrl) => {
    expect(canonicalize(url)).toEqual({ provider, providerId, canonicalUrl });
  });

  it.each([
    'https://bsky.app/profile/bsky.app',
    'https://www.instagram.com/unwomen/',
    'https://vm.tiktok.com/ZMabc123/',
    'https://www.tiktok.com/@scout2015',
    'https://www.reddit.com/r/worldnews/',
    'https://www.reddit.com/r/worldnews/s/AbCdEf',
    'https://www.facebook.com/UNICEF',
    'https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fevil.example%2FUNICEF%2Fposts%2F10158000000000001',
    'https://mastodon.social/@Gargron/112345678901234567',
  ])('%s is not a post (or needs markup to be known)', (url) => {
    expect(canonicalize(url)).toBeNull();
  });

  it('Mastodon is recognised only when the markup says so', () => {
    const u = parseHttpUrl('https://Mastodon.Social/@Gargron/112345678901234567/embed');
    expect(u && canonicalizeMastodon(u)).toEqual({
      provider: 'mastodon', providerId: '112345678901234567', canonicalUrl: 'https://mastodon.social/@gargron/112345678901234567',
    });
    const legacy = parseHttpUrl('https://mastodon.social/users/Gargron/statuses/112345678901234567');
    expect(legacy && canonicalizeMastodon(legacy)?.canonicalUrl).toBe('https://mastodon.social/@gargron/112345678901234567');
  });

  it('converts Bluesky at:// URIs', () => {
    expect(blueskyUrlFromAtUri('at://did:plc:abc/app.bsky.feed.post/3kgbz6tc6gl2b'))
      .toBe('https://bsky.app/profile/did:plc:abc/post/3kgbz6tc6gl2b');
    expect(blueskyUrlFromAtUri('at://did:plc:abc/app.bsky.actor.profile/self')).toBeNull();
  });
});

describe('canonicalImageUrl', () => {
  it.each([
    ['https://pbs.twimg.com/media/F_cMoscowMfa1?format=jpg&name=large', 'https://pbs.twimg.com/media/F_cMoscowMfa1.jpg'],
    ['https://pbs.twimg.com/media/F_cMoscowMfa1.jpg?format=jpg&name=large', 'https://pbs.twimg.com/media/F_cMoscowMfa1.jpg'],
    ['https://pbs.twimg.com/media/F_cMoscowMfa1.jpg:large', 'https://pbs.twimg.com/media/F_cMoscowMfa1.jpg'],
    ['https://pbs.twimg.com/media/F_cMoscowMfa1.jpg?name=small', 'https://pbs.twimg.com/media/F_cMoscowMfa1.jpg'],
    ['http://pbs.twimg.com/media/F_cMoscowMfa1.png:orig', 'https://pbs.twimg.com/media/F_cMoscowMfa1.png'],
    ['https://pbs.twimg.com/media/F_cMoscowMfa1?format=PNG&name=4096x4096', 'https://pbs.twimg.com/media/F_cMoscowMfa1.png'],
    ['https://PBS.twimg.com/media/F_cMoscowMfa1.jpg#x', 'https://pbs.twimg.com/media/F_cMoscowMfa1.jpg'],
    ['https://CDN.Example.com/a/b.jpg?w=800#frag', 'https://cdn.example.com/a/b.jpg?w=800'],
    ['https://cdn.example.com:443/a%20b.jpg', 'https://cdn.example.com/a%20b.jpg'],
    ['http://cdn.example.com/a.jpg', 'http://cdn.example.com/a.jpg'],
  ])('%s', (url, canonical) => {
    expect(canonicalImageUrl(url)).toBe(canonical);
  });

  it('resolves against a base, and leaves what it cannot parse as it is', () => {
    expect(canonicalImageUrl('../img/a.jpg', 'https://news.example/2023/11/story.html')).toBe('https://news.example/2023/img/a.jpg');
    expect(canonicalImageUrl('not a url')).toBe('not a url');
    expect(imageIdentity('https://pbs.twimg.com/media/X.jpg:small')).toEqual({
      provider: 'image', providerId: 'https://pbs.twimg.com/media/X.jpg', canonicalUrl: 'https://pbs.twimg.com/media/X.jpg',
    });
    expect(imageIdentity('data:image/gif;base64,R0lGOD')).toBeNull();
  });
});

describe('parseHttpUrl', () => {
  it('cuts the parts from the serialisation', () => {
    expect(parseHttpUrl('HTTPS://User.Example.COM:8443/a/b?c=1&d=2#e?f')).toEqual({
      href: 'https://user.example.com:8443/a/b?c=1&d=2#e?f', host: 'user.example.com', authority: 'user.example.com:8443',
      path: '/a/b', search: '?c=1&d=2', hash: '#e?f',
    });
    expect(parseHttpUrl('http://[::1]:8080?x')).toMatchObject({ host: '[::1]', path: '/', search: '?x', hash: '' });
    expect(parseHttpUrl('https://a.example#h')).toMatchObject({ path: '/', search: '', hash: '#h' });
  });

  it('reads query parameters as forms do', () => {
    expect(queryParam('?a=1&id=42&id=43', 'id')).toBe('42');
    expect(queryParam('?q=a+b%20c&flag', 'q')).toBe('a b c');
    expect(queryParam('?q=a+b%20c&flag', 'flag')).toBe('');
    expect(queryParam('?bad=%E0%A4%A', 'bad')).toBe('%E0%A4%A');
    expect(queryParam('', 'id')).toBeNull();
  });
});
