/**
 * A tiny typed event emitter: `on()` returns an unsubscribe function and a throwing listener
 * never breaks the component that emits.
 *
 * @module
 */

/** A listener for one event. */
export type Listener<P> = (payload: P) => void;

/** Something with typed events (the observability contract shared by Armor components). */
export interface Observable<Events> {
  /**
   * Subscribes to an event. Listeners that throw are isolated (the error is swallowed).
   * @returns A function that removes the listener.
   */
  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void;
}

/** @internal */
export class Emitter<Events> implements Observable<Events> {
  #listeners: { [E in keyof Events]?: Listener<Events[E]>[] } = {};

  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    this.#listeners[event] = [...(this.#listeners[event] ?? []), listener];
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      const next = (this.#listeners[event] ?? []).filter((l) => l !== listener);
      if (next.length === 0) delete this.#listeners[event];
      else this.#listeners[event] = next;
    };
  }

  /** `true` when someone listens (lets callers skip building payloads). */
  has(event: keyof Events): boolean {
    return this.#listeners[event] !== undefined;
  }

  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const list = this.#listeners[event];
    if (list === undefined) return;
    for (const listener of list) {
      try {
        listener(payload);
      } catch {
        // isolated by contract
      }
    }
  }
}

/** @internal Calls an option callback, swallowing its errors. */
export function safeCall<P>(callback: ((payload: P) => void) | undefined, payload: P): void {
  if (callback === undefined) return;
  try {
    callback(payload);
  } catch {
    // isolated by contract
  }
}
