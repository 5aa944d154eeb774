/**
 * A tiny typed event emitter whose listeners cannot break the component: a listener that
 * throws is isolated (its error is dropped).
 *
 * @module
 */

/** Map of event name to payload type. */
export type EventMap = Record<string, object>;

/** @internal */
export interface Emitter<E extends EventMap> {
  on<K extends keyof E>(event: K, listener: (payload: E[K]) => void): () => void;
  emit<K extends keyof E>(event: K, payload: E[K]): void;
  has(event: keyof E): boolean;
}

/** @internal */
export function createEmitter<E extends EventMap>(): Emitter<E> {
  const listeners = new Map<keyof E, Set<(payload: never) => void>>();
  return {
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => {
        set.delete(listener as (payload: never) => void);
      };
    },
    emit(event, payload) {
      const set = listeners.get(event);
      if (!set) return;
      for (const listener of set) {
        try {
          (listener as (p: typeof payload) => void)(payload);
        } catch {
          // Isolated: a broken listener never breaks the limiter.
        }
      }
    },
    has(event) {
      const set = listeners.get(event);
      return set !== undefined && set.size > 0;
    },
  };
}
