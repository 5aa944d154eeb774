/**
 * `/audit`: the caller's tenant's audit trail (`@armor/audit`), for admins (the policy's
 * `audit:read` / `audit:verify`; a key needs the `admin` scope and an admin owner). Bearer
 * authentication behind the per-IP failed-authentication limit, then the `api` tier.
 *
 * - `GET /audit?limit=50&before=<seq>` → `{ stream, items: [...], nextBefore }`: the newest
 *   entries of the tenant's stream first; `nextBefore` pages on (null at the start of the chain).
 * - `GET /audit/verify` → the verification summary of the tenant's stream: `{ stream, ok,
 *   entries, lastSeq, checkpoints, anchoredSeq, unanchored, erased, findings: [{ kind, seq }], omittedFindings }` (200 even
 *   when findings are reported: the answer is the report).
 *
 * @module
 */
import express from 'express';
import { z } from 'zod';
import type { AccessControl } from '../access.js';
import type { Authentication } from '../http/authenticate.js';
import type { RateLimits } from '../http/rate-limits.js';
import type { Services } from '../services.js';
import { noQuery, v } from './operations.js';

const pageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict();

/** The `/audit` router. */
export function auditRouter({ repos, audit }: Services, auth: Authentication, limits: RateLimits, access: AccessControl): express.Router {
  const router = express.Router();
  router.use(limits.authFailureLimit, auth.requireKey, limits.apiLimit);
  const stream = (res: express.Response) => String(access.principal(res).tenantId);

  router.get('/', access.require('read', 'audit'), v({ query: pageQuery }), async (req, res) => {
    const tenantId = stream(res);
    access.assert(res, 'read', 'audit', { tenantId }, 'Not found');
    const { limit, before } = req.query as unknown as z.output<typeof pageQuery>;
    const page = await repos.audit.page(tenantId, limit, before);
    res.set('cache-control', 'no-store').json({ stream: tenantId, ...page });
  });

  router.get('/verify', access.require('verify', 'audit'), v({ query: noQuery }), async (_req, res) => {
    const tenantId = stream(res);
    access.assert(res, 'verify', 'audit', { tenantId }, 'Not found');
    const report = await audit.log.verify(tenantId);
    res.set('cache-control', 'no-store').json({
      stream: tenantId,
      ok: report.ok,
      entries: report.entries,
      lastSeq: report.lastSeq,
      checkpoints: report.checkpoints,
      anchoredSeq: report.anchoredSeq,
      unanchored: report.unanchored,
      erased: report.erased,
      findings: report.findings.map((f) => ({ kind: f.kind, seq: f.seq })),
      omittedFindings: report.omittedFindings,
    });
  });
  return router;
}
