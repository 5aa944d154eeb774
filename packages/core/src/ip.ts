/**
 * IP addresses: the one parser/normalizer rate-limit keys, privacy anonymization and
 * validation share, and the one matcher for address/CIDR/range-name lists (`ipMatcher`,
 * Express's `trust proxy` lists).
 *
 * The reading is `ipaddr.js`'s (what Express parses with, through `proxy-addr`), and the tests
 * check it against `ipaddr.js` itself on random and boundary input (IPv6 syntax, RFC 5952
 * text, special ranges); the code is a small ESM implementation of the parts used here,
 * because `ipaddr.js` is CommonJS and does not tree-shake: it was about 4 kB gzip of every
 * bundle that parses an IP.
 *
 * What is added by hand, and why:
 * - Input as it arrives in headers and sockets: brackets (`[::1]:443`), ports (`1.2.3.4:80`),
 *   zone ids (`fe80::1%eth0`), surrounding spaces.
 * - One leading-zero rule. `ipaddr.js` reads `010.1.1.1` as octal (8.1.1.1, `inet_aton`'s
 *   reading) while proxies and logs mean decimal. Armor accepts only the four-part dotted form
 *   for IPv4 and reads every part as decimal (`010.1.1.1` is `10.1.1.1`); shorthand and
 *   hex/octal spellings (`127.1`, `0x7f.1`, `2130706433`) are not IP addresses here (a URL
 *   host check resolves those through the WHATWG URL parser first).
 * - IPv4 embedded in IPv6 (mapped, 6to4, Teredo, NAT64, IPv4-compatible, SIIT), so
 *   anonymization never keeps an IPv4 address inside a kept IPv6 prefix.
 *
 * @module
 */

/** A parsed, normalized IP address. */
export interface ParsedIp {
  /** `ipv4` (IPv4-mapped IPv6 is unwrapped to IPv4) or `ipv6`. */
  readonly kind: 'ipv4' | 'ipv6';
  /** Canonical text: dotted decimal without leading zeros, or RFC 5952 IPv6 (lowercase, compressed). */
  readonly address: string;
  /** Network-order bytes (4 or 16). */
  readonly bytes: readonly number[];
}

const V4 = /^0*(\d{1,3})\.0*(\d{1,3})\.0*(\d{1,3})\.0*(\d{1,3})$/;

function parseV4(text: string): number[] | undefined {
  const m = V4.exec(text);
  if (!m) return undefined;
  const bytes = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

/** Strips brackets, ports, zone ids and spaces; returns the bare address text. */
function bare(input: string): string {
  let s = input.trim();
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0) return '';
    s = s.slice(1, end);
  } else if (s.indexOf(':') === s.lastIndexOf(':') && s.includes('.') && s.includes(':')) {
    s = s.slice(0, s.indexOf(':')); // IPv4:port
  }
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  return s;
}

/**
 * IPv6 text of hex groups only (an embedded dotted IPv4 is converted first) to 16 bytes: eight
 * groups of 1–4 hex digits, or fewer with one `::` standing for at least one zero group.
 */
function parseV6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const count = head.length + tail.length;
  if (halves.length === 2 ? count > 7 : count !== 8) return undefined;
  const bytes: number[] = [];
  for (const group of [...head, ...Array<string>(8 - count).fill('0'), ...tail]) {
    if (!/^[\da-f]{1,4}$/i.test(group)) return undefined;
    const n = Number.parseInt(group, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  return bytes;
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run (first on a tie) of two or more zero groups as `::`. */
function formatV6(bytes: readonly number[]): string {
  const hex: string[] = [];
  let best = -1;
  let bestLength = 1;
  for (let i = 0, run = 0; i < 8; i++) {
    const word = (bytes[2 * i]! << 8) | bytes[2 * i + 1]!;
    hex.push(word.toString(16));
    run = word === 0 ? run + 1 : 0;
    if (run > bestLength) {
      best = i - run + 1;
      bestLength = run;
    }
  }
  return best < 0 ? hex.join(':') : `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}

function fromBytes(bytes: number[]): ParsedIp {
  if (bytes.length === 4) return { kind: 'ipv4', address: bytes.join('.'), bytes };
  return { kind: 'ipv6', address: formatV6(bytes), bytes };
}

/**
 * Parses an IP address as it arrives in a header or from a socket. IPv4-mapped IPv6
 * (`::ffff:10.0.0.1`) becomes IPv4. Returns `undefined` for anything that is not an address.
 *
 * @example
 * ```ts
 * parseIp('[2001:DB8::0001]:443')?.address; // '2001:db8::1'
 * parseIp('::ffff:010.0.0.1')?.address;     // '10.0.0.1'
 * parseIp('not an ip');                     // undefined
 * ```
 */
export function parseIp(input: unknown): ParsedIp | undefined {
  if (typeof input !== 'string' || input.length > 100) return undefined;
  const s = bare(input);
  if (s === '') return undefined;
  const v4 = parseV4(s);
  if (v4) return fromBytes(v4);
  if (!s.includes(':')) return undefined;
  let text = s;
  // An embedded dotted IPv4 becomes two hex groups first (ipaddr.js would read leading zeros
  // as octal, and it parses `::a.b.c.d` (IPv4-compatible) as `::ffff:a.b.c.d`).
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const tail = parseV4(text.slice(lastColon + 1));
    if (!tail) return undefined;
    text = `${text.slice(0, lastColon + 1)}${((tail[0]! << 8) | tail[1]!).toString(16)}:${((tail[2]! << 8) | tail[3]!).toString(16)}`;
  }
  const bytes = parseV6(text);
  if (!bytes) return undefined;
  // IPv4-mapped (::ffff:0:0/96) only; the other forms that carry an IPv4 address stay IPv6
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return fromBytes(bytes.slice(12));
  return fromBytes(bytes);
}

/**
 * The canonical text of an address ({@link ParsedIp.address}), or `undefined`.
 *
 * @example
 * ```ts
 * normalizeIp(' 010.1.1.1 '); // '10.1.1.1'
 * ```
 */
export function normalizeIp(input: unknown): string | undefined {
  return parseIp(input)?.address;
}

/**
 * The IPv4 address an IPv6 address carries, for the forms that embed one: IPv4-mapped
 * (`::ffff:0:0/96`), SIIT (`::ffff:0:0:0/96`), 6to4 (`2002::/16`), Teredo (`2001::/32`, the
 * client address, obfuscated), NAT64 (`64:ff9b::/96`) and IPv4-compatible (`::/96`, not
 * `::`/`::1`). `undefined` for every other address (and for IPv4 input).
 *
 * @example
 * ```ts
 * embeddedIpv4('2002:cb00:714d::1'); // '203.0.113.77'
 * ```
 */
export function embeddedIpv4(input: string | ParsedIp): string | undefined {
  const ip = typeof input === 'string' ? parseIp(input) : input;
  if (!ip) return undefined;
  if (ip.kind === 'ipv4') return undefined;
  const b = ip.bytes;
  const tail = (from: number, xor = 0) => [b[from]! ^ xor, b[from + 1]! ^ xor, b[from + 2]! ^ xor, b[from + 3]! ^ xor].join('.');
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (b[0] === 0x20 && b[1] === 0x02) return tail(2); // 6to4
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0 && b[3] === 0) return tail(12, 0xff); // Teredo
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return tail(12); // NAT64 well-known
  if (zeros(0, 8) && b[8] === 0xff && b[9] === 0xff && b[10] === 0 && b[11] === 0) return tail(12); // SIIT
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return tail(12); // mapped (normally unwrapped already)
  if (zeros(0, 12) && !zeros(12, 15)) return tail(12); // IPv4-compatible (not :: or ::1)
  return undefined;
}

/**
 * The network of `input` at `bits` prefix length, as canonical text (host bits zeroed).
 * Returns `undefined` for input that is not an address. `bits` is clamped to the family's width.
 *
 * @example
 * ```ts
 * ipPrefix('2001:db8:abcd:12ff::1', 56); // '2001:db8:abcd:1200::'
 * ipPrefix('203.0.113.77', 24);          // '203.0.113.0'
 * ```
 */
export function ipPrefix(input: string | ParsedIp, bits: number): string | undefined {
  const ip = typeof input === 'string' ? parseIp(input) : input;
  if (!ip) return undefined;
  const width = ip.bytes.length * 8;
  const keep = Math.max(0, Math.min(width, Math.floor(bits)));
  const out = ip.bytes.map((byte, i) => {
    const start = i * 8;
    if (start + 8 <= keep) return byte;
    if (start >= keep) return 0;
    return byte & (0xff << (8 - (keep - start))) & 0xff;
  });
  return fromBytes(out).address;
}

/** A compiled range: network bytes (4 or 16) and prefix length. */
type Net = readonly [bytes: readonly number[], bits: number];

function inNet(bytes: readonly number[], [net, bits]: Net): boolean {
  let i = 0;
  for (; (i + 1) * 8 <= bits; i++) if (bytes[i] !== net[i]) return false;
  const rest = bits - i * 8;
  return rest === 0 || ((bytes[i]! ^ net[i]!) & (0xff << (8 - rest)) & 0xff) === 0;
}

/**
 * The special-purpose ranges of `ipaddr.js` 2.5 (`SpecialRanges`), in its order (the first
 * match names the address): `name cidr cidr…` per entry, compiled on the first {@link ipRange}.
 */
const SPECIAL_RANGES =
  'unspecified 0.0.0.0/8,broadcast 255.255.255.255/32,multicast 224.0.0.0/4,linkLocal 169.254.0.0/16,loopback 127.0.0.0/8,' +
  'carrierGradeNat 100.64.0.0/10,private 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16,' +
  'reserved 192.0.0.0/24 192.0.2.0/24 192.88.99.0/24 198.18.0.0/15 198.51.100.0/24 203.0.113.0/24 240.0.0.0/4,' +
  'as112 192.175.48.0/24 192.31.196.0/24,amt 192.52.193.0/24,' +
  'unspecified ::/128,linkLocal fe80::/10,multicast ff00::/8,loopback ::1/128,uniqueLocal fc00::/7,ipv4Mapped ::ffff:0:0/96,' +
  'deprecatedSiteLocal fec0::/10,discard 100::/64,rfc6145 ::ffff:0:0:0/96,rfc6052 64:ff9b::/96 64:ff9b:1::/48,6to4 2002::/16,' +
  'teredo 2001::/32,benchmarking 2001:2::/48,amt 2001:3::/32,as112v6 2001:4:112::/48 2620:4f:8000::/48,deprecatedOrchid 2001:10::/28,' +
  'orchid2 2001:20::/28,droneRemoteIdProtocolEntityTags 2001:30::/28,segmentRouting 5f00::/16,reserved 2001::/23 2001:db8::/32 3fff::/20';

let specialRanges: (readonly [name: string, bytes: readonly number[], bits: number])[] | undefined;

/**
 * The special-purpose range an address belongs to, as `ipaddr.js` names it: `unicast` for
 * ordinary public addresses, else `private`, `loopback`, `linkLocal`, `uniqueLocal`,
 * `unspecified`, `carrierGradeNat`, `reserved`, `multicast`, `broadcast`... IPv4 embedded in
 * IPv6 (see {@link embeddedIpv4}) is judged as that IPv4 address.
 */
export function ipRange(input: string | ParsedIp): string | undefined {
  const ip = typeof input === 'string' ? parseIp(input) : input;
  if (!ip) return undefined;
  const inner = embeddedIpv4(ip);
  const bytes = inner !== undefined ? parseV4(inner)! : ip.bytes;
  specialRanges ??= SPECIAL_RANGES.split(',').flatMap((entry) => {
    const [name, ...cidrs] = entry.split(' ');
    return cidrs.map((cidr) => {
      const slash = cidr.indexOf('/');
      // Written IPv6 stays 16 bytes here (`::ffff:0:0/96` is an IPv6 range, not an IPv4 address).
      const net = cidr.includes(':') ? parseV6(cidr.slice(0, slash))! : parseV4(cidr.slice(0, slash))!;
      return [name!, net, Number(cidr.slice(slash + 1))] as const;
    });
  });
  for (const [name, net, bits] of specialRanges) if (net.length === bytes.length && inNet(bytes, [net, bits])) return name;
  return 'unicast';
}

/**
 * `true` when `input` lies in `cidr` (`10.0.0.0/8`, `fd00::/8`; a bare address is a /32 or
 * /128). IPv4-mapped addresses match IPv4 ranges. Throws a `TypeError` for a malformed CIDR.
 */
export function ipInCidr(input: string | ParsedIp, cidr: string): boolean {
  const ip = typeof input === 'string' ? parseIp(input) : input;
  if (!ip) return false;
  const slash = cidr.indexOf('/');
  const net = parseIp(slash < 0 ? cidr : cidr.slice(0, slash));
  const bits = slash < 0 ? (net?.bytes.length ?? 0) * 8 : Number(cidr.slice(slash + 1));
  if (!net || !Number.isInteger(bits) || bits < 0 || bits > net.bytes.length * 8) throw new TypeError(`not a CIDR range: ${cidr}`);
  if (net.kind !== ip.kind) return false;
  return ipPrefix(ip, bits) === ipPrefix(net, bits);
}

/**
 * The range names of Express's `trust proxy` setting (`proxy-addr`) and the CIDRs each stands for.
 */
export const IP_RANGE_NAMES: Readonly<Record<'linklocal' | 'loopback' | 'uniquelocal', readonly string[]>> = {
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  loopback: ['127.0.0.1/8', '::1/128'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** Compiles one list entry; `undefined` for a valid entry that can match no address. */
function compileEntry(entry: string): Net | undefined {
  const slash = entry.lastIndexOf('/');
  const text = slash < 0 ? entry : entry.slice(0, slash);
  const written6 = text.includes(':');
  // The bare form only (an IPv6 zone id is allowed, as in Express): no brackets, ports or spaces.
  const bareForm = written6 ? /^[\d.a-f:]+(?:%[\da-z]+)?$/i.test(text) && text.indexOf(':') !== text.lastIndexOf(':') : /^[\d.]+$/.test(text);
  const ip = bareForm ? parseIp(text) : undefined;
  if (!ip) throw new TypeError(`invalid IP address: ${text}`);
  if (slash < 0) return [ip.bytes, ip.bytes.length * 8]; // an IPv4-mapped address is its IPv4 address
  const max = written6 ? 128 : 32;
  const range = entry.slice(slash + 1);
  let bits = /^\d+$/.test(range) ? Number.parseInt(range, 10) : Number.NaN;
  if (!written6 && range.includes('.')) {
    // A netmask: its leading ones, when they are contiguous (`255.255.0.0` is /16).
    const mask = parseV4(range);
    const value = mask ? ((mask[0]! << 24) | (mask[1]! << 16) | (mask[2]! << 8) | mask[3]!) >>> 0 : 0;
    const ones = Math.clz32(~value);
    bits = ones > 0 && value === (0xffffffff << (32 - ones)) >>> 0 ? ones : Number.NaN;
  }
  if (!(bits > 0 && bits <= max)) throw new TypeError(`invalid range on address: ${entry}`);
  if (ip.kind === 'ipv4' && written6) {
    // An IPv4-mapped IPv6 range (`::ffff:10.0.0.0/104`) holds IPv4 addresses only when its
    // prefix covers the `::ffff:` marker; shorter ones hold no address (native IPv6 never matches).
    return bits >= 96 ? [ip.bytes, bits - 96] : undefined;
  }
  return [ip.bytes, bits];
}

/**
 * Compiles a list of addresses, CIDR ranges and range names into one predicate, with the
 * meaning Express gives its `trust proxy` list (`proxy-addr`'s `compile`):
 * - an entry is a range name of {@link IP_RANGE_NAMES} (`loopback`, `linklocal`, `uniquelocal`),
 *   an address (one address; an IPv4-mapped IPv6 address is its IPv4 address), `address/bits`
 *   (1–32 for IPv4, 1–128 for IPv6) or `ipv4/netmask` (`10.0.0.0/255.0.0.0`); an IPv6 zone id
 *   (`fe80::1%eth0`) is ignored;
 * - IPv4-mapped candidates (`::ffff:10.0.0.1`) are compared as IPv4; an IPv4 candidate matches
 *   IPv4 ranges and IPv4-mapped IPv6 ranges of /96 or longer; an IPv6 candidate matches native
 *   IPv6 ranges only;
 * - spellings follow {@link parseIp}'s one reading (every IPv4 part decimal, so `010.0.0.0/8` is
 *   `10.0.0.0/8`, where `proxy-addr` reads octal); brackets, ports and shorthand IPv4 (`127.1`)
 *   are refused in entries.
 *
 * Candidates are read with {@link parseIp} (so `[::1]:443` is `::1`); a candidate that is not an
 * address matches nothing. An empty list matches nothing.
 *
 * @param entries - The list (entries are not trimmed: split and trim a comma-separated text first).
 * @throws TypeError naming the first malformed entry.
 * @example
 * ```ts
 * const trusted = ipMatcher(['loopback', '10.0.0.0/8']);
 * trusted('::ffff:127.0.0.1'); // true
 * trusted('203.0.113.9');      // false
 * ```
 */
export function ipMatcher(entries: readonly string[]): (address: string | ParsedIp) => boolean {
  const v4: Net[] = [];
  const v6: Net[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string') throw new TypeError(`invalid IP address: ${String(entry)}`);
    const expanded = Object.hasOwn(IP_RANGE_NAMES, entry) ? IP_RANGE_NAMES[entry as keyof typeof IP_RANGE_NAMES] : [entry];
    for (const item of expanded) {
      const net = compileEntry(item);
      if (net) (net[0].length === 4 ? v4 : v6).push(net);
    }
  }
  return (address) => {
    const ip = typeof address === 'string' ? parseIp(address) : address;
    if (!ip) return false;
    const nets = ip.kind === 'ipv4' ? v4 : v6;
    for (const net of nets) if (inNet(ip.bytes, net)) return true;
    return false;
  };
}
