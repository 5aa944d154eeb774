/**
 * The key type both HMAC builds share (`@armor/core/hmac`).
 *
 * @module
 */

/**
 * A secret prepared for HMAC-SHA256 by `hmacSha256Key()`. Opaque: the key material and its
 * precomputed state are held privately, never on this object (logging it shows no secret).
 */
export interface HmacSha256Key {
  /** Always `'HMAC-SHA256'`. */
  readonly algorithm: 'HMAC-SHA256';
}
