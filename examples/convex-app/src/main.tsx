import { flushSync } from 'react-dom';
import { createRoot, hydrateRoot } from 'react-dom/client';
import { Root } from './Root';
import { pageOf } from './routes';

const url = import.meta.env.VITE_CONVEX_URL as string | undefined;
const container = document.getElementById('root')!;
if (!url) {
  createRoot(container).render(<p role="alert">Set VITE_CONVEX_URL (printed by `npx convex dev` or `npx convex deploy`).</p>);
} else {
  // The production build prerenders the signed-out comments page into index.html (vite.config.ts):
  // hydrate it. Another page (`#/admin`), or the dev server's empty root, is rendered afresh.
  // The Convex client is loaded (and connects) only once a page needs it (`lazy.ts`).
  // Hydrated in one go (a sync lane), as the scripts finish: the page is small, and yielding
  // between its few components would only add scheduler hops before it is usable.
  if (container.firstElementChild && pageOf(new URL(location.href)) === 'comments') {
    flushSync(() => hydrateRoot(container, <Root />));
  } else {
    container.replaceChildren();
    createRoot(container).render(<Root />);
  }
  // The UI's own web vitals, to the deployment's `POST /vitals` (`reportVitals.ts`): requested
  // now, started when it arrives; hydration does not wait for it.
  void import('./reportVitals').then(({ startReporting }) => startReporting(url, import.meta.env.VITE_CONVEX_SITE_URL as string | undefined));
}
