/**
 * `@armor/api-keys`: prefixed API keys with a CRC-32 checksum (`<prefix>_<random>_<checksum>`),
 * hashed storage (SHA-256 or HMAC with a pepper), timing-safe verification, scopes, expiry,
 * revocation and rotation with an overlap window. Web-standard only (Node, Convex, edge);
 * the Express middleware is `@armor/api-keys/express`.
 *
 * @module
 */
export { ApiKeyError } from './errors.js';
export type { ApiKeyErrorCode } from './errors.js';
export { BASE62, ID_LENGTH, checksumOf, crc32, parseApiKey } from './format.js';
export type { ParsedApiKey } from './format.js';
export { createApiKeyVerifier, generateApiKey, hashApiKey, rotateApiKey, scopeGranted, verifyApiKey } from './keys.js';
export type {
  ApiKeyRecord,
  GenerateApiKeyOptions,
  GeneratedApiKey,
  Pepper,
  RotateApiKeyOptions,
  RotatedApiKey,
  VerifiedApiKey,
  VerifyApiKeyOptions,
} from './keys.js';
