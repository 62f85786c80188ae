/**
 * IP address parsing and classification for the SSRF guard. Pure and web-standard (no `node:`),
 * so the same rules hold on Node and on Workers.
 */

export type IpAddress =
  | { version: 4; value: number }
  | { version: 6; pieces: number[] };

export interface AddressClass {
  allowed: boolean;
  /** Why an address is refused: the name of the range it falls in. */
  range?: string;
}

/**
 * The WHATWG URL IPv4 parser: one to four dot-separated numbers, each decimal, octal (leading 0)
 * or hex (0x); the last one fills the remaining bytes. These are the spellings browsers accept,
 * so `2130706433`, `0177.0.0.1`, `0x7f.1` and `127.1` all mean 127.0.0.1.
 */
export function parseIPv4(input: string): number | null {
  const parts = input.split('.');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length > 4) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    const n = parseIPv4Number(part);
    if (n === null) return null;
    numbers.push(n);
  }
  const last = numbers.pop();
  if (last === undefined || numbers.some((n) => n > 255) || last >= 256 ** (4 - numbers.length)) return null;
  return numbers.reduce((sum, n, i) => sum + n * 256 ** (3 - i), last);
}

function parseIPv4Number(part: string): number | null {
  if (part === '') return null;
  let digits = part;
  let pattern = /^[0-9]+$/;
  let radix = 10;
  if (/^0x/i.test(part)) [digits, pattern, radix] = [part.slice(2), /^[0-9a-f]+$/i, 16];
  else if (part.length > 1 && part.startsWith('0')) [digits, pattern, radix] = [part.slice(1), /^[0-7]+$/, 8];
  if (digits === '') return 0;
  return pattern.test(digits) ? parseInt(digits, radix) : null;
}

/** Eight 16-bit pieces; accepts brackets, `::` compression, a trailing dotted IPv4 and a zone id. */
export function parseIPv6(input: string): number[] | null {
  let text = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  // A zone id only picks the interface; the address itself is what gets classified.
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0] ?? '', halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '', true) : [];
  if (head === null || tail === null) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const gap = 8 - head.length - tail.length;
  return gap >= 1 ? [...head, ...new Array<number>(gap).fill(0), ...tail] : null;
}

function parseGroups(text: string, v4Allowed: boolean): number[] | null {
  if (text === '') return [];
  const groups = text.split(':');
  const pieces: number[] = [];
  for (const [i, group] of groups.entries()) {
    if (v4Allowed && i === groups.length - 1 && group.includes('.')) {
      const v4 = parseDottedQuad(group);
      if (v4 === null) return null;
      pieces.push(Math.floor(v4 / 0x10000), v4 % 0x10000);
    } else if (/^[0-9a-f]{1,4}$/i.test(group)) {
      pieces.push(parseInt(group, 16));
    } else {
      return null;
    }
  }
  return pieces;
}

/** Inside IPv6 only strict dotted decimal is valid (as in the WHATWG parser). */
function parseDottedQuad(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255)) return null;
  return parts.reduce((sum, p) => sum * 256 + Number(p), 0);
}

export function parseIpAddress(input: string): IpAddress | null {
  if (input.includes(':')) {
    const pieces = parseIPv6(input);
    return pieces ? { version: 6, pieces } : null;
  }
  const value = parseIPv4(input);
  return value === null ? null : { version: 4, value };
}

/** Canonical text, as the WHATWG URL serializer writes hosts (IPv6 without brackets). */
export function formatIpAddress(ip: IpAddress): string {
  if (ip.version === 4) return [24, 16, 8, 0].map((shift) => Math.floor(ip.value / 2 ** shift) % 256).join('.');
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    let end = i;
    while (end < 8 && ip.pieces[end] === 0) end++;
    if (end - i > best.length) best = { start: i, length: end - i };
    i = end === i ? i + 1 : end;
  }
  const hex = ip.pieces.map((p) => p.toString(16));
  if (best.start === -1) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** Where an IPv4 address sits inside an IPv6 one, for the translation ranges. */
type Embedding = { label: string; at: 'low' | '6to4' };
type Range<T> = { base: T; bits: number; name: string | Embedding };

const V4_RANGES: Array<Range<number>> = [
  ['0.0.0.0/8', 'unspecified'], ['10.0.0.0/8', 'private'], ['100.64.0.0/10', 'cgnat'],
  ['127.0.0.0/8', 'loopback'], ['169.254.0.0/16', 'link-local'],
  ['169.254.169.254/32', 'link-local (cloud metadata)'], ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'ietf-protocol'], ['192.0.2.0/24', 'documentation'], ['192.88.99.0/24', '6to4-relay'],
  ['192.168.0.0/16', 'private'], ['198.18.0.0/15', 'benchmarking'], ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'], ['224.0.0.0/4', 'multicast'], ['240.0.0.0/4', 'reserved'],
  ['255.255.255.255/32', 'broadcast'],
].map(([cidr, name]) => {
  const [base, bits] = (cidr ?? '').split('/');
  return { base: parseIPv4(base ?? '') ?? 0, bits: Number(bits), name: name ?? '' };
});

const V6_RANGES: Array<Range<bigint>> = ([
  ['::/128', 'unspecified'], ['::1/128', 'loopback'],
  ['::/96', { label: 'ipv4-compatible', at: 'low' }],
  ['::ffff:0:0/96', { label: 'ipv4-mapped', at: 'low' }],
  ['::ffff:0:0:0/96', { label: 'ipv4-translated', at: 'low' }],
  ['64:ff9b::/96', { label: 'nat64', at: 'low' }],
  // Local-use NAT64 places the IPv4 bits by the operator's prefix length; no public host lives there.
  ['64:ff9b:1::/48', 'nat64-local-use'],
  ['100::/64', 'discard-only'], ['2001::/23', 'ietf-protocol'], ['2001::/32', 'teredo'],
  ['2001:2::/48', 'benchmarking'], ['2001:10::/28', 'orchid'], ['2001:20::/28', 'orchid-v2'],
  ['2001:db8::/32', 'documentation'], ['2002::/16', { label: '6to4', at: '6to4' }],
  ['3fff::/20', 'documentation'], ['5f00::/16', 'srv6-sid'], ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'], ['fec0::/10', 'site-local'], ['ff00::/8', 'multicast'],
] as Array<[string, string | Embedding]>).map(([cidr, name]) => {
  const [base, bits] = cidr.split('/');
  return { base: toBigInt(parseIPv6(base ?? '') ?? []), bits: Number(bits), name };
});

const GLOBAL_UNICAST = { base: 0x2000n << 112n, bits: 3 };

function toBigInt(pieces: number[]): bigint {
  return pieces.reduce((sum, p) => (sum << 16n) | BigInt(p), 0n);
}

function longestMatch<T>(ranges: Array<Range<T>>, inRange: (r: Range<T>) => boolean): Range<T> | undefined {
  return ranges.filter(inRange).sort((a, b) => b.bits - a.bits)[0];
}

function classifyV4(value: number): AddressClass {
  const hit = longestMatch(V4_RANGES, (r) => Math.floor(value / 2 ** (32 - r.bits)) === Math.floor(r.base / 2 ** (32 - r.bits)));
  return hit ? { allowed: false, range: String(hit.name) } : { allowed: true };
}

function classifyV6(pieces: number[]): AddressClass {
  const value = toBigInt(pieces);
  const within = (base: bigint, bits: number) => value >> BigInt(128 - bits) === base >> BigInt(128 - bits);
  const hit = longestMatch(V6_RANGES, (r) => within(r.base, r.bits));
  if (hit && typeof hit.name === 'string') return { allowed: false, range: hit.name };
  if (hit && typeof hit.name === 'object') {
    const shift = hit.name.at === '6to4' ? 80n : 0n;
    const inner = classifyV4(Number((value >> shift) & 0xffffffffn));
    return inner.allowed ? inner : { allowed: false, range: `${hit.name.label} ${inner.range}` };
  }
  // Outside 2000::/3 everything is reserved or unassigned: no public host is reachable there.
  return within(GLOBAL_UNICAST.base, GLOBAL_UNICAST.bits) ? { allowed: true } : { allowed: false, range: 'reserved' };
}

/** Whether an outbound connection to this address may be made; anything unparsable is refused. */
export function classifyAddress(ip: string): AddressClass {
  const parsed = parseIpAddress(ip);
  if (parsed === null) return { allowed: false, range: 'invalid' };
  return parsed.version === 4 ? classifyV4(parsed.value) : classifyV6(parsed.pieces);
}
