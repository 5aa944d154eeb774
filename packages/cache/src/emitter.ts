/** A tiny typed event emitter whose listeners cannot break the emitter. */
export class Emitter<E extends object> {
  private readonly listeners: { [K in keyof E]?: ((payload: E[K]) => void)[] } = {};
  /** `active[event]` is `true` while `event` has listeners (a plain field: the cheapest hot-path check). */
  readonly active: { [K in keyof E]?: boolean } = {};

  /** `true` when at least one listener is registered for `event`. */
  has(event: keyof E): boolean {
    return this.active[event] === true;
  }

  on<K extends keyof E>(event: K, listener: (payload: E[K]) => void): () => void {
    this.listeners[event] = [...(this.listeners[event] ?? []), listener];
    this.active[event] = true;
    return () => {
      const current = this.listeners[event];
      if (!current) return;
      const i = current.indexOf(listener);
      if (i >= 0) this.listeners[event] = [...current.slice(0, i), ...current.slice(i + 1)];
      this.active[event] = this.listeners[event]!.length > 0;
    };
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const list = this.listeners[event];
    if (!list) return;
    for (const listener of list) {
      try {
        listener(payload);
      } catch {
        // A throwing listener is isolated: it never breaks the cache.
      }
    }
  }
}
