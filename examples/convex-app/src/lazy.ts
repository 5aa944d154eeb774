/**
 * The UI's lazy chunks, each loaded at most once (the module cache), and only when needed:
 *
 * - `connected.tsx`: the Convex client and everything that talks to the deployment (the
 *   signed-in comments page, the provider the admin page runs in). The signed-out comments page,
 *   which every visitor opens first, makes no Convex call, so it is loaded on sign-in (warmed
 *   when the sign-in form is focused or hovered), for a tab that already holds a token, and for
 *   the admin page (warmed when the Admin link is pointed at or focused);
 * - `AdminPage.tsx`: the monitoring dashboard and its panels, when `#/admin` is opened
 *   (requested together with `connected.tsx`, not after it).
 */

/** Loads the Convex half of the UI. */
export const loadConnected = () => import('./connected');

/** Loads the admin page (the dashboard). */
export const loadAdminPage = () => import('./AdminPage');
