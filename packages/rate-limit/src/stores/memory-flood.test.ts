import { describe, expect, it } from 'vitest';
import { createRateLimiter, memoryStore, type RateLimitPolicy } from '../index.js';

const HOUR = 3_600_000;

/**
 * A policy that counts how often the store (and the engine it runs) reads it: a work counter
 * for the eviction path, with no hook into the store. Every evaluation reads a handful of
 * fields; an eviction that inspects every held key reads it once per key.
 */
function countingPolicy(policy: RateLimitPolicy) {
  const counter = { reads: 0 };
  const proxy = new Proxy(policy, {
    get(target, property, receiver) {
      counter.reads++;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  return { policy: proxy, counter };
}

/** A store of `maxKeys` keys, every one at its limit (the worst keys: each restricts). */
function fullOfExhaustedKeys(maxKeys: number) {
  const store = memoryStore({ maxKeys });
  const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 1, windowMs: HOUR, store, name: 'flood' });
  const { policy, counter } = countingPolicy(limiter.policy);
  const now = 1_700_000_000_000;
  for (let i = 0; i < maxKeys; i++) store.consumeOne(limiter.prefix, `held${i}`, limiter.policy, 1, now);
  expect(store.size).toBe(maxKeys);
  return { store, limiter, policy, counter, now };
}

/** Policy reads per request of a flood of new keys, each driven to its limit, into a full store. */
function readsPerFloodRequest(maxKeys: number, flood: number): number {
  const { store, limiter, policy, counter, now } = fullOfExhaustedKeys(maxKeys);
  counter.reads = 0;
  for (let i = 0; i < flood; i++) {
    const outcome = store.consumeOne(limiter.prefix, `new${i}`, policy, 1, now + i);
    expect(outcome.allowed).toBe(true);
  }
  expect(store.size).toBeLessThanOrEqual(maxKeys);
  return counter.reads / flood;
}

describe('memoryStore under a flood of the worst keys', () => {
  it('does O(1) work per request when full of keys at their limit (work counter, independent of maxKeys)', () => {
    const small = readsPerFloodRequest(1_000, 500);
    const large = readsPerFloodRequest(16_000, 500);
    // A request evaluates one key: a bounded number of policy reads, whatever the store holds.
    expect(small).toBeLessThan(50);
    expect(large).toBeLessThan(50);
    expect(large / small).toBeLessThan(1.5);
  });

  it('grows the cost of a flood linearly in its length, not in the number of keys held (growth ratio)', () => {
    // 100× more keys held: the time per flooding request stays within a small factor (memory
    // locality of a larger table costs a few times at most); an eviction or sweep that walks
    // the held keys costs 100× or more. CPU time where the runtime has it (a loaded machine
    // steals wall time, not CPU time), the two sizes interleaved, best of 5 each; a generous bound.
    const cpu = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process?.cpuUsage;
    const clockUs = () => {
      if (cpu) {
        const u = cpu();
        return u.user + u.system;
      }
      return performance.now() * 1000;
    };
    const once = (maxKeys: number) => {
      const { store, limiter, now } = fullOfExhaustedKeys(maxKeys);
      const started = clockUs();
      for (let i = 0; i < 20_000; i++) store.consumeOne(limiter.prefix, `new${i}`, limiter.policy, 1, now + i);
      return (clockUs() - started) / 20_000;
    };
    let small = Infinity;
    let large = Infinity;
    for (let run = 0; run < 5; run++) {
      small = Math.min(small, once(1_000));
      large = Math.min(large, once(100_000));
    }
    expect(large / small).toBeLessThan(25);
  }, 60_000);

  it('a block survives any flood: 1,000 attacker accounts driven into blocks, then 20,000 new keys, leave the victim blocked', async () => {
    const clock = { t: 1_700_000_000_000, now: () => clock.t };
    const store = memoryStore({ maxKeys: 1_000 });
    const login = createRateLimiter({ algorithm: 'fixed-window', limit: 1, windowMs: HOUR, store, clock, name: 'login', blockDurationMs: HOUR });
    login.consumeSync('victim@example.com');
    expect(login.consumeSync('victim@example.com')).toMatchObject({ allowed: false, blockedMs: HOUR });
    for (let i = 0; i < 1_000; i++) {
      clock.t += 1;
      login.consumeSync(`attacker${i}@example.com`);
      expect(login.consumeSync(`attacker${i}@example.com`).reason).toBe('limit'); // a block starts
    }
    expect(login.consumeSync('victim@example.com')).toMatchObject({ allowed: false, reason: 'blocked' });
    for (let i = 0; i < 20_000; i++) {
      clock.t += 1;
      login.consumeSync(`new${i}`);
    }
    expect(login.consumeSync('victim@example.com')).toMatchObject({ allowed: false, reason: 'blocked' });
    // The first 1,000 blocks (the victim's and 999 attackers') sit in the block table, which
    // no flood evicts; the table's bound holds, and so does the bound of ordinary keys.
    expect(store.blockedSize).toBe(1_000);
    expect(store.size).toBeLessThanOrEqual(2_000);
    expect(store.blockOverflows).toBeGreaterThan(0);
  });

  it('frees the block table as blocks (and their strikes) expire, and refuses a bad maxBlockedKeys', () => {
    const clock = { t: 1_700_000_000_000, now: () => clock.t };
    const store = memoryStore({ maxKeys: 10, maxBlockedKeys: 5 });
    const login = createRateLimiter({ algorithm: 'gcra', limit: 1, windowMs: 60_000, store, clock, name: 'login', blockDurationMs: 60_000 });
    for (let i = 0; i < 5; i++) {
      login.consumeSync(`a${i}`);
      login.consumeSync(`a${i}`);
    }
    expect(store.blockedSize).toBe(5);
    expect(store.blockOverflows).toBe(0);
    // A sixth block finds the table full of live blocks: kept among ordinary keys, counted.
    login.consumeSync('b');
    expect(login.consumeSync('b').blockedMs).toBe(60_000);
    expect(store.blockOverflows).toBe(1);
    expect(login.consumeSync('b').reason).toBe('blocked');
    // Blocks and strikes over (block 60 s + strikes remembered 60 s): the table takes new blocks.
    clock.t += 121_000;
    login.consumeSync('c');
    login.consumeSync('c');
    expect(store.blockOverflows).toBe(1);
    expect(login.consumeSync('c').reason).toBe('blocked');
    expect(store.blockedSize).toBeLessThanOrEqual(5);
    expect(() => memoryStore({ maxBlockedKeys: 0 })).toThrow('"maxBlockedKeys"');
  });
});
