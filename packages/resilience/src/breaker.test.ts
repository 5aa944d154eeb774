import { CircuitOpenError, NotFoundError, isArmorError } from '@armor/errors';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { circuitBreaker, manualClock, type StateChangeEvent } from './index.js';

const ok = () => Promise.resolve('ok');
const fail = () => Promise.reject(new Error('down'));

function deferred<T = string>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('circuitBreaker — consecutive strategy with fake timers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens after failureThreshold consecutive failures; a success resets the count', async () => {
    const breaker = circuitBreaker({ failureThreshold: 3, halfOpenAfterMs: 1000 });
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    await breaker.execute(ok);
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
  });

  it('fails fast with CircuitOpenError carrying retryAfterMs, without calling fn', async () => {
    const breaker = circuitBreaker({ failureThreshold: 1, halfOpenAfterMs: 1000, name: 'payments' });
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    vi.advanceTimersByTime(400);
    const fn = vi.fn(ok);
    const error = await breaker.execute(fn).catch((e: unknown) => e);
    expect(fn).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(isArmorError(error, 'CIRCUIT_OPEN')).toBe(true);
    expect((error as CircuitOpenError).retryAfterMs).toBe(600);
    expect((error as CircuitOpenError).status).toBe(503);
    expect((error as CircuitOpenError).message).toContain('payments');
  });

  it('half-opens after halfOpenAfterMs; a probe success closes, a probe failure reopens', async () => {
    const changes: StateChangeEvent[] = [];
    const t0 = Date.now();
    const breaker = circuitBreaker({ failureThreshold: 1, halfOpenAfterMs: 1000, onStateChange: (e) => changes.push(e) });
    await expect(breaker.execute(fail)).rejects.toThrow();
    vi.advanceTimersByTime(999);
    expect(breaker.state).toBe('open');
    vi.advanceTimersByTime(1);
    expect(breaker.state).toBe('half-open');
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
    vi.advanceTimersByTime(1000);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual([
      { from: 'closed', to: 'open', at: t0 },
      { from: 'open', to: 'half-open', at: t0 + 1000 },
      { from: 'half-open', to: 'open', at: t0 + 1000 },
      { from: 'open', to: 'half-open', at: t0 + 2000 },
      { from: 'half-open', to: 'closed', at: t0 + 2000 },
    ]);
  });

  it('allows exactly halfOpenMaxConcurrent probes; the rest are rejected; never sticks', async () => {
    const breaker = circuitBreaker({ failureThreshold: 1, halfOpenAfterMs: 100, halfOpenMaxConcurrent: 2 });
    await expect(breaker.execute(fail)).rejects.toThrow();
    vi.advanceTimersByTime(100);
    const probes = [deferred(), deferred()];
    const calls = vi.fn();
    let i = 0;
    const running = Array.from({ length: 6 }, () =>
      breaker.execute(() => {
        calls();
        return probes[i++]!.promise;
      }).then(
        (v) => v,
        (e: unknown) => e,
      ),
    );
    expect(calls).toHaveBeenCalledTimes(2);
    expect(breaker.stats().halfOpenInFlight).toBe(2);
    probes[0]!.resolve('first');
    probes[1]!.reject(new Error('late failure')); // stale after the close: ignored
    const results = await Promise.all(running);
    expect(results[0]).toBe('first');
    expect(results.slice(2).every((r) => r instanceof CircuitOpenError)).toBe(true);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().halfOpenInFlight).toBe(0);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
  });

  it('a probe aborted by its caller frees its slot (no stuck half-open)', async () => {
    const breaker = circuitBreaker({ failureThreshold: 1, halfOpenAfterMs: 100 });
    await expect(breaker.execute(fail)).rejects.toThrow();
    vi.advanceTimersByTime(100);
    const controller = new AbortController();
    const probe = breaker.execute(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))), controller.signal);
    controller.abort(new Error('caller left'));
    await expect(probe).rejects.toThrow('caller left');
    expect(breaker.state).toBe('half-open');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('slowCallMs counts slow successes as failures', async () => {
    const breaker = circuitBreaker({ failureThreshold: 2, slowCallMs: 100 });
    const slow = () => new Promise<string>((r) => setTimeout(() => r('slow'), 150));
    for (let k = 0; k < 2; k++) {
      const p = breaker.execute(slow);
      await vi.advanceTimersByTimeAsync(150);
      await expect(p).resolves.toBe('slow');
    }
    expect(breaker.state).toBe('open');
    expect(breaker.stats()).toMatchObject({ slowCalls: 2, successes: 2, failures: 2 });
  });

  it('isFailure: exposed 4xx do not count by default; custom predicate respected', async () => {
    const breaker = circuitBreaker({ failureThreshold: 1 });
    await expect(breaker.execute(() => Promise.reject(new NotFoundError()))).rejects.toBeInstanceOf(NotFoundError);
    expect(breaker.state).toBe('closed');
    const picky = circuitBreaker({ failureThreshold: 1, isFailure: (e) => (e as Error).message === 'counts' });
    await expect(picky.execute(fail)).rejects.toThrow();
    expect(picky.state).toBe('closed');
    await expect(picky.execute(() => Promise.reject(new Error('counts')))).rejects.toThrow();
    expect(picky.state).toBe('open');
  });

  it('isolate holds it open until reset; stats are plain data', async () => {
    const breaker = circuitBreaker({ name: 'db', halfOpenAfterMs: 10 });
    await breaker.execute(ok);
    await breaker.isolate();
    expect(breaker.state).toBe('isolated');
    vi.advanceTimersByTime(1_000_000);
    const err = await breaker.execute(ok).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect((err as CircuitOpenError).retryAfterMs).toBeUndefined();
    const stats = breaker.stats();
    expect(stats).toMatchObject({ name: 'db', state: 'isolated', successes: 1, failures: 0, rejected: 1 });
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
    await breaker.reset();
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
  });

  it('emits success/failure/rejected/stateChange events; throwing listeners are isolated', async () => {
    const breaker = circuitBreaker({ failureThreshold: 1, halfOpenAfterMs: 50 });
    const seen: unknown[] = [];
    breaker.on('success', (e) => seen.push(['success', e.durationMs]));
    breaker.on('failure', (e) => seen.push(['failure', (e.error as Error).message]));
    breaker.on('rejected', (e) => seen.push(['rejected', e.retryAfterMs]));
    breaker.on('stateChange', (e) => {
      seen.push(['state', e.to]);
      throw new Error('listener bug');
    });
    const p = breaker.execute(() => new Promise((r) => setTimeout(() => r(1), 20)));
    await vi.advanceTimersByTimeAsync(20);
    await p;
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(seen).toEqual([
      ['success', 20],
      ['failure', 'down'],
      ['state', 'open'],
      ['rejected', 50],
    ]);
  });
});

describe('circuitBreaker — failure-rate strategy (rolling buckets)', () => {
  it('opens when the failure rate over the window reaches failureRate after minimumThroughput', async () => {
    const clock = manualClock(0);
    const breaker = circuitBreaker({ failureRate: 0.5, minimumThroughput: 4, windowMs: 1000, buckets: 10, clock });
    await breaker.execute(ok);
    await expect(breaker.execute(fail)).rejects.toThrow();
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(breaker.state).toBe('closed'); // 3 calls < minimumThroughput
    await breaker.execute(ok);
    expect(breaker.state).toBe('closed'); // successes never open
    await expect(breaker.execute(fail)).rejects.toThrow(); // 3/5
    expect(breaker.state).toBe('open');
  });

  it('old buckets fall out of the window', async () => {
    const clock = manualClock(0);
    const breaker = circuitBreaker({ failureRate: 0.5, minimumThroughput: 4, windowMs: 1000, buckets: 10, clock });
    await expect(breaker.execute(fail)).rejects.toThrow();
    await expect(breaker.execute(fail)).rejects.toThrow();
    await expect(breaker.execute(fail)).rejects.toThrow();
    clock.advance(1000); // those three expire
    expect(breaker.stats().windowCalls).toBe(0);
    await breaker.execute(ok);
    await breaker.execute(ok);
    await breaker.execute(ok);
    await expect(breaker.execute(fail)).rejects.toThrow(); // 1/4
    expect(breaker.state).toBe('closed');
    clock.advance(500);
    expect(breaker.stats()).toMatchObject({ windowCalls: 4, currentFailures: 1 });
  });
});

describe('circuitBreaker — half-open probe lease (in-process)', () => {
  const hang = () => new Promise<string>(() => {});

  async function halfOpen(options: { halfOpenMaxConcurrent?: number; probeLeaseMs?: number } = {}) {
    const clock = manualClock(1_000);
    const breaker = circuitBreaker({ clock, failureThreshold: 1, halfOpenAfterMs: 100, ...options });
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    clock.advance(100);
    expect(breaker.state).toBe('half-open');
    return { clock, breaker };
  }

  it('a hung probe holds its slot only until probeLeaseMs; then a new probe is admitted', async () => {
    const { clock, breaker } = await halfOpen({ probeLeaseMs: 5_000 });
    void breaker.execute(hang); // never settles, sets no timer
    expect(breaker.stats().halfOpenInFlight).toBe(1);
    clock.advance(4_999);
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    clock.advance(1);
    expect(breaker.stats()).toMatchObject({ state: 'half-open', halfOpenInFlight: 0, abandonedProbes: 1 });
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(clock.pending).toBe(0);
  });

  it('defaults probeLeaseMs to max(halfOpenAfterMs, 10_000)', async () => {
    const { clock, breaker } = await halfOpen();
    void breaker.execute(hang);
    clock.advance(9_999);
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    clock.advance(1);
    await expect(breaker.execute(ok)).resolves.toBe('ok');

    const clock2 = manualClock(0);
    const slowToReopen = circuitBreaker({ clock: clock2, failureThreshold: 1, halfOpenAfterMs: 60_000 });
    await expect(slowToReopen.execute(fail)).rejects.toThrow();
    clock2.advance(60_000);
    void slowToReopen.execute(hang);
    clock2.advance(59_999);
    await expect(slowToReopen.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    clock2.advance(1);
    await expect(slowToReopen.execute(ok)).resolves.toBe('ok');
  });

  it('still admits exactly halfOpenMaxConcurrent probes, with leases per slot', async () => {
    const { clock, breaker } = await halfOpen({ halfOpenMaxConcurrent: 2, probeLeaseMs: 1_000 });
    const calls = vi.fn(hang);
    void breaker.execute(calls); // slot 1, lease until +1000
    clock.advance(500);
    void breaker.execute(calls); // slot 2, lease until +1500
    await expect(breaker.execute(calls)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toHaveBeenCalledTimes(2);
    clock.advance(500); // slot 1 expires, slot 2 is live
    void breaker.execute(calls); // takes slot 1 again
    await expect(breaker.execute(calls)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toHaveBeenCalledTimes(3);
    expect(breaker.stats()).toMatchObject({ halfOpenInFlight: 2, abandonedProbes: 1 });
    clock.advance(500); // slot 2 expires
    void breaker.execute(calls);
    await expect(breaker.execute(calls)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toHaveBeenCalledTimes(4);
    expect(breaker.stats()).toMatchObject({ halfOpenInFlight: 2, abandonedProbes: 2 });
  });

  it("an abandoned probe's late success or failure never changes the state (nor frees another's slot)", async () => {
    const { clock, breaker } = await halfOpen({ probeLeaseMs: 1_000 });
    const changes: string[] = [];
    breaker.on('stateChange', (e) => changes.push(`${e.from}->${e.to}`));
    const failures: unknown[] = [];
    breaker.on('failure', (e) => failures.push(e.error));
    const lateFail = deferred();
    const lateOk = deferred();
    const abandonedA = breaker.execute(() => lateFail.promise);
    clock.advance(1_000);
    const abandonedB = breaker.execute(() => lateOk.promise); // A's slot, now B's
    clock.advance(1_000);
    const current = deferred();
    const live = breaker.execute(() => current.promise); // B's slot, now the live probe's
    expect(breaker.stats()).toMatchObject({ halfOpenInFlight: 1, abandonedProbes: 2 });

    lateFail.reject(new Error('late failure'));
    await expect(abandonedA).rejects.toThrow('late failure'); // the caller still gets its result
    lateOk.resolve('late ok');
    await expect(abandonedB).resolves.toBe('late ok');
    expect(breaker.state).toBe('half-open'); // neither reopened nor closed it
    expect(breaker.stats()).toMatchObject({ halfOpenInFlight: 1, abandonedProbes: 2, failures: 2, successes: 1 });
    expect(failures).toHaveLength(1); // counted in stats and events like any outcome
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError); // the live probe still holds the only slot

    current.resolve('live ok');
    await expect(live).resolves.toBe('live ok');
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['half-open->closed']);
  });

  it('a late outcome of an expired probe is ignored even when no new call reclaimed its slot', async () => {
    const { clock, breaker } = await halfOpen({ probeLeaseMs: 1_000 });
    const late = deferred();
    const probe = breaker.execute(() => late.promise);
    clock.advance(1_000);
    late.reject(new Error('late failure'));
    await expect(probe).rejects.toThrow('late failure');
    expect(breaker.state).toBe('half-open');
    expect(breaker.stats()).toMatchObject({ halfOpenInFlight: 0, abandonedProbes: 1 });
    await expect(breaker.execute(fail)).rejects.toThrow('down'); // a fresh probe decides
    expect(breaker.state).toBe('open');
  });

  it('a probe settling before its lease decides as before', async () => {
    const { clock, breaker } = await halfOpen({ probeLeaseMs: 1_000 });
    const d = deferred();
    const probe = breaker.execute(() => d.promise);
    clock.advance(999);
    d.reject(new Error('slow but in time'));
    await expect(probe).rejects.toThrow();
    expect(breaker.state).toBe('open');
    expect(breaker.stats().abandonedProbes).toBe(0);
  });

  it('rejects a bad probeLeaseMs', () => {
    expect(() => circuitBreaker({ probeLeaseMs: 0 })).toThrow(/probeLeaseMs/);
    expect(() => circuitBreaker({ probeLeaseMs: Number.NaN })).toThrow(/probeLeaseMs/);
  });
});
