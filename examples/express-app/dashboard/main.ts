/**
 * The `/monitoring` page's entry: tiny and dependency-free, so it runs as soon as it arrives.
 * It starts the first `/monitoring/snapshot` request at once, then loads the React app
 * (`app.tsx`, which renders the dashboard through `React.lazy`). The HTML preloads React (the
 * `vendor` chunk), `app` and the dashboard chunk, so they download in parallel with this
 * script and the snapshot instead of one after another.
 *
 * Outside demo mode the browser sends the admin key it was asked for (HTTP Basic, password =
 * admin API key) with every request, including these.
 */
const snapshotUrl = new URL('snapshot', window.location.href.replace(/\/?$/, '/')).toString();

let first: Promise<Response> | undefined = fetch(snapshotUrl, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } });
first.catch(() => undefined); // the dashboard's own request reports failures

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

void import('./app.js').then(({ mount }) => mount(document.getElementById('root')!, snapshotUrl, fetchWithFirst));
