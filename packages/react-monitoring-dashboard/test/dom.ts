/**
 * Helpers for DOM snapshots of the dashboard panels: stable ids, compact chart paths, and a check
 * that nothing non-finite leaked into the markup.
 */
import { expect } from 'vitest';

/** React `useId` values (`_r_1_` in React 19.2, `«r1»` in 19.0/19.1, `:r1:` in 18). */
const REACT_ID = /_r_[0-9a-z]+_|«r[0-9a-z]+»|:r[0-9a-z]+:/g;

/** Path data longer than this is replaced by a summary (point count, ends and a hash). */
const MAX_PATH = 240;

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** SVG path data → number of points (`M` and `L` commands). */
export function pathPoints(d: string | null): number {
  return (d ?? '').split(/[ML]/).filter(Boolean).length;
}

function summarizePath(d: string): string {
  const commands = d.match(/[ML][^ML]+/g) ?? [];
  const subpaths = commands.filter((c) => c.startsWith('M')).length;
  return `[${commands.length} points, ${subpaths} subpath(s): ${commands.slice(0, 2).join('')} … ${commands.slice(-2).join('')}; fnv1a ${fnv1a(d)}]`;
}

/**
 * A copy of `element` that snapshots the same on every run and in any test order: React ids are
 * renamed `id1`, `id2`, … in document order, and long chart paths are summarized (the summary
 * includes a hash, so any change to the path still fails the snapshot).
 */
export function stableDom<T extends Element>(element: T): T {
  const clone = element.cloneNode(true) as T;
  const ids = new Map<string, string>();
  const rename = (raw: string) => {
    let name = ids.get(raw);
    if (name === undefined) {
      name = `id${ids.size + 1}`;
      ids.set(raw, name);
    }
    return name;
  };
  for (const node of [clone, ...clone.querySelectorAll('*')]) {
    for (const attr of [...node.attributes]) {
      let value = attr.value.replace(REACT_ID, rename);
      if (attr.name === 'd' && value.length > MAX_PATH) value = summarizePath(value);
      if (value !== attr.value) node.setAttribute(attr.name, value);
    }
  }
  return clone;
}

/** Fails when the rendered markup shows a non-finite number or a stringified object/undefined. */
export function expectFinite(element: Element): void {
  const html = element.outerHTML;
  for (const bad of ['NaN', 'Infinity', 'undefined', '[object Object]']) {
    expect(html, `"${bad}" rendered`).not.toContain(bad);
  }
}
