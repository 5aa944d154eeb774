/**
 * `@armor/core/body`: the one bounded reader of a Web request body that every Armor endpoint
 * taking a body shares (web vitals beacons, validated JSON bodies, CSP reports). It never holds
 * more than `maxBytes` bytes of a body in memory, however the body arrives: a declared
 * `Content-Length` over the limit is refused before a byte is read, a body without one (or with
 * a wrong one) is counted while it streams and cancelled as soon as it passes the limit.
 *
 * Web-standard only (`ReadableStream`, `TextDecoder`): it runs in Node, edge runtimes, Convex
 * and browsers. {@link readNodeBodyText} applies the same rules to a Node `IncomingMessage`
 * (Express and Fastify adapters), typed structurally so no Node type is needed. Not in the root
 * entry, so bundles that never read a body leave it out.
 *
 * @example
 * ```ts
 * import { readBodyText } from '@armor/core/body';
 *
 * const read = await readBodyText(request, 16_384);
 * if (read.tooLarge) return new Response(null, { status: 413 });
 * const data: unknown = read.bytes === 0 ? undefined : JSON.parse(read.text);
 * ```
 *
 * @module
 */
export { readBodyText, type BodySource, type BodyTextResult } from './body-web.js';
export { readNodeBodyText, type NodeBodySource } from './body-node.js';
