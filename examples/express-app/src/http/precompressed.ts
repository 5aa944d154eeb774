/**
 * Serves precompressed static files: for `GET /assets/x.js` it answers with `x.js.br` or
 * `x.js.gz` from the same directory when the client accepts that encoding and the file exists
 * (written at build time by `dashboard/vite.config.ts`), with `Content-Encoding`, the original
 * file's `Content-Type` and `Vary: Accept-Encoding`. Anything else falls through to the next
 * handler (`express.static`), which serves the uncompressed file. No compression happens per
 * request, and no compression library is needed.
 *
 * @module
 */
import { statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { NextFunction, Request, Response } from 'express';

/** Encodings tried, in the server's order of preference, and their file suffixes. */
const ENCODINGS = [
  ['br', '.br'],
  ['gzip', '.gz'],
] as const;

/** Options of {@link precompressed}. */
export interface PrecompressedOptions {
  /** File served for a directory (`/`). @default 'index.html' */
  index?: string;
  /** `Cache-Control` for a file, by its (uncompressed) path. @default no header */
  cacheControl?: (path: string) => string | undefined;
}

const isFile = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/** Middleware serving `<file>.br` / `<file>.gz` from `dir` when accepted; see the module docs. */
export function precompressed(dir: string, options: PrecompressedOptions = {}): (req: Request, res: Response, next: NextFunction) => void {
  const root = normalize(dir + sep);
  const index = options.index ?? 'index.html';
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    let relative: string;
    try {
      relative = decodeURIComponent(req.path);
    } catch {
      return next();
    }
    if (relative.endsWith('/')) relative += index;
    const file = normalize(join(root, relative));
    if (!file.startsWith(root) || relative.includes('\0')) return next();
    // Every representation varies with Accept-Encoding, the uncompressed one included.
    res.vary('Accept-Encoding');
    // The first of ours the client accepts at all (q > 0): browsers list gzip before br with equal weight.
    // No Accept-Encoding at all gets the plain file (curl and scripts would not decode it).
    if (!req.headers['accept-encoding']) return next();
    const [encoding, suffix] = ENCODINGS.find(([name]) => req.acceptsEncodings(name) === name) ?? [];
    if (!encoding || !suffix || !isFile(file) || !isFile(file + suffix)) return next();
    res.setHeader('Content-Encoding', encoding);
    res.type(extname(file));
    const cacheControl = options.cacheControl?.(file);
    res.sendFile(file + suffix, { cacheControl: cacheControl === undefined, ...(cacheControl ? { headers: { 'cache-control': cacheControl } } : {}), dotfiles: 'deny' }, (error) => {
      if (error && !res.headersSent) {
        res.removeHeader('Content-Encoding');
        next();
      }
    });
  };
}
