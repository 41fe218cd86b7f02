/**
 * The pay service's WeChat Pay client (the unmodified wechatpay-axios-plugin) against the local
 * WeChat Pay gateway, with keys made for the run: requests signed, every answer verified, in both
 * signing modes (WeChat Pay public key, platform certificate); WeChat's refusals as values and
 * transport failures thrown; notifications verified over the exact bytes received and decrypted,
 * forged and tampered ones refused; the trade bill with its SHA1.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@shop/common/log';
import { buildGateway, type Gateway } from '../../../web/wechatpay-gateway/src/app';
import { loadGatewayConfig } from '../../../web/wechatpay-gateway/src/config';
import { ensureKeys, KEY_FILES } from '../../../web/wechatpay-gateway/src/generate-keys';
import { paidInBill, WechatPayClient, WechatPayRefusal, type WechatPaySettings } from '../src/wechatpay/wechatpay-client';

const MCHID = '1900000109';
const APPID = 'wx8888888888888888';
const DAY_MS = 86_400_000;

interface Notification {
  headers: IncomingHttpHeaders;
  body: string;
}

describe('WeChat Pay through wechatpay-axios-plugin against the local gateway', function () {
  this.timeout(30_000);
  const keys = mkdtempSync(join(tmpdir(), 'wechatpay-keys-'));
  const ids = ensureKeys(keys, { mchid: MCHID });
  const key = (file: string) => readFileSync(join(keys, file), 'utf8');
  let clockOffsetMs = 0;
  let gateway: Gateway;
  let merchant: Server;
  let notifyUrl: string;
  const received: Notification[] = [];

  const gatewayUrl = () => `http://127.0.0.1:${(gateway.app.server.address() as AddressInfo).port}`;
  const settings = (overrides: Partial<WechatPaySettings> = {}): WechatPaySettings => ({
    baseUrl: gatewayUrl(),
    mchid: MCHID,
    appid: APPID,
    merchantSerial: ids.merchantSerial,
    merchantPrivateKey: key(KEY_FILES.merchantPrivateKey),
    apiV3Key: key(KEY_FILES.apiV3Key),
    verifiers: { [ids.publicKeyId]: key(KEY_FILES.publicKey), [ids.platformSerial]: key(KEY_FILES.platformCertificate) },
    publicKeyId: ids.publicKeyId,
    timeoutMs: 3_000,
    ...overrides,
  });
  const sandbox = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${gatewayUrl()}/sandbox${path}`, {
      method,
      ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const until = async <T>(what: string, probe: () => T | undefined, ms = 5_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  let n = 0;
  const newNo = () => `WX${Date.now()}${n++}`;
  const order = (client: WechatPayClient, outTradeNo: string, amount = '29.90') =>
    client.createNativeOrder({ outTradeNo, amount, description: 'test order', expiresAt: new Date(Date.now() + 10 * 60_000), notifyUrl });
  /** The notification of a trade (or refund) the merchant received, by its decrypted resource. */
  const notificationOf = (client: WechatPayClient, field: string, value: string) =>
    until(`the notification of ${value}`, () =>
      received.find((notification) => client.parseNotification(notification.headers, notification.body)?.resource[field] === value),
    );

  before(async () => {
    merchant = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.statusCode = 204;
        response.end();
      });
    });
    await new Promise<void>((resolve) => merchant.listen(0, '127.0.0.1', resolve));
    notifyUrl = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}/api/v1/notify/wechatpay`;
    const config = loadGatewayConfig({ WECHATPAY_KEYS_DIR: keys, WECHATPAY_MCHID: MCHID, WECHATPAY_GATEWAY_PORT: '0', WECHATPAY_NOTIFY_TIME_SCALE: '0.001' });
    gateway = buildGateway(config, createLogger('wechatpay-gateway-test', 'silent'), { now: () => new Date(Date.now() + clockOffsetMs) });
    await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterEach(async () => {
    await fetch(`${gatewayUrl()}/sandbox/faults`, { method: 'DELETE' });
    await sandbox('POST', '/signing', { mode: 'public_key' });
  });

  after(async () => {
    await gateway?.app.close();
    merchant?.close();
  });

  for (const mode of ['public_key', 'certificate'] as const) {
    it(`a Native order paid, notified and queried, amounts in yuan (answers signed by the ${mode.replace('_', ' ')})`, async () => {
      await sandbox('POST', '/signing', { mode });
      const client = new WechatPayClient(settings(mode === 'certificate' ? { publicKeyId: undefined } : {}));
      const outTradeNo = newNo();
      const created = await order(client, outTradeNo);
      assert.ok(!(created instanceof WechatPayRefusal), JSON.stringify(created));
      assert.match(created.codeUrl, /^weixin:\/\/wxpay\/bizpayurl\?pr=/);
      assert.deepEqual(await client.query(outTradeNo), { state: 'NOTPAY', amount: '29.90', transactionId: '' });

      assert.equal((await sandbox('POST', `/orders/${outTradeNo}/pay`, { notify: 'normal' })).status, 200);
      const notification = await notificationOf(client, 'out_trade_no', outTradeNo);
      const parsed = client.parseNotification(notification.headers, notification.body)!;
      assert.equal(parsed.eventType, 'TRANSACTION.SUCCESS');
      assert.equal(parsed.resource.trade_state, 'SUCCESS');
      assert.deepEqual(parsed.resource.amount && (parsed.resource.amount as { total: number }).total, 2990);
      assert.equal(notification.headers['wechatpay-serial'], mode === 'public_key' ? ids.publicKeyId : ids.platformSerial);

      const paid = await client.query(outTradeNo);
      assert.ok(!(paid instanceof WechatPayRefusal));
      assert.equal(paid.state, 'SUCCESS');
      assert.equal(paid.amount, '29.90');
      assert.equal(paid.transactionId, parsed.resource.transaction_id);
    });
  }

  it("answers WeChat's refusals as values: an unknown order, a paid order closed, a refund too large", async () => {
    const client = new WechatPayClient(settings());
    const unknown = await client.query(newNo());
    assert.ok(unknown instanceof WechatPayRefusal);
    assert.deepEqual([unknown.httpStatus, unknown.code], [404, 'ORDER_NOT_EXIST']);

    const outTradeNo = newNo();
    await order(client, outTradeNo, '10.00');
    await sandbox('POST', `/orders/${outTradeNo}/pay`, { notify: 'none' });
    const closePaid = await client.close(outTradeNo);
    assert.ok(closePaid instanceof WechatPayRefusal);
    assert.equal(closePaid.code, 'ORDERPAID');
    const tooMuch = await client.refund({ outTradeNo, refundId: newNo(), amount: '10.01', total: '10.00', reason: 'too much' });
    assert.ok(tooMuch instanceof WechatPayRefusal, JSON.stringify(tooMuch));
    assert.equal(tooMuch.httpStatus, 400);
    const unknownRefund = await client.refundQuery(newNo());
    assert.ok(unknownRefund instanceof WechatPayRefusal);
    assert.deepEqual([unknownRefund.httpStatus, unknownRefund.code], [404, 'RESOURCE_NOT_EXISTS']);
  });

  it('closes an unpaid order: CLOSED, and the buyer can no longer pay it', async () => {
    const client = new WechatPayClient(settings());
    const outTradeNo = newNo();
    await order(client, outTradeNo);
    assert.deepEqual(await client.close(outTradeNo), { closed: true });
    assert.equal(((await client.query(outTradeNo)) as { state: string }).state, 'CLOSED');
    assert.equal((await sandbox('POST', `/orders/${outTradeNo}/pay`, {})).status, 409);
  });

  it('a refund answers PROCESSING, once per out_refund_no, and ends SUCCESS with a REFUND.SUCCESS notification', async () => {
    const client = new WechatPayClient(settings());
    await sandbox('POST', '/refund-processing', { delayMs: null });
    try {
      const outTradeNo = newNo();
      await order(client, outTradeNo, '50.00');
      await sandbox('POST', `/orders/${outTradeNo}/pay`, { notify: 'none' });
      const refundId = newNo();
      const ask = () => client.refund({ outTradeNo, refundId, amount: '20.00', total: '50.00', reason: 'damaged', notifyUrl });
      const first = await ask();
      assert.ok(!(first instanceof WechatPayRefusal), JSON.stringify(first));
      assert.deepEqual([first.status, first.amount], ['PROCESSING', '20.00']);
      const again = await ask();
      assert.deepEqual(again, first, 'the same refund again, not a second one');
      assert.equal(((await client.refundQuery(refundId)) as { status: string }).status, 'PROCESSING');

      assert.equal((await sandbox('POST', `/refunds/${refundId}/settle`, { status: 'SUCCESS' })).status, 200);
      const notification = await notificationOf(client, 'out_refund_no', refundId);
      const parsed = client.parseNotification(notification.headers, notification.body)!;
      assert.deepEqual([parsed.eventType, parsed.resource.refund_status], ['REFUND.SUCCESS', 'SUCCESS']);
      assert.deepEqual(await client.refundQuery(refundId), { status: 'SUCCESS', amount: '20.00', refundId: first.refundId });
    } finally {
      await sandbox('POST', '/refund-processing', { delayMs: 100 });
    }
  });

  it('throws, rather than answers, when WeChat Pay fails without a refusal or an answer does not verify', async () => {
    const client = new WechatPayClient(settings());
    const outTradeNo = newNo();
    await order(client, outTradeNo);
    await sandbox('POST', '/faults', { api: 'query', mode: 'error' });
    const failed = await client.query(outTradeNo);
    assert.ok(failed instanceof WechatPayRefusal);
    assert.deepEqual([failed.httpStatus, failed.code], [500, 'SYSTEM_ERROR'], 'a signed SYSTEM_ERROR is a refusal the caller retries');
    await sandbox('POST', '/faults', { api: 'query', mode: 'lose-answer' });
    await assert.rejects(client.query(outTradeNo), 'no answer: unknown, thrown');
    // A client that trusts only the platform certificate meets an answer signed by the public key.
    const distrustful = new WechatPayClient(settings({ verifiers: { [ids.platformSerial]: key(KEY_FILES.platformCertificate) } }));
    await assert.rejects(distrustful.query(outTradeNo), 'an answer it cannot verify is thrown');
  });

  it('refuses forged, tampered, stale and unknown-key notifications', async () => {
    const client = new WechatPayClient(settings());
    const outTradeNo = newNo();
    await order(client, outTradeNo);
    await sandbox('POST', `/orders/${outTradeNo}/pay`, { notify: 'normal' });
    const genuine = await notificationOf(client, 'out_trade_no', outTradeNo);
    const reasons: string[] = [];
    const parse = (headers: IncomingHttpHeaders, body: string) => client.parseNotification(headers, body, (reason) => reasons.push(reason));
    assert.ok(parse(genuine.headers, genuine.body), 'the genuine one verifies');

    const event = JSON.parse(genuine.body) as { resource: { ciphertext: string } };
    const flipped = Buffer.from(event.resource.ciphertext, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    const tampered = JSON.stringify({ ...event, resource: { ...event.resource, ciphertext: flipped.toString('base64') } });
    assert.equal(parse(genuine.headers, tampered), undefined, 'a changed body no longer verifies');
    assert.equal(parse({ ...genuine.headers, 'wechatpay-signature': Buffer.alloc(256).toString('base64') }, genuine.body), undefined);
    assert.equal(parse({ ...genuine.headers, 'wechatpay-timestamp': String(Math.floor(Date.now() / 1000) - 600) }, genuine.body), undefined);
    assert.equal(parse({ ...genuine.headers, 'wechatpay-serial': 'PUB_KEY_ID_00000000000000000000000000000000' }, genuine.body), undefined);
    assert.equal(parse({}, genuine.body), undefined);
    assert.deepEqual(reasons, [
      'signature does not verify',
      'signature does not verify',
      'timestamp too far from now',
      'no key for Wechatpay-Serial PUB_KEY_ID_00000000000000000000000000000000',
      'Wechatpay-* headers missing',
    ]);
    // Signed by another APIv3 key's holder: verifies, but does not decrypt.
    const otherKey = new WechatPayClient(settings({ apiV3Key: 'x'.repeat(32) }));
    assert.equal(otherKey.parseNotification(genuine.headers, genuine.body), undefined);
  });

  it("reads the day's trade bill after its SHA1 check: the orders paid that day, in yuan", async () => {
    const client = new WechatPayClient(settings());
    const paidNo = newNo();
    const unpaidNo = newNo();
    await order(client, paidNo, '12.34');
    await order(client, unpaidNo, '5.00');
    await sandbox('POST', `/orders/${paidNo}/pay`, { notify: 'none' });
    const chinaDay = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const early = await client.tradeBill(chinaDay);
    assert.ok(early instanceof WechatPayRefusal, 'no bill for today yet');
    // The next China day, past 10:00, when WeChat serves the bill.
    const nextDayTen = Date.parse(`${chinaDay}T10:30:00+08:00`) + DAY_MS;
    clockOffsetMs = nextDayTen - Date.now();
    try {
      const bill = await client.tradeBill(chinaDay);
      assert.ok(!(bill instanceof WechatPayRefusal), JSON.stringify(bill));
      assert.equal(bill.get(paidNo), '12.34');
      assert.equal(bill.has(unpaidNo), false);
    } finally {
      clockOffsetMs = 0;
    }
  });

  it("reads a bill in WeChat's layout: backtick fields, SUCCESS rows only, the summary left out", () => {
    const csv = [
      '\uFEFF交易时间,公众账号ID,商户号,微信订单号,商户订单号,交易状态,应结订单金额,订单金额',
      '`2026-12-06 10:00:00,`wx8888888888888888,`1900000109,`4200000001,`A1,`SUCCESS,`1.00,`1.00',
      '`2026-12-06 11:00:00,`wx8888888888888888,`1900000109,`4200000002,`A2,`REFUND,`0.00,`2.00',
      '总交易单数,应结订单总金额,退款总金额',
      '`2,`1.00,`2.00',
    ].join('\r\n');
    assert.deepEqual([...paidInBill(csv)], [['A1', '1.00']]);
  });
});
