/**
 * The outbound call: a POST to `WEBHOOK_URL` for each new comment, through a retry policy
 * (exponential backoff, 3 attempts), a circuit breaker (opens after 5 consecutive failures,
 * probes again after 10 s) and a 2 s timeout per attempt — all from `@armor/resilience`.
 * Delivery is asynchronous: a failing webhook never fails the request that triggered it.
 *
 * @module
 */
import { ExternalServiceError, isArmorError } from '@armor/errors';
import { circuitBreaker, exponentialBackoff, isRetryableByDefault, retryPolicy, timeoutPolicy, wrap, type CircuitBreaker } from '@armor/resilience';

/** Options of {@link createWebhook}. */
export interface WebhookOptions {
  url: string | undefined;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Attempts per event. @default 3 */
  maxAttempts?: number;
  /** First retry delay in ms. @default 100 */
  initialDelayMs?: number;
  /** ms the breaker stays open. @default 10000 */
  halfOpenAfterMs?: number;
  onError?: (error: unknown) => void;
}

/** The webhook sender. */
export interface Webhook {
  readonly breaker: CircuitBreaker;
  /** Sends now and resolves when delivered; rejects after retries or with `CircuitOpenError`. */
  send(event: string, payload: unknown): Promise<void>;
  /** Fire and forget (errors go to `onError`); returns the delivery promise for tests. */
  notify(event: string, payload: unknown): Promise<void>;
  /** Deliveries in flight (graceful shutdown waits for them). */
  idle(): Promise<void>;
}

export function createWebhook(options: WebhookOptions): Webhook {
  const doFetch = options.fetch ?? globalThis.fetch;
  const breaker = circuitBreaker({ name: 'webhook', failureThreshold: 5, halfOpenAfterMs: options.halfOpenAfterMs ?? 10_000 });
  const policy = wrap(
    retryPolicy({
      maxAttempts: options.maxAttempts ?? 3,
      backoff: exponentialBackoff({ initial: options.initialDelayMs ?? 100, max: 2_000 }),
      // An open breaker means "stop calling for a while": give up at once instead of waiting.
      retryIf: (error) => !isArmorError(error, 'CIRCUIT_OPEN') && isRetryableByDefault(error),
    }),
    breaker,
    timeoutPolicy(2_000),
  );
  const inFlight = new Set<Promise<void>>();

  async function send(event: string, payload: unknown): Promise<void> {
    const url = options.url;
    if (!url) return;
    await policy.execute(async ({ signal }) => {
      const res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'armor-express-app/webhook' },
        body: JSON.stringify({ event, payload, sentAt: new Date().toISOString() }),
        signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new ExternalServiceError(`Webhook answered HTTP ${res.status}`, { details: { status: res.status }, retryable: res.status >= 500 || res.status === 429 });
    });
  }

  return {
    breaker,
    send,
    notify(event, payload) {
      if (!options.url) return Promise.resolve();
      const p = send(event, payload).catch((error: unknown) => options.onError?.(error));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      return p;
    },
    async idle() {
      await Promise.all([...inFlight]);
    },
  };
}
