import { ConfigurationError } from '@armor/errors';

/** Status of a check or a whole service, as in the IETF "Health Check Response Format for HTTP APIs" draft. */
export type HealthStatus = 'pass' | 'warn' | 'fail';

/** The probes a check can take part in. */
export type Probe = 'live' | 'ready' | 'startup';

/** What a check function may return for a richer result than "it did not throw". */
export interface CheckOutcome {
  /** @default 'pass' */
  status?: HealthStatus;
  /** A measurement, e.g. the number of connections. @default the check's duration in ms */
  observedValue?: number | string | boolean;
  /** Unit of `observedValue`, e.g. `ms`, `percent`. @default 'ms' when observedValue is the duration */
  observedUnit?: string;
  /** Free text: the reason for a warn/fail, or a note. */
  output?: string;
}

/**
 * A check function. It passes when it resolves (with nothing, `true`, or a {@link CheckOutcome}
 * without a failing `status`) and fails when it throws, rejects, resolves `false`, or runs longer
 * than its `timeoutMs`. The `signal` aborts at the timeout so the check can cancel its work.
 */
export type CheckFunction = (signal: AbortSignal) => unknown;

/** One named health check. */
export interface CheckDefinition {
  /** The function that probes the dependency. */
  check: CheckFunction;
  /**
   * Maximum run time in milliseconds; a slower check fails with "timed out after N ms".
   * @default 2000
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
  /**
   * Probes that run this check. Liveness should rarely depend on other systems (a database
   * outage must not restart every pod), so by default checks run for readiness and startup.
   * @default ['ready', 'startup']
   */
  probes?: readonly Probe[];
}

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
  /**
   * Become ready automatically the first time every critical readiness check passes, instead of
   * waiting for {@link Health.markReady}.
   * @default false
   */
  readyOnFirstPass?: boolean;
  /** Time source (epoch ms). @default Date */
  clock?: { now(): number };
}

/** One entry of the `checks` member of a health document. */
export interface HealthCheckEntry {
  componentType: string;
  status: HealthStatus;
  observedValue?: number | string | boolean;
  observedUnit?: string;
  /** ISO 8601 time the check ran. */
  time: string;
  output?: string;
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
  /** Why the status is not `pass` (e.g. "shutting down", "database: timed out after 2000 ms"). */
  output?: string;
  /** Keyed `<name>` → one result each (the draft allows several per key). */
  checks?: Record<string, HealthCheckEntry[]>;
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

/** A health instance; see {@link createHealth}. */
export interface Health {
  /** Liveness: `pass` unless a `live` check fails. Stays `pass` during shutdown (draining is not dead). */
  live(): Promise<HealthDocument>;
  /** Readiness: `fail` before {@link Health.markReady}, during shutdown, or when a critical check fails. */
  ready(): Promise<HealthDocument>;
  /** Startup: `fail` until the service has been ready once; then runs `startup` checks. */
  startup(): Promise<HealthDocument>;
  /** Runs the readiness checks and returns flat results (for `@armor/metrics`' `createMonitor`). */
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
   * Fetch handler answering `GET|HEAD …/live`, `…/ready`, `…/startup` (and `…/health` as
   * readiness) with `application/health+json`; 200 for pass/warn, 503 for fail, 404 otherwise.
   */
  handleHealthRequest(request: Request): Promise<Response>;
  /** Drops cached results so the next probe runs every check. */
  clearCache(): void;
}

interface CheckState {
  name: string;
  def: Required<Omit<CheckDefinition, 'probes'>> & { probes: ReadonlySet<Probe> };
  cached?: { at: number; entry: HealthCheckEntry };
  inFlight?: Promise<HealthCheckEntry>;
}

/** `application/health+json` media type. */
export const HEALTH_CONTENT_TYPE = 'application/health+json';

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

function validate(name: string, def: CheckDefinition): CheckState['def'] {
  const at = `checks.${name}`;
  if (typeof def !== 'object' || def === null) throw new ConfigurationError(at, 'must be an object', { received: def });
  if (typeof def.check !== 'function') throw new ConfigurationError(`${at}.check`, 'must be a function', { received: def.check });
  const timeoutMs = def.timeoutMs ?? 2000;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new ConfigurationError(`${at}.timeoutMs`, 'must be a finite number > 0', { received: def.timeoutMs });
  const cacheMs = def.cacheMs ?? 1000;
  if (typeof cacheMs !== 'number' || !Number.isFinite(cacheMs) || cacheMs < 0)
    throw new ConfigurationError(`${at}.cacheMs`, 'must be a finite number >= 0', { received: def.cacheMs });
  const probes = def.probes ?? ['ready', 'startup'];
  if (!Array.isArray(probes) || (probes as unknown[]).some((p) => typeof p !== 'string' || !PROBES.has(p)))
    throw new ConfigurationError(`${at}.probes`, 'must be an array of "live", "ready", "startup"', { received: def.probes });
  if (def.critical !== undefined && typeof def.critical !== 'boolean')
    throw new ConfigurationError(`${at}.critical`, 'must be a boolean', { received: def.critical });
  return {
    check: def.check,
    timeoutMs,
    cacheMs,
    critical: def.critical ?? true,
    componentType: def.componentType ?? 'component',
    probes: new Set(probes),
  };
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  return 'check failed';
}

const STATUSES: ReadonlySet<unknown> = new Set(['pass', 'warn', 'fail']);

/**
 * Creates a health instance with liveness, readiness and startup probes answering
 * `application/health+json` documents (IETF draft "Health Check Response Format for HTTP APIs").
 * Checks run concurrently, each with its own timeout, and results are cached for `cacheMs`.
 * Runtime-neutral (Node, Convex, edge).
 *
 * @example
 * ```ts
 * const health = createHealth({
 *   version: '1.4.0',
 *   checks: {
 *     database: { check: () => pool.query('select 1'), timeoutMs: 1000, cacheMs: 2000, componentType: 'datastore' },
 *     mailer: { check: () => mailer.verify(), critical: false },
 *   },
 * });
 * await connectEverything();
 * health.markReady();
 * export default { fetch: (req: Request) => health.handleHealthRequest(req) };
 * ```
 */
export function createHealth(options: HealthOptions = {}): Health {
  if (typeof options !== 'object' || options === null) throw new ConfigurationError('options', 'must be an object', { received: options });
  const clock = options.clock ?? Date;
  if (typeof clock.now !== 'function') throw new ConfigurationError('clock', 'must have a now() method', { received: clock });
  const checks = options.checks ?? {};
  if (typeof checks !== 'object' || checks === null) throw new ConfigurationError('checks', 'must be an object', { received: checks });
  const states: CheckState[] = Object.entries(checks).map(([name, def]) => ({ name, def: validate(name, def) }));

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

  async function execute(state: CheckState): Promise<HealthCheckEntry> {
    const { def } = state;
    const controller = new AbortController();
    const start = clock.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`timed out after ${def.timeoutMs} ms`));
      }, def.timeoutMs);
      (timer as { unref?: () => void }).unref?.();
    });
    let status: HealthStatus = 'pass';
    let outcome: CheckOutcome = {};
    try {
      const value = await Promise.race([Promise.resolve().then(() => def.check(controller.signal)), timeout]);
      if (value === false) {
        status = 'fail';
        outcome.output = 'check returned false';
      } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        outcome = value as CheckOutcome;
        if (outcome.status !== undefined) status = STATUSES.has(outcome.status) ? outcome.status : 'fail';
      }
    } catch (error) {
      status = 'fail';
      outcome = { output: errorText(error) };
    } finally {
      clearTimeout(timer);
    }
    const end = clock.now();
    const durationMs = Math.max(0, end - start);
    const entry: HealthCheckEntry = {
      componentType: def.componentType,
      status,
      observedValue: outcome.observedValue ?? durationMs,
      time: new Date(end).toISOString(),
      critical: def.critical,
      durationMs,
    };
    const unit = outcome.observedValue === undefined ? 'ms' : outcome.observedUnit;
    if (unit !== undefined) entry.observedUnit = unit;
    if (typeof outcome.output === 'string' && outcome.output !== '') entry.output = outcome.output;
    return entry;
  }

  function run(state: CheckState): Promise<HealthCheckEntry> {
    const now = clock.now();
    if (state.cached && now - state.cached.at < state.def.cacheMs) {
      return Promise.resolve({ ...state.cached.entry, cached: true });
    }
    if (state.inFlight) return state.inFlight;
    const promise = execute(state).then((entry) => {
      state.cached = { at: clock.now(), entry };
      delete state.inFlight;
      return entry;
    });
    state.inFlight = promise;
    return promise;
  }

  async function evaluate(probe: Probe): Promise<{ status: HealthStatus; output?: string; checks: Array<[string, HealthCheckEntry]> }> {
    const selected = states.filter((s) => s.def.probes.has(probe));
    const results = await Promise.all(selected.map(async (s) => [s.name, await run(s)] as [string, HealthCheckEntry]));
    let status: HealthStatus = 'pass';
    const reasons: string[] = [];
    for (const [name, entry] of results) {
      if (entry.status === 'pass') continue;
      const effective: HealthStatus = entry.status === 'fail' && entry.critical ? 'fail' : 'warn';
      if (effective === 'fail') status = 'fail';
      else if (status === 'pass') status = 'warn';
      reasons.push(`${name}: ${entry.output ?? entry.status}`);
    }
    const out: { status: HealthStatus; output?: string; checks: Array<[string, HealthCheckEntry]> } = { status, checks: results };
    if (reasons.length) out.output = reasons.join('; ');
    return out;
  }

  function document(status: HealthStatus, output: string | undefined, checks: Array<[string, HealthCheckEntry]>): HealthDocument {
    const doc: HealthDocument = { status, ...base() };
    if (output !== undefined) doc.output = output;
    if (checks.length) doc.checks = Object.fromEntries(checks.map(([n, e]) => [n, [e]]));
    return doc;
  }

  const health: Health = {
    async live() {
      const r = await evaluate('live');
      return document(r.status, r.output, r.checks);
    },
    async ready() {
      const r = await evaluate('ready');
      if (!ready && !shuttingDown && options.readyOnFirstPass && r.status !== 'fail') health.markReady();
      if (shuttingDown) return document('fail', 'shutting down', r.checks);
      if (!ready) return document('fail', notReadyReason ?? 'not ready yet (starting)', r.checks);
      return document(r.status, r.output, r.checks);
    },
    async startup() {
      const r = await evaluate('startup');
      if (!startedOnce && options.readyOnFirstPass && !shuttingDown && r.status !== 'fail') health.markReady();
      if (!startedOnce) return document('fail', notReadyReason ?? 'starting', r.checks);
      return document(r.status, r.output, r.checks);
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
      const path = new URL(request.url).pathname.replace(/\/+$/, '');
      const last = path.slice(path.lastIndexOf('/') + 1);
      const probe: Probe | undefined =
        last === 'live' || last === 'livez' ? 'live'
        : last === 'ready' || last === 'readyz' || last === 'health' || last === 'healthz' ? 'ready'
        : last === 'startup' ? 'startup'
        : undefined;
      const headers = { 'content-type': HEALTH_CONTENT_TYPE, 'cache-control': 'no-store' };
      if (probe === undefined) return new Response(JSON.stringify({ status: 'fail', output: 'unknown health endpoint' }), { status: 404, headers });
      if (method !== 'GET' && method !== 'HEAD')
        return new Response(JSON.stringify({ status: 'fail', output: 'method not allowed' }), { status: 405, headers: { ...headers, allow: 'GET, HEAD' } });
      const doc = probe === 'live' ? await health.live() : probe === 'ready' ? await health.ready() : await health.startup();
      return healthResponse(doc, { head: method === 'HEAD' });
    },
    clearCache() {
      for (const s of states) delete s.cached;
    },
  };
  return health;
}
