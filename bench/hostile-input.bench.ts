/**
 * Hostile input (issue 24): every function that takes request data, on the inputs an attacker
 * would pick (repeated keywords, unclosed and nested constructs), at 10 KB, 100 KB and 1 MB.
 *
 * There is no library doing the same job to compare with, so the anchor of each case is ONE
 * LINEAR PASS over the same input: `JSON.stringify(input)` (it reads every character and writes
 * a copy, like a logger would). The ratio says how many such passes the Armor function costs;
 * for a linear function it stays about the same from 10 KB to 1 MB, for a quadratic one it
 * would fall tenfold with each tenfold size. One op = one call on the whole input.
 *
 * Rates are ops per CPU-second of this process (`process.cpuUsage`), not per wall-clock second:
 * on a shared machine (load average 25 on 2 cores was seen here) a long call is preempted many
 * times and a short one not at all, which made wall-clock rates look super-linear. Median of
 * three interleaved rounds (A B A B …), each at least 200 ms of CPU.
 * Case names: `hostile <function> <input> <size> cpu-time (vs one JSON.stringify pass)`.
 */
import { createRedactor } from '@armor/privacy';
import { readCookie } from '@armor/csrf';
import { parseCspReports } from '@armor/security-headers/reports';
import { detectInjection, sanitizeHtml, stripTags } from '@armor/validation';
import { report } from './lib.ts';

const SIZES: [string, number][] = [
  ['10KB', 10 * 1024],
  ['100KB', 100 * 1024],
  ['1MB', 1024 * 1024],
];
const repeatTo = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
const redact = createRedactor();
const big = { maxLength: 1 << 24 };
const cspReport = JSON.stringify({ type: 'csp-violation', body: { documentURL: 'https://a.test/', effectiveDirective: 'script-src', blockedURL: 'inline' } });

const CASES: [string, (input: string) => unknown, (size: number) => string][] = [
  ["detectInjection 'union /**/…'", (s) => detectInjection(s, big), (n) => `union ${repeatTo('/**/', n - 7)}x`],
  ["detectInjection '${${…'", (s) => detectInjection(s, big), (n) => repeatTo('${${', n)],
  ["detectInjection '<<<…'", (s) => detectInjection(s, big), (n) => repeatTo('<', n)],
  ["detectInjection '$(ls …'", (s) => detectInjection(s, big), (n) => repeatTo('$(ls ', n)],
  ["redact 'token-…'", (s) => redact(s), (n) => repeatTo('token-', n)],
  ["redact '\"accessToken\":\"…'", (s) => redact(s), (n) => repeatTo('"accessToken":"', n)],
  ["redact '-----BEGIN PRIVATE KEY-----…' (no END)", (s) => redact(s), (n) => repeatTo('-----BEGIN PRIVATE KEY-----\n', n)],
  ["redact '1.1.1.…'", (s) => redact(s), (n) => repeatTo('1.', n)],
  ["sanitizeHtml '=<li>…'", (s) => sanitizeHtml(s, { maxInputLength: 1 << 24 }), (n) => repeatTo('=<li>', n)],
  ["stripTags '=<li>…'", (s) => stripTags(s, { maxInputLength: 1 << 24 }), (n) => repeatTo('=<li>', n)],
  ["readCookie '__Host-csrf__Host-csrf…'", (s) => readCookie(s, '__Host-csrf'), (n) => repeatTo('__Host-csrf', n)],
  ['parseCspReports [report, …]', (s) => parseCspReports(s), (n) => `[${Array.from({ length: Math.max(1, Math.floor(n / (cspReport.length + 1))) }, () => cspReport).join(',')}]`],
];

/** Calls per CPU-second of `fn`, measured over at least `minMs` of CPU time. */
function cpuRate(fn: () => unknown, minMs: number): number {
  const start = process.cpuUsage();
  let calls = 0;
  let used = 0;
  while (used < minMs) {
    fn();
    calls++;
    const d = process.cpuUsage(start);
    used = (d.user + d.system) / 1000;
  }
  return calls / (used / 1000);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const [name, run, make] of CASES) {
  for (const [label, size] of SIZES) {
    const input = make(size);
    const armor = () => run(input);
    const anchor = () => JSON.stringify(input);
    cpuRate(armor, 50); // warm-up
    cpuRate(anchor, 50);
    const a: number[] = [];
    const b: number[] = [];
    for (let round = 0; round < 3; round++) {
      a.push(cpuRate(armor, 200));
      b.push(cpuRate(anchor, 200));
    }
    report(`hostile ${name} ${label} cpu-time (vs one JSON.stringify pass)`, median(a), 'json-stringify-pass', median(b));
  }
}
