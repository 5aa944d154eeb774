// A real server process for the graceful-shutdown test: Express + @armor/health, handlers that
// take WORK_MS (300 ms), and every accepted request logged to stdout as `accepted <id>`, every
// readiness answer as `ready <status>`. With GATE=1 a beforeShutdown hook holds the shutdown
// (readiness 503, listeners open: what the delay does) until the test writes `go` on stdin, and
// `released <epoch ms>` / `closing <epoch ms>` show how long the delay after it really was.
import express from 'express';
import { createHealth } from '@armor/health';
import { healthRouter } from '@armor/health/express';
import { gracefulShutdown } from '@armor/health/node';

const health = createHealth({ version: 'test' });
const app = express();
app.use((req, res, next) => {
  if (req.path === '/health/ready') res.on('finish', () => process.stdout.write(`ready ${res.statusCode}\n`));
  next();
});
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
const gate = () =>
  new Promise<void>((resolve) => {
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      if (!chunk.includes('go')) return;
      process.stdout.write(`released ${Date.now()}\n`);
      resolve();
    });
  });
gracefulShutdown(server, {
  health,
  beforeShutdown: process.env.GATE === '1' ? [{ name: 'gate', run: gate, timeoutMs: 60_000 }] : [],
  beforeShutdownDelayMs: Number(process.env.DELAY_MS ?? 400),
  shutdownTimeoutMs: process.env.GATE === '1' ? 90_000 : 10_000,
  hooks: [
    { name: 'first', run: () => new Promise((r) => setTimeout(r, 50)).then(() => process.stdout.write('hook first\n')) },
    { name: 'stuck', run: () => new Promise(() => {}), timeoutMs: 100 },
    { name: 'last', run: () => void process.stdout.write('hook last\n') },
  ],
  logger: {
    info: (m) => process.stdout.write(`${m.startsWith('closing listeners') ? `closing ${Date.now()}\n` : ''}log ${m}\n`),
    warn: (m) => process.stdout.write(`log ${m}\n`),
  },
});
