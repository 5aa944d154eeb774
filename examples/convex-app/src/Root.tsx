import { ConvexProviderWithAuth, type ConvexReactClient } from 'convex/react';
import { StrictMode, useEffect } from 'react';
import { App } from './App';
import { useIdTokenAuth } from './auth';

/**
 * The whole UI: the Convex client with the ID-token auth adapter, and the app. The same tree is
 * rendered to HTML at build time (`shell.tsx`, the signed-out comments page) and hydrated in the
 * browser (`main.tsx`).
 */
export function Root({ client }: { client: ConvexReactClient }) {
  // The prerendered HTML is `inert` (seen, but not clickable or focusable) until React has taken
  // it over: a sign-in form submitted natively would put the token in the URL.
  useEffect(() => document.getElementById('root')?.removeAttribute('inert'), []);
  return (
    <StrictMode>
      <ConvexProviderWithAuth client={client} useAuth={useIdTokenAuth}>
        <App />
      </ConvexProviderWithAuth>
    </StrictMode>
  );
}
