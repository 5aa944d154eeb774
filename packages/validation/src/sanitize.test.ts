import fc from 'fast-check';
import { parse as parseDocument, parseFragment } from 'parse5';
import { describe, expect, it } from 'vitest';
import { XSS_PAYLOADS } from '../test/fixtures/xss-payloads.js';
import { DEFAULT_ALLOWED_TAGS, createSanitizer, escapeHtml, sanitizeHtml, stripTags } from './sanitize.js';

const FORBIDDEN_ELEMENTS = new Set(['script', 'style', 'iframe', 'object', 'embed', 'frame', 'frameset', 'svg', 'math', 'template', 'base', 'meta', 'link', 'form', 'noscript']);
const URL_ATTRIBUTES = new Set(['href', 'src', 'cite', 'action', 'formaction', 'poster', 'background', 'data', 'xlink:href', 'longdesc', 'usemap']);

interface P5Node {
  nodeName: string;
  tagName?: string;
  attrs?: { name: string; value: string }[];
  childNodes?: P5Node[];
  content?: P5Node;
}

/** Problems found in `html` as a real HTML5 parser (parse5) sees it. */
function problems(html: string, schemes: ReadonlySet<string>): string[] {
  const found: string[] = [];
  const roots: P5Node[] = [parseFragment(html) as unknown as P5Node, parseDocument(`<!doctype html><body>${html}`) as unknown as P5Node];
  const stack = [...roots];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.tagName !== undefined) {
      const inBody = !['html', 'head', 'body'].includes(node.tagName);
      if (inBody && FORBIDDEN_ELEMENTS.has(node.tagName)) found.push(`element <${node.tagName}>`);
      for (const { name, value } of node.attrs ?? []) {
        if (/^on/i.test(name)) found.push(`attribute ${name}`);
        if (name === 'style' || name === 'srcdoc') found.push(`attribute ${name}`);
        if (URL_ATTRIBUTES.has(name)) {
          let protocol: string | undefined;
          try {
            protocol = new URL(value, 'https://base.test/').protocol;
          } catch {
            protocol = undefined; // unparseable URLs do not navigate or load
          }
          if (protocol !== undefined && !schemes.has(protocol.slice(0, -1))) found.push(`${name}=${JSON.stringify(value)} (${protocol})`);
        }
      }
    }
    for (const child of node.childNodes ?? []) stack.push(child);
    if (node.content) stack.push(node.content);
  }
  return found;
}

const DEFAULT_SCHEMES = new Set(['http', 'https', 'mailto']);

// ---- an arbitrary for hostile HTML -------------------------------------------------------
const tagNames = fc.constantFrom(
  ...DEFAULT_ALLOWED_TAGS, 'script', 'style', 'iframe', 'object', 'embed', 'svg', 'math', 'template', 'noscript', 'textarea',
  'title', 'xmp', 'plaintext', 'noembed', 'select', 'option', 'img', 'div', 'table', 'td', 'form', 'button', 'base', 'meta',
  'mglyph', 'mtext', 'foreignObject', 'desc', 'image', 'SCRIPT', 'ScRiPt', 'A', 'x-y',
);
const schemes = fc.constantFrom('javascript:', 'JaVaScRiPt:', 'java\tscript:', 'jav&#x09;ascript:', 'javascript&colon;', '&#106;avascript:', ' \x01javascript:', 'vbscript:', 'data:text/html,', 'http://', 'https://', 'mailto:', '//', '/', '#', '', 'java\0script:', 'jav&#97;script:', '&#x6A;&#x61;vascript&#x3a;');
const attrNames = fc.constantFrom('href', 'src', 'title', 'cite', 'start', 'onerror', 'onclick', 'OnLoad', 'style', 'srcdoc', 'rel', 'target', 'formaction', 'xlink:href', 'id', 'class', 'background', 'poster', 'data');
const quoteChars = fc.constantFrom('"', "'", '`', '');
const textish = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('<', '>', '&', '&amp;', '&lt;', '&#0;', '&#x3c;', '"', "'", '</', '<!--', '-->', '<![CDATA[', ']]>', '\0', '\uD800', '&nbsp;', '<?', '<!doctype html>', 'xss()', '/', '=', ' '),
);
const attribute = fc.tuple(attrNames, quoteChars, schemes, textish).map(([name, q, scheme, text]) => ` ${name}=${q}${scheme}${text}${q}`);
const openTag = fc.tuple(tagNames, fc.array(attribute, { maxLength: 3 }), fc.constantFrom('>', '/>', ' >', '')).map(([tag, attrs, end]) => `<${tag}${attrs.join('')}${end}`);
const closeTag = tagNames.map((tag) => `</${tag}>`);
const hostileHtml = fc.array(fc.oneof(openTag, closeTag, textish, attribute), { maxLength: 25 }).map((parts) => parts.join(''));

describe('sanitizeHtml (properties, checked with parse5)', () => {
  it('is idempotent', () => {
    fc.assert(
      fc.property(hostileHtml, (html) => {
        const once = sanitizeHtml(html);
        expect(sanitizeHtml(once)).toBe(once);
      }),
      { numRuns: 1500 },
    );
  });

  it('output has no script/style/iframe/object element, no on* attribute, no URL with a disallowed scheme', () => {
    fc.assert(
      fc.property(hostileHtml, (html) => {
        expect(problems(sanitizeHtml(html), DEFAULT_SCHEMES)).toEqual([]);
      }),
      { numRuns: 1500 },
    );
  });

  it('the same holds with a custom allowlist (img, https only)', () => {
    const clean = createSanitizer({ allowedTags: [...DEFAULT_ALLOWED_TAGS, 'img', 'div', 'table', 'td'], allowedAttributes: { '*': ['title', 'class'], a: ['href', 'rel', 'target'], img: ['src', 'alt'] }, allowedSchemes: ['https'] });
    const https = new Set(['https']);
    fc.assert(
      fc.property(hostileHtml, (html) => {
        const once = clean(html);
        expect(clean(once)).toBe(once);
        expect(problems(once, https)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('is idempotent and clean on arbitrary strings too', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (html) => {
        const once = sanitizeHtml(html);
        expect(sanitizeHtml(once)).toBe(once);
        expect(problems(once, DEFAULT_SCHEMES)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('every corpus payload sanitizes to something parse5 finds clean, idempotently', () => {
    for (const payload of XSS_PAYLOADS) {
      const once = sanitizeHtml(payload);
      expect(problems(once, DEFAULT_SCHEMES), payload).toEqual([]);
      expect(sanitizeHtml(once), payload).toBe(once);
    }
  });

  it('the checker itself catches unsafe markup (so the properties can fail)', () => {
    expect(problems('<img src=x onerror=alert(1)>', DEFAULT_SCHEMES)).toContain('attribute onerror');
    expect(problems('<a href="jav&#x09;ascript:alert(1)">x</a>', DEFAULT_SCHEMES)[0]).toMatch(/javascript:/);
    expect(problems('<svg><script>1</script></svg>', DEFAULT_SCHEMES)).toContain('element <script>');
  });
});

describe('sanitizeHtml (examples)', () => {
  it('keeps the default formatting, links and lists', () => {
    const html = '<h2>Title</h2><p>Some <strong>bold</strong>, <em>em</em> and <code>x &lt; y</code>.</p><ul><li>one</li><li>two</li></ul><pre>a\n  b</pre><blockquote cite="https://a.test/">q</blockquote>';
    expect(sanitizeHtml(html)).toBe(html);
  });

  it('adds rel="noopener noreferrer" to links and allows http, https, mailto and relative URLs only', () => {
    expect(sanitizeHtml('<a href="https://a.test/?x=1&amp;y=2">a</a>')).toBe('<a href="https://a.test/?x=1&amp;y=2" rel="noopener noreferrer">a</a>');
    expect(sanitizeHtml('<a href="mailto:me@a.test">m</a>')).toBe('<a href="mailto:me@a.test" rel="noopener noreferrer">m</a>');
    expect(sanitizeHtml('<a href="/docs#x">d</a>')).toBe('<a href="/docs#x" rel="noopener noreferrer">d</a>');
    expect(sanitizeHtml('<a href="ftp://a.test/">f</a>')).toBe('<a rel="noopener noreferrer">f</a>');
    expect(sanitizeHtml('<a href="java&#x0A;script:alert(1)">j</a>')).toBe('<a rel="noopener noreferrer">j</a>');
  });

  it('merges allowed rel tokens with noopener noreferrer', () => {
    const clean = createSanitizer({ allowedAttributes: { a: ['href', 'rel'] } });
    expect(clean('<a href="/x" rel="nofollow UGC opener">x</a>')).toBe('<a href="/x" rel="nofollow ugc opener noopener noreferrer">x</a>');
  });

  it('drops script/style content and keeps text of other unknown elements', () => {
    expect(sanitizeHtml('<div>a<script>alert(1)</script><style>p{}</style><span>b</span><custom-el>c</custom-el></div>')).toBe('a<span>b</span>c');
    expect(sanitizeHtml('<!-- c --><![CDATA[x]]><?pi x?>t')).toBe('t');
  });

  it('escapes text and attribute values canonically', () => {
    expect(sanitizeHtml('<abbr title=\'"><script>\'>x</abbr> 1 < 2 & 3 > 2')).toBe('<abbr title="&quot;&gt;&lt;script&gt;">x</abbr> 1 &lt; 2 &amp; 3 &gt; 2');
  });

  it('closes unclosed elements and drops stray closing tags', () => {
    expect(sanitizeHtml('<p><b>x')).toBe('<p><b>x</b></p>');
    expect(sanitizeHtml('x</b></ul>')).toBe('x');
  });

  it('rejects unsafe options at construction time', () => {
    expect(() => createSanitizer({ allowedTags: ['script'] })).toThrow(/allowedTags/);
    expect(() => createSanitizer({ allowedAttributes: { a: ['onclick'] } })).toThrow(/allowedAttributes\.a/);
    expect(() => createSanitizer({ allowedAttributes: { '*': ['style'] } })).toThrow(/never be allowed/);
    expect(() => createSanitizer({ allowedSchemes: ['javascript'] })).toThrow(/allowedSchemes/);
    expect(() => createSanitizer({ allowedTags: 'p' as never })).toThrow(/allowedTags/);
    expect(() => sanitizeHtml('x', { allowedSchemes: ['not a scheme'] })).toThrow(/allowedSchemes/);
  });

  it('handles deep nesting without recursion', () => {
    const deep = '<b>'.repeat(20_000) + 'x';
    const out = sanitizeHtml(deep);
    expect(out.startsWith('<b><b>')).toBe(true);
    expect(out.endsWith('</b></b>')).toBe(true);
  });

  // issue 18 #1: cost was quadratic in nesting depth (htmlparser2's stack); 1.2 MB took 37 s
  it('flattens nesting deeper than maxDepth: tags removed, text kept, structure balanced', () => {
    expect(sanitizeHtml(`${'<b>'.repeat(5)}x${'</b>'.repeat(5)}y`, { maxDepth: 3 })).toBe('<b><b><b>x</b></b></b>y');
    expect(sanitizeHtml(`${'<i><b>'.repeat(4)}x`, { maxDepth: 3 })).toBe('<i><b><i>x</i></b></i>');
    // the default is 256 levels
    const out = sanitizeHtml(`${'<b>'.repeat(1000)}x`);
    expect(out).toBe(`${'<b>'.repeat(256)}x${'</b>'.repeat(256)}`);
    expect(sanitizeHtml(out)).toBe(out);
    // dropped content stays dropped below the limit; deeper tags are text (escaped), never markup
    expect(sanitizeHtml(`${'<b>'.repeat(3)}<script>alert(1)</script><img src=x onerror=alert(1)>`, { maxDepth: 3 })).toBe(
      '<b><b><b>alert(1)</b></b></b>',
    );
  });

  it('1 MiB of nested <b> costs about what flat markup costs (linear, not quadratic)', () => {
    const size = 1_048_576;
    const nested = '<b>'.repeat(Math.floor(size / 3));
    const flat = '<b>x</b>'.repeat(Math.floor(size / 8));
    const time = (html: string) => {
      const started = performance.now();
      sanitizeHtml(html);
      return performance.now() - started;
    };
    time(flat);
    // Quadratic parsing takes tens of seconds here; generous bound for a loaded 2-core machine.
    expect(time(nested)).toBeLessThan(Math.max(3_000, 20 * time(flat)));
    expect(stripTags(nested)).toBe('');
  });

  it('refuses input longer than maxInputLength with PayloadTooLargeError before parsing', () => {
    const error = (() => {
      try {
        sanitizeHtml('<b>'.repeat(400_000));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ name: 'PayloadTooLargeError', code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect(sanitizeHtml('<b>x</b>'.repeat(3), { maxInputLength: 24 })).toBe('<b>x</b><b>x</b><b>x</b>');
    expect(() => sanitizeHtml('<b>x</b>'.repeat(3), { maxInputLength: 23 })).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
    expect(sanitizeHtml('x'.repeat(2_000_000), { maxInputLength: Infinity })).toHaveLength(2_000_000);
    for (const bad of [{ maxInputLength: -1 }, { maxDepth: 0 }, { maxDepth: 1.5 }, { sanitizeDom: 'yes' }, { maxDept: 3 }]) {
      expect(() => createSanitizer(bad as never)).toThrow(expect.objectContaining({ name: 'ConfigurationError' }));
    }
    expect(() => createSanitizer({ allowedTag: ['b'] } as never)).toThrow(/did you mean "allowedTags"/);
  });

  // issue 18 #5: <img name="cookie"> made document.cookie an element
  it('drops id/name values that clobber document or form properties (DOMPurify SANITIZE_DOM)', () => {
    const clean = createSanitizer({ allowedTags: ['img', 'a', 'p'], allowedAttributes: { '*': ['id', 'name'], img: ['src'] } });
    expect(clean('<img name="cookie"><img name="getElementById"><img id="forms"><a name="__proto__">x</a><p id="submit">y</p>')).toBe(
      '<img><img><img><a rel="noopener noreferrer">x</a><p>y</p>',
    );
    expect(clean('<img name="avatar"><p id="intro">y</p>')).toBe('<img name="avatar"><p id="intro">y</p>');
    const off = createSanitizer({ allowedTags: ['img'], allowedAttributes: { img: ['name'] }, sanitizeDom: false });
    expect(off('<img name="cookie">')).toBe('<img name="cookie">');
  });
});

describe('escapeHtml and stripTags', () => {
  it('escapeHtml escapes the five characters and backtick, removes NUL', () => {
    expect(escapeHtml(`<a href="x">'&'\`\0</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&#96;&lt;/a&gt;');
    expect(escapeHtml('plain')).toBe('plain');
  });

  it('stripTags returns plain text without script/style content', () => {
    expect(stripTags('<p>Fish &amp; <b>chips</b></p><script>alert(1)</script><style>x</style>after')).toBe('Fish & chips\nafter');
    expect(stripTags('a<br>b')).toBe('a\nb');
  });

  it('property: stripTags output contains no tags, as it is and once escaped', () => {
    fc.assert(
      fc.property(hostileHtml, (html) => {
        const text = stripTags(html);
        for (const markup of [text, escapeHtml(text)]) {
          const fragment = parseFragment(markup) as unknown as P5Node;
          expect((fragment.childNodes ?? []).every((n) => n.nodeName === '#text')).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  // issue 18 #6: entity-encoded markup came back live
  it('stripTags never returns live markup for entity-encoded input', () => {
    expect(stripTags('&lt;img src=x onerror=alert(1)&gt;')).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(stripTags('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;\n');
    expect(stripTags('&#60;svg onload=alert(1)&#x3e;')).not.toMatch(/[<>]/);
    expect(stripTags('a < b > c & d')).toBe('a &lt; b &gt; c & d');
  });

  it('stripTags refuses input over maxInputLength and stays linear on deep nesting', () => {
    expect(() => stripTags('x'.repeat(11), { maxInputLength: 10 })).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
    expect(() => stripTags('x', { maxInput: 10 } as never)).toThrow(/did you mean "maxInputLength"/);
    expect(stripTags(`${'<b>'.repeat(300_000)}x`)).toBe('x');
  });
});

describe('URL options from the anchors', () => {
  it('protocol-relative URLs are dropped by default (//host and \\\\host), kept with allowProtocolRelative', () => {
    expect(sanitizeHtml('<a href="//evil.example/x">a</a><a href="\\\\evil.example/x">b</a><a href="/local">c</a>')).toBe(
      '<a rel="noopener noreferrer">a</a><a rel="noopener noreferrer">b</a><a href="/local" rel="noopener noreferrer">c</a>',
    );
    expect(sanitizeHtml('<a href="//cdn.example/x">a</a>', { allowProtocolRelative: true })).toBe('<a href="//cdn.example/x" rel="noopener noreferrer">a</a>');
  });

  it('per-tag URL schemes: tel: on links only', () => {
    const clean = createSanitizer({
      allowedTags: ['a', 'img'],
      allowedAttributes: { a: ['href'], img: ['src'] },
      allowedSchemesByTag: { a: ['https', 'tel'] },
    });
    expect(clean('<a href="tel:+15550100">call</a><img src="tel:+15550100"><a href="mailto:a@b.c">m</a>')).toBe(
      '<a href="tel:+15550100" rel="noopener noreferrer">call</a><img><a rel="noopener noreferrer">m</a>',
    );
    expect(() => createSanitizer({ allowedSchemesByTag: { a: ['javascript'] } })).toThrow(expect.objectContaining({ option: 'allowedSchemesByTag.a' }));
  });
});

describe('attribute wildcards', () => {
  it("'data-*' and 'aria-*' keep every data-/aria- attribute, nothing else", () => {
    const clean = createSanitizer({ allowedTags: ['span', 'p'], allowedAttributes: { span: ['data-*', 'aria-*', 'title'] } });
    const out = clean('<span data-id="7" aria-label="x &quot;y&quot;" data-x_y="no" title="t" onclick="z()" data-="no">a</span><p data-id="1">b</p>');
    expect(out).toBe('<span title="t" data-id="7" aria-label="x &quot;y&quot;">a</span><p>b</p>');
    expect(clean(out)).toBe(out);
  });
});
