// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, renderHook, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NotFoundError, RateLimitError, ServiceUnavailableError, ValidationError } from './index.js';
import { ErrorBoundary, useErrorBoundary, useErrorHandler, useMutation, useOptimisticMutation } from './react.js';

afterEach(cleanup);

describe('useErrorHandler', () => {
  it('normalizes, reports once, and exposes message and field errors', () => {
    const report = vi.fn();
    const onError = vi.fn();
    const { result } = renderHook(() => useErrorHandler({ report, onError }));
    const error = new ValidationError('Invalid', { issues: [{ path: '/name', message: 'Required', code: 'invalid_type' }] });
    act(() => {
      result.current.handle(error);
      result.current.handle(error);
    });
    expect(report).toHaveBeenCalledTimes(1);
    expect(onError).toHaveBeenCalledTimes(2);
    expect(result.current.message).toBe('Invalid');
    expect(result.current.fieldErrors).toEqual({ name: 'Required' });
    act(() => { result.current.handle('thrown string'); });
    expect(result.current.error?.code).toBe('INTERNAL');
    expect(result.current.message).toBe('Something went wrong on our side. Please try again.');
    act(() => result.current.clear());
    expect(result.current.error).toBeNull();
    expect(result.current.message).toBeNull();
  });

  it('swallows reporter failures', () => {
    const { result } = renderHook(() => useErrorHandler({ report: () => Promise.reject(new Error('offline')) }));
    expect(() => act(() => { result.current.handle(new NotFoundError()); })).not.toThrow();
  });
});

function Likes(props: { mutate: (n: number, ctx: { signal: AbortSignal }) => Promise<number>; retry?: boolean; rollbackSpy?: () => void }) {
  const [likes, setLikes] = useState(10);
  const mutation = useOptimisticMutation({
    applyOptimistic: (n: number) => {
      setLikes((x) => x + n);
      return n;
    },
    rollback: (n) => {
      props.rollbackSpy?.();
      setLikes((x) => x - n);
    },
    mutate: props.mutate,
    retry: props.retry ? { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 } : false,
  });
  return (
    <div>
      <span data-testid="likes">{likes}</span>
      <span data-testid="status">{mutation.status}</span>
      {mutation.message && <p role="alert">{mutation.message}</p>}
      <button onClick={() => mutation.mutate(1)}>like</button>
    </div>
  );
}

describe('useOptimisticMutation', () => {
  it('applies at once and rolls back after a failure, with the normalized error', async () => {
    let reject!: (e: unknown) => void;
    render(<Likes mutate={() => new Promise((_, r) => { reject = r; })} />);
    fireEvent.click(screen.getByText('like'));
    expect(screen.getByTestId('likes').textContent).toBe('11');
    expect(screen.getByTestId('status').textContent).toBe('pending');
    await act(async () => reject(new NotFoundError('Post is gone')));
    expect(screen.getByTestId('likes').textContent).toBe('10');
    expect(screen.getByTestId('status').textContent).toBe('error');
    expect(screen.getByRole('alert').textContent).toBe('Post is gone');
  });

  it('keeps the optimistic value on success', async () => {
    render(<Likes mutate={async () => 11} />);
    fireEvent.click(screen.getByText('like'));
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('success'));
    expect(screen.getByTestId('likes').textContent).toBe('11');
  });

  it('retries retryable errors and succeeds', async () => {
    const mutate = vi
      .fn()
      .mockRejectedValueOnce(new ServiceUnavailableError())
      .mockRejectedValueOnce(new TypeError('fetch failed'))
      .mockResolvedValueOnce(11);
    render(<Likes mutate={mutate} retry />);
    fireEvent.click(screen.getByText('like'));
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('success'));
    expect(mutate).toHaveBeenCalledTimes(3);
    expect(screen.getByTestId('likes').textContent).toBe('11');
  });

  it('does not retry client errors', async () => {
    const mutate = vi.fn().mockRejectedValue(new ValidationError('bad'));
    render(<Likes mutate={mutate} retry />);
    fireEvent.click(screen.getByText('like'));
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('error'));
    expect(mutate).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('likes').textContent).toBe('10');
  });

  it('on unmount in flight: aborts the call, still rolls back, sets no state', async () => {
    const rollbackSpy = vi.fn();
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let signal!: AbortSignal;
    const mutate = (_n: number, ctx: { signal: AbortSignal }) =>
      new Promise<number>((_, reject) => {
        signal = ctx.signal;
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
      });
    const view = render(<Likes mutate={mutate} rollbackSpy={rollbackSpy} retry />);
    fireEvent.click(screen.getByText('like'));
    view.unmount();
    expect(signal.aborted).toBe(true);
    await waitFor(() => expect(rollbackSpy).toHaveBeenCalledTimes(1));
    expect(consoleError).not.toHaveBeenCalled();
    consoleError.mockRestore();
  });
});

describe('useMutation (issue 17 item 8)', () => {
  it('mutate never rejects (no unhandled rejection); mutateAsync rejects with the normalized error', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const onError = vi.fn();
      const { result } = renderHook(() => useMutation({ mutate: () => Promise.reject(new NotFoundError('gone')), onError }));
      let returned: unknown = 'not called';
      act(() => {
        returned = result.current.mutate(undefined);
      });
      expect(returned).toBeUndefined();
      await waitFor(() => expect(result.current.status).toBe('error'));
      expect(result.current.error?.code).toBe('NOT_FOUND');
      expect(onError).toHaveBeenCalledTimes(1);
      await act(async () => {
        await expect(result.current.mutateAsync(undefined)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      });
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('the latest call wins status: an older call failing after a newer one succeeded leaves success', async () => {
    const settles: Array<{ resolve: (v: number) => void; reject: (e: unknown) => void }> = [];
    const onSettled = vi.fn();
    const { result } = renderHook(() =>
      useMutation({ mutate: (_n: number) => new Promise<number>((resolve, reject) => void settles.push({ resolve, reject })), onSettled }),
    );
    act(() => result.current.mutate(1));
    act(() => result.current.mutate(2));
    await act(async () => settles[1]!.resolve(2));
    expect(result.current.status).toBe('success');
    expect(result.current.data).toBe(2);
    await act(async () => settles[0]!.reject(new ServiceUnavailableError()));
    expect(result.current.status).toBe('success');
    expect(result.current.error).toBeNull();
    expect(onSettled).toHaveBeenCalledTimes(2);
    expect(onSettled).toHaveBeenNthCalledWith(1, 2, null, 2);
    expect(onSettled.mock.calls[1]![0]).toBeUndefined();
    expect(onSettled.mock.calls[1]![1]).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('showBoundary hands an async error to the nearest ErrorBoundary; throwOnError does it for a mutation', async () => {
    function Loader() {
      const { showBoundary } = useErrorBoundary();
      return <button onClick={() => void Promise.reject(new RateLimitError('Slow down')).catch(showBoundary)}>load</button>;
    }
    function Saver() {
      const save = useMutation({ mutate: () => Promise.reject(new ServiceUnavailableError()), throwOnError: true });
      return <button onClick={() => save.mutate(undefined)}>save</button>;
    }
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      render(
        <>
          <ErrorBoundary fallback={({ error }) => <p role="alert">loader: {error.code}</p>}>
            <Loader />
          </ErrorBoundary>
          <ErrorBoundary fallback={({ error }) => <p role="status">saver: {error.code}</p>}>
            <Saver />
          </ErrorBoundary>
        </>,
      );
      fireEvent.click(screen.getByText('load'));
      await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('loader: RATE_LIMITED'));
      fireEvent.click(screen.getByText('save'));
      await waitFor(() => expect(screen.getByRole('status').textContent).toBe('saver: SERVICE_UNAVAILABLE'));
    } finally {
      consoleError.mockRestore();
    }
  });
});

function Bomb({ fail }: { fail: boolean }) {
  if (fail) throw new RateLimitError('Slow down');
  return <p>fine</p>;
}

describe('ErrorBoundary', () => {
  it('renders the normalized error and resets by resetKeys and reset()', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const onError = vi.fn();
    const fallback = ({ message, reset }: { message: string; reset: () => void }) => (
      <div role="alert">
        {message}
        <button onClick={reset}>retry</button>
      </div>
    );
    const view = render(
      <ErrorBoundary fallback={fallback} resetKeys={[1]} onError={onError}>
        <Bomb fail />
      </ErrorBoundary>,
    );
    expect(screen.getByRole('alert').textContent).toContain('Slow down');
    expect(onError.mock.calls[0]![0].code).toBe('RATE_LIMITED');
    view.rerender(
      <ErrorBoundary fallback={fallback} resetKeys={[2]}>
        <Bomb fail={false} />
      </ErrorBoundary>,
    );
    expect(screen.getByText('fine')).toBeTruthy();
    spy.mockRestore();
  });

  it('reset() from the fallback re-renders the children and calls onReset once', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let fail = true;
    function Flaky() {
      if (fail) throw new RateLimitError('Slow down');
      return <p>recovered</p>;
    }
    const onReset = vi.fn();
    render(
      <ErrorBoundary onReset={onReset} fallback={({ message, reset }) => <div role="alert">{message}<button onClick={reset}>retry</button></div>}>
        <Flaky />
      </ErrorBoundary>,
    );
    expect(screen.getByRole('alert').textContent).toContain('Slow down');
    expect(onReset).not.toHaveBeenCalled();
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'retry' }));
    expect(screen.getByText('recovered')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(onReset).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });

  it('hooks render on the server without touching window', () => {
    function Form() {
      const { message } = useErrorHandler();
      const { status } = useOptimisticMutation({ mutate: () => Promise.resolve(1), applyOptimistic: () => undefined, rollback: () => undefined });
      return <p>{`${message ?? 'none'}:${status}`}</p>;
    }
    // This file runs under jsdom: hide its globals, as on a server, so touching them throws.
    vi.stubGlobal('window', undefined);
    vi.stubGlobal('document', undefined);
    try {
      expect(typeof window).toBe('undefined');
      expect(renderToString(<Form />)).toContain('none:idle');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('is SSR-safe', () => {
    const html = renderToString(
      <ErrorBoundary fallback={<p>oops</p>}>
        <p>server</p>
      </ErrorBoundary>,
    );
    expect(html).toContain('server');
  });
});
