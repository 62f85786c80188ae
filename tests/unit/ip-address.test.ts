import { describe, it, expect } from 'vitest';
import { classifyAddress, formatIpAddress, parseIpAddress, parseIPv4, parseIPv6 } from '../../src/core/ip-address.ts';

const v4 = (text: string) => {
  const value = parseIPv4(text);
  return value === null ? null : formatIpAddress({ version: 4, value });
};
const v6 = (text: string) => {
  const pieces = parseIPv6(text);
  return pieces === null ? null : formatIpAddress({ version: 6, pieces });
};

describe('parseIPv4 accepts every spelling a browser accepts', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f.0.0.1', '127.0.0.1'],
    ['0X7F.0.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['0177.0x0.0.01', '127.0.0.1'],
    ['0x7f.0.0x0.1', '127.0.0.1'],
    ['127.0.0.1.', '127.0.0.1'],
    ['0', '0.0.0.0'],
    ['0x', '0.0.0.0'],
    ['00', '0.0.0.0'],
    ['4294967295', '255.255.255.255'],
    ['0xffffffff', '255.255.255.255'],
    ['169.254.43518', '169.254.169.254'],
    ['0xa9fea9fe', '169.254.169.254'],
    ['10.1', '10.0.0.1'],
    ['192.168.65535', '192.168.255.255'],
    ['0x0000000000007f.1', '127.0.0.1'],
    ['127.0.0.0x', '127.0.0.0'],
  ])('%s → %s', (input, expected) => {
    expect(v4(input)).toBe(expected);
  });

  it.each([
    '', '.', '1.2.3.4.5', '256.0.0.1', '1.2.3.256', '4294967296', '0x100000000', '1.16777216',
    '08.0.0.1', '0xg.0.0.1', '1..2.3', 'example.com', '1.2.3.4..', '-1.0.0.0', '1.2.3.4 ', '0x7f.0.0.1x',
  ])('rejects %j', (input) => {
    expect(parseIPv4(input)).toBeNull();
  });
});

describe('parseIPv6', () => {
  it.each([
    ['::1', '::1'],
    ['::', '::'],
    ['[::1]', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
    ['FE80::1', 'fe80::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['[fe80::1%25eth0]', 'fe80::1'],
    ['::ffff:127.0.0.1', '::ffff:7f00:1'],
    ['::FFFF:7f00:1', '::ffff:7f00:1'],
    ['::127.0.0.1', '::7f00:1'],
    ['64:ff9b::10.0.0.1', '64:ff9b::a00:1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['1::', '1::'],
    ['2606:4700:4700::1111', '2606:4700:4700::1111'],
  ])('%s → %s', (input, expected) => {
    expect(v6(input)).toBe(expected);
  });

  it.each([
    ':', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::1', '::1.2.3', '::1.2.3.256',
    '::01.2.3.4', '1.2.3.4::', '::ffff:0x7f.0.0.1', '[::1', '1:2:3:4:5:6:7:8::',
  ])('rejects %j', (input) => {
    expect(parseIPv6(input)).toBeNull();
  });
});

describe('classifyAddress refuses every non-public range', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['2130706433', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['127.1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.5', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.0.1', 'link-local'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['0xa9fea9fe', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.100.100.200', 'cgnat'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['254.1.2.3', 'reserved'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['192.0.0.8', 'ietf-protocol'],
    ['192.88.99.1', '6to4-relay'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['fc00::1', 'unique-local'],
    ['fd00:ec2::254', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['::ffff:127.0.0.1', 'ipv4-mapped loopback'],
    ['::ffff:7f00:1', 'ipv4-mapped loopback'],
    ['::ffff:10.0.0.1', 'ipv4-mapped private'],
    ['::ffff:169.254.169.254', 'ipv4-mapped link-local (cloud metadata)'],
    ['::127.0.0.1', 'ipv4-compatible loopback'],
    ['::10.0.0.1', 'ipv4-compatible private'],
    ['::ffff:0:7f00:1', 'ipv4-translated loopback'],
    ['64:ff9b::127.0.0.1', 'nat64 loopback'],
    ['64:ff9b::a9fe:a9fe', 'nat64 link-local (cloud metadata)'],
    ['64:ff9b:1::5db8:d822', 'nat64-local-use'],
    ['2002:7f00:1::', '6to4 loopback'],
    ['2002:c0a8:101::1', '6to4 private'],
    ['2001::1', 'teredo'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    ['2001:2::1', 'benchmarking'],
    ['2001:10::1', 'orchid'],
    ['2001:20::1', 'orchid-v2'],
    ['2001:1::1', 'ietf-protocol'],
    ['100::1', 'discard-only'],
    ['5f00::1', 'srv6-sid'],
    ['4000::1', 'reserved'],
    ['::2:3:4:5:6', 'reserved'],
    ['not-an-ip', 'invalid'],
    ['', 'invalid'],
    ['example.com', 'invalid'],
  ])('%s is refused as %s', (ip, range) => {
    expect(classifyAddress(ip)).toEqual({ allowed: false, range });
  });

  it.each([
    '93.184.216.34', '8.8.8.8', '1.1.1.1', '172.15.255.255', '172.32.0.0', '100.63.255.255', '100.128.0.0',
    '169.253.255.255', '192.167.255.255', '198.17.255.255', '198.20.0.0', '223.255.255.255', '11.0.0.1',
    '192.0.3.1', '203.0.114.1', '1572395042', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e',
    '::ffff:93.184.216.34', '64:ff9b::93.184.216.34', '2002:5db8:d822::1', '2001:4860:4860::8888',
  ])('%s is public', (ip) => {
    expect(classifyAddress(ip)).toEqual({ allowed: true });
  });
});

describe('parseIpAddress', () => {
  it('tells the versions apart and leaves host names alone', () => {
    expect(parseIpAddress('127.1')).toEqual({ version: 4, value: 0x7f000001 });
    expect(parseIpAddress('::1')).toEqual({ version: 6, pieces: [0, 0, 0, 0, 0, 0, 0, 1] });
    expect(parseIpAddress('localhost')).toBeNull();
    expect(parseIpAddress('[127.0.0.1]')).toBeNull();
  });
});
