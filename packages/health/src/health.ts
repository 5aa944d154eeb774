import {
  checkBoolean,
  checkClock,
  checkFunction,
  checkMs,
  checkObject,
  checkOptions,
  checkString,
  toScheduler,
  type Clock,
  type Kinded,
} from '@armor/core';
import { ConfigurationError } from '@armor/errors';

/** Status of a check or a whole service, as in the IETF "Health Check Response Format for HTTP APIs" draft. */
export type HealthStatus = 'pass' | 'warn' | 'fail';

/** The probes a check can take part in. */
export type Probe = 'live' | 'ready' | 'startup';

/** What a check function may return for a richer result than "it did not throw". */
export interface CheckOutcome {
  /**
   * `pass`, `warn` or `fail`. Other common spellings are understood too (case-insensitive):
   * `up`/`ok`/`healthy` pass, `degraded`/`unknown` warn, `down`/`error`/`unhealthy`/
   * `out_of_service` fail. Any other text fails with a reason naming it.
   * @default 'pass'
   */
  status?: HealthStatus | (string & {});
  /** A measurement, e.g. the number of connections. @default the check's duration in ms */
  observedValue?: number | string | boolean;
  /** Unit of `observedValue`, e.g. `ms`, `percent`. @default 'ms' when observedValue is the duration */
  observedUnit?: string;
  /** Free text: the reason for a warn/fail, or a note. */
  output?: string;
}

/**
 * A check function. It passes when it resolves with nothing, `true`, a {@link CheckOutcome}
 * without a failing `status`, or an `ok` fetch `Response`; it fails when it throws, rejects,
 * resolves `false`, resolves a `Response` that is not `ok` (the reason names the HTTP status),
 * or runs longer than its `timeoutMs`. The `signal` aborts at the timeout so the check can
 * cancel its work.
 *
 * @example
 * ```ts
 * const check: CheckFunction = (signal) => fetch('http://payments/health', { signal });
 * ```
 */
export type CheckFunction = (signal: AbortSignal) => unknown;

/** One named health check. */
export interface CheckDefinition {
  /** The function that probes the dependency. */
  check: CheckFunction;
  /**
   * Maximum run time in milliseconds; a slower check fails with "timed out after N ms". The
   * default stays below Kubernetes' default probe timeout (1 s), so a slow dependency gives a
   * 503 with a reason rather than a probe timeout. The timer keeps the process alive (a
   * one-shot script awaiting a probe finishes).
   * @default 800
   */
  timeoutMs?: number;
  /**
   * Whether a failure makes the service not ready (`fail`, HTTP 503). A failing non-critical
   * check only turns the status into `warn` (HTTP 200).
   * @default true
   */
  critical?: boolean;
  /**
   * How long (ms) a result is reused, so frequent probes cannot hammer a database. Concurrent
   * callers always share one in-flight run. `0` runs the check on every probe.
   * @default 1000
   */
  cacheMs?: number;
  /** IETF `componentType`, e.g. `datastore`, `component`, `system`. @default 'component' */
  componentType?: string;
  /** IETF `componentId`: which instance of the component, e.g. a database host. @default omitted */
  componentId?: string;
  /** IETF `links` of this check, e.g. `{ about: 'https://runbooks/db' }`. @default omitted */
  links?: Record<string, string>;
  /**
   * Probes that run this check. Liveness should rarely depend on other systems (a database
   * outage must not restart every pod), so by default checks run for readiness and startup.
   * @default ['ready', 'startup']
   */
  probes?: readonly Probe[];
}

/**
 * Who may see check details (per-check `output`, the reasons in the top-level `output`) in
 * answers of {@link Health.handleHealthRequest}: `false` hides them from everyone, `true`
 * shows them to everyone, a function decides per request (e.g. an admin token).
 */
export type ShowDetails = boolean | ((request: Request) => boolean | Promise<boolean>);

/** Options of {@link createHealth}. */
export interface HealthOptions {
  /** Named checks. */
  checks?: Record<string, CheckDefinition>;
  /** Service version, reported as `version` in every document. */
  version?: string;
  /** Release identifier, reported as `releaseId`. */
  releaseId?: string;
  /** Service identifier, reported as `serviceId`. */
  serviceId?: string;
  /** Human-readable description, reported as `description`. */
  description?: string;
  /** IETF `links` of the service, e.g. `{ about: 'https://docs/orders-api' }`. @default omitted */
  links?: Record<string, string>;
  /**
   * Become ready automatically the first time every critical readiness check passes, instead of
   * waiting for {@link Health.markReady}.
   * @default false
   */
  readyOnFirstPass?: boolean;
  /**
   * Whether HTTP answers ({@link Health.handleHealthRequest}) include check details. Probes are
   * usually public, and exception messages leak (`password=hunter2` in a connection error), so
   * details are hidden by default: a failing check shows only its name and status. Pass a
   * function to show them to authorized callers.
   * @default false
   * @example
   * ```ts
   * createHealth({ showDetails: (req) => req.headers.get('authorization') === `Bearer ${process.env.ADMIN_TOKEN}` });
   * ```
   */
  showDetails?: ShowDetails;
  /**
   * Path prefix {@link Health.handleHealthRequest} answers on: exactly `<path>`, `<path>/live`,
   * `<path>/ready`, `<path>/startup`, plus the Kubernetes-style `/livez`, `/readyz`, `/healthz`.
   * @default '/health'
   */
  path?: string;
  /** Time source and timers (check timeouts keep the process alive). @default systemClock */
  clock?: Clock;
}

/** One entry of the `checks` member of a health document. */
export interface HealthCheckEntry {
  componentId?: string;
  componentType: string;
  status: HealthStatus;
  observedValue?: number | string | boolean;
  observedUnit?: string;
  /** ISO 8601 time the check ran. */
  time: string;
  output?: string;
  links?: Record<string, string>;
  /** Extension: whether a failure makes the service not ready. */
  critical: boolean;
  /** Extension: how long the check took (ms). */
  durationMs: number;
  /** Extension: whether this result came from the cache. */
  cached?: boolean;
}

/** An `application/health+json` document. */
export interface HealthDocument {
  status: HealthStatus;
  version?: string;
  releaseId?: string;
  serviceId?: string;
  description?: string;
  /** Why the status is not `pass` (e.g. "shutting down", "database: timed out after 800 ms"). */
  output?: string;
  /** Keyed `<name>` → one result each (the draft allows several per key). */
  checks?: Record<string, HealthCheckEntry[]>;
  links?: Record<string, string>;
}

/** A flat check result, mapping 1:1 onto the MonitoringSnapshot's health checks. */
export interface HealthReportCheck {
  name: string;
  status: HealthStatus;
  componentType: string;
  observedValue?: number | string | boolean;
  observedUnit?: string;
  output?: string;
  /** Epoch ms. */
  time: number;
  durationMs: number;
  critical: boolean;
}

/** Result of {@link Health.report}. */
export interface HealthReport {
  status: HealthStatus;
  checks: HealthReportCheck[];
}

/** Options of {@link Health.live}, {@link Health.ready} and {@link Health.startup}. */
export interface ProbeOptions {
  /**
   * Include check details (per-check `output`, reasons in the top-level `output`).
   * @default true (direct calls are trusted; HTTP answers follow `showDetails`)
   */
  details?: boolean;
}

/** A health instance; see {@link createHealth}. */
export interface Health extends Kinded<'health'> {
  /** Liveness: `pass` unless a `live` check fails. Stays `pass` during shutdown (draining is not dead). */
  live(options?: ProbeOptions): Promise<HealthDocument>;
  /** Readiness: `fail` before {@link Health.markReady}, during shutdown, or when a critical check fails. */
  ready(options?: ProbeOptions): Promise<HealthDocument>;
  /** Startup: `fail` until the service has been ready once; then runs `startup` checks. */
  startup(options?: ProbeOptions): Promise<HealthDocument>;
  /** Runs the readiness checks and returns flat results with details (for `@armor/metrics`' `createMonitor`). */
  report(): Promise<HealthReport>;
  /** Marks the service ready (startup done). */
  markReady(): void;
  /** Marks the service not ready, with an optional reason shown in the 503 body. */
  markNotReady(reason?: string): void;
  /** Flips readiness to `fail` for good ("shutting down"); used by graceful shutdown. */
  markShuttingDown(): void;
  /** Whether the service is currently marked ready (not shutting down). */
  readonly isReady: boolean;
  /** Whether shutdown has begun. */
  readonly isShuttingDown: boolean;
  /**
   * Fetch handler answering `GET|HEAD <path>/live`, `<path>/ready`, `<path>/startup`, `<path>`
   * (readiness) and `/livez`, `/readyz`, `/healthz` with `application/health+json`; 200 for
   * pass/warn, 503 for fail, 404 for any other path (matched exactly), 405 for other methods.
   * Details follow `showDetails`.
   */
  handleHealthRequest(request: Request): Promise<Response>;
  /** Drops cached results so the next probe runs every check. */
  clearCache(): void;
}

interface CheckDef {
  check: CheckFunction;
  timeoutMs: number;
  cacheMs: number;
  critical: boolean;
  componentType: string;
  componentId: string | undefined;
  links: Record<string, string> | undefined;
  probes: ReadonlySet<Probe>;
}

interface CheckState {
  name: string;
  def: CheckDef;
  cached?: { at: number; entry: HealthCheckEntry };
  inFlight?: Promise<HealthCheckEntry>;
}

/** `application/health+json` media type. */
export const HEALTH_CONTENT_TYPE = 'application/health+json';

/** Default per-check timeout (ms): below Kubernetes' default 1 s probe timeout. */
export const DEFAULT_CHECK_TIMEOUT_MS = 800;

/** HTTP status for a health document: 503 for `fail`, 200 otherwise. */
export function httpStatusFor(doc: Pick<HealthDocument, 'status'>): 200 | 503 {
  return doc.status === 'fail' ? 503 : 200;
}

/** Builds the HTTP response for a health document (no-store, health+json). */
export function healthResponse(doc: HealthDocument, options: { head?: boolean } = {}): Response {
  return new Response(options.head ? null : JSON.stringify(doc), {
    status: httpStatusFor(doc),
    headers: { 'content-type': HEALTH_CONTENT_TYPE, 'cache-control': 'no-store' },
  });
}

const PROBES: ReadonlySet<string> = new Set(['live', 'ready', 'startup']);
const CHECK_KEYS = ['check', 'timeoutMs', 'critical', 'cacheMs', 'componentType', 'componentId', 'links', 'probes'] as const;
const HEALTH_KEYS = [
  'checks', 'version', 'releaseId', 'serviceId', 'description', 'links', 'readyOnFirstPass', 'showDetails', 'path', 'clock',
] as const;

function checkLinks(name: string, value: unknown): void {
  checkObject(name, value);
  if (value === undefined) return;
  for (const [k, v] of Object.entries(value as object))
    if (typeof v !== 'string') throw new ConfigurationError(`${name}.${k}`, 'must be a string (a URL)', { received: v });
}

function validate(name: string, def: CheckDefinition): CheckDef {
  const at = `checks.${name}`;
  if (typeof def !== 'object' || def === null) throw new ConfigurationError(at, 'must be an object', { received: def });
  checkOptions(`health check "${name}"`, def, CHECK_KEYS);
  if (typeof def.check !== 'function') throw new ConfigurationError(`${at}.check`, 'must be a function', { received: def.check });
  checkMs(`${at}.timeoutMs`, def.timeoutMs, { min: 1 });
  checkMs(`${at}.cacheMs`, def.cacheMs);
  const probes = def.probes ?? ['ready', 'startup'];
  if (!Array.isArray(probes) || (probes as unknown[]).some((p) => typeof p !== 'string' || !PROBES.has(p)))
    throw new ConfigurationError(`${at}.probes`, 'must be an array of "live", "ready", "startup"', { received: def.probes });
  checkBoolean(`${at}.critical`, def.critical);
  checkString(`${at}.componentType`, def.componentType);
  checkString(`${at}.componentId`, def.componentId);
  checkLinks(`${at}.links`, def.links);
  return {
    check: def.check,
    timeoutMs: def.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
    cacheMs: def.cacheMs ?? 1000,
    critical: def.critical ?? true,
    componentType: def.componentType ?? 'component',
    componentId: def.componentId,
    links: def.links === undefined ? undefined : { ...def.links },
    probes: new Set(probes),
  };
}

const MAX_OUTPUT = 1000;
const clip = (text: string) => (text.length > MAX_OUTPUT ? `${text.slice(0, MAX_OUTPUT)}…` : text);

/** A readable reason for a thrown value; never throws (hostile getters read as a fallback). */
function errorText(error: unknown): string {
  try {
    if (error instanceof Error) {
      const message: unknown = error.message;
      if (typeof message === 'string' && message !== '') return clip(message);
      const name: unknown = error.name;
      return typeof name === 'string' && name !== '' ? name : 'check failed';
    }
    if (typeof error === 'string') return clip(error);
  } catch {
    // a throwing getter on the error itself
  }
  return 'check failed';
}

/** Status words people use (Spring Boot, Kubernetes, Consul, ...) mapped to health+json. */
const STATUS_WORDS: Record<string, HealthStatus> = {
  pass: 'pass', up: 'pass', ok: 'pass', healthy: 'pass', green: 'pass', passing: 'pass',
  warn: 'warn', warning: 'warn', degraded: 'warn', unknown: 'warn', yellow: 'warn',
  fail: 'fail', down: 'fail', error: 'fail', unhealthy: 'fail', out_of_service: 'fail', critical: 'fail', red: 'fail', failing: 'fail',
};

interface Verdict {
  status: HealthStatus;
  output?: string;
  observedValue?: number | string | boolean;
  observedUnit?: string;
}

/**
 * Judges what a check resolved with. Reads the value defensively: a throwing getter fails the
 * check with a reason instead of escaping.
 */
function judge(value: unknown): Verdict {
  if (value === false) return { status: 'fail', output: 'check returned false' };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { status: 'pass' };
  try {
    const v = value as Record<string, unknown>;
    const status = v.status;
    if (typeof status === 'number') {
      // A fetch Response (or any HTTP-ish result): `ok` when given, else 2xx/3xx.
      const ok = typeof v.ok === 'boolean' ? v.ok : status >= 200 && status < 400;
      try {
        // Release the connection: nobody reads this body.
        const body = v.body as { cancel?: () => Promise<void> } | null | undefined;
        if (typeof v.bodyUsed === 'boolean' && !v.bodyUsed) void body?.cancel?.().catch(() => undefined);
      } catch {
        // not a real Response
      }
      if (ok) return { status: 'pass' };
      const statusText = typeof v.statusText === 'string' && v.statusText !== '' ? ` ${v.statusText}` : '';
      return { status: 'fail', output: clip(`HTTP ${status}${statusText}`) };
    }
    const verdict: Verdict = { status: 'pass' };
    if (status !== undefined && status !== null) {
      const mapped = typeof status === 'string' ? STATUS_WORDS[status.trim().toLowerCase()] : undefined;
      if (mapped === undefined) {
        verdict.status = 'fail';
        verdict.output = clip(`unknown status ${typeof status === 'string' ? JSON.stringify(status) : typeof status}`);
      } else verdict.status = mapped;
    }
    const output = v.output;
    if (typeof output === 'string' && output !== '' && verdict.output === undefined) verdict.output = clip(output);
    if (verdict.status !== 'pass' && verdict.output === undefined && typeof status === 'string') verdict.output = `status ${clip(status)}`;
    const observedValue = v.observedValue;
    if (typeof observedValue === 'number' || typeof observedValue === 'boolean') verdict.observedValue = observedValue;
    else if (typeof observedValue === 'string') verdict.observedValue = clip(observedValue);
    const observedUnit = v.observedUnit;
    if (typeof observedUnit === 'string') verdict.observedUnit = clip(observedUnit);
    return verdict;
  } catch (error) {
    return { status: 'fail', output: `check result could not be read: ${errorText(error)}` };
  }
}

function normalizePath(path: string): string {
  const trimmed = path.replace(/(?<!\/)\/+$/, '');
  return trimmed.startsWith('/') || trimmed === '' ? trimmed : `/${trimmed}`;
}

/**
 * Creates a health instance with liveness, readiness and startup probes answering
 * `application/health+json` documents (IETF draft "Health Check Response Format for HTTP APIs").
 * Checks run concurrently, each with its own timeout, and results are cached for `cacheMs`.
 * Runtime-neutral (Node, Convex, edge).
 *
 * @throws ConfigurationError naming the option for a bad or unknown option
 * @example
 * ```ts
 * const health = createHealth({
 *   version: '1.4.0',
 *   checks: {
 *     database: { check: () => pool.query('select 1'), timeoutMs: 500, cacheMs: 2000, componentType: 'datastore' },
 *     payments: { check: (signal) => fetch('http://payments/health', { signal }), critical: false },
 *   },
 * });
 * await connectEverything();
 * health.markReady();
 * export default { fetch: (req: Request) => health.handleHealthRequest(req) };
 * ```
 */
export function createHealth(options: HealthOptions = {}): Health {
  checkOptions('createHealth', options, HEALTH_KEYS);
  checkClock(options.clock);
  const scheduler = toScheduler(options.clock);
  const checks = options.checks ?? {};
  if (typeof checks !== 'object' || checks === null) throw new ConfigurationError('checks', 'must be an object', { received: checks });
  for (const key of ['version', 'releaseId', 'serviceId', 'description'] as const) checkString(key, options[key], { allowEmpty: true });
  checkLinks('links', options.links);
  checkBoolean('readyOnFirstPass', options.readyOnFirstPass);
  if (typeof options.showDetails !== 'boolean') checkFunction('showDetails', options.showDetails);
  checkString('path', options.path, { allowEmpty: true });
  const states: CheckState[] = Object.entries(checks).map(([name, def]) => ({ name, def: validate(name, def) }));
  const showDetails = options.showDetails ?? false;
  const prefix = normalizePath(options.path ?? '/health');
  const routes = new Map<string, Probe>([
    [`${prefix}/live`, 'live'],
    [`${prefix}/ready`, 'ready'],
    [`${prefix}/startup`, 'startup'],
    [prefix === '' ? '/' : prefix, 'ready'],
    ['/livez', 'live'],
    ['/readyz', 'ready'],
    ['/healthz', 'ready'],
  ]);
  const now = () => {
    try {
      const t = scheduler.now();
      return Number.isFinite(t) ? t : Date.now();
    } catch {
      return Date.now();
    }
  };

  let ready = false;
  let startedOnce = false;
  let notReadyReason: string | undefined;
  let shuttingDown = false;

  const base = (): Omit<HealthDocument, 'status'> => {
    const doc: Omit<HealthDocument, 'status'> = {};
    if (options.version !== undefined) doc.version = options.version;
    if (options.releaseId !== undefined) doc.releaseId = options.releaseId;
    if (options.serviceId !== undefined) doc.serviceId = options.serviceId;
    if (options.description !== undefined) doc.description = options.description;
    return doc;
  };

  function entryFor(def: CheckDef, verdict: Verdict, start: number): HealthCheckEntry {
    const end = now();
    const durationMs = Math.max(0, end - start);
    const entry: HealthCheckEntry = { componentType: def.componentType, status: verdict.status, observedValue: verdict.observedValue ?? durationMs, time: '', critical: def.critical, durationMs };
    if (def.componentId !== undefined) entry.componentId = def.componentId;
    try {
      entry.time = new Date(end).toISOString();
    } catch {
      entry.time = new Date().toISOString();
    }
    const unit = verdict.observedValue === undefined ? 'ms' : verdict.observedUnit;
    if (unit !== undefined) entry.observedUnit = unit;
    if (verdict.output !== undefined && verdict.output !== '') entry.output = verdict.output;
    if (def.links !== undefined) entry.links = def.links;
    return entry;
  }

  /** Runs one check; never rejects. */
  async function execute(state: CheckState): Promise<HealthCheckEntry> {
    const { def } = state;
    const controller = new AbortController();
    const start = now();
    let timer: unknown;
    // A keep-alive timer (the timer rule): `await health.ready()` in a script must finish.
    const timeout = new Promise<never>((_, reject) => {
      timer = scheduler.setTimeout(() => {
        controller.abort(new Error(`timed out after ${def.timeoutMs} ms`));
        reject(new Error(`timed out after ${def.timeoutMs} ms`));
      }, def.timeoutMs);
    });
    let verdict: Verdict;
    try {
      const value = await Promise.race([Promise.resolve().then(() => def.check(controller.signal)), timeout]);
      verdict = judge(value);
    } catch (error) {
      verdict = { status: 'fail', output: errorText(error) };
    } finally {
      scheduler.clearTimeout(timer);
    }
    return entryFor(def, verdict, start);
  }

  function run(state: CheckState): Promise<HealthCheckEntry> {
    const at = now();
    if (state.cached && at - state.cached.at < state.def.cacheMs) {
      return Promise.resolve({ ...state.cached.entry, cached: true });
    }
    if (state.inFlight) return state.inFlight;
    // The in-flight marker is cleared however the run ends, so one bad run cannot wedge the check.
    const promise: Promise<HealthCheckEntry> = execute(state)
      .catch((error: unknown) => entryFor(state.def, { status: 'fail', output: errorText(error) }, at))
      .then((entry) => {
        state.cached = { at: now(), entry };
        return entry;
      })
      .finally(() => {
        if (state.inFlight === promise) delete state.inFlight;
      });
    state.inFlight = promise;
    return promise;
  }

  interface Evaluation {
    status: HealthStatus;
    reasons: Array<[string, HealthCheckEntry]>;
    checks: Array<[string, HealthCheckEntry]>;
  }

  async function evaluate(probe: Probe): Promise<Evaluation> {
    const selected = states.filter((s) => s.def.probes.has(probe));
    const results = await Promise.all(selected.map(async (s) => [s.name, await run(s)] as [string, HealthCheckEntry]));
    let status: HealthStatus = 'pass';
    const reasons: Array<[string, HealthCheckEntry]> = [];
    for (const [name, entry] of results) {
      if (entry.status === 'pass') continue;
      const effective: HealthStatus = entry.status === 'fail' && entry.critical ? 'fail' : 'warn';
      if (effective === 'fail') status = 'fail';
      else if (status === 'pass') status = 'warn';
      reasons.push([name, entry]);
    }
    return { status, reasons, checks: results };
  }

  /**
   * Builds a document. Without `details`, check outputs (exception messages) are left out: a
   * failing check shows only its name and status. App-authored reasons (`markNotReady`,
   * "shutting down") are always shown.
   */
  function document(status: HealthStatus, appReason: string | undefined, r: Evaluation, details: boolean): HealthDocument {
    const doc: HealthDocument = { status, ...base() };
    const output =
      appReason ??
      (r.reasons.length
        ? r.reasons.map(([name, e]) => `${name}: ${details ? (e.output ?? e.status) : e.status}`).join('; ')
        : undefined);
    if (output !== undefined) doc.output = output;
    if (r.checks.length)
      doc.checks = Object.fromEntries(
        r.checks.map(([n, e]) => {
          if (details || e.output === undefined) return [n, [e]];
          const { output: _hidden, ...rest } = e;
          return [n, [rest]];
        }),
      );
    if (options.links !== undefined) doc.links = { ...options.links };
    return doc;
  }

  const detailsOf = (o: ProbeOptions | undefined) => o?.details ?? true;

  const health: Health = {
    kind: 'health',
    async live(o) {
      const r = await evaluate('live');
      return document(r.status, undefined, r, detailsOf(o));
    },
    async ready(o) {
      const r = await evaluate('ready');
      if (!ready && !shuttingDown && options.readyOnFirstPass && r.status !== 'fail') health.markReady();
      if (shuttingDown) return document('fail', 'shutting down', r, detailsOf(o));
      if (!ready) return document('fail', notReadyReason ?? 'not ready yet (starting)', r, detailsOf(o));
      return document(r.status, undefined, r, detailsOf(o));
    },
    async startup(o) {
      const r = await evaluate('startup');
      if (!startedOnce && options.readyOnFirstPass && !shuttingDown && r.status !== 'fail') health.markReady();
      if (!startedOnce) return document('fail', notReadyReason ?? 'starting', r, detailsOf(o));
      return document(r.status, undefined, r, detailsOf(o));
    },
    async report() {
      const r = await evaluate('ready');
      let status = r.status;
      if (shuttingDown || !ready) status = 'fail';
      return {
        status,
        checks: r.checks.map(([name, e]) => {
          const c: HealthReportCheck = {
            name,
            status: e.status,
            componentType: e.componentType,
            time: Date.parse(e.time),
            durationMs: e.durationMs,
            critical: e.critical,
          };
          if (e.observedValue !== undefined) c.observedValue = e.observedValue;
          if (e.observedUnit !== undefined) c.observedUnit = e.observedUnit;
          if (e.output !== undefined) c.output = e.output;
          return c;
        }),
      };
    },
    markReady() {
      if (shuttingDown) return;
      ready = true;
      startedOnce = true;
      notReadyReason = undefined;
    },
    markNotReady(reason?: string) {
      ready = false;
      notReadyReason = reason;
    },
    markShuttingDown() {
      shuttingDown = true;
      ready = false;
    },
    get isReady() {
      return ready && !shuttingDown;
    },
    get isShuttingDown() {
      return shuttingDown;
    },
    async handleHealthRequest(request: Request) {
      const method = request.method.toUpperCase();
      const raw = new URL(request.url).pathname;
      const path = raw.length > 1 ? raw.replace(/(?<!\/)\/+$/, '') : raw;
      const probe = routes.get(path);
      const headers = { 'content-type': HEALTH_CONTENT_TYPE, 'cache-control': 'no-store' };
      if (probe === undefined) return new Response(JSON.stringify({ status: 'fail', output: 'unknown health endpoint' }), { status: 404, headers });
      if (method !== 'GET' && method !== 'HEAD')
        return new Response(JSON.stringify({ status: 'fail', output: 'method not allowed' }), { status: 405, headers: { ...headers, allow: 'GET, HEAD' } });
      let details = false;
      try {
        details = typeof showDetails === 'function' ? (await showDetails(request)) === true : showDetails;
      } catch {
        details = false; // a failing authorization hook shows nothing extra
      }
      const doc = probe === 'live' ? await health.live({ details }) : probe === 'ready' ? await health.ready({ details }) : await health.startup({ details });
      return healthResponse(doc, { head: method === 'HEAD' });
    },
    clearCache() {
      for (const s of states) delete s.cached;
    },
  };
  return health;
}
