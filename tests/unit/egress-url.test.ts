import { describe, it, expect } from 'vitest';
import { applyOverrides, normalizeOutboundUrl } from '../../src/core/egress-url.ts';
import { EgressError } from '../../src/core/errors.ts';
import { formatIpAddress, parseIPv4, parseIPv6 } from '../../src/core/ip-address.ts';

function badUrl(run: () => unknown): EgressError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EgressError);
    expect((error as EgressError).reason).toBe('bad_url');
    return error as EgressError;
  }
  throw new Error('expected an EgressError(bad_url)');
}

describe('normalizeOutboundUrl', () => {
  it.each([
    ['http://example.com', 'http://example.com/'],
    ['HTTPS://EXAMPLE.COM/Path?Q=1', 'https://example.com/Path?Q=1'],
    ['http://example.com./a', 'http://example.com/a'],
    ['http://EXAMPLE.com.:8080/', 'http://example.com:8080/'],
    ['http://example.com:80/', 'http://example.com/'],
    ['https://example.com:443/', 'https://example.com/'],
    ['https://example.com:80/', 'https://example.com:80/'],
    ['http://example.com/a#frag', 'http://example.com/a'],
    ['http://bücher.example/', 'http://xn--bcher-kva.example/'],
    ['http://ＥＸＡＭＰＬＥ.com/', 'http://example.com/'],
    ['http://2130706433/', 'http://127.0.0.1/'],
    ['http://0177.0.0.1/', 'http://127.0.0.1/'],
    ['http://0x7f.1/', 'http://127.0.0.1/'],
    ['http://127.1:8080/', 'http://127.0.0.1:8080/'],
    ['http://0x7f000001/', 'http://127.0.0.1/'],
    ['http://127.0.0.1./', 'http://127.0.0.1/'],
    ['http://%31%32%37.1/', 'http://127.0.0.1/'],
    ['http://[::FFFF:127.0.0.1]/', 'http://[::ffff:7f00:1]/'],
    ['http://[0:0:0:0:0:0:0:1]:81/', 'http://[::1]:81/'],
    ['http://example.com/a/../b/./c', 'http://example.com/b/c'],
    ['http://example.com/%2e%2e/x', 'http://example.com/x'],
    ['http:\\\\example.com\\a', 'http://example.com/a'],
    ['http:///example.com/', 'http://example.com/'],
    [' http://example.com/ ', 'http://example.com/'],
    ['http://exa\tmple.com/', 'http://example.com/'],
    ['http://@example.com/', 'http://example.com/'],
    ['http://example.com:65535/', 'http://example.com:65535/'],
  ])('%j → %s', (input, expected) => {
    expect(normalizeOutboundUrl(input).href).toBe(expected);
  });

  it.each([
    'file:///etc/passwd', 'data:text/html,hi', 'javascript:alert(1)', 'chrome://settings', 'ftp://example.com/',
    'gopher://example.com/', 'ws://example.com/', 'wss://example.com/', 'blob:http://example.com/x', 'about:blank',
    'view-source:http://example.com/', 'mailto:a@example.com', 'chrome-extension://abc/x', 'dict://127.0.0.1:11211/',
  ])('refuses the scheme of %s', (input) => {
    expect(badUrl(() => normalizeOutboundUrl(input)).message).toMatch(/only http and https/);
  });

  it.each([
    'http://a@b', 'http://a:b@example.com/', 'http://:p@example.com/', 'https://cdn.syndication.twimg.com@127.0.0.1/',
    'https://cdn.syndication.twimg.com:443@127.0.0.1/', 'http://user%40x@example.com/', 'http://example.com@@127.0.0.1/',
  ])('refuses credentials in %s', (input) => {
    expect(badUrl(() => normalizeOutboundUrl(input)).message).toMatch(/credentials/);
  });

  it.each([
    '', 'not a url', '/relative/path', 'http://', 'http:// /', 'http://[::1', 'http://a b/', 'http://example.com:65536/',
    'http://example.com:99999/', 'http://example.com:-1/', 'http://example.com:abc/', 'http://example.com:0/',
    'http://256.0.0.1/', 'http://0x1.0x2.0x3.0x4.5/', 'http://example.com../', 'http://a..b/', 'http://.example.com/',
    'http://[fe80::1%25eth0]/', 'http://1.2.3.4../',
  ])('refuses %j', (input) => {
    badUrl(() => normalizeOutboundUrl(input));
  });

  it.each(['2130706433', '0177.0.0.1', '0x7f.1', '127.1', '0x7f000001', '0xa9fea9fe', '10.1', '0.0x0.0'])(
    'canonicalises %s exactly as parseIPv4 does',
    (host) => {
      const value = parseIPv4(host);
      expect(value).not.toBeNull();
      expect(normalizeOutboundUrl(`http://${host}/`).hostname).toBe(formatIpAddress({ version: 4, value: value ?? 0 }));
    },
  );
  it.each(['1:0:0:2:0:0:0:3', '0:0:1:0:0:1:0:0', '::ffff:127.0.0.1', 'FE80:0:0:0:0:0:0:1', '2001:db8::', '::', '1:2:3:4:5:6:7:8'])(
    'writes IPv6 %s exactly as the URL parser does',
    (host) => {
      expect(normalizeOutboundUrl(`http://[${host}]/`).hostname).toBe(`[${formatIpAddress({ version: 6, pieces: parseIPv6(host) ?? [] })}]`);
    },
  );
});

describe('applyOverrides', () => {
  const overrides = {
    'https://cdn.syndication.twimg.com/': 'http://127.0.0.1:9100/syndication/',
    'https://cdn.syndication.twimg.com/tweet-result': 'http://127.0.0.1:9100/tweets',
    'https://platform.twitter.com/': 'http://127.0.0.1:9100/platform/',
    'https://Case.Example/API/': 'http://127.0.0.1:9100/never/',
  };

  it.each([
    ['https://cdn.syndication.twimg.com/x.js', 'http://127.0.0.1:9100/syndication/x.js'],
    ['https://cdn.syndication.twimg.com/tweet-result?id=1', 'http://127.0.0.1:9100/tweets?id=1'],
    ['HTTPS://CDN.SYNDICATION.TWIMG.COM/a#frag', 'http://127.0.0.1:9100/syndication/a'],
    ['https://cdn.syndication.twimg.com./a', 'http://127.0.0.1:9100/syndication/a'],
    ['https://cdn.syndication.twimg.com:443/a', 'http://127.0.0.1:9100/syndication/a'],
    ['https://platform.twitter.com/embed/Tweet.html?id=1', 'http://127.0.0.1:9100/platform/embed/Tweet.html?id=1'],
    ['https://platform.twitter.com/a/../b', 'http://127.0.0.1:9100/platform/b'],
    ['https://platform.twitter.com.', 'http://127.0.0.1:9100/platform/'],
  ])('%s is sent to %s', (input, expected) => {
    expect(applyOverrides(input, overrides)).toEqual({ url: expected, overridden: true });
  });

  it.each([
    ['https://cdn.syndication.twimg.com.evil.example/x', 'https://cdn.syndication.twimg.com.evil.example/x'],
    ['http://cdn.syndication.twimg.com/x', 'http://cdn.syndication.twimg.com/x'],
    ['https://cdn.syndication.twimg.com:8443/x', 'https://cdn.syndication.twimg.com:8443/x'],
    ['http://127.0.0.1:9100/syndication/x.js', 'http://127.0.0.1:9100/syndication/x.js'],
    ['http://2130706433:9100/syndication/x.js', 'http://127.0.0.1:9100/syndication/x.js'],
    ['http://[::ffff:127.0.0.1]:9100/syndication/', 'http://[::ffff:7f00:1]:9100/syndication/'],
    ['https://case.example/API/x', 'https://case.example/API/x'],
    ['https://case.example/api/x', 'https://case.example/api/x'],
    ['https://evil.example/https://cdn.syndication.twimg.com/', 'https://evil.example/https://cdn.syndication.twimg.com/'],
    ['https://evil.example/?u=https://platform.twitter.com/', 'https://evil.example/?u=https://platform.twitter.com/'],
  ])('%s only imitates a key', (input, expected) => {
    expect(applyOverrides(input, overrides)).toEqual({ url: expected, overridden: false });
  });

  it('refuses @ tricks before looking at keys', () => {
    badUrl(() => applyOverrides('https://cdn.syndication.twimg.com@127.0.0.1:9100/', overrides));
    badUrl(() => applyOverrides('https://x:y@cdn.syndication.twimg.com/', overrides));
    expect(applyOverrides('https://cdn.syndication.twimg.com/@127.0.0.1', overrides)).toEqual({
      url: 'http://127.0.0.1:9100/syndication/@127.0.0.1',
      overridden: true,
    });
  });

  it('matches only real prefixes: the longest key wins regardless of order', () => {
    const reversed = Object.fromEntries(Object.entries(overrides).reverse());
    expect(applyOverrides('https://cdn.syndication.twimg.com/tweet-result?id=2', reversed).url).toBe('http://127.0.0.1:9100/tweets?id=2');
  });

  it('never lets a key without a trailing slash carry a request off its target', () => {
    const loose = { 'https://mirror.example': 'http://mirror.internal' };
    expect(applyOverrides('https://mirror.example/a', loose)).toEqual({ url: 'http://mirror.internal/a', overridden: true });
    badUrl(() => applyOverrides('https://mirror.example.evil.example/', loose));
    badUrl(() => applyOverrides('https://mirror.example:8443/', loose));
  });

  it('reports an override whose target is not a URL', () => {
    badUrl(() => applyOverrides('https://a.example/x', { 'https://a.example/': 'not a url/' }));
  });
});
