import { ConvexReactClient } from 'convex/react';
import { createRoot, hydrateRoot } from 'react-dom/client';
import { Root } from './Root';
import { pageOf } from './routes';

const url = import.meta.env.VITE_CONVEX_URL as string | undefined;
const container = document.getElementById('root')!;
if (!url) {
  createRoot(container).render(<p role="alert">Set VITE_CONVEX_URL (printed by `npx convex dev` or `npx convex deploy`).</p>);
} else {
  const client = new ConvexReactClient(url);
  // The production build prerenders the signed-out comments page into index.html (vite.config.ts):
  // hydrate it. Another page (`#/admin`), or the dev server's empty root, is rendered afresh.
  if (container.firstElementChild && pageOf(new URL(location.href)) === 'comments') {
    hydrateRoot(container, <Root client={client} />);
  } else {
    container.replaceChildren();
    createRoot(container).render(<Root client={client} />);
  }
}
