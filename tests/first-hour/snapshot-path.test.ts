/**
 * One snapshot path convention (issue 31): the `MonitoringSnapshot` JSON is served at
 * `/monitoring/snapshot` and the dashboard page at `/monitoring` — in every README, the guide,
 * the TSDoc examples the API docs show, and the examples. A doc that mounts the snapshot anywhere
 * else (`/admin/monitoring`, `/admin/monitoring/snapshot`, `/api/snapshot`) fails here.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Tracked docs and non-test sources (TSDoc examples are docs too); changelogs record history. */
function files(): string[] {
  const tracked = execFileSync('git', ['ls-files', '*.md', '*.ts', '*.tsx', '*.mjs'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  return tracked.filter(
    (f) => !/(^|\/)(CHANGELOG\.md|node_modules\/|_generated\/|\.changeset\/|bench\/RESULTS\.md)/.test(f) && !/\.test(-d)?\.tsx?$|(^|\/)test\//.test(f) && !f.startsWith('tests/'),
  );
}

/** Every URL path in `text` that names a monitoring snapshot or page, with its line number. */
export function monitoringPaths(text: string): { path: string; line: number }[] {
  const found: { path: string; line: number }[] = [];
  text.split('\n').forEach((content, i) => {
    // a path segment that is exactly `monitoring`, or a path ending in a `snapshot` segment
    for (const m of content.matchAll(/(?<![\w.@-])(?:https?:\/\/[^/\s'"`)]+)?((?:\/[\w%.:{}$-]+)*\/(?:monitoring(?=[/?'"`)\s]|$)(?:\/[\w.-]+)?|snapshot(?=[?'"`)\s]|$)))/g)) {
      found.push({ path: m[1]!, line: i + 1 });
    }
  });
  return found;
}

// `/monitoring/vitals`: the page's own web vitals beacons (issue 28), behind the same admin gate.
const allowed = (path: string) =>
  path === '/monitoring' || path === '/monitoring/snapshot' || path === '/monitoring/assets' || path === '/monitoring/vitals' || path.startsWith('/monitoring/snapshot');

it('the matcher finds the paths the issue found (and accepts the convention)', () => {
  const sample = "app.get('/admin/monitoring', requireAdmin, x);\nhttpSource('/admin/monitoring/snapshot')\nfetch(`${base}/monitoring/snapshot`)\nimport '@armor/react-monitoring-dashboard';\nGET /api/snapshot\n";
  expect(monitoringPaths(sample).map((p) => p.path)).toEqual(['/admin/monitoring', '/admin/monitoring/snapshot', '/monitoring/snapshot', '/api/snapshot']);
  expect(monitoringPaths(sample).filter((p) => !allowed(p.path)).map((p) => p.line)).toEqual([1, 2, 5]);
});

it('every doc, TSDoc example and example app serves the snapshot at /monitoring/snapshot (and the page at /monitoring)', () => {
  const offenders: string[] = [];
  let seen = 0;
  for (const file of files()) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const { path, line } of monitoringPaths(text)) {
      seen++;
      if (!allowed(path)) offenders.push(`${file}:${line}: ${path}`);
    }
  }
  expect(offenders).toEqual([]);
  expect(seen).toBeGreaterThan(10);
});
