/**
 * Client IP keys: IPv4-mapped IPv6 unwrapped, IPv6 grouped by prefix (one /56 is one
 * subscriber at most ISPs, so per-address limits would be trivially bypassed), and a
 * trusted-proxy setting for `X-Forwarded-For` with Express's own vocabulary and semantics.
 *
 * Parsing is `@armor/core`'s (one parser for every Armor package: leading zeros read as
 * decimal, brackets, ports and zone ids stripped); trusted-proxy lists are compiled by the
 * kernel's `ipMatcher`, with the meaning `proxy-addr` (Express's `trust proxy`) gives them
 * (the tests check it against `proxy-addr` itself).
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import { checkInt, checkOptions } from '@armor/core';
import { normalizeIp as coreNormalizeIp, ipMatcher, ipPrefix, parseIp } from '@armor/core/ip';

/** Options of {@link ipKey}. */
export interface IpKeyOptions {
  /**
   * IPv6 addresses are grouped by this prefix length (bits, 1–128).
   * @default 56
   */
  ipv6Subnet?: number;
}

/**
 * Normalizes an address: trims, drops brackets, ports and zone ids, unwraps IPv4-mapped IPv6
 * (`::ffff:203.0.113.9` → `203.0.113.9`), reads leading zeros as decimal (`010.1.1.1` →
 * `10.1.1.1`), and formats IPv6 canonically (RFC 5952). Returns `undefined` when `ip` is not
 * an IP address. (The `@armor/core` normalizer, re-exported under this package's name.)
 *
 * @example
 * ```ts
 * normalizeIp('::FFFF:7f00:1'); // '127.0.0.1'
 * ```
 */
export function normalizeIp(ip: string | undefined | null): string | undefined {
  return coreNormalizeIp(ip);
}

/** A canonical dotted-decimal IPv4 address (no leading zeros): the common case, keyed as is. */
const CANONICAL_V4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * The rate-limit key for a client address: IPv4 as its canonical text, IPv6 as its network
 * (`2001:db8:1234:5600::/56`), IPv4-mapped IPv6 as IPv4. Every spelling of one address gives
 * one key (`010.1.1.1` and `10.1.1.1`, `[::1]:443` and `::1`). Unparseable input is returned
 * trimmed (so it is still limited, but never grouped with real addresses).
 *
 * @param ip - The address as it arrived (`req.ip`, a socket address, a header value).
 * @param options - See {@link IpKeyOptions}.
 * @example
 * ```ts
 * ipKey('2001:db8:1234:56ab::1'); // '2001:db8:1234:5600::/56'
 * ipKey('::ffff:198.51.100.7');   // '198.51.100.7'
 * ```
 */
export function ipKey(ip: string, options?: IpKeyOptions): string {
  if (typeof ip === 'string' && ip.length <= 15 && CANONICAL_V4.test(ip)) return ip;
  let bits = 56;
  if (options !== undefined) {
    checkOptions('ipKey', options, ['ipv6Subnet']);
    checkInt('ipv6Subnet', options.ipv6Subnet, 1, { max: 128 });
    bits = options.ipv6Subnet ?? 56;
  }
  const parsed = parseIp(ip);
  if (parsed === undefined) return typeof ip === 'string' ? ip.trim() : String(ip);
  if (parsed.kind === 'ipv4') return parsed.address;
  return `${ipPrefix(parsed, bits)!}/${bits}`;
}

/**
 * Which proxies to trust for `X-Forwarded-For`: the values Express's `trust proxy` setting
 * takes, with the same meaning.
 *
 * - `false` (default): ignore the header; the client is the peer address.
 * - `true`: trust every proxy; the client is the left-most address.
 * - a number `n`, or the same number as a string (`'1'`, e.g. from an environment variable):
 *   trust the `n` nearest hops (the peer counts as the first); the client is the address `n`
 *   hops back. Clients cannot spoof past your proxies. (Express's own setting reads the string
 *   `'1'` as the address `0.0.0.1`; Armor reads it as a hop count in every adapter.)
 * - `'loopback'`, `'linklocal'`, `'uniquelocal'`, an address or CIDR (`'10.0.0.0/8'`), a
 *   comma-separated string of these, or an array of them: trust hops whose address is in
 *   those ranges; the client is the first untrusted address walking back from the peer.
 * - a function `(address, hopIndex) => boolean`: trust the hops it returns `true` for (hop 0
 *   is the peer).
 *
 * Anything else is refused with a `ConfigurationError` (never silently read as "no client").
 */
export type TrustProxy = boolean | number | string | readonly string[] | ((address: string, hop: number) => boolean);

/** A compiled {@link TrustProxy}: does this hop (0 = the peer) get trusted? */
export type TrustFunction = (address: string, hop: number) => boolean;

const trustAll: TrustFunction = () => true;
const trustNone: TrustFunction = () => false;
const compiled = new WeakMap<object, TrustFunction>();

/** A whole number of hops written as a string (`'1'`, `' 2 '`), as environment variables give it. */
const HOP_COUNT = /^\s*\d+\s*$/;

/**
 * The one reading of a {@link TrustProxy} value that every adapter shares: a whole-number
 * string (`'1'`, typically from an environment variable) is a hop count, the same as the
 * number `1` — never the IPv4 address `0.0.0.1` (Express's own `trust proxy` setting reads it
 * that way). A hop count inside a list of ranges (`'1, loopback'`) is ambiguous and refused.
 * Returns the value with such a string turned into its number; throws a `ConfigurationError`
 * naming `option` for anything {@link compileTrustProxy} would refuse.
 *
 * @param value - The setting.
 * @param option - The option name used in errors. @default 'trustProxy'
 * @example
 * ```ts
 * parseTrustProxy(process.env.TRUST_PROXY ?? '1'); // 1
 * parseTrustProxy('loopback'); // 'loopback'
 * ```
 */
export function parseTrustProxy(value: TrustProxy | undefined, option = 'trustProxy'): TrustProxy | undefined {
  if (typeof value === 'string' && HOP_COUNT.test(value)) return Number(value.trim());
  compileTrustProxy(value, option);
  return value;
}

/**
 * Compiles a {@link TrustProxy} value into a trust function, exactly as Express compiles its
 * `trust proxy` setting (`proxy-addr`'s `compile` for names and ranges, through the kernel's
 * `ipMatcher`), except that a whole-number string is a hop count (see {@link parseTrustProxy})
 * and addresses are spelled as everywhere in Armor (`010.0.0.0/8` is `10.0.0.0/8`; shorthand
 * such as `127.1` is refused). Throws a
 * `ConfigurationError` naming `option` for anything Express would not accept.
 *
 * @param value - The setting.
 * @param option - The option name used in the error. @default 'trustProxy'
 * @example
 * ```ts
 * const trust = compileTrustProxy('loopback, 10.0.0.0/8');
 * trust('10.1.2.3', 0); // true
 * ```
 */
export function compileTrustProxy(value: TrustProxy | undefined, option = 'trustProxy'): TrustFunction {
  if (value === undefined || value === false) return trustNone;
  if (value === true) return trustAll;
  if (typeof value === 'function') {
    return (address, hop) => {
      try {
        return value(address, hop) === true;
      } catch {
        return false; // a throwing predicate trusts nothing (never lets a client spoof)
      }
    };
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) {
      throw new ConfigurationError(option, 'must be a whole number of proxy hops >= 0 (or true/false, a range name, CIDR list or function)', { received: value });
    }
    return (_address, hop) => hop < value;
  }
  if (typeof value === 'string' && HOP_COUNT.test(value)) return compileTrustProxy(Number(value.trim()), option);
  let list: readonly unknown[];
  if (typeof value === 'string') list = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  else if (Array.isArray(value)) list = value as readonly unknown[];
  else {
    throw new ConfigurationError(option, 'must be true/false, a hop count, a range name (loopback, linklocal, uniquelocal), an address/CIDR, a list of these, or a function', {
      received: value,
    });
  }
  if (list.length === 0 || list.some((entry) => typeof entry !== 'string' || entry.trim() === '')) {
    throw new ConfigurationError(option, 'must list at least one range name (loopback, linklocal, uniquelocal) or address/CIDR', { received: value });
  }
  if (list.some((entry) => HOP_COUNT.test(entry as string))) {
    throw new ConfigurationError(option, 'mixes a hop count with addresses or ranges: give either a number of hops or a list of ranges', { received: value });
  }
  let trusted: (address: string) => boolean;
  try {
    trusted = ipMatcher(list.map((entry) => (entry as string).trim()));
  } catch (error) {
    throw new ConfigurationError(option, `is not a valid trust setting: ${(error as Error).message}`, { received: value, cause: error });
  }
  return (address) => trusted(address);
}

function trustOf(value: TrustProxy | undefined): TrustFunction {
  if ((typeof value === 'object' && value !== null) || typeof value === 'function') {
    let fn = compiled.get(value);
    if (fn === undefined) compiled.set(value, (fn = compileTrustProxy(value)));
    return fn;
  }
  return compileTrustProxy(value);
}

/**
 * The client address from a peer address and an `X-Forwarded-For` value, honoring
 * `trustProxy` with Express's semantics: walk from the peer back through the forwarded
 * addresses while each hop is trusted; the client is the first untrusted one (or the
 * left-most). Returns the normalized address, or `undefined` when none is known.
 *
 * Without a peer address (a Fetch `Request` carries none), the nearest proxy — the one that
 * delivered the request — is taken as trusted hop 0, so `trustProxy: 1` means "the last
 * `X-Forwarded-For` entry is the client".
 *
 * @param input.trustProxy - See {@link TrustProxy}; a precompiled {@link TrustFunction} from
 * {@link compileTrustProxy} works too. @default false
 * @example
 * ```ts
 * clientIp({ remoteAddress: '10.0.0.2', forwardedFor: 'evil, 203.0.113.9', trustProxy: 1 }); // '203.0.113.9'
 * clientIp({ remoteAddress: '127.0.0.1', forwardedFor: '203.0.113.9', trustProxy: 'loopback' }); // '203.0.113.9'
 * ```
 */
export function clientIp(input: { remoteAddress?: string | undefined; forwardedFor?: string | null | undefined; trustProxy?: TrustProxy | undefined }): string | undefined {
  const { remoteAddress, forwardedFor } = input;
  let { trustProxy = false } = input;
  if (typeof trustProxy === 'string' && HOP_COUNT.test(trustProxy)) trustProxy = Number(trustProxy.trim());
  if (trustProxy === false || trustProxy === 0 || !forwardedFor) return normalizeIp(remoteAddress);
  const trust = trustOf(trustProxy);
  const forwarded = forwardedFor.split(',').map((s) => s.trim()).filter(Boolean).reverse();
  // Hops from the nearest: the peer (or, without one, an implied trusted proxy), then the
  // forwarded addresses right to left.
  const hops: (string | undefined)[] = [remoteAddress, ...forwarded];
  let client = hops[0];
  for (let i = 0; i < hops.length - 1; i++) {
    const hop = hops[i];
    if (hop !== undefined && !trust(hop, i)) break;
    client = hops[i + 1];
  }
  return normalizeIp(client);
}
