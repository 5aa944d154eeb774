/**
 * `@armor/privacy`: IP and user-agent anonymization, redaction of secrets and PII from log
 * entries, and keyed pseudonymization. Web-standard only (Node, Convex, edge).
 *
 * @module
 */
export { anonymizeIp } from './ip.js';
export type { AnonymizeIpOptions } from './ip.js';
export { anonymizeUserAgent, parseUserAgent } from './user-agent.js';
export type { UserAgentFamily } from './user-agent.js';
export { createRedactor, redact } from './redact.js';
export type { RedactOptions, Redactor } from './redact.js';
export { pseudonymize } from './pseudonymize.js';
export type { PseudonymizeOptions } from './pseudonymize.js';
