import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '@armor/test-utils';
import { startStubDeployment } from './support/stub-deployment.ts';
const stub = await startStubDeployment(() => ({ error: 'no' }));
const outDir = process.env.OUT ?? mkdtempSync(join(tmpdir(), 'cvx-'));
if (!process.env.OUT) execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: '/work/main/examples/convex-app', env: { ...process.env, VITE_CONVEX_URL: stub.url, VITE_CONVEX_SITE_URL: stub.url } });
console.log('out', outDir);
stub.serve(outDir);
const b = await launchChromium();
for (const [net, cpu] of [[true, 4], [true, 1], [false, 4], [true, 4], [true, 4]] as const) {
  const context = await b.newContext(); const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable'); await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (net) await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 562.5, downloadThroughput: 180_000, uploadThroughput: 84_375 });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu });
  await page.goto(stub.url + '/');
  const r = await (await page.waitForFunction(() => (document.querySelector('input[name="token"]') ? performance.now() : 0), undefined, { polling: 10 })).jsonValue();
  const t = await page.evaluate(() => { const marks = performance.getEntriesByType("mark").map((m) => `${m.name}@${Math.round(m.startTime)}`).join(" "); const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming; return { marks, resp: n.responseEnd, dcl: n.domContentLoadedEventEnd, res: performance.getEntriesByType('resource').map((e) => `${e.name.split('/').pop()} ${Math.round(e.startTime)}-${Math.round((e as PerformanceResourceTiming).responseEnd)}`) }; });
  console.log(net ? 'net' : 'nonet', cpu, 'rendered', Math.round(r as number), JSON.stringify(t));
  await context.close();
}
await b.close(); await stub.stop();
