// Function references for the fixture functions (what `convex/_generated/api` would hold).
import { anyApi, type FunctionReference } from 'convex/server';

type M<A extends Record<string, unknown>, R> = FunctionReference<'mutation', 'public', A, R>;
type Q<A extends Record<string, unknown>, R> = FunctionReference<'query', 'public', A, R>;

export const api = anyApi as unknown as {
  store: {
    append: M<{ draft: string }, string>;
    head: Q<{ stream: string }, { seq: number; hash: string } | null>;
    read: Q<{ stream: string; afterSeq: number; limit: number }, string>;
    addCheckpoint: M<{ checkpoint: string }, null>;
    checkpoints: Q<{ stream: string }, string>;
    erase: M<{ subject: string }, number>;
    prune: M<{ stream: string; throughSeq: number }, number>;
    streams: Q<Record<string, never>, string[]>;
    failingChange: M<Record<string, never>, null>;
    appendFromQuery: Q<Record<string, never>, null>;
  };
};
