// Function references for the fixture functions (what `convex/_generated/api` would hold).
import { anyApi } from 'convex/server';
import type { FunctionReference } from 'convex/server';
import type { RateLimitResult, CombinedRateLimitResult } from '../../src/index.js';

type Alg = 'fixed-window' | 'sliding-window' | 'token-bucket' | 'gcra';
type LimitArgs = { key: string; algorithm: Alg; limit: number; windowMs: number };

export const api = anyApi as unknown as {
  limits: {
    consume: FunctionReference<'mutation', 'public', LimitArgs & { cost?: number }, RateLimitResult>;
    consumeBoth: FunctionReference<'mutation', 'public', { key: string }, CombinedRateLimitResult>;
    reset: FunctionReference<'mutation', 'public', LimitArgs, null>;
    peek: FunctionReference<'query', 'public', LimitArgs, RateLimitResult>;
    cleanup: FunctionReference<'mutation', 'public', { now: number }, number>;
    rowCount: FunctionReference<'query', 'public', Record<string, never>, number>;
  };
};
