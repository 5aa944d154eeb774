import { reportWebVitals } from '@armor/metrics/web-vitals-client';
import { createRoot, hydrateRoot } from 'react-dom/client';
import { Root } from './Root';
import { pageOf, routeTemplateOf } from './routes';
import { vitalsEndpoint } from './vitals';

const url = import.meta.env.VITE_CONVEX_URL as string | undefined;
const container = document.getElementById('root')!;
if (!url) {
  createRoot(container).render(<p role="alert">Set VITE_CONVEX_URL (printed by `npx convex dev` or `npx convex deploy`).</p>);
} else {
  // The UI's own web vitals (LCP, INP, CLS, FCP, TTFB per route template: `/` or `/admin`), one
  // beacon per page hide, to the deployment's `POST /vitals`; they feed the snapshot's SLO
  // scorecard. Every page load reports (an example; a busy site would sample, e.g. 0.1).
  const endpoint = vitalsEndpoint(url, import.meta.env.VITE_CONVEX_SITE_URL as string | undefined);
  if (endpoint) reportWebVitals({ endpoint, route: routeTemplateOf, sampleRate: 1 });

  // The production build prerenders the signed-out comments page into index.html (vite.config.ts):
  // hydrate it. Another page (`#/admin`), or the dev server's empty root, is rendered afresh.
  // The Convex client is loaded (and connects) only once a page needs it (`lazy.ts`).
  if (container.firstElementChild && pageOf(new URL(location.href)) === 'comments') {
    hydrateRoot(container, <Root />);
  } else {
    container.replaceChildren();
    createRoot(container).render(<Root />);
  }
}
