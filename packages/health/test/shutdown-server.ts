// A real server process for the graceful-shutdown test: Express + @armor/health, handlers that
// take WORK_MS (300 ms), and every accepted request logged to stdout as `accepted <id>`.
import express from 'express';
import { createHealth } from '@armor/health';
import { healthRouter } from '@armor/health/express';
import { gracefulShutdown } from '@armor/health/node';

const health = createHealth({ version: 'test' });
const app = express();
app.use(healthRouter(health));
app.get('/work', (req, res) => {
  process.stdout.write(`accepted ${String(req.headers['x-id'])}\n`);
  setTimeout(() => res.json({ ok: true }), Number(process.env.WORK_MS ?? 300));
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  health.markReady();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
gracefulShutdown(server, {
  health,
  beforeShutdownDelayMs: Number(process.env.DELAY_MS ?? 400),
  shutdownTimeoutMs: 10_000,
  hooks: [
    { name: 'first', run: () => new Promise((r) => setTimeout(r, 50)).then(() => process.stdout.write('hook first\n')) },
    { name: 'stuck', run: () => new Promise(() => {}), timeoutMs: 100 },
    { name: 'last', run: () => void process.stdout.write('hook last\n') },
  ],
  logger: { info: (m) => process.stdout.write(`log ${m}\n`), warn: (m) => process.stdout.write(`log ${m}\n`) },
});
