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

/** Options of {@link useOptimisticMutation}. */
export interface UseOptimisticMutationOptions<V, R, C> {
  /** Calls the server. Receives an AbortSignal that fires when the component unmounts. */
  mutate: (variables: V, context: { signal: AbortSignal; attempt: number }) => Promise<R>;
  /** Applies the optimistic update; its return value is passed to `rollback`. */
  applyOptimistic: (variables: V) => C;
  /** Undoes the optimistic update after a failure (also after an unmount). */
  rollback?: ((context: C, error: ArmorError, variables: V) => void) | undefined;
  /** Called with the server result on success. */
  onSuccess?: ((result: R, variables: V) => void) | undefined;
  /** Called with the normalized error after rollback. */
  onError?: ((error: ArmorError, variables: V) => void) | undefined;
  /** Retry retryable errors (network, 408/429/5xx-transient) with backoff; `true` uses defaults. @default false */
  retry?: boolean | OptimisticRetryOptions | undefined;
  /** Message overrides for `message`. */
  messages?: UserMessageOptions['messages'];
}

/** Status of an optimistic mutation. */
export type MutationStatus = 'idle' | 'pending' | 'success' | 'error';

/** What {@link useOptimisticMutation} returns. */
export interface OptimisticMutation<V, R> {
  /** Runs the mutation; resolves with the result, or rejects with the normalized error. */
  mutate: (variables: V) => Promise<R>;
  status: MutationStatus;
  error: ArmorError | null;
  message: string | null;
  fieldErrors: Record<string, string>;
  /** Back to `idle`, forgetting the error. */
  reset: () => void;
}

/**
 * Optimistic updates that never stick after a failure: `applyOptimistic` runs at once, the
 * server call follows, and on failure (after retries, if enabled) `rollback` runs with the
 * normalized error. On unmount, the in-flight call is aborted via its signal; if it then
 * fails, `rollback` still runs (so shared stores are restored) but no state is set.
 *
 * The backoff is a tiny local one (exponential with full jitter) rather than
 * `@armor/resilience`'s, because that package depends on this one.
 *
 * @example
 * ```ts
 * const like = useOptimisticMutation({
 *   applyOptimistic: (id) => { setLikes((n) => n + 1); return id; },
 *   rollback: () => setLikes((n) => n - 1),
 *   mutate: (id, { signal }) => api.like(id, { signal }),
 *   retry: true,
 * });
 * ```
 */
export function useOptimisticMutation<V, R, C = unknown>(options: UseOptimisticMutationOptions<V, R, C>): OptimisticMutation<V, R> {
  const [status, setStatus] = useState<MutationStatus>('idle');
  const [error, setError] = useState<ArmorError | null>(null);
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const mounted = useMounted();
  const controllers = useRef(new Set<AbortController>());

  useEffect(() => {
    const active = controllers.current;
    return () => {
      for (const controller of active) controller.abort(new DOMException('Component unmounted', 'AbortError'));
      active.clear();
    };
  }, []);

  const mutate = useCallback(
    async (variables: V): Promise<R> => {
      const { applyOptimistic, retry } = optionsRef.current;
      const controller = new AbortController();
      controllers.current.add(controller);
      const context = applyOptimistic(variables);
      if (mounted.current) {
        setStatus('pending');
        setError(null);
      }
      const retryOptions = retry === true ? {} : retry || undefined;
      const maxAttempts = retryOptions ? Math.max(1, Math.floor(retryOptions.maxAttempts ?? 3)) : 1;
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            const result = await optionsRef.current.mutate(variables, { signal: controller.signal, attempt });
            optionsRef.current.onSuccess?.(result, variables);
            if (mounted.current) setStatus('success');
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
          optionsRef.current.onError?.(normalized, variables);
          if (mounted.current) {
            setError(normalized);
            setStatus('error');
          }
        }
        throw normalized;
      } finally {
        controllers.current.delete(controller);
      }
    },
    [mounted],
  );

  const reset = useCallback(() => {
    setStatus('idle');
    setError(null);
  }, []);
  const messages = options.messages;
  const message = useMemo(() => (error ? userMessage(error, { messages }) : null), [error, messages]);
  const fields = useMemo(() => (error ? fieldErrors(error) : {}), [error]);
  return { mutate, status, error, message, fieldErrors: fields, reset };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
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
