/**
 * Creates the two RSA key pairs of local development when missing: the merchant app's (the pay
 * service signs with its private key, the gateway verifies with its public key) and the
 * gateway's (it signs responses and notifications, the pay service verifies). Real deployments
 * use the keys registered with Alipay instead (docs/operations.md).
 *
 *   node web/alipay-gateway/dist/generate-keys.js <folder>
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateRsaKeyPair } from './rsa2';

export const KEY_FILES = {
  appPrivateKey: 'app-private-key.pem',
  appPublicKey: 'app-public-key.pem',
  alipayPrivateKey: 'alipay-private-key.pem',
  alipayPublicKey: 'alipay-public-key.pem',
} as const;

export function ensureKeys(folder: string): void {
  mkdirSync(folder, { recursive: true });
  for (const [owner, privateFile, publicFile] of [
    ['app', KEY_FILES.appPrivateKey, KEY_FILES.appPublicKey],
    ['alipay', KEY_FILES.alipayPrivateKey, KEY_FILES.alipayPublicKey],
  ] as const) {
    if (existsSync(join(folder, privateFile)) && existsSync(join(folder, publicFile))) continue;
    const pair = generateRsaKeyPair();
    writeFileSync(join(folder, privateFile), pair.privateKey, { mode: 0o600 });
    writeFileSync(join(folder, publicFile), pair.publicKey);
    console.log(`[alipay-keys] ${owner} key pair written to ${folder}`);
  }
}

if (require.main === module) {
  const folder = process.argv[2];
  if (!folder) {
    console.error('usage: generate-keys <folder>');
    process.exit(2);
  }
  ensureKeys(folder);
}
