/**
 * What the scanner needs to know about a tag name, packed in one number so that each tag costs
 * one Map lookup (tag names arrive as fresh lowercased strings; a `switch` on them compares text).
 */

/** Starts or ends a line of rendered text (bare-URL detection). */
export const BLOCK = 1;
/** Visible content that is not text: a URL next to it is not alone. */
export const CONTENT = 2;
/** Never has children (htmlparser2's own list: its close event for these is synthetic). */
export const VOID = 4;
/** Its content is raw text, never markup (htmlparser2's special tags). */
export const RAW = 8;

export const CODE_MASK = 0xff0;
export const A = 1 << 4;
export const IMG = 2 << 4;
export const SOURCE = 3 << 4;
export const PICTURE = 4 << 4;
export const FIGURE = 5 << 4;
export const FIGCAPTION = 6 << 4;
export const IFRAME = 7 << 4;
export const SCRIPT = 8 << 4;
export const BASE = 9 << 4;
export const TEMPLATE = 10 << 4;
export const BLOCKQUOTE = 11 << 4;
export const P = 12 << 4;
export const BR = 13 << 4;
export const DIV = 14 << 4;

const blocks = [
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'center', 'dd', 'details', 'dialog',
  'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4',
  'h5', 'h6', 'header', 'hgroup', 'hr', 'html', 'legend', 'li', 'main', 'menu', 'nav', 'ol', 'p',
  'pre', 'section', 'summary', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul', 'br',
];
const contents = [
  'img', 'iframe', 'video', 'audio', 'svg', 'math', 'object', 'embed', 'canvas', 'input', 'button',
  'select', 'textarea', 'picture', 'meter', 'progress',
];
const voids = [
  'area', 'base', 'basefont', 'br', 'col', 'command', 'embed', 'frame', 'hr', 'img', 'input',
  'isindex', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr',
];
const raws = ['script', 'style', 'textarea', 'title', 'xmp', 'noembed', 'noframes', 'plaintext', 'iframe'];
const codes: Array<[string, number]> = [
  ['a', A], ['img', IMG], ['source', SOURCE], ['picture', PICTURE], ['figure', FIGURE],
  ['figcaption', FIGCAPTION], ['iframe', IFRAME], ['script', SCRIPT], ['base', BASE],
  ['template', TEMPLATE], ['blockquote', BLOCKQUOTE], ['p', P], ['br', BR], ['div', DIV],
];

export const TAGS = new Map<string, number>();
const add = (names: string[], bits: number): void => {
  for (const n of names) TAGS.set(n, (TAGS.get(n) ?? 0) | bits);
};
add(blocks, BLOCK);
add(contents, CONTENT);
add(voids, VOID);
add(raws, RAW);
for (const [n, code] of codes) add([n], code);
