/**
 * The browser-facing routes: cookie-session sign-in and the CSRF-protected writes (`standard`
 * tier per IP; failed logins are limited per account and per address), the `/monitoring` page (Vite build, served
 * precompressed) and the favicon.
 *
 * @module
 */
import express from 'express';
import type { z } from 'zod';
import { AuthenticationError } from '@armor/errors';
import { csrfProtection } from '@armor/csrf/express';
import { newSessionId, sha256, verifyPassword } from '../auth.js';
import { principalOf, type Authentication } from '../http/authenticate.js';
import { readCookie } from '../http/middleware.js';
import { precompressed } from '../http/precompressed.js';
import type { RateLimits } from '../http/rate-limits.js';
import type { AccessControl } from '../access.js';
import type { Services } from '../services.js';
import { commentBody, loginBody, noQuery, projectBody, projectParams, v, type Operations } from './operations.js';

/** Sign-in, session, sign-out and the browser's writes (cookie session + CSRF). */
export function browserRouter({ config, repos }: Services, auth: Authentication, limits: RateLimits, ops: Operations, access: AccessControl): express.Router {
  const secureCookies = config.env === 'production';
  const csrf = csrfProtection({
    secrets: [config.sessionSecret],
    getSessionId: (req) => readCookie(req, 'sid'),
    cookie: secureCookies ? {} : { name: 'armor-csrf', secure: false, sameSite: 'strict' },
    onError: 'next',
  });

  const browser = express.Router();
  browser.use(limits.standardLimit);
  browser.post('/auth/login', v({ body: loginBody, query: noQuery }), async (req, res) => {
    const { email, password } = req.body as z.output<typeof loginBody>;
    // Failed logins are counted per account (from any address) and per address (over any
    // account): neither spreading guesses over addresses nor over accounts buys more tries.
    const attempt = await limits.login.check(req, res, email);
    const user = await repos.users.byEmail(email);
    const ok = await verifyPassword(password, user?.passwordHash ?? null);
    if (!user || !ok) {
      await limits.login.failure(attempt);
      throw new AuthenticationError('Wrong email or password');
    }
    await limits.login.success(attempt);
    const sid = newSessionId();
    await repos.sessions.create(sha256(sid), user.id, new Date(Date.now() + 8 * 3600_000));
    res.cookie('sid', sid, { httpOnly: true, sameSite: 'lax', secure: config.env === 'production', path: '/', maxAge: 8 * 3600_000 });
    res.json({ user: { id: user.id, name: user.name, email: user.email } });
  });
  /** The signed-in user and a CSRF token (also set as a cookie) for the browser's next POSTs. */
  browser.get('/auth/session', auth.requireSession, v({ query: noQuery }), async (req, res) => {
    const p = principalOf(res);
    res.json({ userId: p.userId, csrfToken: await csrf.issue(req, res) });
  });
  browser.post('/auth/logout', auth.requireSession, csrf, v({ query: noQuery }), async (req, res) => {
    const sid = readCookie(req, 'sid');
    if (sid) await repos.sessions.delete(sha256(sid));
    res.clearCookie('sid', { path: '/' });
    res.status(204).end();
  });
  browser.post('/web/projects', auth.requireSession, csrf, access.require('create', 'project'), v({ body: projectBody, query: noQuery }), ops.createProject);
  browser.post('/web/projects/:projectId/comments', auth.requireSession, csrf, access.require('create', 'comment'), v({ params: projectParams, body: commentBody, query: noQuery }), ops.createComment);
  return browser;
}

/** A shield, as SVG (every current browser takes an SVG favicon). */
const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M8 1 2 3v4c0 4 2.6 6.6 6 8 3.4-1.4 6-4 6-8V3z" fill="#2563eb"/></svg>';

/** `/favicon.ico` and `/favicon.svg`: browsers ask on every page; an icon, not a 404 error group. */
export const favicon: express.RequestHandler = (_req, res) => {
  res.type('image/svg+xml').set('cache-control', 'public, max-age=86400').send(FAVICON);
};

/** Serves the Vite-built dashboard in `dir` (`pnpm --filter express-app build:dashboard`), or a page saying how to build it. */
export function dashboardRouter(dir: string): express.Router {
  const router = express.Router();
  const cacheControl = (path: string) => (path.endsWith('.html') ? 'no-store' : 'public, max-age=3600');
  // The page script is ~265 KB; its .br/.gz siblings (written by the build) are served when accepted.
  router.use(precompressed(dir, { cacheControl }));
  router.use(express.static(dir, { index: 'index.html', maxAge: '1h', setHeaders: (res, path) => path.endsWith('.html') && res.setHeader('cache-control', 'no-store') }));
  router.get('/', (_req, res) => {
    res
      .status(200)
      .type('html')
      .send('<!doctype html><title>Monitoring</title><p>The dashboard is not built yet: run <code>pnpm --filter express-app build:dashboard</code>. The data is at <a href="snapshot">/monitoring/snapshot</a>.</p>');
  });
  return router;
}
