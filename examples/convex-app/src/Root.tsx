import { StrictMode, useLayoutEffect } from 'react';
import { App } from './App';

/**
 * The whole UI. The same tree is rendered to HTML at build time (`shell.tsx`, the signed-out
 * comments page) and hydrated in the browser (`main.tsx`); the Convex client is not part of it
 * until a page needs the deployment (`App.tsx`, `connected.tsx`).
 */
export function Root() {
  // The prerendered HTML is `inert` (seen, but not clickable or focusable) until React has taken
  // it over: a sign-in form submitted natively would put the token in the URL. Released in the
  // commit that completes hydration (a layout effect), not after the next paint (a passive
  // effect would keep the page inert for a frame or more in which it is already usable).
  useLayoutEffect(() => document.getElementById('root')?.removeAttribute('inert'), []);
  return (
    <StrictMode>
      <App />
    </StrictMode>
  );
}
