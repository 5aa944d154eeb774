import { Parser, type Handler, type ParserOptions } from 'htmlparser2';
import { checkBoolean, checkInt, checkObject, checkOptions } from '@armor/core';
import { ConfigurationError, PayloadTooLargeError, invalidType } from '@armor/errors';
import { CLOBBERING_NAMES } from './clobber-names.js';

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
   * are kept only when their scheme is in `allowedSchemes` (or they are relative). `'data-*'`
   * and `'aria-*'` allow every `data-…` / `aria-…` attribute (names of lowercase letters,
   * digits and `-`).
   * @default DEFAULT_ALLOWED_ATTRIBUTES (`a`: href, title; `abbr`: title; `blockquote`/`q`: cite; `ol`: start; `'*'`: none)
   */
  allowedAttributes?: Readonly<Record<string, readonly string[]>> | undefined;
  /**
   * URL schemes (lowercase, without `:`) allowed in URL attributes. Relative URLs are always
   * allowed; protocol-relative ones (`//host`) only with `allowProtocolRelative`. `javascript`, `vbscript` and `livescript` cannot be allowed.
   * @default ['http', 'https', 'mailto']
   */
  allowedSchemes?: readonly string[] | undefined;
  /**
   * Deepest element nesting kept. Elements opened deeper than this are flattened: their tags
   * are removed and their text kept (escaped), so the cost stays linear in the input size
   * however deep the markup is nested (htmlparser2 alone is quadratic in nesting depth).
   * @default 256 (DOMPurify's limit is 255)
   */
  maxDepth?: number | undefined;
  /**
   * Longest input accepted, in characters (UTF-16 code units). Longer input throws a
   * `PayloadTooLargeError` (`PAYLOAD_TOO_LARGE`, 413) before any parsing.
   * @default 1_048_576 (1 MiB of ASCII)
   */
  maxInputLength?: number | undefined;
  /**
   * Drop `id` and `name` attributes whose value is a property of `document` or of a form
   * (`cookie`, `getElementById`, `forms`, `submit`, ...): such values "clobber" the property
   * (`<img name="cookie">` makes `document.cookie` an element). Only matters when `id` or
   * `name` is allowed. Like DOMPurify's `SANITIZE_DOM`.
   * @default true
   */
  sanitizeDom?: boolean | undefined;
  /**
   * Keep protocol-relative URLs (`//cdn.example/x.png`, also spelled `\\cdn.example`), which
   * load from another host with the page's scheme. Off by default, as in sanitize-html's
   * guidance for user content: a relative URL should stay on your site.
   * @default false
   */
  allowProtocolRelative?: boolean | undefined;
  /**
   * URL schemes per element, replacing `allowedSchemes` for that element's URL attributes,
   * e.g. `{ a: ['https', 'mailto', 'tel'] }`. Same rules as `allowedSchemes`.
   * @default {}
   */
  allowedSchemesByTag?: Readonly<Record<string, readonly string[]>> | undefined;
}

const KNOWN_OPTIONS = [
  'allowedTags', 'allowedAttributes', 'allowedSchemes', 'maxDepth', 'maxInputLength', 'sanitizeDom', 'allowProtocolRelative', 'allowedSchemesByTag',
] as const;

/** Default of {@link SanitizeOptions.maxDepth}. */
export const DEFAULT_MAX_DEPTH = 256;
/** Default of {@link SanitizeOptions.maxInputLength}. */
export const DEFAULT_MAX_INPUT_LENGTH = 1_048_576;

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
/** `data-*` / `aria-*` names kept by a wildcard: lowercase letters, digits and `-` only. */
const WILDCARD_ATTRIBUTE = /^(?:data|aria)-[a-z0-9][a-z0-9-]*$/;

interface CompiledConfig {
  /** tag -> allowed attribute names (globals merged in). */
  tags: Map<string, ReadonlySet<string>>;
  /** tag -> attribute name prefixes allowed by a wildcard (`data-`, `aria-`). */
  wildcards: ReadonlyMap<string, readonly string[]>;
  schemes: ReadonlySet<string>;
  /** tag -> its own scheme allowlist (from `allowedSchemesByTag`). */
  schemesByTag: ReadonlyMap<string, ReadonlySet<string>>;
  allowProtocolRelative: boolean;
  maxDepth: number;
  maxInputLength: number;
  sanitizeDom: boolean;
}

function compile(options: SanitizeOptions): CompiledConfig {
  checkOptions('sanitizeHtml', options, KNOWN_OPTIONS);
  checkInt('maxDepth', options.maxDepth, 1);
  checkInt('maxInputLength', options.maxInputLength, 0, { allowInfinity: true });
  checkBoolean('sanitizeDom', options.sanitizeDom);
  checkBoolean('allowProtocolRelative', options.allowProtocolRelative);
  checkObject('allowedSchemesByTag', options.allowedSchemesByTag);
  const tagList = options.allowedTags ?? DEFAULT_ALLOWED_TAGS;
  if (!Array.isArray(tagList)) throw new ConfigurationError('allowedTags', 'must be an array of element names', { received: tagList });
  const attributeMap = options.allowedAttributes ?? DEFAULT_ALLOWED_ATTRIBUTES;
  if (typeof attributeMap !== 'object' || attributeMap === null || Array.isArray(attributeMap)) {
    throw new ConfigurationError('allowedAttributes', 'must be an object mapping element names to attribute names', { received: attributeMap });
  }
  const schemeList = options.allowedSchemes ?? DEFAULT_ALLOWED_SCHEMES;
  if (!Array.isArray(schemeList)) throw new ConfigurationError('allowedSchemes', 'must be an array of scheme names', { received: schemeList });

  const schemeSet = (option: string, list: unknown): Set<string> => {
    if (!Array.isArray(list)) throw new ConfigurationError(option, 'must be an array of scheme names', { received: list });
    const out = new Set<string>();
    for (const raw of list as unknown[]) {
      const scheme = typeof raw === 'string' ? raw.toLowerCase().replace(/:$/, '') : '';
      if (!SCHEME_NAME.test(scheme)) throw new ConfigurationError(option, 'must contain URL scheme names such as "https"', { received: raw });
      if (FORBIDDEN_SCHEMES.has(scheme)) throw new ConfigurationError(option, `"${scheme}" runs script and can never be allowed`, { received: raw });
      out.add(scheme);
    }
    return out;
  };
  const schemes = schemeSet('allowedSchemes', schemeList);
  const schemesByTag = new Map<string, ReadonlySet<string>>();
  for (const [tag, list] of Object.entries(options.allowedSchemesByTag ?? {})) schemesByTag.set(tag.toLowerCase(), schemeSet(`allowedSchemesByTag.${tag}`, list));

  const checkAttributes = (key: string, names: unknown): string[] => {
    if (!Array.isArray(names)) throw new ConfigurationError(`allowedAttributes.${key}`, 'must be an array of attribute names', { received: names });
    return (names as unknown[]).map((raw) => {
      const name = typeof raw === 'string' ? raw.toLowerCase() : '';
      if (name === 'data-*' || name === 'aria-*') return name;
      if (!ATTRIBUTE_NAME.test(name)) throw new ConfigurationError(`allowedAttributes.${key}`, 'must contain attribute names', { received: raw });
      if (name.startsWith('on') || NEVER_ALLOWED_ATTRIBUTES.has(name)) {
        throw new ConfigurationError(`allowedAttributes.${key}`, `"${name}" can run script or load content and can never be allowed`, { received: raw });
      }
      return name;
    });
  };
  const globals = checkAttributes('*', attributeMap['*'] ?? []);
  const tags = new Map<string, ReadonlySet<string>>();
  const wildcards = new Map<string, readonly string[]>();
  for (const raw of tagList as unknown[]) {
    const tag = typeof raw === 'string' ? raw.toLowerCase() : '';
    if (!TAG_NAME.test(tag)) throw new ConfigurationError('allowedTags', 'must contain element names', { received: raw });
    if (NEVER_ALLOWED_TAGS.has(tag)) throw new ConfigurationError('allowedTags', `<${tag}> can run script or change parsing and can never be allowed`, { received: raw });
    const own = Object.prototype.hasOwnProperty.call(attributeMap, tag) ? checkAttributes(tag, attributeMap[tag]) : [];
    const all = new Set([...globals, ...own]);
    const prefixes = ['data-', 'aria-'].filter((prefix) => all.delete(`${prefix}*`));
    if (prefixes.length > 0) wildcards.set(tag, prefixes);
    tags.set(tag, all);
  }
  for (const key of Object.keys(attributeMap)) {
    if (key !== '*' && !tags.has(key.toLowerCase())) checkAttributes(key, attributeMap[key]);
  }
  return {
    tags,
    wildcards,
    schemes,
    schemesByTag,
    allowProtocolRelative: options.allowProtocolRelative ?? false,
    maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
    maxInputLength: options.maxInputLength ?? DEFAULT_MAX_INPUT_LENGTH,
    sanitizeDom: options.sanitizeDom ?? true,
  };
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
function isAllowedUrl(value: string, schemes: ReadonlySet<string>, protocolRelative: boolean): boolean {
  const url = value.replace(/[\t\n\r]/g, '').replace(/^[\0-\x20]+/, '');
  // `//host/x` and `\\host/x` (browsers read `\` as `/` in http URLs) leave the site.
  if (!protocolRelative && /^[\\/]{2}/.test(url)) return false;
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
 * htmlparser2's `Parser` keeps its open elements in an array it `unshift`s and searches
 * (`indexOf`) on every close tag, so its cost grows with the square of the nesting depth (1 MB
 * of `<b>` takes over half a minute). This parser never lets that stack grow past `maxDepth`:
 * an element opened deeper is treated as a void element (no stack entry), and the handler,
 * told by {@link BoundedParser.flattening}, drops its tag and the matching implied close.
 * Everything else is htmlparser2's own behaviour.
 */
class BoundedParser extends Parser {
  /** True while the element being opened is flattened (from its name until its `>`). */
  flattening = false;
  private opening = false;
  private flatName = '';

  constructor(
    cbs: Partial<Handler>,
    options: ParserOptions,
    private readonly maxDepth: number,
  ) {
    super(cbs, options);
  }

  private depth(): number {
    return (this as unknown as { stack: string[] }).stack.length;
  }

  protected override isVoidElement(name: string): boolean {
    if (this.opening) {
      this.flattening = !super.isVoidElement(name) && this.depth() >= this.maxDepth;
      this.flatName = name;
      return this.flattening || super.isVoidElement(name);
    }
    if (this.flattening && name === this.flatName) return true;
    return super.isVoidElement(name);
  }

  override onopentagname(start: number, endIndex: number): void {
    this.opening = true;
    try {
      super.onopentagname(start, endIndex);
    } finally {
      this.opening = false;
    }
  }

  override onopentagend(endIndex: number): void {
    super.onopentagend(endIndex);
    this.flattening = false;
  }

  override onselfclosingtag(endIndex: number): void {
    super.onselfclosingtag(endIndex);
    this.flattening = false;
  }
}

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
  parser: BoundedParser | undefined;
  /** The implied close of a flattened element is next: ignore it. */
  skipClose = false;

  constructor(readonly config: CompiledConfig) {}

  run(html: string): string {
    this.busy = true;
    try {
      this.parser = new BoundedParser(this, PARSER_OPTIONS, this.config.maxDepth);
      this.parser.end(html);
      return this.out;
    } finally {
      this.parser = undefined;
      this.skipClose = false;
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
    if (this.parser?.flattening) {
      this.skipClose = true;
      return;
    }
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
      if (URL_ATTRIBUTES.has(attribute) && !isAllowedUrl(value, this.config.schemesByTag.get(name) ?? this.config.schemes, this.config.allowProtocolRelative)) continue;
      if ((attribute === 'id' || attribute === 'name') && this.config.sanitizeDom && CLOBBERING_NAMES.has(value)) continue;
      out += ` ${attribute}="${escapeAttribute(value)}"`;
    }
    const prefixes = this.config.wildcards.get(name);
    if (prefixes !== undefined) {
      for (const attribute of Object.keys(attributes)) {
        if (allowed.has(attribute) || !prefixes.some((prefix) => attribute.startsWith(prefix)) || !WILDCARD_ATTRIBUTE.test(attribute)) continue;
        out += ` ${attribute}="${escapeAttribute(attributes[attribute]!)}"`;
      }
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
    if (this.skipClose) {
      this.skipClose = false;
      return;
    }
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
  if (html.length > config.maxInputLength) {
    throw new PayloadTooLargeError(`sanitizeHtml input is ${html.length} characters; maxInputLength is ${config.maxInputLength}`, {
      details: { length: html.length, maxInputLength: config.maxInputLength },
    });
  }
  return serializer.run(html);
}

const compiled = new WeakMap<SanitizeOptions, CompiledConfig>();
let defaultConfig: CompiledConfig | undefined;

function configFor(options: SanitizeOptions | undefined): CompiledConfig {
  if (options === undefined) return (defaultConfig ??= compile({}));
  checkOptions('sanitizeHtml', options, KNOWN_OPTIONS);
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
 * Removes every tag and returns TEXT: entities decoded, `script`/`style`/... content dropped,
 * `<br>` and block elements become `\n`, and every `<` and `>` in the text escaped as `&lt;`
 * and `&gt;`, so the result never contains markup, not even for entity-encoded input
 * (`&lt;img onerror=…&gt;` stays `&lt;img onerror=…&gt;`). `&` and quotes are left as they
 * are: the result is safe as HTML text content, but it is not an attribute value (use
 * {@link escapeHtml} there) and not HTML to sanitize again. Input longer than
 * `maxInputLength` (default 1 MiB) throws `PayloadTooLargeError`; nesting deeper than
 * 256 elements costs linear time like the rest.
 *
 * @throws ValidationError when `html` is not a string.
 * @throws PayloadTooLargeError when `html` is longer than `maxInputLength`.
 * @example
 * ```ts
 * stripTags('<p>Fish &amp; <b>chips</b></p><script>x()</script>'); // 'Fish & chips\n'
 * stripTags('&lt;img src=x onerror=alert(1)&gt;'); // '&lt;img src=x onerror=alert(1)&gt;'
 * ```
 */
export function stripTags(html: string, options: StripTagsOptions = {}): string {
  if (typeof html !== 'string') throw notAString('stripTags', html);
  checkOptions('stripTags', options, ['maxInputLength']);
  checkInt('maxInputLength', options.maxInputLength, 0, { allowInfinity: true });
  const maxInputLength = options.maxInputLength ?? DEFAULT_MAX_INPUT_LENGTH;
  if (html.length > maxInputLength) {
    throw new PayloadTooLargeError(`stripTags input is ${html.length} characters; maxInputLength is ${maxInputLength}`, {
      details: { length: html.length, maxInputLength },
    });
  }
  let out = '';
  // Tracked, not read from `out` (`endsWith`, `charCodeAt`): reading flattens the growing
  // string on every implied close, which made `'=<li>'.repeat(n)` quadratic (issue 24).
  let endsWithNewline = false;
  let dropping = 0;
  let skipClose = false;
  const parser: BoundedParser = new BoundedParser(
    {
      onopentag(name) {
        if (parser.flattening) skipClose = true;
        else if (DROP_CONTENT_TAGS.has(name)) dropping++;
      },
      onclosetag(name) {
        if (skipClose) skipClose = false;
        else if (DROP_CONTENT_TAGS.has(name)) dropping = Math.max(0, dropping - 1);
        else if (dropping === 0 && BREAK_TAGS.has(name) && out !== '' && !endsWithNewline) {
          out += '\n';
          endsWithNewline = true;
        }
      },
      ontext(text) {
        const kept = dropping === 0 ? text.replace(/\0/g, '') : '';
        if (kept !== '') {
          out += kept;
          endsWithNewline = kept.charCodeAt(kept.length - 1) === 10;
        }
      },
    },
    PARSER_OPTIONS,
    DEFAULT_MAX_DEPTH,
  );
  parser.end(html);
  return out.replace(/[<>]/g, escapeChar);
}

/** Options of {@link stripTags}. */
export interface StripTagsOptions {
  /** Longest input accepted, in characters; longer input throws `PayloadTooLargeError`. @default 1_048_576 */
  maxInputLength?: number | undefined;
}
