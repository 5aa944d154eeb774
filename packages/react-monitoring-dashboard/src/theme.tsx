/**
 * Theme: CSS variables injected by the component (no CSS framework, no global selectors beyond
 * `.armor-dash`). `system` follows `prefers-color-scheme` through a media query, so it follows
 * the OS live without JavaScript and renders identically on the server.
 *
 * @module
 */
import type { CSSProperties, ReactNode } from 'react';
import type { ThemeMode } from './types.js';

const light = `--ad-bg:#ffffff;--ad-panel:#f6f8fa;--ad-fg:#1f2328;--ad-muted:#57606a;--ad-border:#d0d7de;--ad-accent:#0550ae;--ad-pass:#116329;--ad-warn:#7d4e00;--ad-fail:#b3261e;--ad-pass-bg:#dafbe1;--ad-warn-bg:#fff8c5;--ad-fail-bg:#ffebe9;--ad-s1:#0550ae;--ad-s2:#8250df;--ad-s3:#b3261e;--ad-grid:#d8dee4;color-scheme:light;`;
const dark = `--ad-bg:#0d1117;--ad-panel:#161b22;--ad-fg:#e6edf3;--ad-muted:#9da7b3;--ad-border:#3d444d;--ad-accent:#6cb6ff;--ad-pass:#4ac26b;--ad-warn:#d4a72c;--ad-fail:#ff7b72;--ad-pass-bg:#12261e;--ad-warn-bg:#272115;--ad-fail-bg:#2d1517;--ad-s1:#6cb6ff;--ad-s2:#d2a8ff;--ad-s3:#ff7b72;--ad-grid:#30363d;color-scheme:dark;`;

/**
 * The dashboard stylesheet. Rendered by {@link MonitoringTheme}; exported for apps that prefer
 * to ship it in their own CSS file (then pass `injectCss={false}`).
 */
export const dashboardCss = `
.armor-dash{${light}background:var(--ad-bg);color:var(--ad-fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:16px;box-sizing:border-box}
.armor-dash[data-theme=dark]{${dark}}
@media (prefers-color-scheme:dark){.armor-dash[data-theme=system]{${dark}}}
.armor-dash *,.armor-dash *::before,.armor-dash *::after{box-sizing:inherit}
.armor-dash h2,.armor-dash h3,.armor-dash h4{margin:0;line-height:1.25}
.armor-dash h2{font-size:20px}.armor-dash h3{font-size:15px}
.armor-dash button,.armor-dash select,.armor-dash input{font:inherit;color:var(--ad-fg);background:var(--ad-bg);border:1px solid var(--ad-border);border-radius:6px;padding:4px 10px;min-height:30px}
.armor-dash button{cursor:pointer}.armor-dash button:disabled{cursor:default;opacity:.6}
.armor-dash :focus-visible{outline:2px solid var(--ad-accent);outline-offset:2px}
.armor-dash{overflow-wrap:anywhere}
.ad-header{display:flex;flex-wrap:wrap;gap:12px;align-items:center;justify-content:space-between;margin-bottom:12px}
.ad-header>*{min-width:0;max-width:100%}
.ad-sub,.ad-list>li>:is(strong,span,code):not(.ad-badge),.ad-list .ad-row>:is(strong,span,code):not(.ad-badge),.ad-unavailable-reason,.ad-clip,.ad-table :is(th,td)>label>span,.ad-table td>div{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:3;overflow:hidden}
.ad-sub{color:var(--ad-muted)}
.ad-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,380px),1fr));gap:12px}
.ad-wide{grid-column:1/-1}
.ad-panel{background:var(--ad-panel);border:1px solid var(--ad-border);border-radius:8px;padding:12px;min-width:0}
.ad-panel-head{display:flex;gap:8px;align-items:center;justify-content:space-between;margin-bottom:8px;flex-wrap:wrap}
.ad-empty{color:var(--ad-muted);margin:8px 0}
.ad-row{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
.ad-tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(120px,1fr));gap:8px;margin:8px 0}
.ad-tile{border:1px solid var(--ad-border);border-radius:6px;padding:6px 8px;background:var(--ad-bg)}
.ad-tile dt{color:var(--ad-muted);font-size:12px}.ad-tile dd{margin:0;font-size:18px;font-weight:600}
.ad-badge{display:inline-flex;align-items:center;gap:4px;border:1px solid currentColor;border-radius:999px;padding:1px 6px;font-size:12px;font-weight:600;white-space:nowrap;max-width:100%;min-width:0;overflow:hidden}.ad-badge>*{min-width:0;overflow:hidden;text-overflow:ellipsis}.ad-badge>svg{flex:none}
.ad-pass{color:var(--ad-pass);background:var(--ad-pass-bg)}.ad-warn{color:var(--ad-warn);background:var(--ad-warn-bg)}.ad-fail{color:var(--ad-fail);background:var(--ad-fail-bg)}.ad-unknown{color:var(--ad-muted);background:var(--ad-bg)}
.ad-unavailable{border:1px dashed var(--ad-muted);border-radius:6px;padding:6px 8px;margin:0 0 8px;font-size:13px}
.ad-muted{color:var(--ad-muted)}
.ad-list{list-style:none;margin:0;padding:0}
.ad-list>li{border-top:1px solid var(--ad-border);padding:6px 0}.ad-list>li:first-child{border-top:0}
.ad-table-wrap{overflow:auto;max-height:420px}
.ad-table{border-collapse:collapse;width:100%;font-size:13px;font-variant-numeric:tabular-nums}
.ad-table caption{text-align:left;color:var(--ad-muted);font-size:12px;padding-bottom:4px}
.ad-table th,.ad-table td{padding:4px;border-bottom:1px solid var(--ad-border);text-align:left;vertical-align:top}
.ad-table td.ad-num,.ad-table th.ad-num{text-align:right}
.ad-table.ad-short-cols thead th,.ad-table.ad-short-cols .ad-num,.ad-table .ad-nw{white-space:nowrap;overflow-wrap:normal}
.ad-table thead th{position:sticky;top:0;background:var(--ad-panel);font-size:12px}
.ad-sort{border:0!important;background:none!important;padding:0!important;min-height:0!important;font-weight:600}
.ad-chart figure>svg{display:block;width:100%;height:auto;overflow:visible}
.ad-chart text{fill:var(--ad-muted);font-size:11px}
.ad-legend{display:flex;flex-wrap:wrap;gap:12px;list-style:none;margin:4px 0 0;padding:0;font-size:12px}
.ad-legend li{display:flex;align-items:center;gap:6px}.ad-legend svg{flex:none;width:24px;height:8px}
.ad-banner{display:flex;gap:8px;align-items:flex-start;justify-content:space-between;flex-wrap:wrap;border:1px solid var(--ad-fail);background:var(--ad-fail-bg);color:var(--ad-fg);border-radius:8px;padding:8px 12px;margin-bottom:12px}
.ad-banner strong{color:var(--ad-fail)}
.ad-note{border:1px solid var(--ad-warn);border-radius:6px;padding:4px 8px;margin:0 0 8px;font-size:12px}
.ad-note summary{cursor:pointer}
.ad-note ul{margin:4px 0 0;padding-left:18px}
.ad-meter{height:6px;background:var(--ad-border);border-radius:3px;overflow:hidden;flex:1;min-width:36px;max-width:80px}
.ad-meter>span{display:block;height:100%;background:var(--ad-accent)}
.ad-pre{white-space:pre-wrap;word-break:break-word;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--ad-bg);border:1px solid var(--ad-border);border-radius:6px;padding:8px;margin:6px 0 0;max-height:260px;overflow:auto}
.ad-code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
.ad-pager{display:flex;gap:8px;align-items:center;justify-content:flex-end;margin-top:8px;flex-wrap:wrap}
.ad-vh{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
`;

/** Props of {@link MonitoringTheme}. */
export interface MonitoringThemeProps {
  /**
   * Colour scheme. `system` follows the OS setting live (CSS media query).
   * @default 'system'
   */
  theme?: ThemeMode | undefined;
  /**
   * Render the stylesheet as a `<style>` element. Turn off when you ship {@link dashboardCss}
   * yourself (e.g. under a strict CSP without a nonce).
   * @default true
   */
  injectCss?: boolean | undefined;
  /** CSP nonce for the injected `<style>` element. @default none */
  nonce?: string | undefined;
  /** Extra class names on the root element. */
  className?: string | undefined;
  /** Inline styles on the root element (override variables such as `--ad-accent` here). */
  style?: CSSProperties | undefined;
  /** Accessible name of the region. @default none (no landmark) */
  label?: string | undefined;
  children?: ReactNode;
}

/**
 * Root element that scopes the dashboard's CSS variables. {@link MonitoringDashboard} renders
 * it; wrap individually used panels in it for custom layouts.
 *
 * @example
 * ```tsx
 * <MonitoringTheme theme="dark"><LatencyChart snapshot={snapshot} /></MonitoringTheme>
 * ```
 */
export function MonitoringTheme({ theme = 'system', injectCss = true, nonce, className, style, label, children }: MonitoringThemeProps) {
  return (
    <div
      className={className ? `armor-dash ${className}` : 'armor-dash'}
      data-theme={theme}
      style={style}
      {...(label === undefined ? {} : { role: 'region', 'aria-label': label })}
    >
      {injectCss ? <style nonce={nonce}>{dashboardCss}</style> : null}
      {children}
    </div>
  );
}
