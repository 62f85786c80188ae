import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.ts';

describe('config', () => {
  it('uses the embedded defaults', () => {
    expect(parseConfig({})).toMatchObject({
      port: 8787, dataDir: './data', snapshotDir: './snapshots', publicBaseUrl: 'http://localhost:8787',
      publicReads: true, auditConfirmDelaySeconds: 3600, captureConcurrency: 2, upstreamOverrides: {},
    });
  });

  it('parses every pinned name', () => {
    const c = parseConfig({
      PORT: '9000', DATA_DIR: '/d', SNAPSHOT_DIR: '/s', PUBLIC_BASE_URL: 'https://keep.example/', ADMIN_TOKEN: 'x'.repeat(20),
      PUBLIC_READS: 'false', AUDIT_CONFIRM_DELAY: '60', CHROMIUM_PATH: '/usr/bin/chromium', CAPTURE_CONCURRENCY: '3',
      UPSTREAM_OVERRIDES: '{"https://cdn.syndication.twimg.com/":"http://127.0.0.1:9100/syndication/"}',
    });
    expect(c).toMatchObject({
      port: 9000, dataDir: '/d', snapshotDir: '/s', publicBaseUrl: 'https://keep.example', publicReads: false,
      auditConfirmDelaySeconds: 60, chromiumPath: '/usr/bin/chromium', captureConcurrency: 3,
      upstreamOverrides: { 'https://cdn.syndication.twimg.com/': 'http://127.0.0.1:9100/syndication/' },
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['PUBLIC_BASE_URL', 'not a url'],
    ['ADMIN_TOKEN', 'short'],
    ['PUBLIC_READS', 'maybe'],
    ['CAPTURE_CONCURRENCY', '0'],
    ['UPSTREAM_OVERRIDES', '{not json'],
    ['UPSTREAM_OVERRIDES', '["https://a/"]'],
    ['UPSTREAM_OVERRIDES', '{"https://a/": 5}'],
  ])('names the key of a bad value: %s=%s', (key, value) => {
    expect(() => parseConfig({ [key]: value })).toThrow(ConfigError);
    expect(() => parseConfig({ [key]: value })).toThrow(new RegExp(key));
  });
});
