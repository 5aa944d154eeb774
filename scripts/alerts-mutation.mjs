#!/usr/bin/env node
// Mutation run for the alert rules: changes every threshold, every `for:` and every range window
// of alerts/armor.rules.yml, one at a time, and checks that the promtool unit tests
// (alerts/armor.rules.test.yml and alerts/armor.rules.long.test.yml) FAIL for each change. A mutation the tests still pass "survived":
// the tests do not pin that number. Prints a summary; exits 1 if any mutation survived (or a
// mutated file is not valid), 2 if the unmutated rules do not pass their own tests.
//
//   node scripts/alerts-mutation.mjs [--rules alerts/armor.rules.yml]
//     [--tests alerts/armor.rules.test.yml,alerts/armor.rules.long.test.yml] [--jobs <CPUs>] [--list]
//
// Mutations (each alone):
// - every numeric literal of an alert's `expr` outside label matchers, strings and range brackets
//   (the thresholds, e.g. the 14.4 and the 0.001 of `> (14.4 * 0.001)`): times 2 and divided by 2;
//   a 0 becomes 1 and -1;
// - every `for:` duration: times 2 and divided by 2;
// - every distinct range window of a rule's `expr` (recording rules and alerts; all occurrences
//   of that window in that expression together, e.g. the numerator's and denominator's `[1h]`):
//   times 2 and divided by 2.
// Needs `promtool` on PATH.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    rules: { type: 'string', default: 'alerts/armor.rules.yml' },
    tests: { type: 'string', default: 'alerts/armor.rules.test.yml,alerts/armor.rules.long.test.yml' },
    jobs: { type: 'string', default: String(availableParallelism()) },
    list: { type: 'boolean', default: false },
  },
});
const rulesPath = resolve(args.rules);
const testPaths = args.tests.split(',').map((t) => resolve(t.trim()));
const jobs = Number(args.jobs);
if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer (got ${args.jobs})`);

const UNIT_SECONDS = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
const DURATION = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;

/** Seconds of a Prometheus duration (`1h`, `2m30s`, `3d`). */
function seconds(duration) {
  if (!DURATION.test(duration)) throw new Error(`not a Prometheus duration: ${duration}`);
  let total = 0;
  for (const [, n, unit] of duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(n) * UNIT_SECONDS[unit];
  return total;
}

/** A Prometheus duration for `total` seconds (whole seconds; `d`, `h`, `m`, `s` parts). */
function duration(total) {
  let rest = Math.round(total);
  if (rest < 1) rest = 1;
  let out = '';
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]]) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/** Number text without float noise (0.0005, not 0.0005000000000000001). */
function number(n) {
  return String(Number(n.toPrecision(12)));
}

/** Hides label matchers, strings and range brackets, keeping offsets (for the literal search). */
function masked(expr) {
  return expr.replace(/\{[^}]*\}|"[^"]*"|'[^']*'|\[[^\]]*\]/g, (m) => ' '.repeat(m.length));
}

/** Every mutation of the rules file: `{ id, rule, line, before, after }`. */
function mutations(text) {
  const lines = text.split('\n');
  const out = [];
  let rule = '(none)';
  let isAlert = false;
  lines.forEach((line, i) => {
    const head = /^\s*- (record|alert):\s*(\S+)/.exec(line);
    if (head) {
      rule = head[2];
      isAlert = head[1] === 'alert';
      return;
    }
    const forLine = /^(\s*for:\s*)(\S+)\s*$/.exec(line);
    if (forLine) {
      const s = seconds(forLine[2]);
      for (const [how, v] of [['x2', s * 2], ['/2', s / 2]]) out.push({ id: `${rule} for: ${forLine[2]} ${how} -> ${duration(v)}`, rule, line: i, before: line, after: `${forLine[1]}${duration(v)}` });
      return;
    }
    const exprLine = /^(\s*expr:\s*)(.+)$/.exec(line);
    if (!exprLine) return;
    const [, lead, expr] = exprLine;
    if (expr.startsWith('|') || expr.startsWith('>')) throw new Error(`line ${i + 1}: multi-line expressions are not supported by this runner; keep each expr on one line`);
    // range windows: all occurrences of one window in this expression together
    const windows = [...new Set([...expr.matchAll(/\[([^\]:]+)\]/g)].map((m) => m[1]))];
    for (const w of windows) {
      const s = seconds(w);
      for (const [how, v] of [['x2', s * 2], ['/2', s / 2]]) {
        out.push({ id: `${rule} window [${w}] ${how} -> [${duration(v)}]`, rule, line: i, before: line, after: lead + expr.split(`[${w}]`).join(`[${duration(v)}]`) });
      }
    }
    if (!isAlert) return;
    // thresholds: numeric literals of the alert expression
    const hidden = masked(expr);
    for (const m of hidden.matchAll(/(?<![\w.:])\d+(?:\.\d+)?(?![\w.])/g)) {
      const literal = m[0];
      const value = Number(literal);
      const variants = value === 0 ? [['+1', 1], ['-1', -1]] : [['x2', value * 2], ['/2', value / 2]];
      for (const [how, v] of variants) {
        const mutated = expr.slice(0, m.index) + number(v) + expr.slice(m.index + literal.length);
        out.push({ id: `${rule} threshold ${literal} (col ${m.index + 1}) ${how} -> ${number(v)}`, rule, line: i, before: line, after: lead + mutated });
      }
    }
  });
  return out;
}

function run(cmd, argv, cwd) {
  return new Promise((res) => {
    execFile(cmd, argv, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      res({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

/** Each test file's text, and the rule file name they all load (relative to themselves). */
const testFiles = testPaths.map((path) => ({ path, name: basename(path), text: readFileSync(path, 'utf8') }));
let ruleFile;
for (const { path, text } of testFiles) {
  const ruleFiles = [...text.matchAll(/^rule_files:\s*\n((?:\s*-\s*.+\n)+)/gm)].flatMap((m) => [...m[1].matchAll(/-\s*(\S+)/g)].map((x) => x[1]));
  if (ruleFiles.length !== 1 || (ruleFile !== undefined && ruleFiles[0] !== ruleFile)) throw new Error(`${path}: expected exactly one rule_files entry, the same in every test file`);
  ruleFile = ruleFiles[0];
}

/**
 * The test files in the order most likely to kill a mutation of `rule`: first those naming the
 * rule or an alert whose expression uses it. Only the order changes: every file runs until one
 * fails, so a mutation is reported as surviving only if all of them pass.
 */
function order(rule, text) {
  const users = new Set([rule]);
  let alert;
  for (const line of text.split('\n')) {
    const head = /^\s*- alert:\s*(\S+)/.exec(line);
    if (head) alert = head[1];
    const expr = /^\s*expr:\s*(.+)$/.exec(line);
    if (expr && alert && expr[1].includes(rule)) users.add(alert);
  }
  const relevant = (f) => [...users].some((u) => f.text.includes(u));
  return [...testFiles.filter(relevant), ...testFiles.filter((f) => !relevant(f))];
}

/** Runs the tests against `rulesText` in a scratch directory, file by file until one fails: `{ valid, passed, output }`. */
async function check(rulesText, files = testFiles) {
  const dir = mkdtempSync(join(tmpdir(), 'armor-alerts-mutation-'));
  try {
    writeFileSync(join(dir, ruleFile), rulesText);
    for (const f of testFiles) copyFileSync(f.path, join(dir, f.name));
    const lint = await run('promtool', ['check', 'rules', ruleFile], dir);
    if (lint.code !== 0) return { valid: false, passed: false, output: lint.output };
    let output = '';
    for (const f of files) {
      const test = await run('promtool', ['test', 'rules', f.name], dir);
      output += test.output;
      if (test.code !== 0) return { valid: true, passed: false, output };
    }
    return { valid: true, passed: true, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const original = readFileSync(rulesPath, 'utf8');
const all = mutations(original);
if (args.list) {
  for (const m of all) console.log(m.id);
  process.exit(0);
}
console.log(`alerts mutation run: ${all.length} mutations of ${args.rules}, tests ${args.tests}, ${jobs} at a time`);
const baseline = await check(original);
if (!baseline.valid || !baseline.passed) {
  console.error('the unmutated rules do not pass their tests:\n' + baseline.output);
  process.exit(2);
}

const results = new Array(all.length);
let next = 0;
let done = 0;
async function worker() {
  while (next < all.length) {
    const i = next++;
    const m = all[i];
    const lines = original.split('\n');
    if (lines[m.line] !== m.before) throw new Error(`internal: line ${m.line + 1} changed`);
    lines[m.line] = m.after;
    const r = await check(lines.join('\n'), order(m.rule, original));
    results[i] = r;
    done++;
    const verdict = !r.valid ? 'INVALID' : r.passed ? 'SURVIVED' : 'killed';
    console.log(`[${String(done).padStart(3)}/${all.length}] ${verdict.padEnd(8)} ${m.id}`);
  }
}
await Promise.all(Array.from({ length: Math.min(jobs, all.length) }, worker));

const survived = all.filter((_, i) => results[i].valid && results[i].passed);
const invalid = all.filter((_, i) => !results[i].valid);
const killed = all.length - survived.length - invalid.length;
console.log(`\nSUMMARY alerts mutations: ${all.length} total, ${killed} killed, ${survived.length} survived, ${invalid.length} invalid`);
for (const m of survived) console.log(`  SURVIVED: ${m.id}`);
for (const m of invalid) console.log(`  INVALID:  ${m.id}`);
process.exit(survived.length > 0 || invalid.length > 0 ? 1 : 0);
