/**
 * Ed25519 signing keys for checkpoints (`@noble/curves`, audited, runs in every runtime: Node
 * 20's Web Crypto Ed25519 is not available everywhere Armor runs).
 *
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { AuditError } from './errors.js';
import { sha256Hex } from './entry.js';

/** Signs checkpoints. Only the public key is needed to verify. */
export interface AuditSigner {
  /** First 16 hex characters of SHA-256 of the public key; names the key in checkpoints. */
  readonly keyId: string;
  /** 64 hex characters. */
  readonly publicKey: string;
  /** Ed25519 signature (128 hex characters) of `message`. */
  sign(message: Uint8Array): string;
}

function keyBytes(key: unknown, what: string): Uint8Array {
  let bytes: Uint8Array | undefined;
  if (key instanceof Uint8Array) bytes = key;
  else if (typeof key === 'string' && /^[0-9a-fA-F]{64}$/.test(key)) bytes = hexToBytes(key.toLowerCase());
  if (!bytes || bytes.length !== 32) {
    throw new AuditError('bad_key', `The ${what} must be 32 bytes (a Uint8Array or 64 hex characters)`, { details: { key: what } });
  }
  return bytes;
}

/** The key id of a public key (hex): first 16 hex characters of its SHA-256. */
export function keyIdOf(publicKey: string): string {
  return sha256Hex(publicKey.toLowerCase()).slice(0, 16);
}

/**
 * A checkpoint signer from an Ed25519 secret key (32 bytes or 64 hex characters). Keep the
 * secret outside the database the log is written to, or a database attacker can re-sign.
 *
 * @throws {AuditError} `bad_key` when the key is not 32 bytes
 * @example
 * ```ts
 * const signer = ed25519Signer(process.env.AUDIT_SIGNING_KEY!);
 * ```
 */
export function ed25519Signer(secretKey: Uint8Array | string): AuditSigner {
  const secret = keyBytes(secretKey, 'secret key');
  const publicKey = bytesToHex(ed25519.getPublicKey(secret));
  return {
    keyId: keyIdOf(publicKey),
    publicKey,
    sign: (message) => bytesToHex(ed25519.sign(message, secret)),
  };
}

/** A fresh Ed25519 key pair as hex (`secretKey` 64, `publicKey` 64 characters). */
export function generateSigningKey(): { secretKey: string; publicKey: string } {
  const secret = ed25519.utils.randomSecretKey();
  return { secretKey: bytesToHex(secret), publicKey: bytesToHex(ed25519.getPublicKey(secret)) };
}

/** Whether `signature` (hex) is a valid Ed25519 signature of `message` by `publicKey` (hex). Never throws. */
export function verifySignature(signature: string, message: Uint8Array, publicKey: string): boolean {
  try {
    if (!/^[0-9a-f]{128}$/.test(signature)) return false;
    return ed25519.verify(hexToBytes(signature), message, keyBytes(publicKey, 'public key'), { zip215: false });
  } catch {
    return false;
  }
}

/** Checks a public key's shape. @throws {AuditError} `bad_key` */
export function checkPublicKey(publicKey: unknown): string {
  return bytesToHex(keyBytes(publicKey, 'public key'));
}
