/**
 * Alipay's RSA2 (SHA256withRSA) signing rules, as the gateway applies them:
 * - requests and notifications: every parameter but `sign` (and, for notifications,
 *   `sign_type`), empty values left out, sorted by name, `k=v` joined with `&`, raw values;
 * - responses: the exact bytes of the `<method>_response` object.
 */
import { createSign, createVerify, generateKeyPairSync } from 'node:crypto';

export function signContent(params: Record<string, string>, excluded: string[]): string {
  return Object.keys(params)
    .filter((key) => !excluded.includes(key) && params[key] !== undefined && params[key] !== '')
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');
}

export function rsa2Sign(content: string, privateKeyPem: string): string {
  return createSign('RSA-SHA256').update(content, 'utf8').sign(privateKeyPem, 'base64');
}

export function rsa2Verify(content: string, signature: string, publicKeyPem: string): boolean {
  try {
    return createVerify('RSA-SHA256').update(content, 'utf8').verify(publicKeyPem, signature, 'base64');
  } catch {
    return false;
  }
}

/** A 2048-bit RSA key pair in PEM: PKCS8 private key, SPKI public key. */
export function generateRsaKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}
