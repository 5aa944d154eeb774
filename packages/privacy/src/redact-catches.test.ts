/**
 * Issue 24: secrets `redact` used to miss (camelCase keys in JSON strings, lowercase `basic`,
 * `Token`/`ApiKey` schemes, PEM keys without an END line, PGP private keys, dotted and numeric
 * card numbers, `whsec_`/`ya29.`/`npm_` tokens), and what must stay.
 */
import { describe, expect, it } from 'vitest';
import { redact } from './index.js';

describe('redact catches (issue 24)', () => {
  it.each([
    ['accessToken in a JSON string', '{"accessToken":"s3cr3tA"}', 's3cr3tA', '{"accessToken":"[REDACTED]"}'],
    ['refreshToken in a JSON string', '{"user":1,"refreshToken": "s3cr3tB"}', 's3cr3tB', '{"user":1,"refreshToken": "[REDACTED]"}'],
    ['idToken in a JSON string', '{"idToken":"s3cr3tC","ok":true}', 's3cr3tC', '{"idToken":"[REDACTED]","ok":true}'],
    ['SecretAccessKey in a JSON string', '{"AccessKeyId":"AKIAX","SecretAccessKey":"s3cr3tD/xyz"}', 's3cr3tD', undefined],
    ['camelCase key=value', 'clientSecret=s3cr3tE&x=1', 's3cr3tE', 'clientSecret=[REDACTED]&x=1'],
    ['an escaped quote inside a JSON secret', '{"apiKey":"ab\\"s3cr3tF"}', 's3cr3tF', '{"apiKey":"[REDACTED]"}'],
    ['lowercase basic', 'authorization: basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA', undefined],
    ['Token scheme', 'Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b', '9944b0919', undefined],
    ['ApiKey scheme', 'Authorization: ApiKey c2VjcmV0a2V5MTIz', 'c2VjcmV0a2V5MTIz', undefined],
    ['a PEM key without an END line', 'key: -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAs3cr3tG+/abc\nMIIEpAIBAAKCAQEAx', 'MIIEowIBAAKCAQEAs3cr3tG', undefined],
    ['a PEM key in a JSON string without END', '{"k":"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANs3cr3tH\\nabc"}', 's3cr3tH', undefined],
    ['a PGP private key block', '-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\nlQOYBF3cr3tI+abc\n=Ab12\n-----END PGP PRIVATE KEY BLOCK-----\nafter', 'F3cr3tI', undefined],
    ['a card number with dots', 'card 4242.4242.4242.4242 ok', '4242.4242.4242', 'card [CARD ****4242] ok'],
    ['a whsec_ webhook secret', 'STRIPE_WEBHOOK whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'MfKQ9r8GKYqrTwjUPD8I', undefined],
    ['a ya29. Google access token', 'got ya29.a0AfH6SMBx3cr3tJ_q2Wc-5Q9bKz8x7y6 from google', 'a0AfH6SMBx3cr3tJ', undefined],
    ['an npm_ token', '//registry/:_authToken x npm_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5 end', 'aB3dE5fG7hI9', undefined],
  ])('%s', (_name, input, secret, expected) => {
    const out = redact(input);
    expect(out).not.toContain(secret);
    if (expected !== undefined) expect(out).toBe(expected);
  });

  it('card numbers given as numbers (and bigints) are masked; other numbers are kept', () => {
    expect(redact({ n: 4242424242424242, m: 5555555555554444n, count: 4242424242424241, small: 1234 })).toEqual({
      n: '[CARD ****4242]',
      m: '[CARD ****4444]',
      count: 4242424242424241,
      small: 1234,
    });
    expect(redact([4242424242424242])).toEqual(['[CARD ****4242]']);
  });

  it('keeps what is not a secret', () => {
    for (const text of [
      'use basic authentication here', 'the token expired', 'Token expired yesterday', '{"tokens":12,"max_tokens":100}', 'tokenizer=bpe',
      'version 1.2.3.4 and 3.14159265358979', '{"secretary":"Jane"}', 'whsec_', 'npm_ install', 'ya29.',
    ]) {
      expect(redact(text), text).toBe(text);
    }
  });
});
