/**
 * Password hashing with scrypt (Node's crypto, no native add-on): a random salt per password, the
 * parameters stored with the hash so they can be raised later without breaking old hashes.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { WorkQueue } from './work-queue';

const PARAMS = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;

/**
 * Hashing runs two at a time (scrypt takes about 50 ms of a core: more at once only makes each
 * slower on a small machine) with at most 32 waiting, about a second of work at 40 hashes a
 * second, and never more than a second's wait at the pace hashes have been going (half the
 * sign-in call's 2 s deadline): a sign-in beyond is refused at once (WorkQueueFull, UNAVAILABLE
 * at the edge) rather than left to time out with every other one. configurePasswordHashing
 * changes the bounds.
 */
const MAX_WAIT_MS = 1_000;
let hashing = new WorkQueue(2, 32, MAX_WAIT_MS);

export function configurePasswordHashing(settings: { concurrency: number; maxWaiting: number; maxWaitMs?: number }): void {
  hashing = new WorkQueue(settings.concurrency, settings.maxWaiting, settings.maxWaitMs ?? MAX_WAIT_MS);
}

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return hashing.run(
    () => new Promise((resolve, reject) => scrypt(password, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)))),
  );
}

/** "scrypt$N$r$p$salt$hash", salt and hash in base64. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash of nothing, verified against when the username is unknown: same time, no user probing. */
export const DECOY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
