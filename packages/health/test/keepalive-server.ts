// A real server process for the keep-alive shutdown test: a plain Node HTTP server with
// @armor/health's graceful shutdown. It prints `listening <port>`, `conn <client port>` for every
// TCP connection it accepts, `received <id>` for every request it reads, `log <message>` for
// every shutdown step and `exit <code>` last. DELAY_MS is `beforeShutdownDelayMs`.
import http from 'node:http';
import { createHealth } from '@armor/health';
import { gracefulShutdown } from '@armor/health/node';

const health = createHealth({ version: 'test' });
const server = http.createServer((req, res) => {
  process.stdout.write(`received ${String(req.headers['x-id'])}\n`);
  res.setHeader('content-type', 'text/plain');
  res.end('ok');
});
server.on('connection', (socket) => process.stdout.write(`conn ${socket.remotePort}\n`));
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  health.markReady();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
gracefulShutdown(server, {
  health,
  beforeShutdownDelayMs: Number(process.env.DELAY_MS ?? 300),
  shutdownTimeoutMs: 20_000,
  drainTimeoutMs: Number(process.env.DRAIN_MS ?? 8000),
  exit: (code) => {
    process.stdout.write(`exit ${code}\n`);
    process.exit(code);
  },
  logger: { info: (m) => process.stdout.write(`log ${m}\n`), warn: (m) => process.stdout.write(`log ${m}\n`) },
});
