import { fingerprint } from '@armor/errors';
import { fromConvexError } from '@armor/errors/client';
import { useErrorHandler } from '@armor/errors/react';
import { useMutation, usePaginatedQuery, useQuery } from 'convex/react';
import type { OptionalRestArgsOrSkip, PaginatedQueryArgs, PaginatedQueryReference, UsePaginatedQueryReturnType } from 'convex/react';
import { getFunctionName, type FunctionArgs, type FunctionReference, type FunctionReturnType } from 'convex/server';
import { convexToJson, type Value } from 'convex/values';
import { useCallback, useMemo } from 'react';
import { api } from '../convex/_generated/api';
import { REPORTABLE_LIMITERS } from '../convex/lib/limiters';
import { MAX_DURATION_MS, MAX_ERROR_MESSAGE, MAX_NAME } from '../convex/lib/telemetry';
import { sessionId } from './auth';
import { createSubscriptionTimer } from './queryTimer';

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
        sessionId: sessionId(),
      }).then(() => undefined),
  });
}

type SampleKind = 'query' | 'mutation';

/** Records one latency sample through `monitoring.recordClientSamples`; never throws (telemetry must not break the UI). */
function useRecordSample() {
  const record = useMutation(api.monitoring.recordClientSamples);
  return useCallback(
    (name: string, kind: SampleKind, durationMs: number, ok: boolean) => {
      if (!(durationMs >= 0 && durationMs <= MAX_DURATION_MS)) return;
      void record({ samples: [{ name: name.slice(0, MAX_NAME), kind, durationMs, ok }], sessionId: sessionId() }).catch(() => undefined);
    },
    [record],
  );
}

/**
 * A mutation whose client-side round trip is timed and recorded
 * (`monitoring.recordClientSamples`), because Convex freezes the clock inside mutations.
 * A `RATE_LIMITED` refusal of a registered limiter is also reported
 * (`rateLimit.reportRejected`): the refused mutation's own count was rolled back with it.
 */
export function useTimedMutation<M extends FunctionReference<'mutation'>>(mutation: M, name: string) {
  const run = useMutation(mutation);
  const recordSample = useRecordSample();
  const reportRejected = useMutation(api.rateLimit.reportRejected);
  return useCallback(
    async (args: FunctionArgs<M>): Promise<FunctionReturnType<M>> => {
      const started = performance.now();
      let ok = false;
      try {
        const result = await run(args);
        ok = true;
        return result;
      } catch (thrown) {
        const error = fromConvexError(thrown);
        if (error.code === 'RATE_LIMITED' && REPORTABLE_LIMITERS.includes(name)) {
          void reportRejected({ limiter: name, sessionId: sessionId() }).catch(() => undefined);
        }
        throw error;
      } finally {
        recordSample(name, 'mutation', performance.now() - started, ok);
      }
    },
    [run, recordSample, reportRejected, name],
  );
}

/**
 * A {@link createSubscriptionTimer} for the component's lifetime that records each timed wait
 * as a `query` sample named `name` — after the render (in a microtask), never during it.
 */
function useQueryTimer(name: string) {
  const recordSample = useRecordSample();
  return useMemo(() => createSubscriptionTimer((durationMs, ok) => queueMicrotask(() => recordSample(name, 'query', durationMs, ok))), [name, recordSample]);
}

function subscriptionKey(query: FunctionReference<'query'>, args: Record<string, Value> | 'skip'): string | null {
  return args === 'skip' ? null : `${getFunctionName(query)}:${JSON.stringify(convexToJson(args))}`;
}

/**
 * `useQuery`, timed from subscription start to first result and recorded as a `query` sample
 * named `name` (`ok: false` when the query threw). Each new set of arguments is a new
 * subscription and is timed again; later reactive updates are not (they are pushes, not waits).
 * Throws like `useQuery` when the query fails.
 */
export function useTimedQuery<Q extends FunctionReference<'query'>>(query: Q, args: FunctionArgs<Q> | 'skip', name: string): FunctionReturnType<Q> | undefined {
  const timer = useQueryTimer(name);
  let result: FunctionReturnType<Q> | undefined;
  let failure: unknown;
  let failed = false;
  try {
    result = useQuery(query, ...([args] as unknown as OptionalRestArgsOrSkip<Q>));
  } catch (thrown) {
    failed = true;
    failure = thrown;
  }
  timer.track(subscriptionKey(query, args as Record<string, Value> | 'skip'), result === undefined && !failed, failed);
  if (failed) throw failure;
  return result;
}

/**
 * `usePaginatedQuery`, timed: the wait for the first page and for each `loadMore` page are
 * recorded as `query` samples named `name`. Throws like `usePaginatedQuery` when a page fails.
 */
export function useTimedPaginatedQuery<Q extends PaginatedQueryReference>(
  query: Q,
  args: PaginatedQueryArgs<Q> | 'skip',
  options: { initialNumItems: number },
  name: string,
): UsePaginatedQueryReturnType<Q> {
  const timer = useQueryTimer(name);
  const key = subscriptionKey(query, args as Record<string, Value> | 'skip');
  let result: UsePaginatedQueryReturnType<Q> | undefined;
  let failure: unknown;
  let failed = false;
  try {
    result = usePaginatedQuery(query, args, options);
  } catch (thrown) {
    failed = true;
    failure = thrown;
  }
  timer.track(key, !failed && result!.isLoading, failed);
  const status = result?.status;
  const loadMore = result?.loadMore;
  const timedLoadMore = useCallback(
    (numItems: number) => {
      if (key !== null && status === 'CanLoadMore') timer.restart(key);
      loadMore?.(numItems);
    },
    [key, loadMore, status, timer],
  );
  if (failed) throw failure;
  const paged = result!;
  return { ...paged, loadMore: timedLoadMore };
}
