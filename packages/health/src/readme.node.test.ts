/**
 * Every TypeScript block of the README type-checks under strict `nodenext` and runs with tsx
 * against the source (`checkReadme` of `@armor/test-utils`). The usage block gets a real payments
 * service (a loopback HTTP server) through `PAYMENTS_URL` and listens on a free port (`PORT=0`).
 */
import { expectReadmeRuns } from '@armor/test-utils';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

let payments: Server;
let paymentsUrl: string;
beforeAll(async () => {
  payments = createServer((req, res) => {
    if (req.url === '/health') res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"UP"}');
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => payments.listen(0, '127.0.0.1', resolve));
  paymentsUrl = `http://127.0.0.1:${(payments.address() as AddressInfo).port}`;
});
afterAll(async () => {
  payments.closeAllConnections();
  await new Promise((resolve) => payments.close(resolve));
});

it('every README code block type-checks under strict nodenext and runs', async () => {
  const [usage, fetchRuntime] = await expectReadmeRuns(fileURLToPath(new URL('..', import.meta.url)), { env: { PAYMENTS_URL: paymentsUrl, PORT: '0' }, timeoutMs: 60_000, blocks: 2 });
  // ready with a non-critical failure → 200 warn; after SIGTERM → 503 "shutting down", then exit 0
  expect(usage).toBe('200 warn\n503 shutting down\n');
  expect(fetchRuntime).toBe('200 application/health+json\n');
}, 180_000);
