/**
 * The dashboard chunk of the `/monitoring` page, loaded by `app.tsx` with `import()`: the
 * `@armor/react-monitoring-dashboard` panels and snapshot parsing, and the page's component
 * (`src/monitoring-view.tsx`, shared with the server, which renders the page's first view with it).
 */
export { default } from '../src/monitoring-view.js';
export type { MonitoringProps } from '../src/monitoring-view.js';
