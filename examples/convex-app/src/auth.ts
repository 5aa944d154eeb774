import { useCallback, useMemo, useSyncExternalStore } from 'react';

/**
 * A minimal auth adapter for `ConvexProviderWithAuth`: it hands Convex the OpenID Connect ID
 * token of the signed-in user, which Convex verifies against `convex/auth.config.ts`. The
 * token is kept in `sessionStorage` (this tab only).
 *
 * In a real app, use your provider's SDK instead (`ConvexProviderWithClerk`,
 * `ConvexProviderWithAuth0`, Convex Auth): it obtains and refreshes the token. The server
 * side does not change — it only ever trusts `ctx.auth.getUserIdentity()`.
 */
const KEY = 'armor.idToken';
const listeners = new Set<() => void>();

function read(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/** Stores (or with `null`, forgets) the ID token and notifies the provider. */
export function setIdToken(token: string | null): void {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The stored ID token (`null` when signed out), re-rendering on sign-in and sign-out. `null`
 * while hydrating the prerendered (signed-out) page, so hydration matches it; the token follows
 * right after.
 */
export function useIdToken(): string | null {
  return useSyncExternalStore(subscribe, read, () => null);
}

/** The `useAuth` hook `ConvexProviderWithAuth` expects. */
export function useIdTokenAuth() {
  const token = useIdToken();
  const fetchAccessToken = useCallback(async () => token, [token]);
  return useMemo(() => ({ isLoading: false, isAuthenticated: token !== null, fetchAccessToken }), [token, fetchAccessToken]);
}

/**
 * The anonymous session id sent with calls open to anyone (telemetry, reports): generated once
 * per tab. It separates anonymous rate-limit budgets and grants nothing; the server also caps
 * anonymous calls per IP, so a fresh id buys no extra calls.
 */
export function sessionId(): string {
  const key = 'armor.sessionId';
  try {
    const existing = sessionStorage.getItem(key);
    if (existing) return existing;
    const id = crypto.randomUUID();
    sessionStorage.setItem(key, id);
    return id;
  } catch {
    return (sessionIdFallback ??= crypto.randomUUID());
  }
}
let sessionIdFallback: string | undefined;
