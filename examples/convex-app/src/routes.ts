/**
 * The UI's pages and their route templates. Pages are addressed by the URL's hash (`#/`,
 * `#/admin`), so a static host serves them without rewrites; the web vitals of each page are
 * reported under its template (never the raw URL).
 */

/** The pages of the UI. */
export type Page = 'comments' | 'admin';

/** The page a URL shows: `#/admin` is the admin page, anything else the comments page. */
export function pageOf(url: URL): Page {
  return url.hash === '#/admin' || url.hash.startsWith('#/admin/') ? 'admin' : 'comments';
}

/** The route template of a URL, for web vitals: `/admin` or `/`. */
export function routeTemplateOf(url: URL): string {
  return pageOf(url) === 'admin' ? '/admin' : '/';
}
