/**
 * `scheduleVerification`: re-verifies streams in the background and exports the outcome as
 * metrics (`armor_audit_*`), so an alert fires when a log stops verifying or stops being
 * checkpointed. Works with any registry shaped like `@armor/metrics`' (no dependency on it).
 *
 * @module
 */
import { backgroundInterval, checkFunction, checkMs, checkOptions, systemClock, type Clock } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import type { AuditLog } from './log.js';
import type { VerifyReport } from './verify.js';

/** A gauge with one `stream` label, structurally (`@armor/metrics`' `Gauge<'stream'>` fits). */
interface StreamGauge {
  set(labels: { stream: string }, value: number): void;
}
/** A counter with one `stream` label, structurally. */
interface StreamCounter {
  inc(labels: { stream: string }, value?: number): void;
}
/** What the verifier needs of a metrics registry (`createRegistry()` of `@armor/metrics` fits). */
export interface AuditMetricsRegistry {
  gauge(options: { name: string; help: string; labelNames: readonly ['stream'] }): StreamGauge;
  counter(options: { name: string; help: string; labelNames: readonly ['stream'] }): StreamCounter;
}

/** Options of {@link scheduleVerification}. */
export interface AuditVerifierOptions {
  /** The log to verify. */
  log: AuditLog;
  /** Streams to verify: a list, or a function that lists them (e.g. `() => store.streams()`). */
  streams: readonly string[] | (() => Promise<readonly string[]>);
  /** Extra trusted public keys (hex) besides the log's signer. @default [] */
  publicKeys?: readonly string[];
  /** Time between runs, in milliseconds (each run verifies every stream in full). @default 3_600_000 (1 hour) */
  intervalMs?: number;
  /**
   * Registers `armor_audit_last_verified_seq{stream}`, `armor_audit_findings{stream}` (of the latest
   * run), `armor_audit_verification_failures_total{stream}` (runs with findings or errors),
   * `armor_audit_unanchored_entries{stream}`, `armor_audit_checkpoint_age_seconds{stream}` and
   * `armor_audit_last_verification_timestamp_seconds{stream}`.
   */
  registry?: AuditMetricsRegistry;
  /** Called with every report (and with the error of a run that could not read a stream). */
  onReport?: (report: VerifyReport | { stream: string; error: unknown }) => void;
  /** @default systemClock */
  clock?: Clock;
}

/** A running verifier. */
export interface AuditVerifier {
  /** Verifies every stream now (never runs twice at once) and updates the metrics. */
  runOnce(): Promise<VerifyReport[]>;
  /** Stops the schedule. */
  stop(): void;
  /** The latest report per stream, with when it was made (epoch ms). */
  latest(): ReadonlyMap<string, VerifyReport & { verifiedAt: number }>;
}

/**
 * Verifies streams every `intervalMs` in the background (an unref'd timer: it never keeps the
 * process alive) and exports the results as metrics. Returns immediately; the first run happens
 * after one interval (call `runOnce()` to verify at startup).
 *
 * @example
 * ```ts no-run
 * const verifier = scheduleVerification({ log, streams: () => store.streams(), registry, intervalMs: 15 * 60_000 });
 * await verifier.runOnce();
 * ```
 */
export function scheduleVerification(options: AuditVerifierOptions): AuditVerifier {
  checkOptions('scheduleVerification', options, ['log', 'streams', 'publicKeys', 'intervalMs', 'registry', 'onReport', 'clock']);
  if (typeof options?.log?.verify !== 'function') throw new ConfigurationError('log', 'must be an AuditLog from createAuditLog()');
  if (!Array.isArray(options.streams) && typeof options.streams !== 'function') throw new ConfigurationError('streams', 'must be an array of stream names or a function listing them');
  checkMs('intervalMs', options.intervalMs ?? 3_600_000, { min: 1 });
  if (options.onReport !== undefined) checkFunction('onReport', options.onReport);
  if (options.registry !== undefined && (typeof options.registry?.gauge !== 'function' || typeof options.registry.counter !== 'function')) {
    throw new ConfigurationError('registry', 'must be a metrics registry (createRegistry() of @armor/metrics)');
  }
  const { log, registry, onReport, publicKeys = [] } = options;
  const clock = options.clock ?? systemClock;
  const labels = ['stream'] as const;
  const m = registry && {
    seq: registry.gauge({ name: 'armor_audit_last_verified_seq', help: 'Last seq of the audit stream at its latest verification', labelNames: labels }),
    findings: registry.gauge({ name: 'armor_audit_findings', help: 'Findings of the latest verification of the audit stream (0 = verified clean)', labelNames: labels }),
    failures: registry.counter({ name: 'armor_audit_verification_failures_total', help: 'Verification runs of the audit stream with findings or errors', labelNames: labels }),
    unanchored: registry.gauge({ name: 'armor_audit_unanchored_entries', help: 'Entries after the last valid checkpoint', labelNames: labels }),
    age: registry.gauge({ name: 'armor_audit_checkpoint_age_seconds', help: 'Seconds since the last checkpoint of the audit stream was made', labelNames: labels }),
    at: registry.gauge({ name: 'armor_audit_last_verification_timestamp_seconds', help: 'Unix time of the latest verification run of the audit stream', labelNames: labels }),
  };
  const safe = (fn: () => void) => {
    try {
      fn();
    } catch {
      // Monitoring never hurts the monitored: a throwing callback or metric is ignored.
    }
  };

  let running: Promise<VerifyReport[]> | undefined;
  const latest = new Map<string, VerifyReport & { verifiedAt: number }>();
  async function run(): Promise<VerifyReport[]> {
    const names = typeof options.streams === 'function' ? await options.streams() : options.streams;
    const reports: VerifyReport[] = [];
    for (const stream of names) {
      try {
        const report = await log.verify(stream, { publicKeys });
        reports.push(report);
        const now = clock.now();
        latest.set(stream, { ...report, verifiedAt: now });
        if (m) {
          safe(() => m.seq.set({ stream }, report.lastSeq));
          safe(() => m.findings.set({ stream }, report.findings.length + report.omittedFindings));
          safe(() => m.unanchored.set({ stream }, report.unanchored));
          safe(() => m.at.set({ stream }, Math.floor(now / 1000)));
          if (report.lastCheckpointTime !== undefined) safe(() => m.age.set({ stream }, Math.max(0, (now - Date.parse(report.lastCheckpointTime!)) / 1000)));
          if (!report.ok) safe(() => m.failures.inc({ stream }));
        }
        if (onReport) safe(() => onReport(report));
      } catch (error) {
        if (m) safe(() => m.failures.inc({ stream }));
        if (onReport) safe(() => onReport({ stream, error }));
      }
    }
    return reports;
  }
  const runOnce = () => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };
  const stop = backgroundInterval(() => {
    void runOnce().catch(() => undefined);
  }, options.intervalMs ?? 3_600_000);
  return { runOnce, stop, latest: () => latest };
}
