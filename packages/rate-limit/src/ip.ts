/**
 * Client IP keys: IPv4-mapped IPv6 unwrapped, IPv6 grouped by prefix (one /56 is one
 * subscriber at most ISPs, so per-address limits would be trivially bypassed), and a
 * trusted-proxy setting for `X-Forwarded-For`.
 *
 * @module
 */

/** Options of {@link ipKey}. */
export interface IpKeyOptions {
  /**
   * IPv6 addresses are grouped by this prefix length (bits, 1–128).
   * @default 56
   */
  ipv6Subnet?: number;
}

function parseIPv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** Parses an IPv6 address into 8 hextets (embedded IPv4 allowed). */
function parseIPv6(s: string): number[] | undefined {
  let text = s;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    const hi = ((v4[0]! << 8) | v4[1]!).toString(16);
    const lo = ((v4[2]! << 8) | v4[3]!).toString(16);
    text = `${text.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const split = (part: string) => (part === '' ? [] : part.split(':'));
  const head = split(halves[0]!);
  const rest = halves.length === 2 ? split(halves[1]!) : [];
  const groups = [...head, ...rest];
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  if (halves.length === 1 ? groups.length !== 8 : groups.length > 7) return undefined;
  const fill = new Array<number>(8 - groups.length).fill(0);
  return [...head, ...(halves.length === 2 ? fill.map(String) : []), ...rest].map((g) => parseInt(String(g), 16));
}

function formatIPv6(h: number[]): string {
  // RFC 5952: compress the longest run (≥ 2) of zero groups.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (h[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && h[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = h.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/**
 * Normalizes an address: trims, drops brackets and zone ids, unwraps IPv4-mapped IPv6
 * (`::ffff:203.0.113.9` → `203.0.113.9`), and formats IPv6 canonically (RFC 5952).
 * Returns `undefined` when `ip` is not an IP address.
 *
 * @example
 * ```ts
 * normalizeIp('::FFFF:7f00:1'); // '127.0.0.1'
 * ```
 */
export function normalizeIp(ip: string | undefined | null): string | undefined {
  if (typeof ip !== 'string') return undefined;
  let s = ip.trim();
  if (s.startsWith('[') && s.includes(']')) s = s.slice(1, s.indexOf(']'));
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return parseIPv4(s) ? s.split('.').map(Number).join('.') : undefined;
  const h = parseIPv6(s);
  if (!h) return undefined;
  if (h[0] === 0 && h[1] === 0 && h[2] === 0 && h[3] === 0 && h[4] === 0 && h[5] === 0xffff) {
    return `${h[6]! >> 8}.${h[6]! & 255}.${h[7]! >> 8}.${h[7]! & 255}`;
  }
  return formatIPv6(h);
}

/**
 * The rate-limit key for a client address: IPv4 as is, IPv6 as its network
 * (`2001:db8:1234:5600::/56`), IPv4-mapped IPv6 as IPv4. Unparseable input is returned
 * trimmed (so it is still limited, but never grouped with real addresses).
 *
 * @example
 * ```ts
 * ipKey('2001:db8:1234:56ab::1'); // '2001:db8:1234:5600::/56'
 * ipKey('::ffff:198.51.100.7');   // '198.51.100.7'
 * ```
 */
export function ipKey(ip: string, options: IpKeyOptions = {}): string {
  const { ipv6Subnet = 56 } = options;
  if (typeof ip === 'string' && ip.length <= 15 && !ip.includes(':') && parseIPv4(ip)) return ip;
  const normal = normalizeIp(ip);
  if (normal === undefined) return typeof ip === 'string' ? ip.trim() : String(ip);
  if (!normal.includes(':')) return normal;
  const h = parseIPv6(normal)!;
  const bits = Math.max(1, Math.min(128, Math.floor(ipv6Subnet)));
  const masked = h.map((g, i) => {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    return keep === 0 ? 0 : g & ((0xffff << (16 - keep)) & 0xffff);
  });
  return `${formatIPv6(masked)}/${bits}`;
}

/**
 * Which proxies to trust for `X-Forwarded-For`:
 * - `false` (default): ignore the header; the client is the peer address.
 * - `true`: trust every proxy; the client is the left-most address.
 * - a number `n`: exactly `n` proxies in front of the app (the peer is the nearest); the
 *   client is the address `n` hops back. Clients cannot spoof past your proxies.
 */
export type TrustProxy = boolean | number;

/**
 * The client address from a peer address and an `X-Forwarded-For` value, honoring
 * `trustProxy`. Returns the normalized address, or `undefined` when none is known.
 *
 * @example
 * ```ts
 * clientIp({ remoteAddress: '10.0.0.2', forwardedFor: 'evil, 203.0.113.9', trustProxy: 1 }); // '203.0.113.9'
 * ```
 */
export function clientIp(input: { remoteAddress?: string | undefined; forwardedFor?: string | null | undefined; trustProxy?: TrustProxy | undefined }): string | undefined {
  const { remoteAddress, forwardedFor, trustProxy = false } = input;
  if (trustProxy === false || trustProxy === 0 || !forwardedFor) return normalizeIp(remoteAddress);
  const chain = forwardedFor.split(',').map((s) => s.trim()).filter(Boolean);
  if (remoteAddress !== undefined) chain.push(remoteAddress);
  if (chain.length === 0) return undefined;
  if (trustProxy === true) return normalizeIp(chain[0]);
  const hops = remoteAddress !== undefined ? trustProxy : trustProxy - 1;
  const index = Math.max(0, chain.length - 1 - hops);
  return normalizeIp(chain[index]);
}
