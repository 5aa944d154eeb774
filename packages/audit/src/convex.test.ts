/// <reference types="vite/client" />
import { auditStoreSuite } from '@armor/test-utils';
import { convexTest } from 'convex-test';
import { describe, expect, it } from 'vitest';
import { api } from '../test/convex/api.js';
import schema from '../test/convex/schema.js';
import { convexAuditStore } from './convex.js';
import { createAuditLog, ed25519Signer, exportBundle, generateSigningKey, verifyBundle, type AuditStore } from './index.js';

const modules = import.meta.glob('../test/convex/**/*.ts');

/** The AuditStore interface over convex-test: every call is a real Convex function on the table store. */
function storeOver(t: ReturnType<typeof convexTest>): AuditStore {
  return {
    append: async (draft) => JSON.parse(await t.mutation(api.store.append, { draft: JSON.stringify(draft) })),
    head: (stream) => t.query(api.store.head, { stream }),
    read: async (stream, afterSeq, limit) => JSON.parse(await t.query(api.store.read, { stream, afterSeq, limit })),
    addCheckpoint: async (cp) => {
      await t.mutation(api.store.addCheckpoint, { checkpoint: JSON.stringify(cp) });
    },
    checkpoints: async (stream) => JSON.parse(await t.query(api.store.checkpoints, { stream })),
    erase: (subject) => t.mutation(api.store.erase, { subject }),
    prune: (stream, throughSeq) => t.mutation(api.store.prune, { stream, throughSeq }),
    streams: () => t.query(api.store.streams, {}),
  };
}

auditStoreSuite('convex (convex-test)', {
  makeStore: () => storeOver(convexTest(schema, modules)),
  audit: { createAuditLog, ed25519Signer, generateSigningKey, exportBundle, verifyBundle },
  concurrency: 50,
});

describe('@armor/audit/convex', () => {
  it('an append rolls back with the mutation that made it', async () => {
    const t = convexTest(schema, modules);
    await expect(t.mutation(api.store.failingChange, {})).rejects.toThrow('business rule failed');
    expect(await t.query(api.store.head, { stream: 'default' })).toBeNull();
  });

  it('a query ctx can read but not append', async () => {
    const t = convexTest(schema, modules);
    await expect(t.query(api.store.appendFromQuery, {})).rejects.toThrow(/mutation ctx/);
  });

  it('rejects a ctx without db and unknown options', () => {
    expect(() => convexAuditStore({} as never)).toThrow('"ctx"');
    expect(() => convexAuditStore({ db: { query() {} } }, { tabel: 'x' } as never)).toThrow(/tabel/);
  });
});
