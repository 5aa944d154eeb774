/**
 * `ipMatcher`: the kernel's address/CIDR/range-name lists with the meaning of Express's `trust
 * proxy` lists (`proxy-addr`'s `compile`). `@armor/rate-limit` checks it against `proxy-addr`
 * itself on random chains; these are the rules one by one.
 */
import { describe, expect, it } from 'vitest';
import { IP_RANGE_NAMES, ipMatcher, parseIp } from './ip.js';

describe('ipMatcher', () => {
  it('range names stand for their CIDRs, IPv4 and IPv6', () => {
    const loopback = ipMatcher(['loopback']);
    for (const yes of ['127.0.0.1', '127.255.1.2', '::1', '::ffff:127.0.0.1', '[::1]:443', '127.0.0.1:80']) expect(loopback(yes), yes).toBe(true);
    for (const no of ['128.0.0.1', '::2', '10.0.0.1', 'not an ip', '']) expect(loopback(no), no).toBe(false);
    const local = ipMatcher(['linklocal', 'uniquelocal']);
    for (const yes of ['169.254.3.3', 'fe80::2', 'febf::1', '10.1.2.3', '172.16.5.4', '172.31.255.255', '192.168.1.9', 'fc00::7', 'fd12::1']) expect(local(yes), yes).toBe(true);
    for (const no of ['172.32.0.1', 'fec0::1', '192.169.0.1', '8.8.8.8', '2001:db8::1']) expect(local(no), no).toBe(false);
    expect(Object.keys(IP_RANGE_NAMES).sort()).toEqual(['linklocal', 'loopback', 'uniquelocal']);
  });

  it('addresses, CIDRs and IPv4 netmasks; a parsed address works as the candidate', () => {
    const m = ipMatcher(['10.0.0.0/8', '2001:db8::/32', '192.168.1.1', '172.16.0.0/255.240.0.0', '198.51.100.0/255.255.255.0']);
    for (const yes of ['10.200.3.4', '::ffff:10.0.0.1', '2001:db8:ffff::1', '192.168.1.1', '172.31.0.1', '198.51.100.200']) expect(m(yes), yes).toBe(true);
    for (const no of ['11.0.0.1', '2001:db9::1', '192.168.1.2', '172.32.0.1', '198.51.101.1']) expect(m(no), no).toBe(false);
    expect(m(parseIp('10.9.9.9')!)).toBe(true);
    expect(ipMatcher(['1.2.3.4/32'])('1.2.3.4')).toBe(true);
    expect(ipMatcher(['1.2.3.4/31'])('1.2.3.5')).toBe(true);
    expect(ipMatcher(['128.0.0.0/1'])('200.1.1.1')).toBe(true);
    expect(ipMatcher(['128.0.0.0/1'])('100.1.1.1')).toBe(false);
    expect(ipMatcher(['2001:db8::1/128'])('2001:db8::1')).toBe(true);
    expect(ipMatcher(['2001:db8::1/127'])('2001:db8::')).toBe(true);
    expect(ipMatcher(['2001:db8::1/128'])('2001:db8::2')).toBe(false);
    expect(ipMatcher([])('127.0.0.1')).toBe(false);
  });

  it('IPv4-mapped entries: an address is its IPv4 address; a range holds IPv4 only from /96 on', () => {
    expect(ipMatcher(['::ffff:10.0.0.1'])('10.0.0.1')).toBe(true);
    const mapped = ipMatcher(['::ffff:10.0.0.0/104']);
    expect(mapped('10.1.2.3')).toBe(true);
    expect(mapped('::ffff:10.1.2.3')).toBe(true);
    expect(mapped('11.1.2.3')).toBe(false);
    expect(ipMatcher(['::ffff:0:0/96'])('203.0.113.9')).toBe(true);
    expect(ipMatcher(['::ffff:0:0/96'])('2001:db8::1')).toBe(false); // native IPv6 never matches a mapped range
    expect(ipMatcher(['::ffff:0:0/80'])('203.0.113.9')).toBe(false); // does not cover the ::ffff: marker
    // IPv4 ranges never hold native IPv6, and native IPv6 ranges never hold IPv4
    expect(ipMatcher(['0.0.0.0/1', '128.0.0.0/1'])('::1')).toBe(false);
    expect(ipMatcher(['::/1', '8000::/1'])('10.0.0.1')).toBe(false);
  });

  it("one reading of spellings: leading zeros are decimal, and IPv6 case and compression don't matter", () => {
    expect(ipMatcher(['010.0.0.0/8'])('10.1.1.1')).toBe(true);
    expect(ipMatcher(['10.0.0.0/08'])('10.1.1.1')).toBe(true);
    expect(ipMatcher(['2001:DB8:0:0::/32'])('2001:db8::5')).toBe(true);
    expect(ipMatcher(['fe80::1%eth0/64'])('fe80::5')).toBe(true); // zone ids are ignored, as in Express
  });

  it('refuses malformed entries with a TypeError naming the entry', () => {
    for (const bad of ['not-a-range', 'Loopback', 'constructor', '', ' 10.0.0.1', '10.0.0.1 ', '10.0.0.0/33', '10.0.0.0/0', '::/0', '::/129', '10.0.0.0/', '10.0.0.0/-8', '10.0.0.0/+8', '10.0.0.0/8/8',
      '10.0.0.0/255.0.255.0', '10.0.0.0/0.0.0.0', '10.0.0.0/::', '::ffff:10.0.0.0/255.0.0.0', '[::1]', '1.2.3.4:80', '10.0.0.1%eth0', 'fe80::1%eth_0', '127.1', '0x7f.0.0.1', '2130706433', '256.0.0.1']) {
      expect(() => ipMatcher([bad]), JSON.stringify(bad)).toThrow(TypeError);
      expect(() => ipMatcher(['loopback', bad]), JSON.stringify(bad)).toThrow(bad.slice(0, bad.includes('/') ? bad.indexOf('/') : undefined) || 'invalid IP address');
    }
    expect(() => ipMatcher([42 as unknown as string])).toThrow(TypeError);
  });
});
