/**
 * `@armor/errors/react`: React 18/19 hooks and an error boundary built on
 * `@armor/errors/client`. SSR-safe (no `window` access at import or render time) and free of
 * global state: everything lives in the component that uses it.
 *
 * @module
 */
import { Component, createElement, useCallback, useEffect, useMemo, useRef, useState, type ErrorInfo, type ReactNode } from 'react';
import type { ArmorError } from './armor-error.js';
import { fieldErrors, isRetryable, normalizeClientError, retryDelay, userMessage, type UserMessageOptions } from './client.js';

/** Options of {@link useErrorHandler}. */
export interface UseErrorHandlerOptions extends UserMessageOptions {
  /** Called on every `handle()` call with the normalized error (e.g. to show a toast). */
  onError?: ((error: ArmorError) => void) | undefined;
  /**
   * Called once per distinct error object (e.g. POST it to a metrics endpoint or audit log).
   * Its failures are swallowed.
   */
  report?: ((error: ArmorError) => void | Promise<void>) | undefined;
}

/** What {@link useErrorHandler} returns. */
export interface ErrorHandlerState {
  /** Normalizes anything thrown, reports it once, stores it for rendering, and returns it. */
  handle: (thrown: unknown) => ArmorError;
  /** The last handled error, or `null`. */
  error: ArmorError | null;
  /** A safe, human message for `error` (`null` when there is none). */
  message: string | null;
  /** Field errors of `error` keyed by form field name. */
  fieldErrors: Record<string, string>;
  /** Forgets the error. */
  clear: () => void;
}

/**
 * Error state for a component: `handle(error)` in a catch block, then render `message` and
 * `fieldErrors`.
 *
 * @example
 * ```tsx
 * const errors = useErrorHandler({ report: (e) => navigator.sendBeacon('/client-errors', JSON.stringify(e)) });
 * async function submit() { try { await save(form); } catch (e) { errors.handle(e); } }
 * return <>{errors.message && <p role="alert">{errors.message}</p>}<input aria-invalid={!!errors.fieldErrors.name} /></>;
 * ```
 */
export function useErrorHandler(options: UseErrorHandlerOptions = {}): ErrorHandlerState {
  const [error, setError] = useState<ArmorError | null>(null);
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const reported = useRef(new WeakSet<object>());
  const mounted = useMounted();

  const handle = useCallback(
    (thrown: unknown) => {
      const normalized = normalizeClientError(thrown);
      const { onError, report } = optionsRef.current;
      if (!reported.current.has(normalized)) {
        reported.current.add(normalized);
        if (report) {
          try {
            void Promise.resolve(report(normalized)).catch(() => undefined);
          } catch {
            // a failing reporter must not break the UI
          }
        }
      }
      onError?.(normalized);
      if (mounted.current) setError(normalized);
      return normalized;
    },
    [mounted],
  );
  const clear = useCallback(() => setError(null), []);
  const { messages, preferServerMessage } = options;
  const message = useMemo(() => (error ? userMessage(error, { messages, preferServerMessage }) : null), [error, messages, preferServerMessage]);
  const fields = useMemo(() => (error ? fieldErrors(error) : {}), [error]);
  return { handle, error, message, fieldErrors: fields, clear };
}

function useMounted() {
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  return mounted;
}

/** Retry settings of {@link useOptimisticMutation}. */
export interface OptimisticRetryOptions {
  /** Total attempts including the first. @default 3 */
  maxAttempts?: number | undefined;
  /** First backoff delay in ms (doubled each attempt, full jitter). @default 250 */
  initialDelayMs?: number | undefined;
  /** Maximum backoff delay in ms. @default 5000 */
  maxDelayMs?: number | undefined;
}

/** Options of {@link useMutation} and {@link useOptimisticMutation}. */
export interface UseMutationOptions<V, R, C = unknown> {
  /** Calls the server. Receives an AbortSignal that fires when the component unmounts. */
  mutate: (variables: V, context: { signal: AbortSignal; attempt: number }) => Promise<R>;
  /** Applies an optimistic update at once; its return value is passed to `rollback`. @default none */
  applyOptimistic?: ((variables: V) => C) | undefined;
  /** Undoes the optimistic update after a failure (also after an unmount). */
  rollback?: ((context: C, error: ArmorError, variables: V) => void) | undefined;
  /** Called with the server result on success (every call, not only the latest). */
  onSuccess?: ((result: R, variables: V) => void) | undefined;
  /** Called with the normalized error after rollback (every call, not only the latest). */
  onError?: ((error: ArmorError, variables: V) => void) | undefined;
  /** Called after `onSuccess`/`onError` with the result or the error (every call). */
  onSettled?: ((result: R | undefined, error: ArmorError | null, variables: V) => void) | undefined;
  /** Retry retryable errors (network, 408/429/5xx-transient) with backoff; `true` uses defaults. @default false */
  retry?: boolean | OptimisticRetryOptions | undefined;
  /**
   * Send a failure of the latest call to the nearest {@link ErrorBoundary} (as `showBoundary`
   * does) instead of only keeping it in `error`; a function decides per error.
   * @default false
   */
  throwOnError?: boolean | ((error: ArmorError) => boolean) | undefined;
  /** Message overrides for `message`. */
  messages?: UserMessageOptions['messages'];
}

/** Options of {@link useOptimisticMutation}: those of {@link useMutation} with `applyOptimistic` required. */
export interface UseOptimisticMutationOptions<V, R, C> extends UseMutationOptions<V, R, C> {
  applyOptimistic: (variables: V) => C;
}

/** Status of a mutation. */
export type MutationStatus = 'idle' | 'pending' | 'success' | 'error';

/** What {@link useMutation} returns. */
export interface Mutation<V, R> {
  /**
   * Runs the mutation and returns nothing: it never rejects, so `onClick={() => like.mutate(id)}`
   * cannot leak an unhandled rejection. The outcome goes to `status`/`error` and the callbacks.
   */
  mutate: (variables: V) => void;
  /** Runs the mutation; resolves with the result, or rejects with the normalized error. */
  mutateAsync: (variables: V) => Promise<R>;
  /** Status of the LATEST call: an older call settling later never overwrites it. */
  status: MutationStatus;
  /** Error of the latest call, or `null`. */
  error: ArmorError | null;
  /** Result of the latest successful call, or `undefined`. */
  data: R | undefined;
  message: string | null;
  fieldErrors: Record<string, string>;
  /** Back to `idle`, forgetting the error and the data; calls still in flight no longer update state. */
  reset: () => void;
}

/** What {@link useOptimisticMutation} returns. */
export type OptimisticMutation<V, R> = Mutation<V, R>;

/**
 * A server mutation with error state: `mutate` (fire and forget, never rejects) and
 * `mutateAsync` (a promise), latest-call-wins `status`, optional optimistic update with
 * rollback, retries with backoff, and `throwOnError` to hand failures to an {@link ErrorBoundary}.
 * On unmount, calls in flight are aborted via their signal; if one then fails, `rollback` still
 * runs (so shared stores are restored) but no state is set.
 *
 * The backoff is a tiny local one (exponential with full jitter) rather than
 * `@armor/resilience`'s, because that package depends on this one.
 *
 * @example
 * ```ts
 * const save = useMutation({ mutate: (draft: Draft, { signal }) => api.save(draft, { signal }), onSettled: () => refetch() });
 * // <button onClick={() => save.mutate(draft)}>Save</button> — never an unhandled rejection
 * ```
 */
export function useMutation<V, R, C = unknown>(options: UseMutationOptions<V, R, C>): Mutation<V, R> {
  const [state, setState] = useState<{ status: MutationStatus; error: ArmorError | null; data: R | undefined }>({ status: 'idle', error: null, data: undefined });
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const mounted = useMounted();
  const controllers = useRef(new Set<AbortController>());
  /** Id of the latest call; a settling call updates state only when it is still the latest. */
  const latest = useRef(0);
  const { showBoundary } = useErrorBoundary();

  useEffect(() => {
    const active = controllers.current;
    return () => {
      for (const controller of active) controller.abort(new DOMException('Component unmounted', 'AbortError'));
      active.clear();
    };
  }, []);

  const mutateAsync = useCallback(
    async (variables: V): Promise<R> => {
      const { applyOptimistic, retry } = optionsRef.current;
      const id = ++latest.current;
      const isLatest = () => mounted.current && latest.current === id;
      const controller = new AbortController();
      controllers.current.add(controller);
      const context = applyOptimistic?.(variables) as C;
      if (mounted.current) setState((prev) => ({ status: 'pending', error: null, data: prev.data }));
      const retryOptions = retry === true ? {} : retry || undefined;
      const maxAttempts = retryOptions ? Math.max(1, Math.floor(retryOptions.maxAttempts ?? 3)) : 1;
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            const result = await optionsRef.current.mutate(variables, { signal: controller.signal, attempt });
            safeCall(() => optionsRef.current.onSuccess?.(result, variables));
            safeCall(() => optionsRef.current.onSettled?.(result, null, variables));
            if (isLatest()) setState({ status: 'success', error: null, data: result });
            return result;
          } catch (thrown) {
            const normalized = normalizeClientError(thrown);
            const canRetry = attempt < maxAttempts && !controller.signal.aborted && isRetryable(normalized);
            if (!canRetry) throw normalized;
            const base = Math.min(retryOptions?.maxDelayMs ?? 5000, (retryOptions?.initialDelayMs ?? 250) * 2 ** (attempt - 1));
            const delay = Math.max(retryDelay(normalized, 0) ?? 0, Math.random() * base);
            await sleep(delay, controller.signal);
          }
        }
      } catch (thrown) {
        const normalized = normalizeClientError(thrown);
        try {
          optionsRef.current.rollback?.(context, normalized, variables);
        } finally {
          safeCall(() => optionsRef.current.onError?.(normalized, variables));
          safeCall(() => optionsRef.current.onSettled?.(undefined, normalized, variables));
          if (isLatest()) {
            setState((prev) => ({ status: 'error', error: normalized, data: prev.data }));
            const { throwOnError } = optionsRef.current;
            if (throwOnError === true || (typeof throwOnError === 'function' && safeCall(() => throwOnError(normalized)) === true)) showBoundary(normalized);
          }
        }
        throw normalized;
      } finally {
        controllers.current.delete(controller);
      }
    },
    [mounted, showBoundary],
  );

  const mutate = useCallback(
    (variables: V): void => {
      // The outcome is in state and callbacks; the promise is handled here, never left rejected.
      mutateAsync(variables).catch(() => undefined);
    },
    [mutateAsync],
  );

  const reset = useCallback(() => {
    latest.current++;
    setState({ status: 'idle', error: null, data: undefined });
  }, []);
  const messages = options.messages;
  const { status, error, data } = state;
  const message = useMemo(() => (error ? userMessage(error, { messages }) : null), [error, messages]);
  const fields = useMemo(() => (error ? fieldErrors(error) : {}), [error]);
  return { mutate, mutateAsync, status, error, data, message, fieldErrors: fields, reset };
}

/**
 * {@link useMutation} with an optimistic update that never sticks after a failure:
 * `applyOptimistic` runs at once, the server call follows, and on failure (after retries, if
 * enabled) `rollback` runs with the normalized error.
 *
 * @example
 * ```ts
 * const like = useOptimisticMutation({
 *   applyOptimistic: (id: string) => { setLikes((n) => n + 1); return id; },
 *   rollback: () => setLikes((n) => n - 1),
 *   mutate: (id, { signal }) => api.like(id, { signal }),
 *   retry: true,
 * });
 * // onClick={() => like.mutate(postId)} — never rejects; `await like.mutateAsync(postId)` when you need the result
 * ```
 */
export function useOptimisticMutation<V, R, C = unknown>(options: UseOptimisticMutationOptions<V, R, C>): OptimisticMutation<V, R> {
  return useMutation(options);
}

function safeCall<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** What {@link useErrorBoundary} returns. */
export interface ErrorBoundaryApi {
  /**
   * Sends an error to the nearest {@link ErrorBoundary} from outside rendering (an event
   * handler, an effect, a promise callback), where React would not catch it.
   */
  showBoundary: (error: unknown) => void;
}

/**
 * Lets async code hand an error to the nearest {@link ErrorBoundary} (react-error-boundary's
 * `showBoundary`): the component re-renders and throws it during render, where boundaries
 * catch.
 *
 * @example
 * ```tsx
 * const { showBoundary } = useErrorBoundary();
 * useEffect(() => { load().catch(showBoundary); }, [showBoundary]);
 * ```
 */
export function useErrorBoundary(): ErrorBoundaryApi {
  const [boxed, setBoxed] = useState<{ error: unknown } | null>(null);
  const showBoundary = useCallback((error: unknown) => setBoxed({ error }), []);
  if (boxed !== null) throw boxed.error;
  return { showBoundary };
}

/** The longest delay a runtime timer holds (2^31 − 1 ms); `@armor/core`'s `MAX_TIMER_MS`. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Waits `ms` (aborted by `signal`). A runtime timer runs a delay above {@link MAX_TIMER_MS}
 * after ~1 ms, so a longer wait (a server's `Retry-After`) is chained in segments, as
 * `@armor/core`'s clocks do (this package sits below the kernel and cannot import it).
 */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    let left = ms;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const arm = () => {
      const step = Math.min(left, MAX_TIMER_MS);
      left -= step;
      timer = setTimeout(() => {
        if (left > 0) return arm();
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, step);
    };
    arm();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Props given to a fallback render function. */
export interface ErrorFallbackProps {
  error: ArmorError;
  /** Safe human message. */
  message: string;
  /** Clears the error and renders the children again. */
  reset: () => void;
}

/** Props of {@link ErrorBoundary}. */
export interface ErrorBoundaryProps {
  children?: ReactNode;
  /** What to render instead of a crashed subtree: an element, or a function of the error. */
  fallback: ReactNode | ((props: ErrorFallbackProps) => ReactNode);
  /** When any of these values change (shallow compare), the boundary resets. */
  resetKeys?: readonly unknown[] | undefined;
  /** Called once per caught error, with the normalized error and React's component stack. */
  onError?: ((error: ArmorError, info: ErrorInfo) => void) | undefined;
  /** Called after a reset (by `reset()` or by `resetKeys`). */
  onReset?: (() => void) | undefined;
  /** Message overrides for the fallback's `message`. */
  messages?: UserMessageOptions['messages'];
}

interface BoundaryState {
  error: ArmorError | null;
  keys: readonly unknown[] | undefined;
}

/**
 * Catches render-time errors below it and renders `fallback` with the normalized error.
 *
 * @example
 * ```tsx
 * <ErrorBoundary resetKeys={[projectId]} fallback={({ message, reset }) => <p role="alert">{message} <button onClick={reset}>Retry</button></p>}>
 *   <Project id={projectId} />
 * </ErrorBoundary>
 * ```
 */
export class ErrorBoundary extends Component<ErrorBoundaryProps, BoundaryState> {
  override state: BoundaryState = { error: null, keys: this.props.resetKeys };

  static getDerivedStateFromError(thrown: unknown): Partial<BoundaryState> {
    return { error: normalizeClientError(thrown) };
  }

  static getDerivedStateFromProps(props: ErrorBoundaryProps, state: BoundaryState): Partial<BoundaryState> | null {
    if (state.error && changed(state.keys, props.resetKeys)) return { error: null, keys: props.resetKeys };
    if (changed(state.keys, props.resetKeys)) return { keys: props.resetKeys };
    return null;
  }

  override componentDidCatch(thrown: unknown, info: ErrorInfo): void {
    this.props.onError?.(this.state.error ?? normalizeClientError(thrown), info);
  }

  override componentDidUpdate(_prev: ErrorBoundaryProps, prevState: BoundaryState): void {
    if (prevState.error && !this.state.error) this.props.onReset?.();
  }

  reset = (): void => {
    this.setState({ error: null });
  };

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children ?? null;
    const { fallback, messages } = this.props;
    if (typeof fallback === 'function') return fallback({ error, message: userMessage(error, { messages }), reset: this.reset });
    return fallback ?? createElement('p', { role: 'alert' }, userMessage(error, { messages }));
  }
}

function changed(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  if (a === b) return false;
  if (!a || !b || a.length !== b.length) return true;
  return a.some((value, i) => !Object.is(value, b[i]));
}
