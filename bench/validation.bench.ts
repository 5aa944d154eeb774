/**
 * @armor/validation vs its anchors:
 * - sanitizeHtml vs sanitize-html and vs xss (js-xss), all three with the SAME allowlist
 *   (Armor's default tags/attributes, http/https/mailto; sanitize-html also adds
 *   rel="noopener noreferrer" to links like Armor does), over one mixed corpus: benign rich-text
 *   documents (comments, README-like posts) plus the XSS payload corpus. One op = the whole corpus.
 * - parse(schema, input) vs bare schema.parse(input) on a typical request body (overhead of
 *   issue mapping / result wrapping on the success path).
 * - sanitizeHtml-nested-<size> / sanitizeHtml-flat-<size> (100 KiB, 400 KiB, 1 MiB): `'<b>'.repeat`
 *   (worst-case nesting) and `'<b>x</b>'.repeat` (flat markup of the same size), each beside
 *   sanitize-html and js-xss with the same allowlist. One op = one document. htmlparser2 (inside
 *   sanitize-html) is quadratic in nesting depth, so the anchors' nested cases are timed with a
 *   single run each (a 1 MiB run of sanitize-html takes tens of seconds); Armor's are the median
 *   of interleaved rounds. Sizes can be narrowed with BENCH_SANITIZE_SIZES=100,400 (KiB).
 */
import sanitizeHtmlLib from 'sanitize-html';
import { FilterXSS } from 'xss';
import { z } from 'zod';
import { DEFAULT_ALLOWED_ATTRIBUTES, DEFAULT_ALLOWED_TAGS, createSanitizer, parse, schemas } from '@armor/validation';
import { XSS_PAYLOADS } from '../packages/validation/test/fixtures/xss-payloads.ts';
import { compare, report } from './lib.ts';

// ---------- corpus ----------
const words = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua'.split(' ');
const sentence = (i: number, n: number) => Array.from({ length: n }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(' ');
const benign: string[] = [];
for (let i = 0; i < 40; i++) {
  benign.push(
    `<h2>Post ${i}</h2><p>${sentence(i, 25)} <strong>${sentence(i + 1, 3)}</strong> and <em>${sentence(i + 2, 2)}</em>, ` +
      `see <a href="https://example.com/posts/${i}?ref=feed&amp;utm=1" title="Post ${i}">the post</a>.</p>` +
      `<ul>${Array.from({ length: 4 }, (_, k) => `<li>${sentence(i + k, 6)} &amp; <code>x &lt; ${k}</code></li>`).join('')}</ul>` +
      `<blockquote cite="https://example.org/q">${sentence(i + 3, 18)}</blockquote>` +
      `<pre><code>const a = ${i};\nif (a &gt; 1) { run(); }</code></pre><p>${sentence(i + 4, 30)}<br>${sentence(i + 5, 10)}</p>` +
      `<div class="x" style="color:red"><span onclick="x()">${sentence(i, 8)}</span><img src="/a.png"></div>`,
  );
}
const corpus = [...benign, ...XSS_PAYLOADS];
const bytes = corpus.reduce((n, s) => n + s.length, 0);
console.log(`corpus: ${benign.length} benign documents + ${XSS_PAYLOADS.length} payloads, ${(bytes / 1024).toFixed(1)} KiB`);

// ---------- the three sanitizers, same allowlist ----------
const armor = createSanitizer({});
const allowedAttributes: Record<string, string[]> = {};
for (const [tag, attrs] of Object.entries(DEFAULT_ALLOWED_ATTRIBUTES)) allowedAttributes[tag] = [...attrs];
const theirOptions: sanitizeHtmlLib.IOptions = {
  allowedTags: [...DEFAULT_ALLOWED_TAGS],
  allowedAttributes: { ...allowedAttributes, a: [...(allowedAttributes.a ?? []), 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  allowProtocolRelative: true,
  transformTags: { a: sanitizeHtmlLib.simpleTransform('a', { rel: 'noopener noreferrer' }) },
};
const whiteList: Record<string, string[]> = {};
for (const tag of DEFAULT_ALLOWED_TAGS) whiteList[tag] = allowedAttributes[tag] ?? [];
const jsXss = new FilterXSS({ whiteList, stripIgnoreTag: true, stripIgnoreTagBody: ['script', 'style', 'iframe', 'object', 'embed', 'noscript', 'template', 'textarea', 'title', 'xmp', 'svg', 'math'] });

let sink = 0;
const runArmor = () => {
  for (const html of corpus) sink += armor(html).length;
};
const runSanitizeHtml = () => {
  for (const html of corpus) sink += sanitizeHtmlLib(html, theirOptions).length;
};
const runXss = () => {
  for (const html of corpus) sink += jsXss.process(html).length;
};

await compare('sanitizeHtml-mixed-corpus-sync-same-allowlist', runArmor, 'sanitize-html', runSanitizeHtml, { rounds: 5, timeMs: 600 });
await compare('sanitizeHtml-mixed-corpus-sync-same-allowlist', runArmor, 'xss', runXss, { rounds: 5, timeMs: 600 });

// ---------- nesting depth: nested vs flat at 100 KiB, 400 KiB, 1 MiB ----------
/** ops/s of `fn`: runs it until `budgetMs` has passed and at least `minRuns` runs were made. */
function rateOf(fn: () => void, budgetMs: number, minRuns = 1): number {
  let runs = 0;
  const started = performance.now();
  let elapsed = 0;
  while (runs < minRuns || elapsed < budgetMs) {
    fn();
    runs++;
    elapsed = performance.now() - started;
  }
  return (runs * 1000) / elapsed;
}
const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const sizesKiB = (process.env.BENCH_SANITIZE_SIZES ?? '100,400,1024').split(',').map(Number);
const armorMs: Record<string, number> = {};
for (const kib of sizesKiB) {
  const size = kib * 1024;
  const label = kib >= 1024 ? `${kib / 1024}MB` : `${kib}KB`;
  const docs = { nested: '<b>'.repeat(Math.floor(size / 3)), flat: '<b>x</b>'.repeat(Math.floor(size / 8)) };
  for (const [shape, html] of Object.entries(docs)) {
    const ours = () => {
      sink += armor(html).length;
    };
    const anchors: [string, () => void][] = [
      ['sanitize-html', () => void (sink += sanitizeHtmlLib(html, theirOptions).length)],
      ['xss', () => void (sink += jsXss.process(html).length)],
    ];
    const armorRates: number[] = [];
    const anchorRates = new Map<string, number[]>();
    const rounds = 3;
    for (let round = 0; round < rounds; round++) {
      armorRates.push(rateOf(ours, 300, 2));
      for (const [name, fn] of anchors) {
        // Quadratic anchors on nested input: one run, first round only.
        if (shape === 'nested' && name === 'sanitize-html' && round > 0) continue;
        const list = anchorRates.get(name) ?? [];
        list.push(shape === 'nested' && name === 'sanitize-html' ? rateOf(fn, 0, 1) : rateOf(fn, 300, 2));
        anchorRates.set(name, list);
      }
    }
    const ourRate = medianOf(armorRates);
    armorMs[`${shape}-${kib}`] = 1000 / ourRate;
    for (const [name] of anchors) report(`sanitizeHtml-${shape}-${label}`, ourRate, name, medianOf(anchorRates.get(name)!));
  }
  console.log(
    `sanitizeHtml ${label}: nested ${armorMs[`nested-${kib}`]!.toFixed(1)} ms, flat ${armorMs[`flat-${kib}`]!.toFixed(1)} ms, ` +
      `nested/flat time ratio ${(armorMs[`nested-${kib}`]! / armorMs[`flat-${kib}`]!).toFixed(2)}`,
  );
}

// ---------- parse overhead ----------
const Body = z.object({
  title: z.string().min(1).max(120),
  tags: z.array(z.string().max(20)).max(10),
  count: z.number().int().min(0),
  author: z.object({ id: z.string(), email: z.string().max(254) }),
  page: schemas.pagination(),
});
const input = { title: 'Hello world', tags: ['a', 'b', 'c'], count: 3, author: { id: 'u_1', email: 'a@b.test' }, page: { limit: '20', cursor: 'abc' } };
await compare(
  'parse-vs-bare-schema-parse-sync',
  () => {
    sink += parse(Body, input).count;
  },
  'zod',
  () => {
    sink += Body.parse(input).count;
  },
  { rounds: 7, timeMs: 400 },
);
if (sink === -1) console.log(sink);
