/**
 * `@armor/core`: the kernel every Armor package shares — time and the timer rule, one typed
 * emitter, option checks and component kinds. IP parsing (`@armor/core/ip`), the Redis call
 * guard (`@armor/core/redis`) and HMAC-SHA256 (`@armor/core/hmac`) are subpath entries, so a
 * bundle that imports only the root leaves them out. Use it when you build on Armor;
 * applications rarely need it directly.
 *
 * @module
 */
export * from './time.js';
export { MAX_TIMER_MS, chainTimers } from './timers.js';
export * from './emitter.js';
export * from './options.js';
export * from './kind.js';
