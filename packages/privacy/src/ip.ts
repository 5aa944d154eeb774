/**
 * IP address anonymization (Google Analytics style): IPv4 to /24, IPv6 to /48, IPv4-mapped
 * IPv6 treated as IPv4.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';

/** Options of {@link anonymizeIp}. */
export interface AnonymizeIpOptions {
  /** Leading IPv4 bits kept. @default 24 (zeroes the last octet) */
  ipv4Bits?: number | undefined;
  /** Leading IPv6 bits kept. @default 48 (keeps the routing prefix, drops subnet and interface) */
  ipv6Bits?: number | undefined;
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || (part.length > 1 && part.startsWith('0'))) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** Parses an IPv6 address into 8 groups (accepts `::`, an embedded IPv4 tail and a zone). */
function parseIpv6(text: string): number[] | undefined {
  let s = text;
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  if (!s.includes(':')) return undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    s = `${s.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const group = (g: string) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN);
  const head = halves[0] ? halves[0].split(':').map(group) : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':').map(group) : [];
  if ([...head, ...rest].some(Number.isNaN)) return undefined;
  const total = head.length + rest.length;
  if (halves.length === 1) return total === 8 ? head : undefined;
  if (total > 7) return undefined;
  return [...head, ...new Array<number>(8 - total).fill(0), ...rest];
}

function formatIpv6(groups: number[]): string {
  // RFC 5952: lowercase, no leading zeros, longest run (>= 2) of zero groups as "::".
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function maskBits(values: number[], width: number, keep: number): number[] {
  return values.map((value, i) => {
    const start = i * width;
    if (keep >= start + width) return value;
    if (keep <= start) return 0;
    const bits = keep - start;
    return value & (((1 << bits) - 1) << (width - bits));
  });
}

function checkBits(option: string, value: unknown, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) throw new ConfigurationError(option, `must be an integer from 0 to ${max}`, { received: value });
}

/**
 * Anonymizes an IP address by zeroing its host bits: `203.0.113.77` → `203.0.113.0`,
 * `2001:db8:abcd:12:1:2:3:4` → `2001:db8:abcd::`, `::ffff:203.0.113.77` →
 * `::ffff:203.0.113.0`. Accepts `[v6]` brackets and zone ids. Returns `undefined` for input
 * that is not an IP address (never throws on input; bad options throw `ConfigurationError`).
 *
 * @example
 * ```ts
 * anonymizeIp(req.ip); // store this, not the full address
 * ```
 */
export function anonymizeIp(ip: unknown, options: AnonymizeIpOptions = {}): string | undefined {
  if (typeof options !== 'object' || options === null) throw new ConfigurationError('options', 'must be an object', { received: options });
  const v4Bits: unknown = options.ipv4Bits === undefined ? 24 : options.ipv4Bits;
  const v6Bits: unknown = options.ipv6Bits === undefined ? 48 : options.ipv6Bits;
  checkBits('ipv4Bits', v4Bits, 32);
  checkBits('ipv6Bits', v6Bits, 128);
  if (typeof ip !== 'string' || ip.length > 100) return undefined;
  let text = ip.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const v4 = parseIpv4(text);
  if (v4) return maskBits(v4, 8, v4Bits).join('.');
  const v6 = parseIpv6(text);
  if (!v6) return undefined;
  const mapped = v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff;
  if (mapped) {
    const octets = maskBits([v6[6]! >> 8, v6[6]! & 255, v6[7]! >> 8, v6[7]! & 255], 8, v4Bits);
    return `::ffff:${octets.join('.')}`;
  }
  return formatIpv6(maskBits(v6, 16, v6Bits));
}
