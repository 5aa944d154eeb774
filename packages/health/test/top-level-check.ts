// One-shot script for the timer-rule test: a health check that times out, awaited at the top
// level. The check's promise never settles and holds no timer, so only the check timeout can
// keep the process alive long enough to print the result and exit 0.
import { createHealth } from '@armor/health';

const health = createHealth({ checks: { hung: { check: () => new Promise(() => {}), timeoutMs: 300 } } });
health.markReady();
const doc = await health.ready();
console.log(JSON.stringify({ status: doc.status, output: doc.output }));
