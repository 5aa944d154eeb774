/**
 * Where the UI's web vitals go: `POST /vitals`, an HTTP action of the deployment
 * (`convex/http.ts`), served from its `.convex.site` origin (HTTP actions are not served from the
 * `.convex.cloud` origin the client syncs with).
 */

/**
 * The vitals endpoint: `VITE_CONVEX_SITE_URL` when set (a custom domain, a self-hosted
 * backend), else the deployment URL with `.convex.cloud` turned into `.convex.site`;
 * `undefined` when neither gives an origin (the UI then reports nothing).
 */
export function vitalsEndpoint(convexUrl: string, siteUrl?: string): string | undefined {
  const site = siteUrl?.trim() || (/^https:\/\/[^/]+\.convex\.cloud\/?$/.test(convexUrl) ? convexUrl.replace(/\.convex\.cloud\/?$/, '.convex.site') : undefined);
  if (!site) return undefined;
  try {
    return new URL('/vitals', site).href;
  } catch {
    return undefined;
  }
}
