/**
 * Witnesses: copies of checkpoints kept outside the database the log is written to, so an
 * attacker who controls that database (and even the signing key) cannot quietly replace
 * history that a witness has already seen.
 *
 * @module
 */
import { checkString } from '@armor/core';
import { ExternalServiceError } from '@armor/errors';
import type { Checkpoint } from './checkpoint.js';

/** Keeps checkpoints outside the log's own store. */
export interface AuditWitness {
  /** Records a checkpoint. Must never overwrite one already recorded (write-once). */
  put(checkpoint: Checkpoint): Promise<void>;
  /** Every checkpoint recorded for `stream`, in seq order. */
  list(stream: string): Promise<Checkpoint[]>;
}

/** A witness in memory (tests; a second process's memory in development). */
export function memoryWitness(): AuditWitness {
  const byStream = new Map<string, Map<string, Checkpoint>>();
  return {
    async put(cp) {
      let m = byStream.get(cp.stream);
      if (!m) byStream.set(cp.stream, (m = new Map<string, Checkpoint>()));
      if (!m.has(cp.id)) m.set(cp.id, structuredClone(cp));
    },
    async list(stream) {
      return [...(byStream.get(stream)?.values() ?? [])].sort((a, b) => a.seq - b.seq).map((cp) => structuredClone(cp));
    },
  };
}

/** Options of {@link httpWitness}. */
export interface HttpWitnessOptions {
  /** Base URL: checkpoints are `POST`ed to it as JSON and listed with `GET <url>?stream=<name>` (a JSON array). */
  url: string;
  /** Extra request headers (an authorization token, say). @default {} */
  headers?: Record<string, string>;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/**
 * A witness behind an HTTP endpoint (another service, another account, a transparency log
 * front). Any non-2xx answer is an `ExternalServiceError`.
 */
export function httpWitness(options: HttpWitnessOptions): AuditWitness {
  checkString('url', options?.url);
  const doFetch = options.fetch ?? globalThis.fetch;
  const headers = { ...options.headers };
  const fail = async (res: Response, what: string) => {
    throw new ExternalServiceError(`Audit witness ${what} failed with HTTP ${res.status}`, { details: { status: res.status } });
  };
  return {
    async put(cp) {
      const res = await doFetch(options.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(cp) });
      if (!res.ok) await fail(res, 'put');
    },
    async list(stream) {
      const url = new URL(options.url);
      url.searchParams.set('stream', stream);
      const res = await doFetch(url, { headers });
      if (!res.ok) await fail(res, 'list');
      const list = (await res.json()) as Checkpoint[];
      return Array.isArray(list) ? list : [];
    },
  };
}
