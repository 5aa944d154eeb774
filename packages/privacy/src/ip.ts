/**
 * IP address anonymization (Google Analytics style): IPv4 to /24, IPv6 to /48. Parsing is the
 * kernel's (`@armor/core`), so privacy, rate-limit and validation read every address the same
 * way; any IPv6 address that carries an IPv4 address (IPv4-mapped, 6to4, Teredo, NAT64,
 * IPv4-compatible, SIIT) is anonymized as that IPv4 address.
 *
 * @module
 */
import { checkInt, checkOptions } from '@armor/core';
import { embeddedIpv4, ipPrefix, parseIp } from '@armor/core/ip';

/** Options of {@link anonymizeIp}. */
export interface AnonymizeIpOptions {
  /** Leading IPv4 bits kept (0–32). @default 24 (zeroes the last octet) */
  ipv4Bits?: number | undefined;
  /** Leading IPv6 bits kept (0–128). @default 48 (keeps the routing prefix, drops subnet and interface) */
  ipv6Bits?: number | undefined;
}

const KNOWN = ['ipv4Bits', 'ipv6Bits'] as const;

/**
 * Anonymizes an IP address by zeroing its host bits: `203.0.113.77` → `203.0.113.0`,
 * `2001:db8:abcd:12:1:2:3:4` → `2001:db8:abcd::`. An IPv6 address that embeds an IPv4
 * address is anonymized as that IPv4 address, whatever `ipv6Bits` says (`::ffff:203.0.113.77`,
 * `2002:cb00:714d::1` (6to4), `64:ff9b::203.0.113.77` (NAT64), Teredo and IPv4-compatible
 * forms all give `203.0.113.0`), because a kept IPv6 prefix would otherwise keep the whole
 * IPv4 address. Accepts brackets, ports, zone ids and leading zeros (read as decimal), as the
 * kernel's `parseIp` does. Returns `undefined` for input that is not an IP address (never
 * throws on input; bad options throw `ConfigurationError`).
 *
 * @example
 * ```ts
 * anonymizeIp(req.ip); // store this, not the full address
 * ```
 */
export function anonymizeIp(ip: unknown, options: AnonymizeIpOptions = {}): string | undefined {
  checkOptions('anonymizeIp', options, KNOWN);
  checkInt('ipv4Bits', options.ipv4Bits, 0, { max: 32 });
  checkInt('ipv6Bits', options.ipv6Bits, 0, { max: 128 });
  const v4Bits = options.ipv4Bits ?? 24;
  const v6Bits = options.ipv6Bits ?? 48;
  const parsed = parseIp(ip);
  if (!parsed) return undefined;
  if (parsed.kind === 'ipv4') return ipPrefix(parsed, v4Bits);
  const inner = embeddedIpv4(parsed);
  if (inner !== undefined) return ipPrefix(inner, v4Bits);
  return ipPrefix(parsed, v6Bits);
}
