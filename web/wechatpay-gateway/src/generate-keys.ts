/**
 * Creates the key material of local development when missing, as a merchant holds it after
 * registering with WeChat Pay, plus the private halves that only WeChat Pay holds:
 * - the merchant's API key pair and API certificate (`apiclient_key.pem`, `apiclient_cert.pem`):
 *   the merchant signs requests with the key, WeChat Pay knows the certificate by its serial;
 * - a platform certificate and its key (`wechatpay_platform_cert.pem`, `wechatpay_platform_key.pem`):
 *   the older way WeChat Pay signs answers and notifications;
 * - the WeChat Pay public key and its private half (`pub_key.pem`, `wechatpay_pub_key_private.pem`),
 *   known by its id `PUB_KEY_ID_` + 32 digits: the way new merchants get;
 * - the 32-character APIv3 key that encrypts notifications (`apiv3_key.txt`);
 * - `ids.json`: the merchant id, both serials and the public key id, for clients to read.
 * Certificates are made by the openssl command line (as deploy/local/lib/pki.sh does), with
 * 40-digit upper-case hex serials like WeChat's. Existing files are kept: running it again
 * changes nothing. Real deployments use what the merchant platform issued (docs/operations.md).
 *
 *   node web/wechatpay-gateway/dist/generate-keys.js <folder>
 */
import { generateKeyPairSync, randomBytes, randomInt, X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomAlphanumeric } from './wechat-crypto';

export const KEY_FILES = {
  merchantPrivateKey: 'apiclient_key.pem',
  merchantCertificate: 'apiclient_cert.pem',
  platformPrivateKey: 'wechatpay_platform_key.pem',
  platformCertificate: 'wechatpay_platform_cert.pem',
  publicKey: 'pub_key.pem',
  publicKeyPrivateKey: 'wechatpay_pub_key_private.pem',
  apiV3Key: 'apiv3_key.txt',
  ids: 'ids.json',
} as const;

export const DEFAULT_MCHID = '1900000109';

/** What ids.json holds: how the merchant's client names each key. */
export interface KeyIds {
  mchid: string;
  /** serial_no of the Authorization header (the merchant's API certificate). */
  merchantSerial: string;
  /** Wechatpay-Serial of what the platform certificate signs. */
  platformSerial: string;
  /** Wechatpay-Serial of what the WeChat Pay public key signs. */
  publicKeyId: string;
}

const SUBJECT = '/C=CN/ST=Guangdong/L=Shenzhen/O=Tenpay.com/OU=Tenpay.com CA Center (local emulator)';

function rsaKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/** 40 upper-case hex digits, the first one 1-7: a positive 20-byte serial, printed without a leading zero. */
function newSerial(): string {
  return `${randomInt(1, 8)}${randomBytes(20).toString('hex').toUpperCase().slice(1)}`;
}

/** A self-signed certificate for the key in `keyFile`, by the openssl command line. */
function issueCertificate(keyFile: string, certificateFile: string, commonName: string, days: number): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-new',
      '-key',
      keyFile,
      '-sha256',
      '-days',
      String(days),
      '-set_serial',
      `0x${newSerial()}`,
      '-subj',
      `${SUBJECT}/CN=${commonName}`,
      '-out',
      certificateFile,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

/** `PUB_KEY_ID_` and 32 digits: "01", the merchant id padded to 10, the day, 12 random digits. */
function newPublicKeyId(mchid: string): string {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  const random = Array.from({ length: 12 }, () => randomInt(10)).join('');
  return `PUB_KEY_ID_01${mchid.padStart(10, '0').slice(-10)}${day}${random}`;
}

function readIds(folder: string): Partial<KeyIds> {
  try {
    return JSON.parse(readFileSync(join(folder, KEY_FILES.ids), 'utf8')) as Partial<KeyIds>;
  } catch {
    return {};
  }
}

const serialOf = (file: string) => new X509Certificate(readFileSync(file)).serialNumber.toUpperCase();
/** The merchant id is the CN of the merchant's API certificate, as in WeChat's. */
const commonNameOf = (file: string) => /(?:^|\n)CN=([^\n]*)/.exec(new X509Certificate(readFileSync(file)).subject)?.[1] ?? '';

/** Creates what is missing in `folder` and answers the ids (ids.json, rewritten when they changed). */
export function ensureKeys(folder: string, { mchid = process.env.WECHATPAY_MCHID || DEFAULT_MCHID } = {}): KeyIds {
  mkdirSync(folder, { recursive: true });
  const path = (file: string) => join(folder, file);
  const log = (what: string) => console.log(`[wechatpay-keys] ${what} written to ${folder}`);

  for (const [owner, keyFile, certificateFile, commonName, days] of [
    ['merchant API', KEY_FILES.merchantPrivateKey, KEY_FILES.merchantCertificate, mchid, 1825],
    ['platform', KEY_FILES.platformPrivateKey, KEY_FILES.platformCertificate, 'Tenpay.com sign', 1825],
  ] as const) {
    if (existsSync(path(keyFile)) && existsSync(path(certificateFile))) continue;
    writeFileSync(path(keyFile), rsaKeyPair().privateKey, { mode: 0o600 });
    rmSync(path(certificateFile), { force: true });
    issueCertificate(path(keyFile), path(certificateFile), commonName, days);
    log(`${owner} key and certificate`);
  }

  const known = readIds(folder);
  let publicKeyId = known.publicKeyId;
  if (!publicKeyId || !existsSync(path(KEY_FILES.publicKey)) || !existsSync(path(KEY_FILES.publicKeyPrivateKey))) {
    const pair = rsaKeyPair();
    writeFileSync(path(KEY_FILES.publicKeyPrivateKey), pair.privateKey, { mode: 0o600 });
    writeFileSync(path(KEY_FILES.publicKey), pair.publicKey);
    publicKeyId = newPublicKeyId(commonNameOf(path(KEY_FILES.merchantCertificate)));
    log(`WeChat Pay public key ${publicKeyId}`);
  }

  if (!existsSync(path(KEY_FILES.apiV3Key))) {
    writeFileSync(path(KEY_FILES.apiV3Key), randomAlphanumeric(32), { mode: 0o600 });
    log('APIv3 key');
  }

  const ids: KeyIds = {
    mchid: commonNameOf(path(KEY_FILES.merchantCertificate)),
    merchantSerial: serialOf(path(KEY_FILES.merchantCertificate)),
    platformSerial: serialOf(path(KEY_FILES.platformCertificate)),
    publicKeyId,
  };
  if (JSON.stringify(known) !== JSON.stringify(ids)) writeFileSync(path(KEY_FILES.ids), `${JSON.stringify(ids, null, 2)}\n`);
  return ids;
}

if (require.main === module) {
  const folder = process.argv[2];
  if (!folder) {
    console.error('usage: generate-keys <folder>');
    process.exit(2);
  }
  ensureKeys(folder);
}
