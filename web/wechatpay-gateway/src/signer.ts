/**
 * Who signs WeChat Pay's answers and notifications. Merchants registered since the WeChat Pay
 * public key was introduced get answers signed by that key (`Wechatpay-Serial: PUB_KEY_ID_...`);
 * older ones by a platform certificate (`Wechatpay-Serial: <its serial>`), and during a
 * migration WeChat switches a merchant from one to the other gradually, so a merchant must
 * accept both. The mode is set at start (WECHATPAY_SIGN_WITH) and can be switched through the
 * sandbox to reproduce the migration.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { answerMessage, randomAlphanumeric, rsaSign } from './wechat-crypto';

export const SIGNING_MODES = ['public_key', 'certificate'] as const;
export type SigningMode = (typeof SIGNING_MODES)[number];

export interface SigningKeys {
  publicKeyId: string;
  /** The private half of the WeChat Pay public key (WeChat's own; the merchant has the public half). */
  publicKeyPrivateKey: KeyObject;
  platformSerial: string;
  platformPrivateKey: KeyObject;
}

/** A Request-ID shaped like WeChat Pay's: upper-case hex and a suffix. */
export function newRequestId(): string {
  return `08${randomBytes(22).toString('hex').toUpperCase()}-0`;
}

export class Signer {
  constructor(
    private readonly keys: SigningKeys,
    public mode: SigningMode,
  ) {}

  /** The Wechatpay-Serial of what is signed now. */
  serial(): string {
    return this.mode === 'public_key' ? this.keys.publicKeyId : this.keys.platformSerial;
  }

  /**
   * The Wechatpay-* headers signing `body` now. The timestamp is the real clock's, whatever the
   * gateway's business clock says: the merchant checks it against its own clock (five minutes).
   */
  headers(body: string): Record<string, string> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomAlphanumeric(32);
    const key = this.mode === 'public_key' ? this.keys.publicKeyPrivateKey : this.keys.platformPrivateKey;
    return {
      'Wechatpay-Nonce': nonce,
      'Wechatpay-Timestamp': timestamp,
      'Wechatpay-Serial': this.serial(),
      'Wechatpay-Signature': rsaSign(answerMessage(timestamp, nonce, body), key),
    };
  }
}
