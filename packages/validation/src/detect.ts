import { checkInt, checkOptions } from '@armor/core';

/** Kinds of injection signals. */
export type InjectionKind = 'sql' | 'xss' | 'path-traversal' | 'command' | 'nosql' | 'template' | 'jndi' | 'encoding';

/** One suspicious pattern found by {@link detectInjection}. */
export interface InjectionSignal {
  /** What the pattern looks like. */
  kind: InjectionKind;
  /** Which rule matched, e.g. `sql.union-select`, `nosql.operator`. Stable, for grouping alerts. */
  rule: string;
  /** JSON-pointer-like location of the value (or key) in the input; `''` for the root. */
  path: string;
}

/** Options of {@link detectInjection}. */
export interface DetectOptions {
  /** Only the first `maxLength` characters of each string are inspected. @default 10_000 */
  maxLength?: number | undefined;
  /** At most this many values (objects, arrays, strings and other leaves) are visited. @default 1_000 */
  maxValues?: number | undefined;
  /** Maximum nesting walked. @default 32 */
  maxDepth?: number | undefined;
}

interface Rule {
  kind: InjectionKind;
  rule: string;
  pattern: RegExp;
}

/** Shell commands an injected command line usually starts with. */
const COMMANDS = 'rm|cat|ls|id|whoami|uname|curl|wget|nc|ncat|bash|sh|zsh|python\\d?|perl|ruby|php|powershell|cmd|ping|nslookup|chmod|chown|echo|sleep|kill|env|printenv|ifconfig|hostname';

/*
 * Linear time on hostile input (issue 24). Every pattern below is tested with `RegExp.test`,
 * which tries each start position in turn, so a pattern is linear when the work from one start
 * is bounded, or when the runs scanned from different starts cannot overlap. The rules that
 * keep them so:
 * - no two adjacent quantifiers that can trade characters (`\s*\/?\s*`, `\s*['"]?\s*`): the
 *   optional part is grouped with its own whitespace (`(?:\/\s*)?`);
 * - an unbounded run after an opener excludes that opener (`<[^<>]*`, `\$\([^()]*\)`), so a run
 *   stops where the next attempt starts ("<<<<…", "$(ls $(ls …" stay linear);
 * - bodies between delimiters are bounded (`\/\*[^*]{0,64}\*\/`, `\$\{[^{}]{0,40}\}`), and an
 *   operator inside a bounded body is found by one greedy class that excludes it (the first
 *   operator), never by a lazy and a greedy quantifier side by side;
 * - a repeated group has unambiguous alternatives (a SQL comment cannot also be whitespace).
 * The property test in `detect.linear.test.ts` checks each rule's growth on adversarial input;
 * `eslint-plugin-regexp`'s super-linear rules check the patterns statically.
 */
const RULES: readonly Rule[] = [
  { kind: 'sql', rule: 'sql.tautology', pattern: /['"`)]\s*(?:or|and|\|\||&&)\s*(?:(?:['"`(]\s*)?\w+(?:\s*['"`)])?\s*(?:=|like|<>|!=)|true\b|not\b|\d+\s*(?:--|#|$))/i },
  { kind: 'sql', rule: 'sql.numeric-tautology', pattern: /\b(?:or|and)\s+(\d+)\s*=\s*\1\b/i },
  { kind: 'sql', rule: 'sql.union-select', pattern: /\bunion\b(?:\s|\/\*[^*]{0,64}\*\/)+(?:all\s+|distinct\s+)?select\b/i },
  { kind: 'sql', rule: 'sql.stacked-query', pattern: /;\s*(?:drop|delete|insert|update|alter|create|truncate|exec|execute|shutdown|grant|select)\b/i },
  { kind: 'sql', rule: 'sql.comment-terminator', pattern: /['"`]\s*(?:--|#|\/\*)/ },
  { kind: 'sql', rule: 'sql.time-based', pattern: /\b(?:sleep\s*\(\s*\d|benchmark\s*\(|pg_sleep\s*\(|waitfor\s+delay\b)/i },
  { kind: 'sql', rule: 'sql.catalog', pattern: /\b(?:information_schema|pg_catalog|sqlite_master|sys\.objects|xp_cmdshell|load_file\s*\(|into\s+(?:out|dump)file)\b/i },
  { kind: 'xss', rule: 'xss.script-tag', pattern: /<\s*(?:\/\s*)?script\b/i },
  { kind: 'xss', rule: 'xss.event-handler', pattern: /<[^<>]*[\s/"'`]on[a-z]+\s*=/i },
  { kind: 'xss', rule: 'xss.javascript-url', pattern: /(?:java|vb|live)\s*script\s*:|data\s*:\s*text\/html/i },
  { kind: 'xss', rule: 'xss.dangerous-tag', pattern: /<\s*(?:iframe|object|embed|svg|math|base|meta|link|style|frameset|template|noscript|xmp|isindex)\b/i },
  { kind: 'xss', rule: 'xss.srcdoc-or-expression', pattern: /\bsrcdoc\s*=|expression\s*\(|-moz-binding/i },
  { kind: 'path-traversal', rule: 'path.dot-dot', pattern: /(?:^|[\\/])\.\.(?:[\\/]|$)|%2e%2e(?:%2f|%5c|[\\/])|\.\.%2f|\.\.%5c|%c0%ae/i },
  { kind: 'path-traversal', rule: 'path.sensitive-file', pattern: /(?:^|[\\/])(?:etc[\\/](?:passwd|shadow|hosts)|proc[\\/]self|windows[\\/]win\.ini|boot\.ini)\b/i },
  { kind: 'path-traversal', rule: 'path.nul-byte', pattern: /\0|%00/ },
  // `$(cmd …)` or a backquoted command: the substitution must start with a command-like word
  // (`price is $(5)` and Markdown `code` spans are not commands). The body stops at the next
  // parenthesis (a nested `$(…)` is its own match), so runs never overlap.
  { kind: 'command', rule: 'command.substitution', pattern: new RegExp(`\\$\\(\\s*(?:${COMMANDS})\\b[^()]*\\)|\`\\s*(?:${COMMANDS})\\b[^\`]*\``, 'i') },
  { kind: 'command', rule: 'command.chain', pattern: /(?:;|&&|\|\||\|)\s*(?:rm|cat|ls|id|whoami|uname|curl|wget|nc|ncat|bash|sh|zsh|python\d?|perl|ruby|php|powershell|cmd|ping|nslookup|chmod|chown|echo|sleep|kill)\b/i },
  { kind: 'template', rule: 'template.expression', pattern: /\{\{[^{}*+\-/()]{0,100}[*+\-/()][^{}]{0,100}\}\}|\$\{\s*\d+\s*[*+-]\s*\d+\s*\}|<%=?[^%<]{0,200}%>|#\{[^{}*+\-/()]{0,100}[*+\-/()][^{}]{0,100}\}|\{\{[^{}]{0,100}(?:__[a-z]+__|\b(?:config|self|request|lipsum|cycler|joiner|namespace)\b\s*[.[(])/ },
  // `${jndi:` with any letter replaced by a nested lookup (`${lower:j}`, `${::-n}`), after an
  // optional `${prefix:`. Nested lookups are short and cannot contain braces.
  { kind: 'jndi', rule: 'jndi.lookup', pattern: /\$\{(?:[^{}:]{0,40}:)?\s*(?:j|\$\{[^{}]{0,40}\})(?:n|\$\{[^{}]{0,40}\})(?:d|\$\{[^{}]{0,40}\})(?:i|\$\{[^{}]{0,40}\})\s*:/i },
  { kind: 'command', rule: 'command.redirect-device', pattern: />\s*\/dev\/(?:tcp|udp)\/|\bnc\s+-[a-z]*e\b/i },
];

const NOSQL_OPERATOR = /^\$(?:where|ne|eq|gt|gte|lt|lte|in|nin|regex|expr|function|accumulator|or|and|not|nor|exists|type|elemMatch|all|size|jsonSchema|text|mod|lookup)$/;
const NOSQL_IN_STRING = /\{\s*["']?\$(?:where|ne|gt|gte|lt|lte|regex|expr|function|in|nin|or)\b/;

function inspectString(value: string, path: string, maxLength: number, signals: InjectionSignal[], seen: Set<string>): void {
  let text = value.length > maxLength ? value.slice(0, maxLength) : value;
  if (text.includes('%')) {
    try {
      const once = decodeURIComponent(text);
      text = `${text}\n${once}`;
      // Double encoding (`%253C` → `%3C` → `<`) hides a payload from one decoding step.
      if (/%25[0-9a-f]{2}/i.test(value) && /%[0-9a-f]{2}/i.test(once)) {
        const twice = decodeURIComponent(once);
        if (/[<>'"`;\0]|\.\.[\\/]/.test(twice)) {
          const key = `encoding.double\n${path}`;
          if (!seen.has(key)) {
            seen.add(key);
            signals.push({ kind: 'encoding', rule: 'encoding.double', path });
          }
        }
        text = `${text}\n${twice}`;
      }
    } catch {
      // not valid percent-encoding: inspect as is
    }
  }
  for (const { kind, rule, pattern } of RULES) {
    if (pattern.test(text)) {
      const key = `${rule}\n${path}`;
      if (!seen.has(key)) {
        seen.add(key);
        signals.push({ kind, rule, path });
      }
    }
  }
  if (NOSQL_IN_STRING.test(text)) signals.push({ kind: 'nosql', rule: 'nosql.operator-in-string', path });
}

const escapeSegment = (s: string) => (s.includes('~') || s.includes('/') ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s);

/**
 * Looks for patterns typical of SQL injection, XSS, path traversal, shell command injection and
 * NoSQL operator injection (`{ "$where": … }`, `{ "$ne": null }`) in a string or anywhere in a
 * JSON-like value (keys included), and returns signals FOR LOGGING AND ALERTING ONLY.
 *
 * It never rewrites input and it is not a defense: the defense against SQL injection is
 * parameterized queries, against XSS it is contextual output encoding (and {@link sanitizeHtml}
 * for rich text), against path traversal resolving paths inside an allowed root, against command
 * injection not using a shell. Expect false positives ("O'Reilly -- notes") and false negatives.
 * The walk is iterative and bounded by `maxValues`, `maxLength` and `maxDepth`; it never throws
 * for any input.
 *
 * @example
 * ```ts
 * detectInjection({ q: "' OR 1=1 --", filter: { $where: 'sleep(100)' } });
 * // [{ kind: 'sql', rule: 'sql.tautology', path: '/q' }, …, { kind: 'nosql', rule: 'nosql.operator', path: '/filter/$where' }]
 * ```
 */
export function detectInjection(value: unknown, options: DetectOptions = {}): InjectionSignal[] {
  checkOptions('detectInjection', options, ['maxLength', 'maxValues', 'maxDepth']);
  checkInt('maxLength', options.maxLength, 1);
  checkInt('maxValues', options.maxValues, 1);
  checkInt('maxDepth', options.maxDepth, 1);
  const maxLength = options.maxLength ?? 10_000;
  const maxValues = options.maxValues ?? 1_000;
  const maxDepth = options.maxDepth ?? 32;
  const signals: InjectionSignal[] = [];
  const seen = new Set<string>();
  let budget = maxValues;
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  try {
    while (stack.length > 0 && budget > 0) {
      const { value: current, path, depth } = stack.pop()!;
      budget--;
      if (typeof current === 'string') {
        inspectString(current, path, maxLength, signals, seen);
        continue;
      }
      if (typeof current !== 'object' || current === null || depth >= maxDepth) continue;
      if (Array.isArray(current)) {
        for (let i = Math.min(current.length, budget) - 1; i >= 0; i--) stack.push({ value: current[i], path: `${path}/${i}`, depth: depth + 1 });
        continue;
      }
      const keys = Object.keys(current);
      for (let i = Math.min(keys.length, budget) - 1; i >= 0; i--) {
        const key = keys[i]!;
        const child = `${path}/${escapeSegment(key)}`;
        if (key.startsWith('$') && NOSQL_OPERATOR.test(key)) signals.push({ kind: 'nosql', rule: 'nosql.operator', path: child });
        else if (/[^\w-]/.test(key)) inspectString(key, child, maxLength, signals, seen);
        stack.push({ value: (current as Record<string, unknown>)[key], path: child, depth: depth + 1 });
      }
    }
  } catch {
    // A throwing getter or proxy: report what was found so far.
  }
  return signals;
}


