/**
 * Marks on requests answered by a metrics endpoint, so the request instrumentation does not
 * count Prometheus scrapes as traffic whatever the middleware order.
 *
 * @module
 */

/** Requests (Express `req` or Fetch `Request`) a metrics endpoint answered. */
const scrapes = new WeakSet<object>();

/** Marks `request` as a scrape (called by `metricsEndpoint` and `metricsResponse`). @internal */
export function markScrape(request: unknown): void {
  if (typeof request === 'object' && request !== null) scrapes.add(request);
}

/** Whether a metrics endpoint answered `request`. @internal */
export function isScrape(request: object): boolean {
  return scrapes.has(request);
}
