import { Parser } from 'htmlparser2';
import { ConfigurationError, invalidType } from '@armor/errors';

/** Options of {@link sanitizeHtml} and {@link createSanitizer}. */
export interface SanitizeOptions {
  /**
   * Element names (lowercase) kept in the output. Every other element is removed; its text is
   * kept, except for elements whose content is never text (`script`, `style`, `iframe`, `svg`,
   * `math`, `template`, `noscript`, `textarea`, `title`, ...), which are dropped with their content.
   * Elements that can run script or change how the browser parses what follows (see
   * {@link NEVER_ALLOWED_TAGS}) cannot be allowed: asking for them throws `ConfigurationError`.
   * @default DEFAULT_ALLOWED_TAGS (text formatting, headings, links, lists, quotes, code)
   */
  allowedTags?: readonly string[] | undefined;
  /**
   * Attribute names kept per element; the key `'*'` applies to every allowed element. Event
   * handlers (`on*`), `style`, `srcdoc`, `srcset`, `formaction`, `xmlns`, ... can never be
   * allowed (throws `ConfigurationError`). URL attributes (`href`, `src`, `cite`, `poster`, ...)
   * are kept only when their scheme is in `allowedSchemes` (or they are relative).
   * @default DEFAULT_ALLOWED_ATTRIBUTES (`a`: href, title; `abbr`: title; `blockquote`/`q`: cite; `ol`: start; `'*'`: none)
   */
  allowedAttributes?: Readonly<Record<string, readonly string[]>> | undefined;
  /**
   * URL schemes (lowercase, without `:`) allowed in URL attributes. Relative URLs are always
   * allowed. `javascript`, `vbscript` and `livescript` cannot be allowed.
   * @default ['http', 'https', 'mailto']
   */
  allowedSchemes?: readonly string[] | undefined;
}

/** The default element allowlist: text formatting, headings, links, lists, quotes and code. */
export const DEFAULT_ALLOWED_TAGS: readonly string[] = Object.freeze([
  'a', 'abbr', 'b', 'blockquote', 'br', 'code', 'dd', 'del', 'dl', 'dt', 'em', 'h1', 'h2', 'h3',
  'h4', 'h5', 'h6', 'hr', 'i', 'ins', 'kbd', 'li', 'mark', 'ol', 'p', 'pre', 'q', 's', 'samp',
  'small', 'span', 'strong', 'sub', 'sup', 'u', 'ul',
]);

/** The default attribute allowlist (per element; `'*'` for all elements). */
export const DEFAULT_ALLOWED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  a: ['href', 'title'],
  abbr: ['title'],
  blockquote: ['cite'],
  q: ['cite'],
  ol: ['start'],
});

/** The default URL scheme allowlist. */
export const DEFAULT_ALLOWED_SCHEMES: readonly string[] = Object.freeze(['http', 'https', 'mailto']);

/**
 * Elements that can never be allowed: they run script, load active content, are parsed as raw
 * text or foreign content (the source of mutation-XSS), or change the document (`base`, `meta`).
 */
export const NEVER_ALLOWED_TAGS: ReadonlySet<string> = new Set([
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'link',
  'meta', 'svg', 'math', 'template', 'noscript', 'noembed', 'noframes', 'xmp', 'plaintext',
  'textarea', 'title', 'select', 'option', 'optgroup', 'form', 'input', 'button', 'portal',
  'param', 'image', 'isindex', 'keygen', 'listing', 'bgsound', 'html', 'head', 'body', 'annotation-xml',
  'foreignobject', 'set', 'animate', 'handler', 'import',
]);

/** Elements removed together with everything inside them. */
const DROP_CONTENT_TAGS: ReadonlySet<string> = new Set([
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'svg', 'math',
  'template', 'noscript', 'noembed', 'noframes', 'xmp', 'plaintext', 'textarea', 'title', 'select',
  'option', 'optgroup', 'head', 'portal', 'listing',
]);

/** Attributes that can never be allowed (in addition to every `on*` attribute). */
const NEVER_ALLOWED_ATTRIBUTES: ReadonlySet<string> = new Set([
  'style', 'srcdoc', 'srcset', 'imagesrcset', 'formaction', 'action', 'xmlns', 'xlink:href', 'is',
  'ping', 'http-equiv', 'content', 'autofocus', 'attributename', 'from', 'to', 'values', 'by',
  'dynsrc', 'lowsrc', 'datasrc', 'datafld', 'dataformatas', 'classid', 'codebase', 'archive',
]);

/** Attributes whose value is a URL and is checked against `allowedSchemes`. */
const URL_ATTRIBUTES: ReadonlySet<string> = new Set([
  'href', 'src', 'cite', 'poster', 'background', 'longdesc', 'usemap', 'data', 'manifest', 'icon', 'profile',
]);

const VOID_TAGS: ReadonlySet<string> = new Set([
  'area', 'br', 'col', 'hr', 'img', 'source', 'track', 'wbr', 'basefont', 'command',
]);

/**
 * Opening one of these elements implicitly closes the listed open elements, the way
 * htmlparser2 (our tokenizer) reads HTML. The serializer applies the same rule to what it has
 * EMITTED, so re-parsing the output gives the same structure (idempotence) even when removed
 * elements sat in between in the input.
 */
const P = ['p'];
const IMPLIES_CLOSE: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  ([
    ['tr', ['tr', 'th', 'td']], ['th', ['th']], ['td', ['thead', 'th', 'td']], ['li', ['li']],
    ['dd', ['dd', 'dt']], ['dt', ['dd', 'dt']], ['rt', ['rt', 'rp']], ['rp', ['rt', 'rp']],
    ['tbody', ['thead', 'tbody']], ['tfoot', ['thead', 'tbody']],
    ...['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'address', 'article', 'aside', 'blockquote', 'details', 'div', 'dl',
      'fieldset', 'figcaption', 'figure', 'footer', 'header', 'hr', 'main', 'nav', 'ol', 'pre', 'section', 'table', 'ul',
    ].map((tag) => [tag, P] as [string, string[]]),
  ] as [string, string[]][]).map(([tag, closes]) => [tag, new Set(closes)]),
);

const FORBIDDEN_SCHEMES: ReadonlySet<string> = new Set(['javascript', 'vbscript', 'livescript']);

const TAG_NAME = /^[a-z][a-z0-9-]*$/;
const ATTRIBUTE_NAME = /^[a-z][a-z0-9_.:-]*$/;
const SCHEME_NAME = /^[a-z][a-z0-9+.-]*$/;

interface CompiledConfig {
  /** tag -> allowed attribute names (globals merged in). */
  tags: Map<string, ReadonlySet<string>>;
  schemes: ReadonlySet<string>;
}

function compile(options: SanitizeOptions): CompiledConfig {
  const tagList = options.allowedTags ?? DEFAULT_ALLOWED_TAGS;
  if (!Array.isArray(tagList)) throw new ConfigurationError('allowedTags', 'must be an array of element names', { received: tagList });
  const attributeMap = options.allowedAttributes ?? DEFAULT_ALLOWED_ATTRIBUTES;
  if (typeof attributeMap !== 'object' || attributeMap === null || Array.isArray(attributeMap)) {
    throw new ConfigurationError('allowedAttributes', 'must be an object mapping element names to attribute names', { received: attributeMap });
  }
  const schemeList = options.allowedSchemes ?? DEFAULT_ALLOWED_SCHEMES;
  if (!Array.isArray(schemeList)) throw new ConfigurationError('allowedSchemes', 'must be an array of scheme names', { received: schemeList });

  const schemes = new Set<string>();
  for (const raw of schemeList as unknown[]) {
    const scheme = typeof raw === 'string' ? raw.toLowerCase().replace(/:$/, '') : '';
    if (!SCHEME_NAME.test(scheme)) throw new ConfigurationError('allowedSchemes', 'must contain URL scheme names such as "https"', { received: raw });
    if (FORBIDDEN_SCHEMES.has(scheme)) throw new ConfigurationError('allowedSchemes', `"${scheme}" runs script and can never be allowed`, { received: raw });
    schemes.add(scheme);
  }

  const checkAttributes = (key: string, names: unknown): string[] => {
    if (!Array.isArray(names)) throw new ConfigurationError(`allowedAttributes.${key}`, 'must be an array of attribute names', { received: names });
    return (names as unknown[]).map((raw) => {
      const name = typeof raw === 'string' ? raw.toLowerCase() : '';
      if (!ATTRIBUTE_NAME.test(name)) throw new ConfigurationError(`allowedAttributes.${key}`, 'must contain attribute names', { received: raw });
      if (name.startsWith('on') || NEVER_ALLOWED_ATTRIBUTES.has(name)) {
        throw new ConfigurationError(`allowedAttributes.${key}`, `"${name}" can run script or load content and can never be allowed`, { received: raw });
      }
      return name;
    });
  };
  const globals = checkAttributes('*', attributeMap['*'] ?? []);
  const tags = new Map<string, ReadonlySet<string>>();
  for (const raw of tagList as unknown[]) {
    const tag = typeof raw === 'string' ? raw.toLowerCase() : '';
    if (!TAG_NAME.test(tag)) throw new ConfigurationError('allowedTags', 'must contain element names', { received: raw });
    if (NEVER_ALLOWED_TAGS.has(tag)) throw new ConfigurationError('allowedTags', `<${tag}> can run script or change parsing and can never be allowed`, { received: raw });
    const own = Object.prototype.hasOwnProperty.call(attributeMap, tag) ? checkAttributes(tag, attributeMap[tag]) : [];
    tags.set(tag, new Set([...globals, ...own]));
  }
  for (const key of Object.keys(attributeMap)) {
    if (key !== '*' && !tags.has(key.toLowerCase())) checkAttributes(key, attributeMap[key]);
  }
  return { tags, schemes };
}

const TEXT_SPECIAL = /[&<>\0]/;
const ATTR_SPECIAL = /[&<>"'`\0]/;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;', '\0': '' };
const escapeChar = (c: string) => ESCAPES[c] ?? '';

function escapeText(text: string): string {
  return TEXT_SPECIAL.test(text) ? text.replace(/[&<>\0]/g, escapeChar) : text;
}

function escapeAttribute(value: string): string {
  return ATTR_SPECIAL.test(value) ? value.replace(/[&<>"'`\0]/g, escapeChar) : value;
}

/**
 * Escapes `& < > " ' \`` so `value` can be placed in HTML text or a quoted attribute value.
 * NUL characters are removed.
 *
 * @example
 * ```ts
 * escapeHtml('<b>"Tom" & Jerry</b>'); // '&lt;b&gt;&quot;Tom&quot; &amp; Jerry&lt;/b&gt;'
 * ```
 */
export function escapeHtml(value: string): string {
  if (typeof value !== 'string') throw notAString('escapeHtml', value);
  return escapeAttribute(value);
}

/**
 * Whether a URL attribute value is safe: relative, or with a scheme in `schemes`. Mirrors how
 * browsers read URLs: entities are already decoded, leading and trailing C0 controls and
 * spaces are ignored, and tabs and newlines anywhere are removed before the scheme is read.
 * Anything before the first `:` that is not a valid scheme name is rejected.
 */
function isAllowedUrl(value: string, schemes: ReadonlySet<string>): boolean {
  const url = value.replace(/[\t\n\r]/g, '').replace(/^[\0-\x20]+/, '');
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 0x3a /* : */) {
      const scheme = url.slice(0, i).toLowerCase();
      return SCHEME_NAME.test(scheme) && schemes.has(scheme);
    }
    if (c === 0x2f /* / */ || c === 0x3f /* ? */ || c === 0x23 /* # */) return true;
  }
  return true;
}

const REL_TOKEN = /^[a-z][a-z-]*$/;

function relValue(input: string | undefined): string {
  const tokens = new Set<string>();
  if (input !== undefined) {
    for (const token of input.toLowerCase().split(/[\t\n\f\r ]+/)) if (REL_TOKEN.test(token)) tokens.add(token);
  }
  tokens.add('noopener');
  tokens.add('noreferrer');
  return [...tokens].join(' ');
}

const PARSER_OPTIONS = { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: false, recognizeCDATA: false } as const;

/**
 * The htmlparser2 handler that writes the canonical output. One instance is kept per compiled
 * configuration and reset after each call (a fresh parser per call: htmlparser2's `reset()` does
 * not fully reset its tokenizer). Sanitizing is synchronous and the callbacks never call user
 * code, so a call cannot re-enter (guarded anyway by `busy`).
 */
class Serializer {
  out = '';
  /** How many open elements drop their content. */
  dropping = 0;
  /** Per open element: 0 = not emitted, 1 = emitted (needs a close tag), 2 = drops content. */
  stack: number[] = [];
  /** Names of the open elements (parallel to `stack`). */
  names: string[] = [];
  /** Indexes (into `stack`) of the emitted elements that are still open in the output. */
  open: number[] = [];
  busy = false;

  constructor(readonly config: CompiledConfig) {}

  run(html: string): string {
    this.busy = true;
    try {
      new Parser(this, PARSER_OPTIONS).end(html);
      return this.out;
    } finally {
      this.out = '';
      this.dropping = 0;
      this.stack.length = 0;
      this.names.length = 0;
      this.open.length = 0;
      this.busy = false;
    }
  }

  onopentag(name: string, attributes: Record<string, string>): void {
    const { stack, names, open } = this;
    if (this.dropping > 0 || DROP_CONTENT_TAGS.has(name)) {
      if (DROP_CONTENT_TAGS.has(name)) {
        this.dropping++;
        stack.push(2);
      } else stack.push(0);
      names.push(name);
      return;
    }
    const allowed = this.config.tags.get(name);
    names.push(name);
    if (allowed === undefined) {
      stack.push(0);
      return;
    }
    let out = this.out;
    const closes = IMPLIES_CLOSE.get(name);
    if (closes !== undefined) {
      while (open.length > 0) {
        const index = open[open.length - 1]!;
        const openName = names[index]!;
        if (!closes.has(openName)) break;
        out += `</${openName}>`;
        stack[index] = 0;
        open.pop();
      }
    }
    out += `<${name}`;
    for (const attribute of allowed) {
      if (attribute === 'rel' && name === 'a') continue;
      const value = attributes[attribute];
      if (typeof value !== 'string') continue;
      if (URL_ATTRIBUTES.has(attribute) && !isAllowedUrl(value, this.config.schemes)) continue;
      out += ` ${attribute}="${escapeAttribute(value)}"`;
    }
    if (name === 'a') out += ` rel="${relValue(allowed.has('rel') ? attributes.rel : undefined)}"`;
    this.out = `${out}>`;
    if (VOID_TAGS.has(name)) stack.push(0);
    else {
      open.push(stack.length);
      stack.push(1);
    }
  }

  onclosetag(name: string): void {
    // htmlparser2 also closes a tag left unfinished at the end of input (`<a><b title="`),
    // which never reached onopentag: ignore closes that do not match our innermost element.
    const { names } = this;
    if (names[names.length - 1] !== name) return;
    names.pop();
    const state = this.stack.pop();
    if (state === 2) this.dropping--;
    else if (state === 1) {
      this.out += `</${name}>`;
      this.open.pop();
    }
  }

  ontext(text: string): void {
    if (this.dropping === 0) this.out += escapeText(text);
  }
}

const serializers = new WeakMap<CompiledConfig, Serializer>();

function run(html: string, config: CompiledConfig): string {
  let serializer = serializers.get(config);
  if (serializer === undefined || serializer.busy) {
    const fresh = new Serializer(config);
    if (serializer === undefined) serializers.set(config, fresh);
    serializer = fresh;
  }
  return serializer.run(html);
}

const compiled = new WeakMap<SanitizeOptions, CompiledConfig>();
let defaultConfig: CompiledConfig | undefined;

function configFor(options: SanitizeOptions | undefined): CompiledConfig {
  if (options === undefined) return (defaultConfig ??= compile({}));
  if (typeof options !== 'object' || options === null) throw new ConfigurationError('options', 'must be an object', { received: options });
  let config = compiled.get(options);
  if (config === undefined) {
    config = compile(options);
    compiled.set(options, config);
  }
  return config;
}

const notAString = (fn: string, value: unknown) => invalidType(`${fn} expects a string`, 'a string', value);

/**
 * Sanitizes untrusted HTML against an allowlist, without a DOM (runs in Node, Convex and edge
 * runtimes). The input is tokenized with htmlparser2 (entities decoded), and the output is
 * re-serialized canonically: only allowed elements with lowercase names, only allowed
 * attributes, double-quoted and fully escaped, every text node escaped, every element closed,
 * comments/CDATA/doctypes/processing instructions removed. `<a>` elements always get
 * `rel="noopener noreferrer"`. The result is idempotent: sanitizing it again returns it unchanged.
 *
 * Options objects are compiled once and cached (by identity); reuse the same object, or use
 * {@link createSanitizer}.
 *
 * @throws ValidationError when `html` is not a string.
 * @throws ConfigurationError when an option asks for something that can never be safe.
 * @example
 * ```ts
 * sanitizeHtml('<p onclick="x()">Hi <a href="javascript:alert(1)">there</a><script>alert(1)</script></p>');
 * // '<p>Hi <a rel="noopener noreferrer">there</a></p>'
 * ```
 */
export function sanitizeHtml(html: string, options?: SanitizeOptions): string {
  const config = configFor(options);
  if (typeof html !== 'string') throw notAString('sanitizeHtml', html);
  return run(html, config);
}

/**
 * Compiles `options` once (throwing `ConfigurationError` now, not on first use) and returns a
 * sanitizer function.
 *
 * @example
 * ```ts
 * const clean = createSanitizer({ allowedTags: ['p', 'a', 'img'], allowedAttributes: { a: ['href'], img: ['src', 'alt'] } });
 * clean('<img src="https://x.test/a.png" onerror="alert(1)">'); // '<img src="https://x.test/a.png">'
 * ```
 */
export function createSanitizer(options: SanitizeOptions = {}): (html: string) => string {
  const config = configFor(options);
  return (html: string) => {
    if (typeof html !== 'string') throw notAString('sanitizeHtml', html);
    return run(html, config);
  };
}

const BREAK_TAGS: ReadonlySet<string> = new Set(['br', 'p', 'div', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'hr']);

/**
 * Removes every tag and returns the PLAIN TEXT (entities decoded, `script`/`style`/... content
 * dropped, `<br>` and block elements become `\n`). The result is text, not HTML: escape it with
 * {@link escapeHtml} before putting it into markup.
 *
 * @example
 * ```ts
 * stripTags('<p>Fish &amp; <b>chips</b></p><script>x()</script>'); // 'Fish & chips\n'
 * ```
 */
export function stripTags(html: string): string {
  if (typeof html !== 'string') throw notAString('stripTags', html);
  let out = '';
  let dropping = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        if (DROP_CONTENT_TAGS.has(name)) dropping++;
      },
      onclosetag(name) {
        if (DROP_CONTENT_TAGS.has(name)) dropping = Math.max(0, dropping - 1);
        else if (dropping === 0 && BREAK_TAGS.has(name) && out !== '' && !out.endsWith('\n')) out += '\n';
      },
      ontext(text) {
        if (dropping === 0) out += text.replace(/\0/g, '');
      },
    },
    PARSER_OPTIONS,
  );
  parser.end(html);
  return out;
}
