// Runnable: node --conditions=@armor/source --import tsx packages/resilience/examples/demo.ts
import { createServer } from 'node:http';
import { ServiceUnavailableError } from '@armor/errors';
import { circuitBreaker, exponentialBackoff, fallbackPolicy, retryPolicy, timeoutPolicy, wrap } from '@armor/resilience';

// A dependency that fails two calls out of three.
let calls = 0;
async function fetchStock({ signal }: { signal: AbortSignal }): Promise<number> {
  if (++calls % 3 !== 0) throw new ServiceUnavailableError('inventory busy');
  await new Promise((resolve) => setTimeout(resolve, 5));
  signal.throwIfAborted();
  return 42;
}

const breaker = circuitBreaker({ name: 'inventory', failureRate: 0.5, minimumThroughput: 10, windowMs: 10_000, halfOpenAfterMs: 5_000 });
breaker.on('stateChange', ({ from, to }) => console.log(`breaker ${from} -> ${to}`));

const inventory = wrap(
  fallbackPolicy(-1), // outermost: a default when everything else failed
  retryPolicy({
    maxAttempts: 4,
    backoff: exponentialBackoff({ initial: 20, max: 200, jitter: 'full' }),
    onRetry: ({ attempt, delayMs }) => console.log(`attempt ${attempt} failed, retrying in ${Math.round(delayMs)} ms`),
  }),
  breaker,
  timeoutPolicy(1_000), // innermost: per attempt
);

const server = createServer((_req, res) => {
  void inventory.execute(fetchStock).then((stock) => res.end(JSON.stringify({ stock })));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as { port: number };
console.log(await (await fetch(`http://127.0.0.1:${port}/`)).text()); // {"stock":42}
console.log(breaker.stats());
server.close();
