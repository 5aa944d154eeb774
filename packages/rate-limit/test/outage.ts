import { expect } from 'vitest';

/**
 * Asserts the adapters' answer to a request refused because the store is down
 * (`onStoreError: 'deny'`): 503 problem+json `SERVICE_UNAVAILABLE`, no rate-limit headers, no
 * `Retry-After`. Returns the parsed body for further checks.
 */
export async function expectOutage503(response: Response, instance: string): Promise<Record<string, unknown>> {
  expect(response.status).toBe(503);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  for (const name of ['retry-after', 'ratelimit', 'ratelimit-policy', 'x-ratelimit-remaining']) expect(response.headers.get(name)).toBeNull();
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', title: 'Service Unavailable', instance });
  return body;
}
