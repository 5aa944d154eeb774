/**
 * The rate-limit client key (`clientKey`) is worked out by the kernel's `clientIp`, not by
 * Express's `req.ip`, and remembered per connection while no proxy is trusted. It must still be
 * the key of the address `req.ip` gives, request by request, on one keep-alive connection whose
 * requests carry different `X-Forwarded-For` values, for every hop count. One difference, on
 * purpose: where `req.ip` is not an address at all (a forwarded entry such as `not an address`),
 * the key is `unknown`, one bucket, instead of a key per string a client could rotate.
 */
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { ipKey, normalizeIp } from '@armor/rate-limit/express';
import { clientKey } from '../src/http/rate-limits.js';

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

async function appWith(hops: number): Promise<string> {
  const app = express();
  app.set('trust proxy', hops);
  app.get('/', (req, res) => {
    res.json({ key: clientKey(req), expected: ipKey(normalizeIp(req.ip) ?? 'unknown'), socket: req.socket.remotePort });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

function get(url: string, agent: Agent, forwardedFor?: string): Promise<{ key: string; expected: string; socket: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(JSON.parse(body) as { key: string; expected: string; socket: number }));
    });
    req.on('error', reject);
    req.end();
  });
}

const chains = [undefined, '203.0.113.9', '198.51.100.7, 203.0.113.10', '2001:db8::1', 'not an address', undefined, '203.0.113.9, 10.0.0.1, 192.0.2.44'];

describe('clientKey', () => {
  for (const hops of [0, 1, 2]) {
    it(`is the key of req.ip for each request on one connection (trust proxy ${hops})`, async () => {
      const url = await appWith(hops);
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const answers = [];
        for (const chain of chains) answers.push(await get(url, agent, chain));
        expect(new Set(answers.map((a) => a.socket)).size).toBe(1); // one connection throughout
        for (const [i, a] of answers.entries()) expect({ chain: chains[i], key: a.key }).toEqual({ chain: chains[i], key: a.expected });
        if (hops > 0) {
          expect(answers[1]!.key).toBe(ipKey('203.0.113.9')); // the forwarded address, not the peer's
          expect(answers[4]!.key).toBe('unknown'); // not an address: one bucket
        }
        else expect(new Set(answers.map((a) => a.key)).size).toBe(1); // the peer, whatever is forwarded
      } finally {
        agent.destroy();
      }
    });
  }
});
