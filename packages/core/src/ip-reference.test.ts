/**
 * The kernel's IP reading against `ipaddr.js` itself (a dev dependency, the reference): IPv6
 * syntax, bytes, RFC 5952 text and special-range names on random and boundary input. The kernel
 * carries its own small ESM implementation so bundles leave CommonJS `ipaddr.js` out (issue 29).
 */
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { embeddedIpv4, ipRange, parseIp } from './ip.js';

const hexGroup = fc.oneof(fc.constantFrom('0', '00', '0000', 'ffff', 'FFFF', '1', 'db8', '2001', 'fe80', 'ff02', '64', 'ff9b', 'fc00', '00001', 'g', ''), fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16)));
/** Group lists joined with `:` and an optional `::` anywhere, often malformed. */
const v6Text = fc.tuple(fc.array(hexGroup, { maxLength: 9 }), fc.option(fc.nat(9)), fc.constantFrom('', ':', '::', ':::')).map(([groups, gap, extra]) => {
  const parts = [...groups];
  if (gap !== null) parts.splice(Math.min(gap, parts.length), 0, '');
  return parts.join(':') + (extra === '' ? '' : extra);
});
/** Valid addresses with many zero runs (RFC 5952 ties and edges). */
const sparse = fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xdb8), { minLength: 8, maxLength: 8 }).map((w) => w.map((n) => n.toString(16)).join(':'));

describe('the kernel IPv6 reading equals ipaddr.js', () => {
  it('accepts exactly what ipaddr.js accepts (hex-group IPv6) and gives the same bytes and RFC 5952 text', () => {
    fc.assert(
      fc.property(fc.oneof(v6Text, sparse), (text) => {
        const ref = ipaddr.IPv6.isValid(text) ? ipaddr.IPv6.parse(text) : undefined;
        const mine = parseIp(text);
        if (ref === undefined) {
          expect(mine, text).toBeUndefined();
        } else if (ref.isIPv4MappedAddress()) {
          expect(mine?.bytes, text).toEqual(ref.toByteArray().slice(12));
        } else {
          expect(mine?.bytes, text).toEqual(ref.toByteArray());
          expect(mine?.address, text).toBe(ref.toRFC5952String());
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('names special ranges as ipaddr.js does (embedded IPv4 judged as IPv4)', () => {
    const near = fc.oneof(fc.constantFrom(0, 2, 16, 18, 19, 31, 32, 48, 51, 52, 63, 64, 88, 99, 100, 113, 127, 128, 168, 175, 193, 196, 254, 255), fc.nat(255));
    const v4 = fc.tuple(fc.constantFrom(0, 10, 100, 127, 169, 172, 192, 198, 203, 224, 239, 240, 255, 8), near, near, fc.nat(255));
    const v6 = fc.tuple(
      fc.constantFrom(0, 0x64, 0x100, 0x2001, 0x2002, 0x2620, 0x3fff, 0x5f00, 0xfc00, 0xfd00, 0xfe80, 0xfebf, 0xfec0, 0xff00, 0xff02, 0x2400),
      fc.constantFrom(0, 1, 2, 3, 4, 0xf, 0x10, 0x1f, 0x20, 0x30, 0x3f, 0x4f, 0x1ff, 0xdb8, 0xff9b, 0xffff),
      fc.array(fc.constantFrom(0, 0, 1, 0x112, 0x8000, 0xffff), { minLength: 6, maxLength: 6 }),
    ).map(([a, b, rest]) => [a, b, ...rest]);
    fc.assert(
      fc.property(fc.oneof(v4, v6), (parts) => {
        const ref = parts.length === 4 ? new ipaddr.IPv4(parts) : new ipaddr.IPv6(parts);
        const text = ref.toString();
        const inner = embeddedIpv4(text);
        const expected = inner !== undefined ? ipaddr.parse(inner).range() : ref.kind() === 'ipv6' && (ref as ipaddr.IPv6).isIPv4MappedAddress() ? (ref as ipaddr.IPv6).toIPv4Address().range() : ref.range();
        expect(ipRange(text), text).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
    // Every boundary of every range of ipaddr.js's own table: first and last address, and one step outside.
    const step = (bytes: number[], delta: 1 | -1) => {
      const out = [...bytes];
      for (let i = out.length - 1; i >= 0; i--) {
        out[i] = (out[i]! + delta + 256) % 256;
        if (out[i] !== (delta === 1 ? 0 : 255)) break;
      }
      return out;
    };
    // The ranges ipaddr.js 2.5 documents (RFC 6890 and successors); the verdicts are ipaddr.js's own.
    const samples = ['0.0.0.0/8', '255.255.255.255/32', '224.0.0.0/4', '169.254.0.0/16', '127.0.0.0/8', '100.64.0.0/10', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16',
      '192.0.0.0/24', '192.0.2.0/24', '192.88.99.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '240.0.0.0/4', '192.175.48.0/24', '192.31.196.0/24', '192.52.193.0/24',
      '::/128', 'fe80::/10', 'ff00::/8', '::1/128', 'fc00::/7', '::ffff:0:0/96', 'fec0::/10', '100::/64', '::ffff:0:0:0/96', '64:ff9b::/96', '64:ff9b:1::/48', '2002::/16',
      '2001::/32', '2001:2::/48', '2001:3::/32', '2001:4:112::/48', '2620:4f:8000::/48', '2001:10::/28', '2001:20::/28', '2001:30::/28', '5f00::/16', '2001::/23', '2001:db8::/32', '3fff::/20'];
    let checked = 0;
    for (const cidr of samples) {
      const [net, bits] = ipaddr.parseCIDR(cidr);
      const first = net.toByteArray();
      const last = first.map((b, i) => (i * 8 >= bits ? 255 : i * 8 + 8 <= bits ? b : b | (0xff >> (bits - i * 8))));
      for (const bytes of [first, last, step(first, -1), step(last, 1)]) {
        const ref = ipaddr.fromByteArray(bytes);
        const text = ref.toString();
        const inner = embeddedIpv4(text);
        const expected = inner !== undefined ? ipaddr.parse(inner).range() : ref.kind() === 'ipv6' && (ref as ipaddr.IPv6).isIPv4MappedAddress() ? (ref as ipaddr.IPv6).toIPv4Address().range() : ref.range();
        expect(ipRange(text), text).toBe(expected);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(150);
    for (const [text, name] of [['::', 'unspecified'], ['::1', 'loopback'], ['255.255.255.255', 'broadcast'], ['2001:db8::1', 'reserved'], ['3fff::1', 'reserved'], ['2001:20::1', 'orchid2'], ['64:ff9b:1::1', 'rfc6052'], ['8.8.8.8', 'unicast'], ['2606:4700::1111', 'unicast']] as const) {
      expect(ipRange(text), text).toBe(name);
    }
  });
});
