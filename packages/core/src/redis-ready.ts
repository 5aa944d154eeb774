/**
 * One `ready` listener per Redis client, however many calls (of however many guards) wait for
 * the client to connect: a per-client fan-out hub, like the kernel's abort hub. So a burst of
 * calls at start-up never puts a `MaxListenersExceededWarning` on the user's client.
 *
 * @module
 */

/** The part of a client a ready-waiter needs. */
export interface ReadyEmitter {
  once?(event: 'ready', listener: () => void): unknown;
  removeListener?(event: 'ready', listener: () => void): unknown;
}

interface Hub {
  readonly waiters: Set<() => void>;
  readonly listener: () => void;
}
const hubs = new WeakMap<object, Hub>();

/**
 * Runs `callback` once when `client` emits `ready`. The client carries at most one `ready`
 * listener from Armor; the returned function removes the callback (and that listener when it
 * was the last waiter). `client` must have `once`.
 */
export function onReady(client: ReadyEmitter & object, callback: () => void): () => void {
  let hub = hubs.get(client);
  if (hub === undefined) {
    const waiters = new Set<() => void>();
    // the hub of a client is current while its listener is attached (see the remover below)
    const listener = () => {
      hubs.delete(client);
      for (const waiter of [...waiters]) waiter();
    };
    hubs.set(client, (hub = { waiters, listener }));
    client.once!('ready', listener);
  }
  const current = hub;
  current.waiters.add(callback);
  return () => {
    // without removeListener the listener stays on the client: keep the hub, so the next waiter reuses it
    if (current.waiters.delete(callback) && current.waiters.size === 0 && typeof client.removeListener === 'function' && hubs.get(client) === current) {
      hubs.delete(client);
      client.removeListener('ready', current.listener);
    }
  };
}
