/**
 * The pay service's Alipay client (the unmodified alipay-sdk) against the local gateway, with
 * real RSA2 keys made for the run: signatures both ways, Alipay's business errors, the
 * notifications and their retry schedule. As at Alipay, a precreated trade exists only once a
 * buyer has scanned its QR code.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@shop/common/log';
import { formatCents } from '@shop/common/money';
import { toAlipayTime } from '@shop/contracts';
import { buildGateway, type Gateway } from '../../../web/alipay-gateway/src/app';
import { loadGatewayConfig } from '../../../web/alipay-gateway/src/config';
import { ensureKeys, KEY_FILES } from '../../../web/alipay-gateway/src/generate-keys';
import { generateRsaKeyPair } from '../../../web/alipay-gateway/src/rsa2';
import { AlipayClient, AlipayRefusal } from '../src/alipay/alipay-client';

const APP_ID = '2021000000000042';

describe('Alipay through alipay-sdk against the local gateway (real RSA2 keys)', function () {
  this.timeout(30_000);
  const keys = mkdtempSync(join(tmpdir(), 'alipay-keys-'));
  ensureKeys(keys);
  const key = (file: string) => readFileSync(join(keys, file), 'utf8');
  let gateway: Gateway;
  let alipay: AlipayClient;
  let merchant: Server;
  let merchantAnswer = 'success';
  const received: Record<string, string>[] = [];
  let notifyUrl: string;

  const client = (overrides: Partial<ConstructorParameters<typeof AlipayClient>[0]> = {}) =>
    new AlipayClient({
      appId: APP_ID,
      appPrivateKey: key(KEY_FILES.appPrivateKey),
      alipayPublicKey: key(KEY_FILES.alipayPublicKey),
      gateway: `${gatewayUrl()}/gateway.do`,
      timeoutMs: 5_000,
      ...overrides,
    });
  const gatewayUrl = () => `http://127.0.0.1:${(gateway.app.server.address() as AddressInfo).port}`;
  const precreate = (outTradeNo: string, amount = '12.34', expiresAt = new Date(Date.now() + 60_000)) =>
    alipay.precreate({ outTradeNo, amount, subject: 'test order', expiresAt, notifyUrl });
  const pay = (outTradeNo: string, notify = 'normal') =>
    fetch(`${gatewayUrl()}/sandbox/trades/${outTradeNo}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ notify }),
    });
  const scan = async (outTradeNo: string) => assert.equal((await fetch(`${gatewayUrl()}/sandbox/trades/${outTradeNo}/scan`, { method: 'POST' })).status, 200);
  let n = 0;
  const tradeNo = () => `T${Date.now()}${n++}`;

  before(async () => {
    merchant = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push(Object.fromEntries(new URLSearchParams(body)));
        response.end(merchantAnswer);
      });
    });
    await new Promise<void>((resolve) => merchant.listen(0, '127.0.0.1', resolve));
    notifyUrl = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}/notify`;
    const config = loadGatewayConfig({ ALIPAY_KEYS_DIR: keys, ALIPAY_APP_ID: APP_ID, ALIPAY_GATEWAY_PORT: '0', ALIPAY_NOTIFY_TIME_SCALE: '0.0001' });
    gateway = buildGateway(config, createLogger('gateway-test', 'silent'));
    await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    alipay = client();
  });

  after(async () => {
    gateway?.notifier.stop();
    await gateway?.app.close();
    merchant?.close();
  });

  it('precreates a QR code, answers the same unpaid trade again, and refuses another amount; the trade exists once scanned', async () => {
    const outTradeNo = tradeNo();
    const first = await precreate(outTradeNo);
    assert.ok(!(first instanceof AlipayRefusal));
    assert.match(first.qrCode, new RegExp(`/cashier/${outTradeNo}$`));
    assert.deepEqual(await precreate(outTradeNo), first);
    assert.equal(((await precreate(outTradeNo, '12.35')) as AlipayRefusal).subCode, 'ACQ.CONTEXT_INCONSISTENT');
    assert.equal(((await alipay.query(outTradeNo)) as AlipayRefusal).subCode, 'ACQ.TRADE_NOT_EXIST', 'nobody scanned the QR code yet');
    await scan(outTradeNo);
    assert.deepEqual(await alipay.query(outTradeNo), { status: 'WAIT_BUYER_PAY', amount: '12.34', tradeNo: gateway.trades.get(outTradeNo).tradeNo });
    assert.equal(((await alipay.query('nope')) as AlipayRefusal).subCode, 'ACQ.TRADE_NOT_EXIST');
  });

  it('refuses requests signed with another key, and the SDK refuses responses signed with another key', async () => {
    const forger = client({ appPrivateKey: generateRsaKeyPair().privateKey });
    assert.equal(((await forger.query('whatever')) as AlipayRefusal).subCode, 'isv.invalid-signature');
    assert.equal(((await client({ appId: '2021000000000999' }).query('whatever')) as AlipayRefusal).subCode, 'isv.invalid-app-id');
    const trusting = client({ alipayPublicKey: generateRsaKeyPair().publicKey });
    await assert.rejects(trusting.query('whatever'), /验签失败|sign/);
  });

  it('pays a trade with a signed notification, which the SDK verifies; a tampered one fails verification', async () => {
    const outTradeNo = tradeNo();
    await precreate(outTradeNo, '50.00');
    received.length = 0;
    assert.equal((await pay(outTradeNo)).status, 200);
    await waitFor(() => received.find((form) => form.out_trade_no === outTradeNo));
    const form = received.find((f) => f.out_trade_no === outTradeNo)!;
    assert.deepEqual([form.trade_status, form.total_amount, form.app_id, form.notify_type], ['TRADE_SUCCESS', '50.00', APP_ID, 'trade_status_sync']);
    assert.equal(alipay.verifyNotification(form), true);
    assert.equal(alipay.verifyNotification({ ...form, total_amount: '0.01' }), false);
    assert.equal(alipay.verifyNotification({ ...form, sign: form.sign!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }), false);
    assert.equal(((await alipay.query(outTradeNo)) as { status: string }).status, 'TRADE_SUCCESS');
    assert.equal(((await alipay.close(outTradeNo)) as AlipayRefusal).subCode, 'ACQ.TRADE_STATUS_ERROR');
    assert.equal((await pay(outTradeNo)).status, 409, 'a paid trade cannot be paid again');
  });

  it('retries a notification on the compressed schedule until the merchant answers success', async () => {
    const outTradeNo = tradeNo();
    await precreate(outTradeNo);
    merchantAnswer = 'failure';
    await pay(outTradeNo);
    await waitFor(() => ((gateway.notifier.attempts.get(outTradeNo)?.length ?? 0) >= 3 ? true : undefined));
    merchantAnswer = 'success';
    await waitFor(() => (gateway.notifier.attempts.get(outTradeNo)?.at(-1) === 'success' ? true : undefined));
    const answers = gateway.notifier.attempts.get(outTradeNo)!;
    assert.ok(answers.slice(0, -1).every((answer) => answer === 'failure'));
  });

  it('closes unpaid trades (then refuses payment), and closes expired ones by itself', async () => {
    const outTradeNo = tradeNo();
    await precreate(outTradeNo);
    await scan(outTradeNo);
    assert.deepEqual(await alipay.close(outTradeNo), { closed: true });
    assert.equal(((await alipay.query(outTradeNo)) as { status: string }).status, 'TRADE_CLOSED');
    assert.equal((await pay(outTradeNo)).status, 409);

    const expiring = tradeNo();
    await precreate(expiring, '1.00', new Date(Date.now() + 1_500));
    await scan(expiring);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal(((await alipay.query(expiring)) as { status: string }).status, 'TRADE_CLOSED');
    assert.equal((await pay(expiring)).status, 409);
  });

  it('refunds in parts, once per refund id, never beyond the total; the bill lists the day', async () => {
    const outTradeNo = tradeNo();
    await precreate(outTradeNo, '30.00');
    await pay(outTradeNo, 'none');
    assert.deepEqual(await alipay.refund({ outTradeNo, refundId: 'R1', amount: '10.00', reason: 'test' }), { fundChange: true, refunded: '10.00' });
    assert.deepEqual(await alipay.refund({ outTradeNo, refundId: 'R1', amount: '10.00', reason: 'test' }), { fundChange: false, refunded: '10.00' });
    assert.equal(
      ((await alipay.refund({ outTradeNo, refundId: 'R2', amount: '20.01', reason: 'test' })) as AlipayRefusal).subCode,
      'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL',
    );
    assert.deepEqual(await alipay.refund({ outTradeNo, refundId: 'R3', amount: '20.00', reason: 'test' }), { fundChange: true, refunded: formatCents(3000n) });
    assert.equal(((await alipay.query(outTradeNo)) as { status: string }).status, 'TRADE_CLOSED');

    // Alipay's days are China's (UTC+8).
    const bill = await alipay.downloadBill(toAlipayTime(new Date()).slice(0, 10));
    assert.equal(typeof bill, 'string');
    assert.match(bill as string, new RegExp(`,${outTradeNo},TRADE_CLOSED,30.00,30.00,`));
  });

  it('tells whether a refund was made (refund query): found with its amount, or not found', async () => {
    const outTradeNo = tradeNo();
    await precreate(outTradeNo, '30.00');
    await pay(outTradeNo, 'none');
    assert.deepEqual(await alipay.refundQuery({ outTradeNo, refundId: 'R1' }), { found: false, amount: '0.00' });
    assert.deepEqual(await alipay.refund({ outTradeNo, refundId: 'R1', amount: '12.50', reason: 'test' }), { fundChange: true, refunded: '12.50' });
    assert.deepEqual(await alipay.refundQuery({ outTradeNo, refundId: 'R1' }), { found: true, amount: '12.50' });
    assert.deepEqual(await alipay.refundQuery({ outTradeNo, refundId: 'R2' }), { found: false, amount: '0.00' });
    assert.equal(((await alipay.refundQuery({ outTradeNo: tradeNo(), refundId: 'R1' })) as AlipayRefusal).subCode, 'ACQ.TRADE_NOT_EXIST');
  });
});

async function waitFor<T>(check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
