/**
 * `syncToFleet`: each instance pushes what it recorded locally (error groups, slow operations)
 * into the fleet store in the background, as deltas, so `recordError` and `trackOperation` keep
 * their in-process cost and a Redis outage never reaches the request path.
 *
 * @module
 */
import { backgroundInterval, checkFunction, checkMs, checkOptions, checkRequired, checkString } from '@armor/core';
import { errorGroups, slowOperations, type ErrorGroup, type Registry, type SlowOperation } from '@armor/metrics';
import type { FleetStore } from './store.js';

/** Options of {@link syncToFleet}. */
export interface SyncToFleetOptions {
  /** The instance's registry (`recordError`/`trackOperation` write into it). */
  registry: Registry;
  /** The fleet store. */
  store: FleetStore;
  /** This instance's name as Prometheus labels it (`host:port` of its metrics endpoint). */
  instance: string;
  /** The release running here (a version or a commit). @default 'unknown' */
  release?: string;
  /** Milliseconds between background pushes. @default 5_000 */
  intervalMs?: number;
  /**
   * Called when a push fails (Redis down, or a timeout); the next push retries. Pushes are
   * idempotent (each carries this sync's id and a running total), so a push that timed out but
   * ran in Redis, and its retry, count once. @default ignore
   */
  onError?: (error: unknown) => void;
}

/** A running sync. */
export interface FleetSync {
  /** Pushes now (also what the background loop calls). Never rejects. */
  flush(): Promise<void>;
  /** Stops the background loop (after a last `flush()` if you await it). */
  stop(): Promise<void>;
}

/**
 * Starts pushing this instance's error groups and slow operations to the fleet store.
 *
 * @example
 * ```ts no-run
 * const sync = syncToFleet({ registry, store, instance: '10.0.0.5:3000', release: process.env.RELEASE });
 * process.on('SIGTERM', () => void sync.stop());
 * ```
 */
export function syncToFleet(options: SyncToFleetOptions): FleetSync {
  checkOptions('syncToFleet', options, ['registry', 'store', 'instance', 'release', 'intervalMs', 'onError']);
  checkRequired('registry', options?.registry, 'the instance registry');
  checkRequired('store', options.store, 'a fleet store (redisFleetStore)');
  checkRequired('instance', options.instance, 'the instance name');
  checkString('instance', options.instance);
  const { registry, store, instance, release = 'unknown', intervalMs = 5_000, onError } = options;
  checkString('release', release);
  checkMs('intervalMs', intervalMs, { min: 10 });
  checkFunction('onError', onError);

  // this sync's id: a push carries it with a running total, so the store counts a retry once
  const source = `${instance}/${globalThis.crypto.randomUUID()}`;
  /** Per fingerprint: the local count last pushed, and the running total of occurrences pushed. */
  const pushed = new Map<string, { local: number; total: number }>();
  let slowSince = 0;
  let slowSeq = 0;
  let running: Promise<void> | undefined;

  async function push(): Promise<void> {
    const groups: ErrorGroup[] = errorGroups(registry);
    for (const group of groups) {
      const before = pushed.get(group.fingerprint) ?? { local: 0, total: 0 };
      // a count below what we pushed means the local group was trimmed and re-created
      const delta = group.count >= before.local ? group.count - before.local : group.count;
      if (delta === 0) continue;
      const total = before.total + delta;
      await store.recordErrorGroup(group, delta, { instance, release, push: { source, seq: total } });
      pushed.set(group.fingerprint, { local: group.count, total });
    }
    const slow: SlowOperation[] = slowOperations(registry).filter((op) => op.at > slowSince);
    slow.sort((a, b) => a.at - b.at);
    for (const op of slow) {
      await store.recordSlowOperation({ ...op, instance, release }, { source, seq: slowSeq + 1 });
      slowSeq++;
      slowSince = Math.max(slowSince, op.at);
    }
  }

  const flush = (): Promise<void> => {
    running ??= push()
      .catch((error: unknown) => {
        try {
          onError?.(error);
        } catch {
          // isolated
        }
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const stopLoop = backgroundInterval(() => void flush(), intervalMs);
  return {
    flush,
    async stop() {
      stopLoop();
      await flush();
    },
  };
}
