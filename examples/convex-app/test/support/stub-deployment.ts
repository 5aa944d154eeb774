/**
 * What the browser tests load the built UI from, since there is no local Convex backend:
 *
 * - the built `dist/` over HTTP, each text asset Brotli- or gzip-compressed once (as a CDN or
 *   static host would send it);
 * - a stand-in for the deployment's WebSocket (`/api/<version>/sync`) speaking just enough of
 *   Convex's sync protocol for the UI: it answers each subscribed query with a canned value (or
 *   a `QueryFailed`), acknowledges `Authenticate`, and answers every mutation with `null`. The
 *   DATA IS STUBBED; what is real is the built bundle, the browser, the Convex client and the
 *   protocol round trips.
 * - `POST /vitals`, the web vitals beacons the UI sends, kept for the test to read.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { WebSocketServer, type WebSocket } from 'ws';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

interface Asset {
  type: string;
  identity: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

/** A query's canned answer: a value, or an error message (`QueryFailed`). */
export type StubAnswer = { value: unknown } | { error: string; errorData?: unknown };

/** What {@link startStubDeployment} returns. */
export interface StubDeployment {
  /** `http://127.0.0.1:<port>`: the UI's origin, its `VITE_CONVEX_URL` and its vitals endpoint's origin. */
  readonly url: string;
  /** Serves the files of this directory from now on (the build, once it exists). */
  serve(dir: string): void;
  /** Bodies of the `POST /vitals` beacons received, oldest first. */
  readonly beacons: string[];
  /** Function paths (`module:function`) of every query subscribed and mutation called. */
  readonly calls: string[];
  stop(): Promise<void>;
}

function load(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const identity = readFileSync(path);
    const type = TYPES[extname(entry.name)] ?? 'application/octet-stream';
    const asset: Asset = { type, identity };
    if (/^(?:text|application\/json|image\/svg)/.test(type)) {
      asset.br = brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } });
      asset.gzip = gzipSync(identity, { level: 9 });
    }
    assets.set(`/${normalize(path.slice(dir.length)).replace(/^\/+/, '')}`, asset);
  }
  return assets;
}

function u64(n: number): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(BigInt(n));
  return bytes.toString('base64');
}

/** One sync connection: the server side of Convex's versioned query set. */
function speakSync(socket: WebSocket, answer: (udfPath: string, args: unknown) => StubAnswer, calls: string[]) {
  let querySet = 0;
  let identity = 0;
  let ts = 0;
  const send = (message: unknown) => socket.send(JSON.stringify(message));
  const transition = (modifications: unknown[], next: { querySet?: number; identity?: number }) => {
    const start = { querySet, identity, ts: u64(ts) };
    querySet = next.querySet ?? querySet;
    identity = next.identity ?? identity;
    ts += 1;
    send({ type: 'Transition', startVersion: start, endVersion: { querySet, identity, ts: u64(ts) }, modifications });
  };
  socket.on('message', (data) => {
    let message: { type?: string; [key: string]: unknown };
    try {
      message = JSON.parse(String(data)) as typeof message;
    } catch {
      return;
    }
    switch (message.type) {
      case 'Connect':
        // A new connection (or a reconnect) starts from the empty query set at timestamp 0.
        querySet = 0;
        identity = 0;
        ts = 0;
        return;
      case 'Authenticate':
        transition([], { identity: (message.baseVersion as number) + 1 });
        return;
      case 'ModifyQuerySet': {
        const modifications = (message.modifications as Array<{ type: string; queryId: number; udfPath?: string; args?: unknown[] }>).flatMap((m) => {
          if (m.type === 'Remove') return [{ type: 'QueryRemoved', queryId: m.queryId }];
          calls.push(m.udfPath ?? '');
          const result = answer(m.udfPath ?? '', m.args?.[0]);
          return [
            'value' in result
              ? { type: 'QueryUpdated', queryId: m.queryId, value: result.value, logLines: [], journal: null }
              : { type: 'QueryFailed', queryId: m.queryId, errorMessage: result.error, errorData: result.errorData, logLines: [], journal: null },
          ];
        });
        transition(modifications, { querySet: message.newVersion as number });
        return;
      }
      case 'Mutation':
      case 'Action':
        calls.push(String(message.udfPath));
        if (message.type === 'Mutation') {
          // The client resolves a mutation once its query set has reached the mutation's timestamp.
          send({ type: 'MutationResponse', requestId: message.requestId, success: true, result: null, ts: u64(ts + 1), logLines: [] });
          transition([], {});
        } else {
          send({ type: 'ActionResponse', requestId: message.requestId, success: true, result: null, logLines: [] });
        }
        return;
      default:
        return;
    }
  });
}

/**
 * Starts the stub deployment on a free loopback port. `answer` gives each subscribed query's
 * value by function path (e.g. `monitoring:snapshot`) and arguments.
 */
export async function startStubDeployment(answer: (udfPath: string, args: unknown) => StubAnswer): Promise<StubDeployment> {
  let assets = new Map<string, Asset>();
  const beacons: string[] = [];
  const calls: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const path = new URL(req.url ?? '/', 'http://stub').pathname;
    if (path === '/vitals') {
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' }).end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        beacons.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(204, { 'access-control-allow-origin': '*' }).end();
      });
      return;
    }
    const asset = assets.get(path) ?? (extname(path) === '' ? assets.get('/index.html') : undefined);
    if (!asset) {
      res.writeHead(404).end();
      return;
    }
    const accepts = String(req.headers['accept-encoding'] ?? '');
    const [encoding, body] = asset.br && /\bbr\b/.test(accepts) ? ['br', asset.br] : asset.gzip && /\bgzip\b/.test(accepts) ? ['gzip', asset.gzip] : [undefined, asset.identity];
    res.writeHead(200, {
      'content-type': asset.type,
      'content-length': body.length,
      'cache-control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      vary: 'accept-encoding',
      ...(encoding ? { 'content-encoding': encoding } : {}),
    });
    res.end(body);
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!/^\/api\/[^/]+\/sync$/.test(new URL(req.url ?? '/', 'http://stub').pathname)) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => speakSync(ws, answer, calls));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serve(dir) {
      if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
      assets = load(dir);
    },
    beacons,
    calls,
    async stop() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
