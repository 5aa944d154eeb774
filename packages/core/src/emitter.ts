/**
 * Events: the one typed emitter behind every Armor component's `on(event, listener)`.
 *
 * Semantics, the same everywhere:
 * - `on()` returns an unsubscribe function (idempotent).
 * - A listener added twice for one event is registered once (like `EventTarget`).
 * - A listener that throws never breaks the component that emits: the error is reported to
 *   `onListenerError` (default: `console.error` with the component and event name) and the
 *   other listeners still run.
 * - No listener limit, so no MaxListeners warnings.
 * - Listeners added or removed during an emit take effect from the next emit.
 *
 * Hand-written rather than `node:events` or `EventTarget`: the core runs on edge runtimes
 * without `node:events`, and `EventTarget` allocates an `Event` per emit and cannot isolate
 * listener errors without `reportError` (absent in Node 20).
 *
 * @module
 */

/** A listener for one event. */
export type Listener<P> = (payload: P) => void;

/** Something with typed events (the observability contract shared by Armor components). */
export interface Observable<Events> {
  /**
   * Subscribes to an event. A listener that throws is isolated and reported.
   * @returns A function that removes the listener.
   */
  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void;
}

/** Where a throwing listener's error goes. */
export type ListenerErrorReporter = (error: unknown, context: { component: string; event: string }) => void;

/** The default reporter: one `console.error` line naming the component and the event. */
export const defaultListenerErrorReporter: ListenerErrorReporter = (error, { component, event }) => {
  try {
    console.error(`[armor] a listener of ${component} "${event}" threw:`, error);
  } catch {
    // console itself may be broken; nothing else to do
  }
};

/** Options of {@link Emitter}. */
export interface EmitterOptions {
  /** Names the component in reports, e.g. `circuit-breaker payments`. @default 'component' */
  component?: string;
  /** Receives errors thrown by listeners. @default {@link defaultListenerErrorReporter} */
  onListenerError?: ListenerErrorReporter;
}

/**
 * A typed event emitter.
 *
 * @example
 * ```ts
 * const events = new Emitter<{ hit: { key: string } }>({ component: 'cache' });
 * const off = events.on('hit', ({ key }) => console.log('hit', key));
 * events.emit('hit', { key: 'a' });
 * off();
 * ```
 */
export class Emitter<Events> implements Observable<Events> {
  #listeners: { [E in keyof Events]?: readonly Listener<Events[E]>[] } = {};
  readonly #component: string;
  readonly #report: ListenerErrorReporter;

  constructor(options: EmitterOptions = {}) {
    this.#component = options.component ?? 'component';
    this.#report = options.onListenerError ?? defaultListenerErrorReporter;
  }

  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    if (typeof listener !== 'function') throw new TypeError(`listener for "${String(event)}" must be a function`);
    const current = this.#listeners[event] ?? [];
    if (!current.includes(listener)) this.#listeners[event] = [...current, listener];
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      this.off(event, listener);
    };
  }

  /** Removes `listener` from `event` (a no-op when it is not registered). */
  off<E extends keyof Events>(event: E, listener: Listener<Events[E]>): void {
    const current = this.#listeners[event];
    if (current === undefined) return;
    const next = current.filter((l) => l !== listener);
    if (next.length === 0) delete this.#listeners[event];
    else this.#listeners[event] = next;
  }

  /** `true` when someone listens to `event` (lets callers skip building payloads). */
  has(event: keyof Events): boolean {
    return this.#listeners[event] !== undefined;
  }

  /** Number of listeners of `event`. */
  listenerCount(event: keyof Events): number {
    return this.#listeners[event]?.length ?? 0;
  }

  /** Calls every listener of `event` with `payload`, isolating and reporting their errors. */
  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const list = this.#listeners[event];
    if (list === undefined) return;
    for (const listener of list) {
      try {
        listener(payload);
      } catch (error) {
        this.#reportError(error, String(event));
      }
    }
  }

  /** Calls an option callback (`onRetry`, `onLimited`...) with the same isolation as a listener. */
  call<P>(callback: ((payload: P) => void) | undefined, payload: P, name = 'callback'): void {
    if (callback === undefined) return;
    try {
      callback(payload);
    } catch (error) {
      this.#reportError(error, name);
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners = {};
  }

  #reportError(error: unknown, event: string): void {
    try {
      this.#report(error, { component: this.#component, event });
    } catch {
      // a throwing reporter is isolated too
    }
  }
}
