import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

/**
 * The one tsup configuration every Armor package builds with: ESM + CJS + `.d.ts`/`.d.cts`,
 * code splitting in both formats (one copy of shared module state per package), source maps that
 * embed their sources (`src/` is not published), no bundling of dependencies.
 *
 * `treeshake` stays off: tsup's extra Rollup pass appends its own `//# sourceMappingURL` line
 * after esbuild's (every file had two) and re-maps the output a second time. esbuild already
 * drops unused code of the bundle, and consumers' bundlers tree-shake (`sideEffects: false`).
 *
 * @param entry - map of output name to source file, e.g. `{ index: 'src/index.ts', express: 'src/express.ts' }`
 * @param overrides - per-package tweaks (kept rare on purpose)
 */
export function armorTsup(entry: Record<string, string>, overrides: Options = {}) {
  const outDir = overrides.outDir ?? 'dist';
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    treeshake: false,
    splitting: true,
    target: 'es2022',
    // `import.meta.url` in the CJS build (health's CLI checks whether it is the main module) is a
    // syntax error there; the shim turns it into the file URL of the .cjs file.
    shims: true,
    outDir,
    onSuccess: async () => cleanSourceMaps(outDir),
    ...overrides,
  });
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeSegment(text: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

function encodeNumber(n: number): string {
  let value = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    let digit = value & 31;
    value >>>= 5;
    if (value > 0) digit |= 32;
    out += BASE64[digit];
  } while (value > 0);
  return out;
}

/**
 * tsup's CJS code splitting (a sucrase pass after esbuild) leaves a source named by the absolute
 * path of the output file itself, without content, for the lines it generates (`require` calls,
 * `exports.x = ...`). That leaks the build machine's path into published maps and points
 * debuggers at nothing. Those generated lines have no original source: drop their segments and
 * the source, so every remaining source is a `../src/*.ts` file embedded in `sourcesContent`.
 */
export function cleanSourceMaps(outDir: string): void {
  for (const name of readdirSync(outDir)) {
    if (!name.endsWith('.map')) continue;
    const file = join(outDir, name);
    const map = JSON.parse(readFileSync(file, 'utf8')) as {
      sources: string[];
      sourcesContent?: (string | null)[];
      mappings: string;
    };
    const drop = new Set(map.sources.map((s, i) => (isAbsolute(s) ? i : -1)).filter((i) => i >= 0));
    if (drop.size === 0) continue;
    const renumber = new Map<number, number>();
    map.sources.forEach((_, i) => {
      if (!drop.has(i)) renumber.set(i, renumber.size);
    });
    let source = 0;
    let line = 0;
    let column = 0;
    let nameIndex = 0;
    let prevSource = 0;
    let prevLine = 0;
    let prevColumn = 0;
    let prevName = 0;
    const lines = map.mappings.split(';').map((lineText) => {
      let genColumn = 0;
      let prevGen = 0;
      const kept: string[] = [];
      for (const segmentText of lineText.split(',')) {
        if (!segmentText) continue;
        const fields = decodeSegment(segmentText);
        genColumn += fields[0]!;
        if (fields.length === 1) {
          kept.push(encodeNumber(genColumn - prevGen));
          prevGen = genColumn;
          continue;
        }
        source += fields[1]!;
        line += fields[2]!;
        column += fields[3]!;
        if (fields.length > 4) nameIndex += fields[4]!;
        if (drop.has(source)) continue;
        const newSource = renumber.get(source)!;
        let out = encodeNumber(genColumn - prevGen) + encodeNumber(newSource - prevSource) + encodeNumber(line - prevLine) + encodeNumber(column - prevColumn);
        if (fields.length > 4) {
          out += encodeNumber(nameIndex - prevName);
          prevName = nameIndex;
        }
        kept.push(out);
        prevGen = genColumn;
        prevSource = newSource;
        prevLine = line;
        prevColumn = column;
      }
      return kept.join(',');
    });
    map.mappings = lines.join(';');
    map.sources = map.sources.filter((_, i) => !drop.has(i));
    if (map.sourcesContent) map.sourcesContent = map.sourcesContent.filter((_, i) => !drop.has(i));
    writeFileSync(file, JSON.stringify(map));
  }
}
