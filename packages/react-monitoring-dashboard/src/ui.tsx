/**
 * Small building blocks shared by the panels (not exported from the package).
 *
 * @module
 */
import { Component, createContext, useContext, useId, type ReactNode } from 'react';
import type { PanelId, SnapshotNote } from './normalize.js';
import type { SnapshotSection } from './types.js';

/** Health/breaker status shown with colour, an icon shape and text (never colour alone). */
export type Tone = 'pass' | 'warn' | 'fail' | 'unknown';

const ICON: Record<Tone, ReactNode> = {
  // check mark in a circle
  pass: <path d="M8 1a7 7 0 1 1 0 14A7 7 0 0 1 8 1Zm3.2 4.3L7 9.5 4.8 7.3 3.7 8.4 7 11.7l5.3-5.3-1.1-1.1Z" />,
  // exclamation in a triangle
  warn: <path d="M8 1 15.5 14.5h-15L8 1Zm-.9 5v4h1.8V6H7.1Zm0 5.2v1.8h1.8v-1.8H7.1Z" />,
  // cross in an octagon
  fail: <path d="M5 1h6l4 4v6l-4 4H5l-4-4V5l4-4Zm.6 3.5L4.5 5.6 6.9 8l-2.4 2.4 1.1 1.1L8 9.1l2.4 2.4 1.1-1.1L9.1 8l2.4-2.4-1.1-1.1L8 6.9 5.6 4.5Z" />,
  // question mark in a circle
  unknown: <path d="M8 1a7 7 0 1 1 0 14A7 7 0 0 1 8 1Zm-.9 9.6v1.8h1.8v-1.8H7.1ZM8 3.6c-1.6 0-2.8 1-2.9 2.6h1.7c.1-.7.5-1.1 1.2-1.1.7 0 1.1.4 1.1 1 0 .5-.3.8-.9 1.2-.8.5-1.1 1-1.1 1.9v.3h1.7v-.2c0-.5.2-.7.8-1.1.8-.5 1.3-1.1 1.3-2.1 0-1.5-1.2-2.5-2.9-2.5Z" />,
};

/** An icon + text badge for a status. */
export function StatusBadge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return (
    <span className={`ad-badge ad-${tone}`} data-tone={tone}>
      <svg width="12" height="12" viewBox="0 0 16 16" aria-hidden="true" focusable="false" fill="currentColor">
        {ICON[tone]}
      </svg>
      {children}
    </span>
  );
}

/**
 * A name or label from the snapshot (a route, a breaker, a cache): at most three lines, with the
 * full text as a tooltip, so a 20,000-character name cannot stretch or lengthen the page.
 */
export function Clip({ text, children }: { text: string; children?: ReactNode }) {
  return (
    <span className="ad-clip" title={text.length > 120 ? text.slice(0, 2_000) : undefined}>
      {children ?? text}
    </span>
  );
}

/** Fields of the current snapshot that had the wrong type (provided by the dashboard). */
export const NotesContext = createContext<readonly SnapshotNote[]>([]);

/** Sections of the current snapshot that are unavailable, and why (provided by the dashboard). */
export const UnavailableContext = createContext<Partial<Record<SnapshotSection, string>>>({});

/** The sections each panel shows; a panel says "unavailable" when one of them is. */
const PANEL_SECTIONS: Record<string, SnapshotSection[]> = {
  latency: ['latency'],
  throughput: ['requests'],
  'error-rate': ['requests'],
  routes: ['requests'],
  'status-codes': ['requests'],
  breakers: ['breakers'],
  caches: ['caches'],
  'rate-limits': ['rateLimits'],
  errors: ['errors'],
  slow: ['slowOperations'],
  fleet: ['fleet', 'requests'],
  audit: ['audit'],
  slo: ['slo'],
};
/** Panels that keep their content under the notice (the health tiles say it per tile; the fleet selector stays usable). */
const KEEP_CONTENT: ReadonlySet<string> = new Set(['health', 'fleet']);

/** Why `section` is unavailable in the current snapshot, or `undefined` when it is not. */
export function useUnavailable(section: SnapshotSection): string | undefined {
  return useContext(UnavailableContext)[section];
}

/** The notice of a panel whose sections are unavailable. */
function UnavailableNotice({ reasons }: { reasons: [SnapshotSection, string][] }) {
  return (
    <div className="ad-unavailable" role="status" data-testid="unavailable">
      <StatusBadge tone="unknown">Unavailable</StatusBadge>{' '}
      {reasons.map(([section, reason]) => (
        <span key={section} className="ad-unavailable-reason">
          {section}: {reason}.{' '}
        </span>
      ))}
      <span className="ad-muted">These figures could not be computed; none is shown rather than a wrong one.</span>
    </div>
  );
}

const CHART_PANELS: ReadonlySet<string> = new Set(['latency', 'throughput', 'error-rate']);
const panelOf = (testId: string): PanelId => (CHART_PANELS.has(testId) ? 'charts' : (testId as PanelId));

/** A visible note listing the fields of this panel that had the wrong type. */
export function FieldNotes({ notes }: { notes: readonly SnapshotNote[] }) {
  if (notes.length === 0) return null;
  return (
    <details className="ad-note" data-testid="field-notes">
      <summary>
        {notes.length === 1 ? '1 field' : `${notes.length} fields`} in this snapshot had the wrong type (shown repaired or left out)
      </summary>
      <ul>
        {notes.slice(0, 20).map((n) => (
          <li key={n.path}>
            <code>{n.path}</code>: {n.problem}
          </li>
        ))}
      </ul>
    </details>
  );
}

/** A titled panel (`<section>` labelled by its heading). */
export function Panel({ title, actions, wide, children, testId }: { title: string; actions?: ReactNode; wide?: boolean; children: ReactNode; testId: string }) {
  const id = useId();
  const all = useContext(NotesContext);
  const panel = panelOf(testId);
  const notes = all.length === 0 ? all : all.filter((n) => n.panel === panel);
  const unavailable = useContext(UnavailableContext);
  const reasons = (PANEL_SECTIONS[testId] ?? []).flatMap((section): [SnapshotSection, string][] => (unavailable[section] === undefined ? [] : [[section, unavailable[section]!]]));
  return (
    <section className={wide ? 'ad-panel ad-wide' : 'ad-panel'} aria-labelledby={id} data-panel={testId} {...(reasons.length > 0 ? { 'data-unavailable': '' } : {})}>
      <div className="ad-panel-head">
        <h3 id={id}>{title}</h3>
        {actions ? <div className="ad-row">{actions}</div> : null}
      </div>
      <FieldNotes notes={notes} />
      {reasons.length > 0 ? <UnavailableNotice reasons={reasons} /> : null}
      {reasons.length === 0 || KEEP_CONTENT.has(testId) ? children : null}
    </section>
  );
}

function errorText(error: unknown): string {
  try {
    if (error instanceof Error) return error.message || error.name;
    return String(error);
  } catch {
    return 'unknown error';
  }
}

interface BoundaryProps {
  /** `data-panel` of the panel it guards. */
  testId: string;
  title: string;
  wide?: boolean;
  /** A new value (the next snapshot) clears the error and renders the panel again. */
  resetKey: unknown;
  children: ReactNode;
}

/**
 * One panel's error boundary: a panel that throws while rendering shows its own error, the
 * rest of the dashboard keeps rendering and refreshing, and the next snapshot tries again.
 */
export class PanelBoundary extends Component<BoundaryProps, { failed: boolean; error: unknown; resetKey: unknown }> {
  override state = { failed: false, error: undefined as unknown, resetKey: this.props.resetKey };
  static getDerivedStateFromError(error: unknown) {
    return { failed: true, error };
  }
  static getDerivedStateFromProps(props: BoundaryProps, state: { resetKey: unknown }) {
    return props.resetKey === state.resetKey ? null : { failed: false, error: undefined, resetKey: props.resetKey };
  }
  override render() {
    if (!this.state.failed) return this.props.children;
    const { testId, title, wide } = this.props;
    return (
      <section className={wide ? 'ad-panel ad-wide' : 'ad-panel'} aria-label={title} data-panel={testId} data-panel-error="">
        <div className="ad-panel-head">
          <h3>{title}</h3>
          <StatusBadge tone="fail">Error</StatusBadge>
        </div>
        <p role="alert" className="ad-muted">
          This panel could not show this snapshot: {errorText(this.state.error)}. The other panels are unaffected; the next refresh tries again.
        </p>
      </section>
    );
  }
}

/** Previous/next pager for long lists. `page` is zero-based. */
export function Pager({ page, pageCount, onPage, label }: { page: number; pageCount: number; onPage: (page: number) => void; label: string }) {
  if (pageCount <= 1) return null;
  return (
    <nav className="ad-pager" aria-label={`${label} pages`}>
      <button type="button" onClick={() => onPage(0)} disabled={page === 0} aria-label="First page">
        «
      </button>
      <button type="button" onClick={() => onPage(page - 1)} disabled={page === 0}>
        Previous
      </button>
      <span aria-live="polite">
        Page {page + 1} of {pageCount}
      </span>
      <button type="button" onClick={() => onPage(page + 1)} disabled={page >= pageCount - 1}>
        Next
      </button>
      <button type="button" onClick={() => onPage(pageCount - 1)} disabled={page >= pageCount - 1} aria-label="Last page">
        »
      </button>
    </nav>
  );
}

/** Clamp a page index into range. */
export function clampPage(page: number, pageCount: number): number {
  return Math.max(0, Math.min(page, Math.max(0, pageCount - 1)));
}
