import { lazy, Suspense, useEffect, useState } from 'react';
import { useIdToken } from './auth';
import { loadAdminPage, loadConnected } from './lazy';
import { pageOf, type Page } from './routes';
import { SignedOutComments } from './SignedOut';

/**
 * Everything that talks to the deployment (the Convex client, the signed-in comments page, the
 * admin page's provider) is its own chunk, loaded when first needed (`lazy.ts`): the signed-out
 * comments page, which every visitor opens first, never waits for it.
 */
const Connected = lazy(loadConnected);

const ADMIN_FALLBACK = <p>Loading the monitoring dashboard…</p>;

/** Pointing at (or tabbing to) the Admin link starts loading its chunks before the click. */
function warmAdmin() {
  void loadConnected();
  void loadAdminPage();
}

/**
 * Two pages, each with its own URL (`#/`, `#/admin`; see `routes.ts`): comments (the product)
 * and admin (the monitoring dashboard). Hash URLs need nothing from the static host.
 */
export function App() {
  // No `location` when prerendered at build time (shell.tsx): that is the comments page.
  const [page, setPage] = useState<Page>(() => (typeof location === 'undefined' ? 'comments' : pageOf(new URL(location.href))));
  useEffect(() => {
    const follow = () => setPage(pageOf(new URL(location.href)));
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  // The admin page's chunk is requested with the Convex one, not after it.
  useEffect(() => {
    if (page === 'admin') void loadAdminPage();
  }, [page]);
  const signedIn = useIdToken() !== null;
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 1200, margin: '0 auto', padding: 16 }}>
      <nav aria-label="Pages" style={{ display: 'flex', gap: 8 }}>
        <a href="#/" aria-current={page === 'comments' ? 'page' : undefined}>Comments</a>
        <a href="#/admin" aria-current={page === 'admin' ? 'page' : undefined} onPointerEnter={warmAdmin} onFocus={warmAdmin}>Admin</a>
      </nav>
      {page === 'comments' && !signedIn ? (
        <SignedOutComments />
      ) : (
        <Suspense fallback={page === 'admin' ? ADMIN_FALLBACK : <SignedOutComments />}>
          <Connected page={page} adminFallback={ADMIN_FALLBACK} />
        </Suspense>
      )}
    </main>
  );
}
