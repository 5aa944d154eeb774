import { fingerprint } from '@armor/errors';
import { fromConvexError } from '@armor/errors/client';
import { useErrorHandler } from '@armor/errors/react';
import { useMutation } from 'convex/react';
import type { FunctionArgs, FunctionReference, FunctionReturnType } from 'convex/server';
import { useCallback } from 'react';
import { api } from '../convex/_generated/api';
import { MAX_ERROR_MESSAGE, MAX_NAME } from '../convex/lib/telemetry';

/**
 * Error handling for Convex calls: normalizes thrown `ConvexError`s with
 * `@armor/errors/client` and reports each error once to `monitoring.reportClientError`
 * (query and mutation errors cannot record themselves: their writes roll back).
 */
export function useArmorErrors(source: string) {
  const report = useMutation(api.monitoring.reportClientError);
  return useErrorHandler({
    report: (error) =>
      // Clipped to the mutation's bounds: an over-long report would be refused whole.
      report({
        fingerprint: fingerprint(error),
        code: error.code,
        status: error.status,
        name: error.name.slice(0, MAX_NAME),
        message: error.message.slice(0, MAX_ERROR_MESSAGE),
        source: source.slice(0, MAX_NAME),
      }).then(() => undefined),
  });
}

/**
 * A mutation whose client-side round trip is timed and recorded
 * (`monitoring.recordClientSamples`), because Convex freezes the clock inside mutations.
 */
export function useTimedMutation<M extends FunctionReference<'mutation'>>(mutation: M, name: string) {
  const run = useMutation(mutation);
  const record = useMutation(api.monitoring.recordClientSamples);
  return useCallback(
    async (args: FunctionArgs<M>): Promise<FunctionReturnType<M>> => {
      const started = performance.now();
      let ok = false;
      try {
        const result = await run(args);
        ok = true;
        return result;
      } catch (thrown) {
        throw fromConvexError(thrown);
      } finally {
        void record({ samples: [{ name: name.slice(0, MAX_NAME), kind: 'mutation', durationMs: performance.now() - started, ok }] }).catch(() => undefined);
      }
    },
    [run, record, name],
  );
}
