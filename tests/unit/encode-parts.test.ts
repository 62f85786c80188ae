import { describe, expect, it } from 'vitest';
import { encodeParts } from '../../src/core/encode-parts.ts';

const encode = (s: string) => new TextEncoder().encode(s);

describe('encodeParts', () => {
  it.each([
    ['nothing', []],
    ['empty parts', ['', '', '']],
    ['ASCII', ['<p>', 'hello', '</p>']],
    ['Latin text', ['Zürich ', 'café ', '— naïve']],
    // Three bytes per character from start to end: the first buffer is far too small and grows.
    ['CJK only', ['東京都の天気', '。'.repeat(5000), '大阪']],
    ['emoji (surrogate pairs) at every boundary', ['👍', '🏳️‍🌈', 'a👍', '👍b']],
    ['Arabic and Hebrew', ['مرحبا بالعالم', ' ', 'שלום עולם']],
    // A lone surrogate becomes U+FFFD, as TextEncoder.encode makes it.
    ['lone surrogates', ['a\uD800', '\uDC00b', '\uD83D']],
    ['a large mixed article', Array.from({ length: 200 }, (_, i) => (i % 3 ? 'x'.repeat(900) : `<p lang="ja">記事 ${i} — ✓</p>`))],
  ] as Array<[string, string[]]>)('%s: the bytes of the joined string', (_, parts) => {
    expect(Buffer.from(encodeParts(parts)).equals(Buffer.from(encode(parts.join(''))))).toBe(true);
  });
});
