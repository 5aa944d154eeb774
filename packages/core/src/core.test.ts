import { ConfigurationError } from '@armor/errors';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { checkInt, checkOptions, didYouMean, Emitter, kindOf, manualClock, raceAbort, sleep } from './index.js';
import { embeddedIpv4, ipInCidr, ipPrefix, ipRange, normalizeIp, parseIp } from './ip.js';

describe('emitter', () => {
  it('isolates and reports a throwing listener; the others still run', () => {
    const reports: string[] = [];
    const e = new Emitter<{ x: number }>({ component: 'test', onListenerError: (err, ctx) => reports.push(`${ctx.component}/${ctx.event}/${String(err)}`) });
    const seen: number[] = [];
    e.on('x', () => {
      throw new Error('boom');
    });
    e.on('x', (n) => seen.push(n));
    e.emit('x', 1);
    expect(seen).toEqual([1]);
    expect(reports).toEqual(['test/x/Error: boom']);
  });
  it('registers a listener added twice once; off is idempotent', () => {
    const e = new Emitter<{ x: number }>();
    const calls: number[] = [];
    const l = (n: number) => calls.push(n);
    const off1 = e.on('x', l);
    e.on('x', l);
    e.emit('x', 1);
    expect(calls).toEqual([1]);
    off1();
    off1();
    e.emit('x', 2);
    expect(calls).toEqual([1]);
    expect(e.has('x')).toBe(false);
  });
  it('takes 1,000 listeners without warnings', () => {
    const warn = vi.spyOn(console, 'warn');
    const e = new Emitter<{ x: number }>();
    for (let i = 0; i < 1000; i++) e.on('x', () => undefined);
    expect(e.listenerCount('x')).toBe(1000);
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('options', () => {
  it('refuses unknown keys with the closest known name', () => {
    expect(() => checkOptions('retryPolicy', { maxRetries: 3 }, ['maxAttempts', 'backoff'])).toThrow(/Unknown option "maxRetries" of retryPolicy \(did you mean "maxAttempts"\?\)/);
    expect(() => checkOptions('circuitBreaker', { treshold: 0.5 }, ['threshold', 'name'])).toThrow(/did you mean "threshold"/);
    expect(() => checkOptions('x', { zzz: 1 }, ['threshold'])).toThrow(ConfigurationError);
    expect(() => checkOptions('x', 'nope', ['a'])).toThrow(ConfigurationError);
    expect(() => checkOptions('x', { a: 1, b: undefined }, ['a'])).not.toThrow();
  });
  it('didYouMean finds close names and nothing for far ones', () => {
    expect(didYouMean('timout', ['timeoutMs', 'name'])).toBe('timeoutMs');
    expect(didYouMean('banana', ['timeoutMs', 'name'])).toBeUndefined();
    expect(didYouMean('treshold', ['failureThreshold', 'halfOpenAfterMs', 'name'])).toBe('failureThreshold');
    expect(didYouMean('halfOpenAfter', ['failureThreshold', 'halfOpenAfterMs', 'name'])).toBe('halfOpenAfterMs');
    expect(didYouMean('nam', ['failureThreshold', 'halfOpenAfterMs', 'name'])).toBe('name');
  });
  it('integer checks agree on 0', () => {
    expect(() => checkInt('n', 0, 1)).toThrow(/>= 1/);
    expect(() => checkInt('n', 0, 0)).not.toThrow();
    expect(() => checkInt('n', Number.NaN, 0)).toThrow();
  });
});

describe('ip', () => {
  it('normalizes the spellings proxies and sockets produce', () => {
    expect(normalizeIp('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeIp('010.0.0.1')).toBe('10.0.0.1');
    expect(normalizeIp('[2001:DB8::0001]:443')).toBe('2001:db8::1');
    expect(normalizeIp('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeIp('203.0.113.9:8080')).toBe('203.0.113.9');
    expect(normalizeIp(' 1.2.3.4 ')).toBe('1.2.3.4');
    for (const bad of ['127.1', '0x7f000001', '2130706433', '256.1.1.1', 'abc', '', '1.2.3.4.5', ':::', undefined, 42]) expect(normalizeIp(bad)).toBeUndefined();
  });
  it('finds the IPv4 inside 6to4, Teredo, NAT64 and IPv4-compatible addresses', () => {
    expect(embeddedIpv4('2002:cb00:714d::1')).toBe('203.0.113.77');
    expect(embeddedIpv4('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toBe('192.0.2.45');
    expect(embeddedIpv4('64:ff9b::203.0.113.5')).toBe('203.0.113.5');
    expect(embeddedIpv4('::203.0.113.5')).toBe('203.0.113.5');
    expect(embeddedIpv4('::1')).toBeUndefined();
    expect(embeddedIpv4('2001:db8::1')).toBeUndefined();
  });
  it('prefixes, ranges and CIDR', () => {
    expect(ipPrefix('2001:db8:abcd:12ff::1', 56)).toBe('2001:db8:abcd:1200::');
    expect(ipPrefix('203.0.113.77', 24)).toBe('203.0.113.0');
    expect(ipRange('127.0.0.1')).toBe('loopback');
    expect(ipRange('::ffff:127.0.0.1')).toBe('loopback');
    expect(ipRange('169.254.169.254')).toBe('linkLocal');
    expect(ipInCidr('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(ipInCidr('::ffff:10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(ipInCidr('11.1.2.3', '10.0.0.0/8')).toBe(false);
    expect(() => ipInCidr('1.1.1.1', '10.0.0.0/99')).toThrow(TypeError);
  });
  it('property: normalizing is idempotent and every spelling of an IPv4 address keys the same', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.nat(2), (ip, zeros) => {
        const padded = ip.split('.').map((p) => '0'.repeat(zeros) + p).join('.');
        const n = normalizeIp(ip)!;
        expect(normalizeIp(padded)).toBe(n);
        expect(normalizeIp(`::ffff:${ip}`)).toBe(n);
        expect(normalizeIp(`[::ffff:${ip}]:80`)).toBe(n);
        expect(normalizeIp(n)).toBe(n);
      }),
    );
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const parsed = parseIp(ip);
        expect(parsed).toBeDefined();
        expect(normalizeIp(parsed!.address)).toBe(parsed!.address);
        expect(normalizeIp(ip.toUpperCase())).toBe(parsed!.address);
      }),
    );
  });
});

describe('time', () => {
  it('sleep on a manual clock, and abort rejects at once', async () => {
    const clock = manualClock();
    const done = sleep(100, undefined, clock);
    await clock.advanceAsync(100);
    await expect(done).resolves.toBeUndefined();
    const ac = new AbortController();
    const waiting = sleep(100, ac.signal, clock);
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(clock.pending).toBe(0);
  });
  it('raceAbort rejects when the signal aborts even if the work ignores it', async () => {
    const ac = new AbortController();
    const never = new Promise(() => undefined);
    const p = raceAbort(never, ac.signal);
    ac.abort(new Error('gone'));
    await expect(p).rejects.toThrow('gone');
  });
});

describe('kinds', () => {
  it('reads kinds without throwing', () => {
    expect(kindOf({ kind: 'retry' })).toBe('retry');
    expect(kindOf({ kind: 'nope' })).toBeUndefined();
    expect(kindOf({ get kind() { throw new Error('x'); } })).toBeUndefined();
    expect(kindOf(null)).toBeUndefined();
  });
});
