/**
 * The audit section of a `MonitoringSnapshot` (`@armor/metrics`' contract): integrity per stream
 * from the verifier and the most recent events, without personal data, for the dashboard's
 * audit panel. Structural types: no dependency on `@armor/metrics`.
 *
 * @module
 */
import { checkInt, checkOptions } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import type { AuditLog } from './log.js';
import type { AuditVerifier } from './verifier.js';

/** The `audit` section (the same shape as `AuditSection` of `@armor/metrics`). */
export interface AuditSnapshotSection {
  streams: {
    stream: string;
    ok: boolean | null;
    lastSeq: number;
    findings: number;
    unanchored: number;
    verifiedAt?: number;
    checkpointAgeSeconds?: number;
  }[];
  recent: { stream: string; seq: number; time: string; action: string; actorId: string; outcome: 'success' | 'failure' | 'denied'; targets: string[] }[];
}

/** Options of {@link auditSnapshotSection}. */
export interface AuditSnapshotOptions {
  log: AuditLog;
  /** Streams to show. */
  streams: readonly string[] | (() => Promise<readonly string[]>);
  /** The verifier whose latest reports give each stream's integrity; without one, `ok` is `null`. */
  verifier?: AuditVerifier;
  /** Recent events per stream (newest first in the result). @default 20 */
  recentPerStream?: number;
  /** Time source for checkpoint ages (epoch ms). @default Date.now */
  now?: () => number;
}

/**
 * Builds the snapshot's `audit` section.
 *
 * @example
 * ```ts no-run
 * const snapshot = { ...monitor.snapshot(), audit: await auditSnapshotSection({ log, streams: ['default'], verifier }) };
 * ```
 */
export async function auditSnapshotSection(options: AuditSnapshotOptions): Promise<AuditSnapshotSection> {
  checkOptions('auditSnapshotSection', options, ['log', 'streams', 'verifier', 'recentPerStream', 'now']);
  if (typeof options?.log?.entries !== 'function') throw new ConfigurationError('log', 'must be an AuditLog from createAuditLog()');
  const per = options.recentPerStream ?? 20;
  checkInt('recentPerStream', per, 0, { max: 1000 });
  const now = options.now ?? Date.now;
  const names = typeof options.streams === 'function' ? await options.streams() : options.streams;
  const latest = options.verifier?.latest();
  const section: AuditSnapshotSection = { streams: [], recent: [] };
  for (const stream of names) {
    const report = latest?.get(stream);
    const head = await options.log.head(stream);
    const status: AuditSnapshotSection['streams'][number] = {
      stream,
      ok: report ? report.ok : null,
      lastSeq: report ? report.lastSeq : (head?.seq ?? 0),
      findings: report ? report.findings.length + report.omittedFindings : 0,
      unanchored: report ? report.unanchored : 0,
    };
    if (report) status.verifiedAt = report.verifiedAt;
    if (report?.lastCheckpointTime) status.checkpointAgeSeconds = Math.max(0, (now() - Date.parse(report.lastCheckpointTime)) / 1000);
    section.streams.push(status);
    if (per > 0 && head) {
      for await (const entry of options.log.entries(stream, { afterSeq: Math.max(0, head.seq - per), batch: per })) {
        section.recent.push({
          stream,
          seq: entry.seq,
          time: entry.time,
          action: entry.event.action,
          actorId: entry.event.actor.id,
          outcome: entry.event.outcome,
          targets: entry.event.targets.map((t) => `${t.type}:${t.id}`),
        });
      }
    }
  }
  section.recent.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : b.seq - a.seq));
  return section;
}
