/**
 * The `/monitoring` page's entry: tiny and without static imports, so it runs as soon as it
 * arrives.
 *
 * The server sends the page with its first view already rendered (the dashboard as HTML, see
 * `src/monitoring-page.ts`) and the snapshot it was rendered from in
 * `<script type="application/json" id="first-snapshot">`: the data is on screen before any
 * script runs, and this entry hands that snapshot to the React app (`app.tsx`), which renders
 * the same dashboard in its place and polls from there. When the page comes without one (the
 * static build, served when the server could not render it), the HTML's
 * `<link rel="preload" as="fetch">` has already started the snapshot request and this entry
 * hands that response to the dashboard's first load, so it is not fetched twice.
 *
 * It also starts the page's web vitals report (`vitals.ts`, its own chunk, off the path to
 * the first view).
 *
 * Outside demo mode the browser sends the admin key it was asked for (HTTP Basic, password =
 * admin API key) with every request, including these.
 */
import type { MonitoringSnapshot } from '@armor/react-monitoring-dashboard';

const snapshotUrl = new URL('snapshot', window.location.href.replace(/[?#].*$/, '').replace(/\/?$/, '/')).toString();

/** The snapshot the server rendered the page from, or `null`. */
function firstSnapshot(): MonitoringSnapshot | null {
  const text = document.getElementById('first-snapshot')?.textContent;
  if (!text) return null;
  try {
    return JSON.parse(text) as MonitoringSnapshot;
  } catch {
    return null; // the dashboard loads one itself
  }
}

const initial = firstSnapshot();
// Same request as the HTML's preload (same URL and credentials mode), so the browser uses it.
let first: Promise<Response> | undefined = initial === null ? fetch(snapshotUrl, { credentials: 'same-origin' }) : undefined;
first?.catch(() => undefined); // the dashboard's own request reports failures

/** `fetch` for the dashboard's source: its first snapshot request gets the one already under way. */
const fetchWithFirst: typeof fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (first && url === snapshotUrl) {
    const response = first;
    first = undefined;
    return response;
  }
  return fetch(input, init);
};

void import('./app.js').then(({ mount }) => mount(document.getElementById('root')!, snapshotUrl, fetchWithFirst, initial));
void import('./vitals.js').then(({ startVitals }) => startVitals(new URL('vitals', snapshotUrl).toString()));
