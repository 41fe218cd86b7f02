/**
 * The local Alipay gateway in process, called through the unmodified alipay-sdk with real RSA2
 * keys made for the run (every answer's signature verified): QR codes that exist only once
 * scanned, the refund query, repeated refund requests, the sandbox faults of the OpenAPI and of
 * the notifications, and the bill of a China day. The gateway's clock is the real one moved by
 * `clockOffsetMs`, so that tests cross deadlines and midnights without waiting.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@shop/common/log';
import { toAlipayTime } from '@shop/contracts';
import { AlipaySdk } from 'alipay-sdk';
import { buildGateway, type Gateway } from '../src/app';
import { Bills } from '../src/bills';
import { loadGatewayConfig } from '../src/config';
import { ensureKeys, KEY_FILES } from '../src/generate-keys';
import { generateRsaKeyPair } from '../src/rsa2';
import { BusinessError, QR_CODE_EXPIRED, TradeBook } from '../src/trades';

const APP_ID = '2021000000000077';
type Answer = Record<string, string>;
type Json = Record<string, unknown>;

describe('local Alipay gateway', function () {
  this.timeout(20_000);
  const keys = mkdtempSync(join(tmpdir(), 'alipay-gateway-keys-'));
  ensureKeys(keys);
  const key = (file: string) => readFileSync(join(keys, file), 'utf8');
  let clockOffsetMs = 0;
  let gateway: Gateway;
  let merchant: Server;
  let notifyUrl: string;
  /** Notifications the merchant received: out_trade_no and when. */
  const received: { outTradeNo: string; at: number }[] = [];
  const receivedFor = (outTradeNo: string) => received.filter((notification) => notification.outTradeNo === outTradeNo);

  const gatewayUrl = () => `http://127.0.0.1:${(gateway.app.server.address() as AddressInfo).port}`;
  const sdk = (overrides: { privateKey?: string; timeout?: number } = {}) =>
    new AlipaySdk({
      appId: APP_ID,
      privateKey: key(KEY_FILES.appPrivateKey),
      keyType: 'PKCS8',
      alipayPublicKey: key(KEY_FILES.alipayPublicKey),
      gateway: `${gatewayUrl()}/gateway.do`,
      timeout: 5_000,
      camelcase: false,
      ...overrides,
    });
  /** An OpenAPI call with Alipay's own field names; the answer's signature is verified. */
  const call = async (method: string, biz: Json, caller = sdk()) =>
    (await caller.exec(method, { bizContent: biz, notifyUrl }, { validateSign: true })) as Answer;
  const subCodeOf = async (answer: Promise<Answer>) => {
    const { code, msg, sub_code } = await answer;
    return { code, msg, sub_code };
  };
  const notExist = { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_NOT_EXIST' };

  /** A call of the control API: its status and JSON answer. */
  const sandbox = async (method: string, path: string, body?: Json) => {
    const response = await fetch(`${gatewayUrl()}${path}`, {
      method,
      ...(body && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };
  /** The buyer opens the cashier page (GET) or presses Pay (POST): its status and HTML. */
  const cashier = async (method: 'GET' | 'POST', outTradeNo: string) => {
    const response = await fetch(`${gatewayUrl()}/cashier/${outTradeNo}${method === 'POST' ? '/pay' : ''}`, { method });
    return { status: response.status, html: await response.text() };
  };
  const ledger = async (outTradeNo: string) => (await sandbox('GET', `/sandbox/trades/${outTradeNo}`)).body;

  let n = 0;
  const newTradeNo = () => `G${Date.now()}${n++}`;
  const precreate = (outTradeNo: string, amount = '30.00', expiresInMs = 60_000) =>
    call('alipay.trade.precreate', {
      out_trade_no: outTradeNo,
      total_amount: amount,
      subject: 'gateway test',
      time_expire: toAlipayTime(new Date(Date.now() + clockOffsetMs + expiresInMs)),
    });
  const query = (outTradeNo: string) => call('alipay.trade.query', { out_trade_no: outTradeNo });
  const close = (outTradeNo: string) => call('alipay.trade.close', { out_trade_no: outTradeNo });
  const refund = (outTradeNo: string, outRequestNo: string, amount: string, caller = sdk()) =>
    call('alipay.trade.refund', { out_trade_no: outTradeNo, out_request_no: outRequestNo, refund_amount: amount }, caller);
  const refundQuery = (outTradeNo: string, outRequestNo: string) =>
    call('alipay.trade.fastpay.refund.query', { out_trade_no: outTradeNo, out_request_no: outRequestNo });
  /** A trade the buyer paid, without a notification unless asked. */
  const paidTrade = async (amount = '30.00', notify = 'none') => {
    const outTradeNo = newTradeNo();
    assert.equal((await precreate(outTradeNo, amount)).code, '10000');
    assert.equal((await sandbox('POST', `/sandbox/trades/${outTradeNo}/pay`, { notify })).status, 200);
    return outTradeNo;
  };
  const fault = async (body: Json) => assert.equal((await sandbox('POST', '/sandbox/faults', body)).status, 200);

  before(async () => {
    merchant = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ outTradeNo: new URLSearchParams(body).get('out_trade_no') ?? '', at: Date.now() });
        response.end('success');
      });
    });
    await new Promise<void>((resolve) => merchant.listen(0, '127.0.0.1', resolve));
    notifyUrl = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}/notify`;
    const config = loadGatewayConfig({ ALIPAY_KEYS_DIR: keys, ALIPAY_APP_ID: APP_ID, ALIPAY_GATEWAY_PORT: '0', ALIPAY_NOTIFY_TIME_SCALE: '0.0001' });
    gateway = buildGateway(config, createLogger('gateway-test', 'silent'), { now: () => new Date(Date.now() + clockOffsetMs) });
    await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  });

  beforeEach(async () => {
    clockOffsetMs = 0;
    await sandbox('DELETE', '/sandbox/faults');
    await sandbox('POST', '/sandbox/notifications', { mode: 'normal' });
  });

  after(async () => {
    await gateway?.app.close();
    merchant?.close();
  });

  describe('QR codes nobody scanned', () => {
    it('do not exist for query, close, refund and refund query; a scan makes a WAIT_BUYER_PAY trade', async () => {
      const outTradeNo = newTradeNo();
      const first = await precreate(outTradeNo);
      assert.deepEqual([first.code, first.out_trade_no, first.qr_code], ['10000', outTradeNo, `${gatewayUrl()}/cashier/${outTradeNo}`]);
      assert.deepEqual(await subCodeOf(query(outTradeNo)), notExist);
      assert.deepEqual(await subCodeOf(close(outTradeNo)), notExist);
      assert.deepEqual(await subCodeOf(refund(outTradeNo, 'R1', '1.00')), notExist);
      assert.deepEqual(await subCodeOf(refundQuery(outTradeNo, 'R1')), notExist);
      assert.equal((await precreate(outTradeNo)).qr_code, first.qr_code, 'precreate again answers the same QR code');
      assert.deepEqual([(await ledger(outTradeNo)).status, (await ledger(outTradeNo)).scanned], ['NOT_SCANNED', false]);

      const scanned = await sandbox('POST', `/sandbox/trades/${outTradeNo}/scan`);
      assert.deepEqual([scanned.status, scanned.body.status], [200, 'WAIT_BUYER_PAY']);
      const answer = await query(outTradeNo);
      assert.deepEqual(
        [answer.code, answer.trade_status, answer.total_amount, answer.trade_no],
        ['10000', 'WAIT_BUYER_PAY', '30.00', (await ledger(outTradeNo)).tradeNo],
      );
      assert.equal((await sandbox('POST', `/sandbox/trades/${outTradeNo}/scan`)).status, 200, 'scanning again changes nothing');
      assert.equal((await close(outTradeNo)).code, '10000');
      assert.equal((await query(outTradeNo)).trade_status, 'TRADE_CLOSED');
    });

    it('opening the cashier page scans the QR code and offers the Pay button', async () => {
      const outTradeNo = newTradeNo();
      await precreate(outTradeNo);
      const page = await cashier('GET', outTradeNo);
      assert.equal(page.status, 200);
      assert.match(page.html, /<strong id="status">WAIT_BUYER_PAY<\/strong>/);
      assert.match(page.html, /id="pay"/);
      assert.equal((await query(outTradeNo)).trade_status, 'WAIT_BUYER_PAY');
      assert.equal((await cashier('GET', 'nobody-knows')).status, 404);
    });

    it('paying through the control API or the cashier form scans implicitly', async () => {
      const outTradeNo = await paidTrade();
      assert.deepEqual([(await query(outTradeNo)).trade_status, (await ledger(outTradeNo)).scanned], ['TRADE_SUCCESS', true]);

      const byForm = newTradeNo();
      await precreate(byForm);
      const page = await cashier('POST', byForm);
      assert.match(page.html, /Paid\. You can close this page\./);
      assert.equal((await query(byForm)).trade_status, 'TRADE_SUCCESS');
    });

    it('a QR code scanned after its expiry is dead: refused everywhere, and the trade never exists', async () => {
      const outTradeNo = newTradeNo();
      await precreate(outTradeNo, '30.00', 60_000);
      clockOffsetMs = 61_000;
      const expired = { code: QR_CODE_EXPIRED, message: 'the QR code expired before anyone scanned it' };
      assert.deepEqual(await sandbox('POST', `/sandbox/trades/${outTradeNo}/scan`), { status: 409, body: expired });
      assert.deepEqual(await sandbox('POST', `/sandbox/trades/${outTradeNo}/pay`, { notify: 'normal' }), { status: 409, body: expired });
      for (const page of [await cashier('GET', outTradeNo), await cashier('POST', outTradeNo)]) {
        assert.equal(page.status, 200);
        assert.match(page.html, /This QR code has expired/);
        assert.doesNotMatch(page.html, /id="pay"/);
      }
      clockOffsetMs = 10 * 86_400_000;
      assert.deepEqual(await subCodeOf(query(outTradeNo)), notExist);
      assert.deepEqual(await subCodeOf(close(outTradeNo)), notExist);
      const view = await ledger(outTradeNo);
      assert.deepEqual([view.status, view.scanned, view.paidAt], ['NOT_SCANNED', false, null]);
      assert.deepEqual(receivedFor(outTradeNo), []);
    });

    it('the QR code dies exactly at its expiry (TradeBook with its own clock)', () => {
      let now = new Date('2026-05-01T08:00:00Z');
      const book = new TradeBook(() => now);
      const expiresAt = new Date('2026-05-01T08:05:00Z');
      for (const outTradeNo of ['A', 'B']) book.precreate({ outTradeNo, totalAmount: '1.00', subject: 's', expiresAt, notifyUrl: undefined });
      now = new Date(expiresAt.getTime() - 1);
      assert.equal(book.scan('A').status, 'WAIT_BUYER_PAY');
      now = expiresAt;
      assert.throws(
        () => book.scan('B'),
        (error: unknown) => error instanceof BusinessError && error.subCode === QR_CODE_EXPIRED,
      );
      assert.throws(
        () => book.get('B'),
        (error: unknown) => error instanceof BusinessError && error.subCode === 'ACQ.TRADE_NOT_EXIST',
      );
      assert.equal(book.get('A').status, 'TRADE_CLOSED', 'a scanned trade still closes at its expiry');
    });

    it('a scanned trade closes at its expiry, and can no longer be paid', async () => {
      const outTradeNo = newTradeNo();
      await precreate(outTradeNo, '30.00', 60_000);
      await sandbox('POST', `/sandbox/trades/${outTradeNo}/scan`);
      clockOffsetMs = 61_000;
      assert.equal((await query(outTradeNo)).trade_status, 'TRADE_CLOSED');
      assert.deepEqual((await sandbox('POST', `/sandbox/trades/${outTradeNo}/pay`)).body.code, 'ACQ.TRADE_HAS_CLOSE');
    });
  });

  describe('refunds', () => {
    it('refund query: the refund with its fields when made, the bare trade when not, NOT_EXIST for no trade', async () => {
      const outTradeNo = await paidTrade();
      const made = await refund(outTradeNo, 'R1', '10.00');
      const found = await refundQuery(outTradeNo, 'R1');
      assert.deepEqual(found, {
        code: '10000',
        msg: 'Success',
        trade_no: made.trade_no,
        out_trade_no: outTradeNo,
        out_request_no: 'R1',
        total_amount: '30.00',
        refund_amount: '10.00',
        refund_status: 'REFUND_SUCCESS',
        gmt_refund_pay: made.gmt_refund_pay,
      });
      assert.deepEqual(await refundQuery(outTradeNo, 'R2'), {
        code: '10000',
        msg: 'Success',
        trade_no: made.trade_no,
        out_trade_no: outTradeNo,
        out_request_no: 'R2',
      });
      assert.deepEqual(await subCodeOf(refundQuery(newTradeNo(), 'R1')), notExist);
      const missing = await call('alipay.trade.fastpay.refund.query', { out_trade_no: outTradeNo });
      assert.deepEqual([missing.code, missing.sub_code], ['40002', 'isv.missing-parameter']);
    });

    it('the same out_request_no answers the first refund again, and refuses another amount (DISCORDANT_REPEAT_REQUEST)', async () => {
      const outTradeNo = await paidTrade();
      assert.deepEqual([(await refund(outTradeNo, 'R1', '10.00')).fund_change, (await refund(outTradeNo, 'R1', '10.00')).fund_change], ['Y', 'N']);
      assert.deepEqual(await subCodeOf(refund(outTradeNo, 'R1', '5.00')), { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.DISCORDANT_REPEAT_REQUEST' });
      const view = await ledger(outTradeNo);
      assert.deepEqual([view.refundedAmount, view.refunds], ['10.00', { R1: '10.00' }]);
    });
  });

  describe('OpenAPI faults', () => {
    it('error: a signed ACQ.SYSTEM_ERROR, nothing applied; the next call goes through', async () => {
      const outTradeNo = await paidTrade();
      await fault({ method: 'alipay.trade.refund', mode: 'error' });
      const answer = await refund(outTradeNo, 'R1', '10.00');
      assert.deepEqual([answer.code, answer.msg, answer.sub_code, answer.sub_msg], ['40004', 'Business Failed', 'ACQ.SYSTEM_ERROR', '系统错误']);
      assert.deepEqual((await ledger(outTradeNo)).refunds, {});
      assert.deepEqual((await sandbox('GET', '/sandbox/faults')).body, { faults: [] });
      assert.equal((await refund(outTradeNo, 'R1', '10.00')).fund_change, 'Y');
    });

    it('refuse: the sub_code and sub_msg asked for, nothing applied', async () => {
      const outTradeNo = await paidTrade();
      await fault({ method: 'alipay.trade.refund', mode: 'refuse', subCode: 'ACQ.TRADE_NOT_ALLOW_REFUND', subMsg: '交易不允许退款' });
      const answer = await refund(outTradeNo, 'R1', '10.00');
      assert.deepEqual([answer.code, answer.sub_code, answer.sub_msg], ['40004', 'ACQ.TRADE_NOT_ALLOW_REFUND', '交易不允许退款']);
      assert.equal((await ledger(outTradeNo)).refundedAmount, '0.00');
    });

    // alipay-sdk's HTTP client (urllib) sends a request again, once, when the connection is
    // reset: a dropped connection reaches the caller only if the silent second try is dropped too.
    it('timeout: no answer and nothing applied; the connection is dropped after delayMs', async () => {
      const outTradeNo = await paidTrade();
      await fault({ method: 'alipay.trade.refund', mode: 'timeout', delayMs: 2_000 });
      await assert.rejects(refund(outTradeNo, 'R1', '10.00', sdk({ timeout: 300 })), /HttpClient Request error/);
      assert.equal((await ledger(outTradeNo)).refundedAmount, '0.00');

      await fault({ method: 'alipay.trade.refund', mode: 'timeout', delayMs: 400, count: 2 });
      const started = Date.now();
      await assert.rejects(refund(outTradeNo, 'R2', '10.00'), /HttpClient Request error/);
      const waited = Date.now() - started;
      assert.ok(waited >= 780 && waited < 4_000, `two tries dropped after 400 ms each, not ${waited} ms`);
      assert.equal((await ledger(outTradeNo)).refundedAmount, '0.00');
    });

    it('lose-answer: the refund is made but the caller gets a network error; the refund query finds it', async () => {
      const outTradeNo = await paidTrade();
      await fault({ method: 'alipay.trade.refund', mode: 'lose-answer', count: 2 });
      await assert.rejects(refund(outTradeNo, 'R1', '10.00'), /HttpClient Request error/);
      assert.deepEqual([(await refundQuery(outTradeNo, 'R1')).refund_amount, (await ledger(outTradeNo)).refunds], ['10.00', { R1: '10.00' }]);
      assert.equal((await refund(outTradeNo, 'R1', '10.00')).fund_change, 'N', 'the retry finds the refund made');
    });

    it("lose-answer once: the SDK's silent second try answers the refund made by the first (fund_change N)", async () => {
      const outTradeNo = await paidTrade();
      await fault({ method: 'alipay.trade.refund', mode: 'lose-answer' });
      const answer = await refund(outTradeNo, 'R1', '10.00');
      assert.deepEqual([answer.code, answer.fund_change, answer.refund_fee], ['10000', 'N', '10.00']);
      assert.equal((await ledger(outTradeNo)).refundedAmount, '10.00');
    });

    it('delay: waits delayMs, then applies and answers', async () => {
      const outTradeNo = newTradeNo();
      await fault({ method: 'alipay.trade.precreate', mode: 'delay', delayMs: 400 });
      const started = Date.now();
      assert.equal((await precreate(outTradeNo)).code, '10000');
      assert.ok(Date.now() - started >= 390);
      assert.equal((await ledger(outTradeNo)).status, 'NOT_SCANNED');
    });

    it('count: faults are used up call by call in the order queued, per method; DELETE clears them', async () => {
      const outTradeNo = await paidTrade();
      await fault({ method: 'alipay.trade.query', mode: 'error', count: 2 });
      await fault({ method: 'alipay.trade.query', mode: 'refuse', subCode: 'ACQ.INVALID_PARAMETER' });
      await fault({ method: 'alipay.trade.close', mode: 'error' });
      const pending = async () => ((await sandbox('GET', '/sandbox/faults')).body.faults as Json[]).map((f) => `${f.method}:${f.mode}:${f.count}`);
      assert.deepEqual(await pending(), ['alipay.trade.query:error:2', 'alipay.trade.query:refuse:1', 'alipay.trade.close:error:1']);
      assert.equal((await query(outTradeNo)).sub_code, 'ACQ.SYSTEM_ERROR');
      assert.deepEqual(await pending(), ['alipay.trade.query:error:1', 'alipay.trade.query:refuse:1', 'alipay.trade.close:error:1']);
      assert.equal((await query(outTradeNo)).sub_code, 'ACQ.SYSTEM_ERROR');
      assert.equal((await query(outTradeNo)).sub_code, 'ACQ.INVALID_PARAMETER');
      assert.equal((await query(outTradeNo)).trade_status, 'TRADE_SUCCESS');
      assert.deepEqual(await pending(), ['alipay.trade.close:error:1']);
      assert.deepEqual(await sandbox('DELETE', '/sandbox/faults'), { status: 200, body: { faults: [] } });
      assert.equal((await close(outTradeNo)).sub_code, 'ACQ.TRADE_STATUS_ERROR', 'the close reached the trade book');
    });

    it('only genuine merchant calls meet a fault: a forged one is refused and leaves it queued', async () => {
      await fault({ method: 'alipay.trade.query', mode: 'error' });
      const forged = await call('alipay.trade.query', { out_trade_no: 'x' }, sdk({ privateKey: generateRsaKeyPair().privateKey }));
      assert.equal(forged.sub_code, 'isv.invalid-signature');
      assert.equal(((await sandbox('GET', '/sandbox/faults')).body.faults as Json[]).length, 1);
    });

    it('refuses malformed faults (400)', async () => {
      for (const body of [
        { method: 'alipay.trade.refund', mode: 'explode' },
        { method: 'alipay.trade.pay', mode: 'error' },
        { method: 'alipay.trade.refund', mode: 'refuse' },
        { method: 'alipay.trade.refund', mode: 'error', subCode: 'ACQ.X' },
        { method: 'alipay.trade.refund', mode: 'error', delayMs: 10 },
        { method: 'alipay.trade.refund', mode: 'delay', count: '2' },
        { method: 'alipay.trade.refund', mode: 'delay', count: 0 },
        { method: 'alipay.trade.refund', mode: 'delay', extra: true },
        { mode: 'error' },
      ]) {
        assert.equal((await sandbox('POST', '/sandbox/faults', body)).status, 400, JSON.stringify(body));
      }
      assert.deepEqual((await sandbox('GET', '/sandbox/faults')).body, { faults: [] });
    });
  });

  describe('notification faults', () => {
    it('drop: the next notification never reaches the merchant, not even by retry; the one after does', async () => {
      assert.deepEqual((await sandbox('POST', '/sandbox/notifications', { mode: 'drop' })).body, { mode: 'drop', count: 1 });
      assert.deepEqual((await sandbox('GET', '/sandbox/notifications')).body, { mode: 'drop', count: 1 });
      const lost = await paidTrade('5.00', 'normal');
      const delivered = await paidTrade('5.00', 'normal');
      await waitFor(() => receivedFor(delivered).length === 1);
      await sleep(200); // far beyond the first retries on the compressed schedule
      assert.deepEqual(receivedFor(lost), []);
      const view = await ledger(lost);
      assert.deepEqual(view.notifications, ['dropped']);
      assert.notEqual(view.lastNotification, null, 'the signed form the merchant missed is still shown');
      assert.deepEqual((await sandbox('GET', '/sandbox/notifications')).body, { mode: 'normal' });
    });

    it('delay: the next notification arrives after delayMs', async () => {
      await sandbox('POST', '/sandbox/notifications', { mode: 'delay', delayMs: 500 });
      const started = Date.now();
      const late = await paidTrade('5.00', 'normal');
      await sleep(250);
      assert.deepEqual(receivedFor(late), []);
      await waitFor(() => receivedFor(late).length === 1);
      assert.ok(receivedFor(late)[0]!.at - started >= 490);
      const onTime = await paidTrade('5.00', 'normal');
      await waitFor(() => receivedFor(onTime).length === 1, 400);
    });

    it('a payment with notify "delayed" sends its first attempt after delayMs', async () => {
      const outTradeNo = newTradeNo();
      await precreate(outTradeNo, '5.00');
      const started = Date.now();
      assert.equal((await sandbox('POST', `/sandbox/trades/${outTradeNo}/pay`, { notify: 'delayed', delayMs: 400 })).status, 200);
      await sleep(200);
      assert.deepEqual(receivedFor(outTradeNo), []);
      await waitFor(() => receivedFor(outTradeNo).length === 1);
      assert.ok(receivedFor(outTradeNo)[0]!.at - started >= 390);
      assert.equal((await sandbox('POST', `/sandbox/trades/${newTradeNo()}/pay`, { notify: 'normal', delayMs: 400 })).status, 400, 'delayMs only with delayed');
    });

    it('"normal" clears the switch; count covers that many notifications', async () => {
      assert.deepEqual((await sandbox('POST', '/sandbox/notifications', { mode: 'drop', count: 2 })).body, { mode: 'drop', count: 2 });
      const first = await paidTrade('5.00', 'normal');
      assert.deepEqual((await sandbox('GET', '/sandbox/notifications')).body, { mode: 'drop', count: 1 });
      assert.deepEqual((await sandbox('POST', '/sandbox/notifications', { mode: 'normal' })).body, { mode: 'normal' });
      const second = await paidTrade('5.00', 'normal');
      await waitFor(() => receivedFor(second).length === 1);
      assert.deepEqual((await ledger(first)).notifications, ['dropped']);
      assert.equal((await sandbox('POST', '/sandbox/notifications', { mode: 'normal', count: 1 })).status, 400);
      assert.equal((await sandbox('POST', '/sandbox/notifications', { mode: 'drop', delayMs: 1 })).status, 400);
    });
  });

  describe('the bill of a China day (UTC+8)', () => {
    it('holds the trades paid between midnight and midnight China time', () => {
      let now = new Date('2026-11-30T15:00:00Z');
      const book = new TradeBook(() => now);
      const bills = new Bills(book);
      const payAt = (outTradeNo: string, at: string) => {
        book.precreate({ outTradeNo, totalAmount: '1.00', subject: 's', expiresAt: new Date('2026-12-31T00:00:00Z'), notifyUrl: undefined });
        now = new Date(at);
        book.pay(outTradeNo);
      };
      payAt('BEFORE-MIDNIGHT', '2026-11-30T15:59:59Z'); // 23:59:59 on Nov 30 in China
      payAt('AFTER-MIDNIGHT', '2026-11-30T16:30:00Z'); // 00:30 on Dec 1 in China
      const outTradeNos = (date: string) =>
        bills
          .csv(date)
          .trim()
          .split('\n')
          .slice(1)
          .map((row) => row.split(',')[1]);
      assert.deepEqual(outTradeNos('2026-11-30'), ['BEFORE-MIDNIGHT']);
      assert.deepEqual(outTradeNos('2026-12-01'), ['AFTER-MIDNIGHT']);
    });

    it("serves today's bill by China's date, and none for a day after it", async () => {
      clockOffsetMs = Date.parse('2026-11-30T16:30:00Z') - Date.now();
      const outTradeNo = await paidTrade('7.00');
      const bill = (date: string) => call('alipay.data.dataservice.bill.downloadurl.query', { bill_type: 'trade', bill_date: date });
      const today = await bill('2026-12-01');
      assert.equal(today.code, '10000');
      assert.match(await (await fetch(today.bill_download_url!)).text(), new RegExp(`,${outTradeNo},TRADE_SUCCESS,7.00,0.00,`));
      assert.deepEqual(await subCodeOf(bill('2026-12-02')), { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.BILL_NOT_EXIST' });
    });
  });

  it('lists every trade with its ledger', async () => {
    const unscanned = newTradeNo();
    await precreate(unscanned, '3.00');
    const refunded = await paidTrade('8.00');
    await refund(refunded, 'R1', '2.50');
    const { trades } = (await sandbox('GET', '/sandbox/trades')).body as { trades: Json[] };
    const row = (outTradeNo: string) => trades.find((trade) => trade.outTradeNo === outTradeNo)!;
    assert.deepEqual(
      { ...row(unscanned), tradeNo: '', expiresAt: '' },
      {
        outTradeNo: unscanned,
        tradeNo: '',
        status: 'NOT_SCANNED',
        scanned: false,
        totalAmount: '3.00',
        refundedAmount: '0.00',
        refunds: {},
        paidAt: null,
        expiresAt: '',
      },
    );
    const paid = row(refunded);
    assert.deepEqual([paid.status, paid.scanned, paid.totalAmount, paid.refundedAmount, paid.refunds], ['TRADE_SUCCESS', true, '8.00', '2.50', { R1: '2.50' }]);
    assert.equal(paid.tradeNo, (await query(refunded)).trade_no);
    assert.ok(!Number.isNaN(Date.parse(paid.paidAt as string)) && !Number.isNaN(Date.parse(paid.expiresAt as string)));
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}
