import { describe, expect, it } from 'vitest';
import { createSubscriptionTimer } from '../src/queryTimer';

function setup() {
  let now = 1000;
  const samples: [number, boolean][] = [];
  const timer = createSubscriptionTimer((durationMs, ok) => samples.push([durationMs, ok]), { now: () => now });
  return { timer, samples, advance: (ms: number) => (now += ms) };
}

describe('createSubscriptionTimer (client-side query latency: subscription start → first result)', () => {
  it('times a new subscription from its first render to the render with the result, once', () => {
    const { timer, samples, advance } = setup();
    timer.track('q:{"a":1}', true, false);
    advance(30);
    timer.track('q:{"a":1}', true, false); // still waiting
    advance(12);
    timer.track('q:{"a":1}', false, false); // result
    timer.track('q:{"a":1}', false, false); // a reactive update: not a wait
    advance(5);
    timer.track('q:{"a":1}', false, false);
    expect(samples).toEqual([[42, true]]);
  });

  it('records a failed query as ok: false', () => {
    const { timer, samples, advance } = setup();
    timer.track('k', true, false);
    advance(7);
    timer.track('k', false, true);
    expect(samples).toEqual([[7, false]]);
  });

  it('new arguments are a new subscription, timed again; skipping stops the timing', () => {
    const { timer, samples, advance } = setup();
    timer.track('a', true, false);
    advance(10);
    timer.track('b', true, false); // args changed before a's result: a is abandoned
    advance(20);
    timer.track('b', false, false);
    timer.track(null, false, false);
    advance(5);
    timer.track('c', true, false);
    timer.track(null, false, false); // skipped while waiting: nothing recorded
    timer.track('c', false, false); // back with a cached result: not a wait
    expect(samples).toEqual([[20, true]]);
  });

  it('does not time a subscription answered from the client cache', () => {
    const { timer, samples } = setup();
    timer.track('cached', false, false);
    timer.track('cached', false, false);
    expect(samples).toEqual([]);
  });

  it('restart times the next wait of the same subscription (loadMore), but only once it has waited', () => {
    const { timer, samples, advance } = setup();
    timer.track('p', true, false);
    advance(15);
    timer.track('p', false, false);
    timer.restart('p');
    timer.track('p', false, false); // the render right after loadMore, before it shows as loading
    advance(25);
    timer.track('p', true, false); // LoadingMore
    advance(5);
    timer.track('p', false, false);
    expect(samples).toEqual([
      [15, true],
      [30, true],
    ]);
  });
});
