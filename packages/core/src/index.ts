/**
 * `@armor/core`: the kernel every Armor package shares — time and the timer rule, one typed
 * emitter, option checks, IP parsing, the Redis call guard, and component kinds. Use it when
 * you build on Armor; applications rarely need it directly.
 *
 * @module
 */
export * from './time.js';
export { MAX_TIMER_MS, chainTimers } from './timers.js';
export * from './emitter.js';
export * from './options.js';
export * from './ip.js';
export * from './redis.js';
export * from './kind.js';
