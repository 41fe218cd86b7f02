/**
 * The cryptography of WeChat Pay API v3, as the gateway applies it:
 * - requests: SHA256withRSA over `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`, by the
 *   merchant's API certificate key;
 * - answers and notifications: SHA256withRSA over `TIMESTAMP\nNONCE\nBODY\n`, by the WeChat Pay
 *   public key's private half or by the platform certificate's key;
 * - notification resources and platform certificates: AEAD_AES_256_GCM with the merchant's
 *   32-character APIv3 key, a 12-character nonce and an associated data string, the base64 of
 *   the ciphertext followed by its 16-byte tag.
 */
import { createCipheriv, createSign, createVerify, randomInt, type KeyObject } from 'node:crypto';

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A random string of letters and digits (nonces, tokens). */
export function randomAlphanumeric(size: number): string {
  let text = '';
  for (let i = 0; i < size; i += 1) text += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return text;
}

export function requestMessage(method: string, url: string, timestamp: string, nonce: string, body: string): string {
  return `${method}\n${url}\n${timestamp}\n${nonce}\n${body}\n`;
}

export function answerMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

export function rsaSign(message: string, privateKey: KeyObject): string {
  return createSign('RSA-SHA256').update(message, 'utf8').sign(privateKey, 'base64');
}

export function rsaVerify(message: string, signature: string, publicKey: KeyObject): boolean {
  try {
    return createVerify('RSA-SHA256').update(message, 'utf8').verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}

/** AEAD_AES_256_GCM as WeChat Pay uses it; a fresh nonce for every encryption. */
export function aesGcmEncrypt(plaintext: string, apiV3Key: string, associatedData: string): { ciphertext: string; nonce: string } {
  const nonce = randomAlphanumeric(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8')).setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { ciphertext: ciphertext.toString('base64'), nonce };
}
