// A real server process for the SSE shutdown test: Express + @armor/health with one endpoint
// that streams server-sent events forever (/events), a short one (/work, WORK_MS), and every
// accepted request and every shutdown step printed to stdout.
import express from 'express';
import { createHealth } from '@armor/health';
import { healthRouter } from '@armor/health/express';
import { gracefulShutdown } from '@armor/health/node';

const health = createHealth({ version: 'test' });
const app = express();
app.use(healthRouter(health));
app.get('/events', (_req, res) => {
  process.stdout.write('accepted events\n');
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
  res.write('data: hello\n\n');
  const timer = setInterval(() => res.write(`data: ${Date.now()}\n\n`), 100);
  res.on('close', () => clearInterval(timer));
});
app.get('/work', (req, res) => {
  process.stdout.write(`accepted ${String(req.headers['x-id'])}\n`);
  setTimeout(() => res.json({ ok: true }), Number(process.env.WORK_MS ?? 100));
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  health.markReady();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
gracefulShutdown(server, {
  health,
  beforeShutdownDelayMs: Number(process.env.DELAY_MS ?? 300),
  drainTimeoutMs: Number(process.env.DRAIN_MS ?? 700),
  shutdownTimeoutMs: Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 5000),
  beforeShutdown: [{ name: 'stop-consumers', run: () => void process.stdout.write('step before-shutdown\n') }],
  hooks: [
    { name: 'db-pool', run: () => new Promise((r) => setTimeout(r, 20)).then(() => process.stdout.write('step hook db-pool\n')) },
    { name: 'flush-logs', run: () => void process.stdout.write('step hook flush-logs\n') },
  ],
  logger: {
    info: (m) => process.stdout.write(`log ${m}\n`),
    warn: (m) => process.stdout.write(`log ${m}\n`),
    error: (m) => process.stdout.write(`log ${m}\n`),
  },
});
