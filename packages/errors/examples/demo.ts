// A small runnable demo of @armor/errors: a plain Node HTTP server whose routes throw, answered
// by the central handler with problem+json. Run: pnpm demo
import { createServer } from 'node:http';
import { NotFoundError, RateLimitError, ValidationError, createErrorHandler } from '@armor/errors';

const errors = createErrorHandler({ logger: console });
const routes: Record<string, () => never> = {
  '/not-found': () => { throw new NotFoundError('Project not found'); },
  '/invalid': () => { throw new ValidationError('Invalid body', { issues: [{ path: '/name', message: 'Required', code: 'invalid_type' }] }); },
  '/limited': () => { throw new RateLimitError('Slow down', { retryAfterMs: 2000 }); },
  '/crash': () => { throw new Error('db password=hunter2'); },
};
const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  try {
    (routes[path] ?? (() => { throw new NotFoundError('Route not found'); }))();
  } catch (thrown) {
    const handled = errors.handle(thrown, { instance: path });
    res.writeHead(handled.status, handled.headers).end(JSON.stringify(handled.body, null, 2));
  }
});
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`errors demo on http://127.0.0.1:${process.env.PORT ?? 3000} — try ${Object.keys(routes).join(', ')}`);
});
