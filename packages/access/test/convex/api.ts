// Function references for the fixture functions (what `convex/_generated/api` would hold).
import { anyApi, type FunctionReference } from 'convex/server';

type P = { id: string; roles: string[]; tenantId?: string; scopes?: string[] };
export const api = anyApi as unknown as {
  comments: {
    insert: FunctionReference<'mutation', 'public', { docs: Record<string, unknown>[] }, null>;
    all: FunctionReference<'query', 'public', Record<string, never>, Record<string, unknown>[]>;
    list: FunctionReference<'query', 'public', { principal: P; action: string }, number[]>;
    update: FunctionReference<'mutation', 'public', { principal: P; n: number }, string>;
  };
};
