/**
 * Forms for Alipay's notify endpoint: genuine notifications replayed, and forged, tampered,
 * wrong-app, wrong-amount, unknown-trade, incomplete, padded and oddly encoded ones. Forms are
 * signed as the local gateway signs (web/alipay-gateway/src/rsa2.ts: every non-empty field but
 * sign and sign_type, sorted, k=v joined with &, RSA-SHA256, base64) with its key, or with a key
 * of our own (forged). Only trades already PAID (or REFUNDED) are aimed at: a correctly signed
 * TRADE_SUCCESS for an open trade would be a real payment, not an attack.
 */
import { createSign, createVerify, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { toAlipayTime } from '@shop/contracts';
import type { BodyPlan } from './http';
import { Entries } from './json-text';

export interface Trade {
  paymentId: string;
  amount: string;
  tradeNo: string;
  /** The last notification the gateway sent for it (signed), when it has one. */
  genuine?: Record<string, string>;
}

export interface NotifyKeys {
  appId: string;
  /** The gateway's key: signs notifications. */
  alipayPrivateKey: string;
  /** What pay verifies them with. */
  alipayPublicKey: string;
  /** A key of our own: forgeries. */
  forgedPrivateKey: string;
}

export function loadNotifyKeys(keysDir: string, appId: string): NotifyKeys {
  const forged = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return {
    appId,
    alipayPrivateKey: readFileSync(join(keysDir, 'alipay-private-key.pem'), 'utf8'),
    alipayPublicKey: readFileSync(join(keysDir, 'alipay-public-key.pem'), 'utf8'),
    forgedPrivateKey: forged.privateKey,
  };
}

type Fields = [string, unknown][];

/** The gateway's signing content: non-empty fields but sign and sign_type, sorted, k=v with &. */
function gatewayContent(fields: Fields): string {
  const object = Object.fromEntries(fields);
  return Object.keys(object)
    .filter((key) => key !== 'sign' && key !== 'sign_type' && object[key] !== undefined && object[key] !== '')
    .sort()
    .map((key) => `${key}=${String(object[key])}`)
    .join('&');
}

function signed(fields: Fields, privateKey: string, algorithm = 'RSA-SHA256'): Fields {
  const sign = createSign(algorithm).update(gatewayContent(fields), 'utf8').sign(privateKey, 'base64');
  return [...fields.filter(([key]) => key !== 'sign'), ['sign', sign]];
}

const set = (fields: Fields, key: string, value: unknown): Fields =>
  fields.some(([name]) => name === key) ? fields.map(([name, old]) => [name, name === key ? value : old] as [string, unknown]) : [...fields, [key, value]];
const without = (fields: Fields, key: string): Fields => fields.filter(([name]) => name !== key);

/** A notification of the trade as the gateway writes one (notifier.ts), unsigned. */
function freshFields(trade: Trade, appId: string, notifyId: string): Fields {
  const now = toAlipayTime(new Date());
  return [
    ['notify_time', now],
    ['notify_type', 'trade_status_sync'],
    ['notify_id', notifyId],
    ['app_id', appId],
    ['charset', 'utf-8'],
    ['version', '1.0'],
    ['sign_type', 'RSA2'],
    ['trade_no', trade.tradeNo],
    ['out_trade_no', trade.paymentId],
    ['trade_status', 'TRADE_SUCCESS'],
    ['total_amount', trade.amount],
    ['receipt_amount', trade.amount],
    ['buyer_pay_amount', trade.amount],
    ['subject', `Shop order ${trade.paymentId}`],
    ['gmt_create', now],
    ['gmt_payment', now],
  ];
}

export type Encoding = 'form' | 'form-gbk' | 'json' | 'text/plain' | 'multipart' | 'none';

export interface FormPlan {
  scenario: string;
  fields: Fields;
  encoding: Encoding;
}

/** Form arbitraries for the trades (at least one). */
export function formArbitrary(trades: Trade[], keys: NotifyKeys): fc.Arbitrary<FormPlan> {
  if (trades.length === 0) throw new Error('notify fuzzing needs at least one paid trade');
  const trade = fc.nat().map((pick) => trades[pick % trades.length]!);
  const notifyId = fc.stringMatching(/^[0-9a-f]{32}$/);
  const fresh = fc.tuple(trade, notifyId).map(([chosen, id]) => ({ trade: chosen, fields: freshFields(chosen, keys.appId, id) }));
  const real = (fields: Fields) => signed(fields, keys.alipayPrivateKey);
  const plan = (scenario: string, fields: Fields, encoding: Encoding = 'form'): FormPlan => ({ scenario, fields, encoding });
  const otherAmount = (amount: string) =>
    fc.constantFrom(
      '0.01',
      '0.00',
      `${amount}0`,
      String(Number(amount)),
      `${Number(amount) + 0.01}`,
      `-${amount}`,
      ` ${amount}`,
      `${amount} `,
      '5e1',
      '999999999999.99',
      '',
      'NaN',
    );
  const unknownTrade = fc.oneof(
    fc.stringMatching(/^9[0-9]{17}$/),
    fc.constantFrom('0', '1', '-1', 'abc', '1'.repeat(25), '99999999999999999999', '18446744073709551616', '', ' ', '%00', '386000000000000000;1'),
  );
  const field = fc.constantFrom(
    'total_amount',
    'trade_status',
    'out_trade_no',
    'trade_no',
    'app_id',
    'buyer_pay_amount',
    'receipt_amount',
    'subject',
    'gmt_payment',
    'notify_id',
    'notify_time',
    'seller_id',
  );
  const withGenuine = trades.filter((candidate) => candidate.genuine !== undefined);
  const scenarios: fc.Arbitrary<FormPlan>[] = [
    // Genuine notifications sent again: acknowledged ("success"), nothing applied twice.
    ...(withGenuine.length ? [fc.constantFrom(...withGenuine).map((chosen) => plan('replay', Object.entries(chosen.genuine!)))] : []),
    fresh.map(({ fields }) => plan('replay-resigned', real(fields))),
    fc
      .tuple(fresh, fc.constantFrom('TRADE_CLOSED', 'TRADE_FINISHED', 'WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'trade_success', '', 'X'.repeat(100)))
      .map(([{ fields }, status]) => plan(`status:${status.slice(0, 20) || 'empty'}`, real(set(fields, 'trade_status', status)))),
    // Signed with a key that is not Alipay's.
    fc.tuple(fresh, fc.constantFrom('as-is', 'closed', 'amount')).map(([{ fields }, change]) => {
      const changed = change === 'closed' ? set(fields, 'trade_status', 'TRADE_CLOSED') : change === 'amount' ? set(fields, 'total_amount', '0.01') : fields;
      return plan(`forged:${change}`, signed(changed, keys.forgedPrivateKey));
    }),
    // Signed by Alipay, then changed.
    fc
      .tuple(fresh, field, fc.oneof(fc.constantFrom('0.01', 'TRADE_SUCCESS', '2021000000000002', '1', ''), unknownTrade))
      .map(([{ fields }, name, value]) => plan(`tampered:${name}`, set(real(fields), name, value))),
    fc
      .tuple(fresh, fc.constantFrom('2021000000000002', '', `${keys.appId} `, 'x', keys.appId + '0'))
      .map(([{ fields }, appId]) => plan('wrong-app', real(set(fields, 'app_id', appId)))),
    fresh.chain(({ trade: chosen, fields }) => otherAmount(chosen.amount).map((amount) => plan('wrong-amount', real(set(fields, 'total_amount', amount))))),
    fc.tuple(fresh, unknownTrade).map(([{ fields }, id]) => plan('unknown-trade', real(set(fields, 'out_trade_no', id)))),
    fc
      .tuple(fresh, fc.constantFrom('sign', 'sign_type', 'out_trade_no', 'total_amount', 'app_id', 'trade_status', 'notify_id', 'trade_no'))
      .map(([{ fields }, name]) =>
        plan(
          `missing:${name}`,
          name === 'sign' ? without(real(fields), 'sign') : name === 'sign_type' ? without(real(fields), 'sign_type') : real(without(fields, name)),
        ),
      ),
    fc
      .tuple(fresh, fc.constantFrom('fund_bill_list', '__proto__', 'constructor', 'hasOwnProperty', 'toString', 'x'), fc.boolean())
      .map(([{ fields }, name, signedAfter]) =>
        plan(`extra:${name}:${signedAfter ? 'signed' : 'unsigned'}`, signedAfter ? real([...fields, [name, 'x']]) : [...real(fields), [name, 'x']]),
      ),
    fc.tuple(fresh, field).map(([{ fields }, name]) => plan(`empty:${name}`, real(set(fields, name, '')))),
    fc
      .tuple(fresh, fc.constantFrom(20_000, 60_000, 70_000))
      .map(([{ fields }, size]) => plan(`huge:subject:${size}`, real(set(fields, 'subject', 'x'.repeat(size))))),
    fc
      .tuple(fresh, fc.constantFrom('', 'abc', '!!!', 'null', 'A'.repeat(10_000), Buffer.alloc(256, 7).toString('base64')))
      .map(([{ fields }, sign]) => plan('sign-garbage', set(real(fields), 'sign', sign))),
    fc
      .tuple(fresh, fc.constantFrom('RSA', 'XYZ', '', 'rsa2', 'RSA2 ', '__proto__', 'constructor', 'toString', 'hasOwnProperty'))
      .map(([{ fields }, signType]) => plan(`sign-type:${signType || 'empty'}`, set(real(fields), 'sign_type', signType))),
    fc.tuple(fresh, unknownTrade, fc.boolean()).map(([{ fields }, id, realLast]) => {
      const base = real(fields);
      const realId = base.find(([name]) => name === 'out_trade_no')![1];
      const rest = without(base, 'out_trade_no');
      return plan(
        `duplicate:out_trade_no:${realLast ? 'real-last' : 'real-first'}`,
        realLast ? [['out_trade_no', id], ...rest, ['out_trade_no', realId]] : [['out_trade_no', realId], ...rest, ['out_trade_no', id]],
      );
    }),
    fc
      .tuple(fresh, fc.constantFrom<Encoding>('json', 'text/plain', 'multipart', 'none', 'form-gbk'))
      .map(([{ fields }, encoding]) => plan(`encoding:${encoding}`, real(fields), encoding)),
    fresh.map(({ fields }) =>
      plan(
        'json-numbers',
        real(fields).map(([name, value]) => [name, name === 'total_amount' ? Number(value) : value] as [string, unknown]),
        'json',
      ),
    ),
    fc
      .tuple(fresh, fc.constantFrom('a+b c', '100%', 'é🛒', '\u0000', '&sign=x', '=', '\uD800'))
      .map(([{ fields }, subject]) => plan('encoded-subject', real(set(fields, 'subject', subject)))),
  ];
  return fc.oneof(...scenarios);
}

const formParams = (fields: Fields) => new URLSearchParams(fields.map(([name, value]): [string, string] => [name, String(value)]));

/**
 * The form as pay-web's parsers will see it (one value per name, the last one winning), or
 * undefined when they do not make an object of it (text, multipart, no content type).
 */
export function parsedForm(plan: FormPlan): Record<string, unknown> | undefined {
  if (plan.encoding === 'form' || plan.encoding === 'form-gbk') return Object.fromEntries(formParams(plan.fields));
  if (plan.encoding === 'json') return Object.fromEntries(plan.fields);
  return undefined;
}

export function encodeForm(plan: FormPlan): BodyPlan {
  switch (plan.encoding) {
    case 'form':
    case 'form-gbk':
      return {
        kind: 'raw',
        text: formParams(plan.fields).toString(),
        encoding: 'utf8',
        contentType: plan.encoding === 'form' ? 'application/x-www-form-urlencoded; charset=utf-8' : 'application/x-www-form-urlencoded; charset=gbk',
      };
    case 'json':
      return { kind: 'json', value: new Entries(plan.fields) };
    case 'text/plain':
    case 'multipart':
      return {
        kind: 'raw',
        text:
          plan.encoding === 'multipart'
            ? plan.fields.map(([name, value]) => `--fuzz\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${String(value)}\r\n`).join('') +
              '--fuzz--\r\n'
            : formParams(plan.fields).toString(),
        encoding: 'utf8',
        contentType: plan.encoding === 'multipart' ? 'multipart/form-data; boundary=fuzz' : 'text/plain',
      };
    case 'none':
      return { kind: 'raw', text: formParams(plan.fields).toString(), encoding: 'utf8', contentType: null };
  }
}

const ALGORITHMS: Record<string, string> = { RSA: 'RSA-SHA1', RSA2: 'RSA-SHA256' };

/**
 * Whether the signature holds, as alipay-sdk's checkNotifySignV2 decides it (sign_type kept,
 * then dropped; raw values; empty values kept), or 'throws' when the SDK itself would throw
 * (a sign_type it has no algorithm for).
 */
export function sdkSignatureValid(form: Record<string, unknown>, publicKey: string): boolean | 'throws' {
  const sign = form.sign;
  if (!sign) return false;
  const signType = (form.sign_type || 'RSA2') as string;
  const args: Record<string, unknown> = { ...form };
  delete args.sign;
  args.sign_type = signType;
  const check = () => {
    if (!Object.hasOwn(ALGORITHMS, signType)) return 'throws' as const;
    const content = Object.keys(args)
      .sort()
      .filter((key) => key)
      .map((key) => `${key}=${typeof args[key] === 'string' ? (args[key] as string) : JSON.stringify(args[key])}`)
      .join('&');
    try {
      return createVerify(ALGORITHMS[signType]!).update(content, 'utf8').verify(publicKey, String(sign), 'base64');
    } catch {
      return false;
    }
  };
  const first = check();
  if (first !== false) return first;
  delete args.sign_type;
  return check();
}

export type Expectation = { reply: 'success' | 'failure'; why: string; signatureValid: boolean };

/**
 * The form as the pay service receives it from pay-web: a protobuf map, whose generated decoder
 * assigns `fields[key] = value`, so a `__proto__` field never arrives.
 */
function afterTransport(form: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(form).filter(([key]) => key !== '__proto__'));
}

/** What pay-web should answer, from the contract: only a verified form for a known trade and its amount is acknowledged. */
export function expectedReply(plan: FormPlan, keys: NotifyKeys, trades: Trade[]): Expectation {
  const form = parsedForm(plan);
  if (!form) return { reply: 'failure', why: 'not a form', signatureValid: false };
  if (!Object.values(form).every((value) => typeof value === 'string')) return { reply: 'failure', why: 'a value is not a string', signatureValid: false };
  const signature = sdkSignatureValid(form, keys.alipayPublicKey);
  if (signature !== true) {
    // Unsigned, yet what pay verifies is the signed part alone: lenient, but nothing forged gets through.
    if (Object.hasOwn(form, '__proto__') && sdkSignatureValid(afterTransport(form), keys.alipayPublicKey) === true) {
      return { reply: 'failure', why: 'an unsigned __proto__ field, dropped on the way to the pay service (protobuf map decoding)', signatureValid: true };
    }
    return { reply: 'failure', why: signature === 'throws' ? 'unknown sign_type' : 'bad signature', signatureValid: false };
  }
  if (form.app_id !== keys.appId) return { reply: 'failure', why: 'another app', signatureValid: true };
  const trade = trades.find((candidate) => candidate.paymentId === form.out_trade_no);
  if (!trade) return { reply: 'failure', why: 'unknown trade', signatureValid: true };
  if (form.total_amount !== trade.amount) return { reply: 'failure', why: 'another amount', signatureValid: true };
  return { reply: 'success', why: 'verified', signatureValid: true };
}
