/**
 * `/admin`: key administration for operators, while the service runs. Bearer authentication
 * with a key of the admin user that has the `admin` scope (the `ADMIN_API_KEY` has every
 * scope; a member's key with the `admin` scope is refused: scopes never add to a role; see
 * `access.ts`), behind the same
 * per-IP failed-authentication limit as `/api/v1`, then the `api` tier. Never opened by
 * `DEMO=1` (unlike `/metrics`).
 *
 * - `POST /admin/keys/revoke` `{ "key": "<key, public id or row id>" }` → 200 `{ id, lookup, revokedAt }`
 * - `POST /admin/keys/rotate` `{ "key": "…", "overlapSeconds"?: 0 }` → 200 `{ id, lookup, rotated: { key, id, lookup, previousExpiresAt } }`
 *   (the new key is in this answer only; the old one works for `overlapSeconds` more, default 0)
 *
 * Effective at once on the instance that answers (its key-cache entry is evicted, and from
 * Redis when the cache is tiered); on every other instance within one key-cache TTL
 * (`keyCacheTtlMs`, 30 s), the longest a cached verification is reused.
 *
 * @module
 */
import express from 'express';
import { z } from 'zod';
import type { Authentication } from '../http/authenticate.js';
import { principalOf } from '../http/authenticate.js';
import type { RateLimits } from '../http/rate-limits.js';
import { MAX_OVERLAP_MS, revokeKey, rotateKey, type KeyChange } from '../key-admin.js';
import type { AccessControl } from '../access.js';
import type { Services } from '../services.js';
import { anonymizeIp, noQuery, v } from './operations.js';

const keyName = z.string().min(1).max(200);
const revokeBody = z.object({ key: keyName }).strict();
const rotateBody = z.object({ key: keyName, overlapSeconds: z.number().int().min(0).max(MAX_OVERLAP_MS / 1000).optional() }).strict();

/** The `/admin` router. */
export function adminRouter({ db, keyCache, audit }: Services, auth: Authentication, limits: RateLimits, access: AccessControl): express.Router {
  const admin = express.Router();
  admin.use(limits.authFailureLimit, auth.requireKey, limits.apiLimit);
  const actor = (req: express.Request, res: express.Response) => {
    const p = principalOf(res);
    return { userId: p.userId, keyId: p.keyId, ip: anonymizeIp(req.ip), auditLog: audit.log };
  };
  const evict = async (change: KeyChange) => {
    await keyCache.delete(change.lookup);
  };
  admin.post('/keys/revoke', access.require('revoke', 'api_key'), v({ body: revokeBody, query: noQuery }), async (req, res) => {
    const { key } = req.body as z.output<typeof revokeBody>;
    const change = await revokeKey(db, key, actor(req, res));
    await evict(change);
    res.set('cache-control', 'no-store').json(change);
  });
  admin.post('/keys/rotate', access.require('rotate', 'api_key'), v({ body: rotateBody, query: noQuery }), async (req, res) => {
    const { key, overlapSeconds = 0 } = req.body as z.output<typeof rotateBody>;
    const change = await rotateKey(db, key, { overlapMs: overlapSeconds * 1000, ...actor(req, res) });
    await evict(change);
    res.set('cache-control', 'no-store').json(change);
  });
  return admin;
}
