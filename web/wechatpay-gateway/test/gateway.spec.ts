/**
 * The local WeChat Pay gateway in process, called through the unmodified wechatpay-axios-plugin
 * with keys made for the run by generate-keys (openssl): every 2xx answer's signature is verified
 * by the SDK itself, in both signing modes (WeChat Pay public key and platform certificate).
 * Notifications reach a local receiver that verifies and decrypts them with the SDK's own
 * primitives. The gateway's business clock is the real one moved by `clockOffsetMs`, so that
 * tests cross deadlines and China midnights without waiting; signatures keep the real clock.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { recordSettings } from '@shop/common/config';
import { createLogger } from '@shop/common/log';
import { Aes, Formatter, Hash, Rsa, Wechatpay } from 'wechatpay-axios-plugin';
import { buildGateway, type Gateway } from '../src/app';
import { Bills } from '../src/bills';
import { toWechatTime } from '../src/china-time';
import { loadGatewayConfig } from '../src/config';
import { ensureKeys, KEY_FILES } from '../src/generate-keys';
import { RETRY_DELAYS_MS } from '../src/notifier';
import { OrderBook } from '../src/orders';

const MCHID = '1900000109';
const APPID = 'wx8888888888888888';
const TIME_SCALE = 0.001;
type Json = Record<string, unknown>;
type Mode = 'public_key' | 'certificate';
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}
/** The SDK's answer with its body typed as these tests read it (the SDK leaves bodies untyped). */
interface Answer<T> {
  status: number;
  headers: Record<string, unknown>;
  data: T;
}
interface NativeAnswer {
  code_url: string;
}
interface RefundAnswer {
  refund_id: string;
  out_trade_no: string;
  transaction_id: string;
  status: string;
  success_time?: string;
  amount: { refund: number; total: number };
}
interface SdkError {
  code?: string;
  message: string;
  response?: { status: number; data: Json; headers: Record<string, unknown> };
}

describe('local WeChat Pay gateway', function () {
  this.timeout(20_000);
  const keys = mkdtempSync(join(tmpdir(), 'wechatpay-gateway-keys-'));
  const ids = ensureKeys(keys, { mchid: MCHID });
  const key = (file: string) => readFileSync(join(keys, file), 'utf8');
  const apiV3Key = key(KEY_FILES.apiV3Key);
  const verifiers: Record<Mode, Record<string, ReturnType<typeof Rsa.from>>> = {
    public_key: { [ids.publicKeyId]: Rsa.from(key(KEY_FILES.publicKey), Rsa.KEY_TYPE_PUBLIC) },
    certificate: { [ids.platformSerial]: Rsa.from(key(KEY_FILES.platformCertificate), Rsa.KEY_TYPE_PUBLIC) },
  };
  const serialOf: Record<Mode, string> = { public_key: ids.publicKeyId, certificate: ids.platformSerial };
  let clockOffsetMs = 0;
  let gateway: Gateway;
  let merchant: Server;
  let receiverUrl: string;
  /** Notifications the merchant received. */
  const received: Received[] = [];
  const receivedAt = (path: string) => received.filter((notification) => notification.path === path);

  const gatewayUrl = () => `http://127.0.0.1:${(gateway.app.server.address() as AddressInfo).port}`;
  /** The merchant's SDK: it signs every request and verifies every 2xx answer against `certs`. */
  const sdk = (mode: Mode = 'public_key', overrides: { privateKey?: string; serial?: string; mchid?: string; timeout?: number; certs?: Json } = {}) =>
    new Wechatpay({
      baseURL: gatewayUrl(),
      mchid: overrides.mchid ?? MCHID,
      serial: overrides.serial ?? ids.merchantSerial,
      privateKey: overrides.privateKey ?? key(KEY_FILES.merchantPrivateKey),
      certs: (overrides.certs as Record<string, string>) ?? verifiers[mode],
      ...(mode === 'public_key' && { headers: { 'Wechatpay-Serial': ids.publicKeyId } }),
      timeout: overrides.timeout ?? 5_000,
    });

  let n = 0;
  const newNo = (prefix = 'W') => `${prefix}${Date.now()}${n++}`;
  /** A notify_url of the receiver; `/fail-<n>` fails the first n deliveries, `/always-fail` every one. */
  const notifyUrl = (path: string) => `${receiverUrl}${path}`;
  const native = (client: Wechatpay, outTradeNo: string, overrides: Json = {}) =>
    client.chain('v3/pay/transactions/native').post<Json, Answer<NativeAnswer>>({
      appid: APPID,
      mchid: MCHID,
      description: 'gateway test',
      out_trade_no: outTradeNo,
      notify_url: notifyUrl(`/pay/${outTradeNo}`),
      amount: { total: 3000, currency: 'CNY' },
      ...overrides,
    });
  const query = (client: Wechatpay, outTradeNo: string) =>
    client.chain('v3/pay/transactions/out-trade-no/{out_trade_no}').get({ params: { mchid: MCHID }, out_trade_no: outTradeNo });
  const close = (client: Wechatpay, outTradeNo: string) =>
    client.chain('v3/pay/transactions/out-trade-no/{out_trade_no}/close').post({ mchid: MCHID }, { out_trade_no: outTradeNo });
  const refund = (client: Wechatpay, outTradeNo: string, outRefundNo: string, amount: number, extra: Json = {}) =>
    client.chain('v3/refund/domestic/refunds').post<Json, Answer<RefundAnswer>>({
      out_trade_no: outTradeNo,
      out_refund_no: outRefundNo,
      amount: { refund: amount, total: 3000, currency: 'CNY' },
      ...extra,
    });
  const refundQuery = (client: Wechatpay, outRefundNo: string) =>
    client.chain('v3/refund/domestic/refunds/{out_refund_no}').get({ out_refund_no: outRefundNo });
  const tradebill = (client: Wechatpay, params: Json) => client.chain('v3/bill/tradebill').get({ params });
  /** The token goes through `params`: a `url` given to the SDK is replaced by the chain's path. */
  const download = (client: Wechatpay, downloadUrl: string) =>
    client.chain('v3/billdownload/file').get({ params: Object.fromEntries(new URL(downloadUrl).searchParams), responseType: 'arraybuffer' });

  /** WeChat's refusal of a call: its HTTP status and body. */
  const refusalOf = async (call: Promise<unknown>) => {
    const error = await call.then(
      () => undefined,
      (thrown: unknown) => thrown as SdkError,
    );
    assert.ok(error?.response, `expected WeChat Pay to refuse the call, got ${error ? error.message : 'an answer'}`);
    return { status: error.response.status, code: error.response.data.code, message: error.response.data.message };
  };
  /** The transport failure of a call (no answer at all). */
  const failureOf = async (call: Promise<unknown>) => {
    const error = await call.then(
      () => undefined,
      (thrown: unknown) => thrown as SdkError,
    );
    assert.ok(error && !error.response, `expected no answer, got ${error ? `HTTP ${error.response?.status}` : 'an answer'}`);
    return error;
  };

  /** A call of the control API: its status and JSON answer. */
  const sandbox = async (method: string, path: string, body?: Json) => {
    const response = await fetch(`${gatewayUrl()}${path}`, {
      method,
      ...(body && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };
  const ledger = async (outTradeNo: string) => (await sandbox('GET', `/sandbox/orders/${outTradeNo}`)).body;
  const pay = (outTradeNo: string, notify = 'normal') => sandbox('POST', `/sandbox/orders/${outTradeNo}/pay`, { notify });
  const fault = async (body: Json) => assert.equal((await sandbox('POST', '/sandbox/faults', body)).status, 200);
  /** An order the buyer paid, without a notification unless asked. */
  const paidOrder = async (client = sdk(), notify = 'none') => {
    const outTradeNo = newNo();
    await native(client, outTradeNo);
    assert.equal((await pay(outTradeNo, notify)).status, 200);
    return outTradeNo;
  };

  /** A notification as the merchant must take it: signature checked over the raw body, resource decrypted. */
  const opened = (notification: Received) => {
    const header = (name: string) => notification.headers[name] as string;
    const serial = header('wechatpay-serial');
    const certs: Json = { ...verifiers.public_key, ...verifiers.certificate };
    const message = Formatter.response(header('wechatpay-timestamp'), header('wechatpay-nonce'), notification.body);
    assert.ok(Rsa.verify(message, header('wechatpay-signature'), certs[serial] as string), 'the notification signature verifies');
    const event = JSON.parse(notification.body) as { resource: Record<string, string> } & Json;
    const { ciphertext, nonce, associated_data } = event.resource;
    const resource = JSON.parse(Aes.AesGcm.decrypt(ciphertext!, apiV3Key, nonce!, associated_data)) as Json;
    return { serial, event, resource };
  };

  /** A request built by hand (what the SDK cannot send: stale timestamps, no Authorization, no User-Agent...). */
  const rawCall = (method: string, path: string, headers: Record<string, string>, body = '') =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const request = httpRequest(`${gatewayUrl()}${path}`, { method, headers }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: text }));
      });
      request.on('error', reject);
      request.end(body);
    });
  /** The Authorization header of a request, signed by the SDK's own primitives. */
  const authorization = (method: string, path: string, body: string, { timestamp = Formatter.timestamp() } = {}) => {
    const nonce = Formatter.nonce();
    const signature = Rsa.sign(Formatter.request(method, path, timestamp, nonce, body), key(KEY_FILES.merchantPrivateKey));
    return Formatter.authorization(MCHID, nonce, signature, timestamp, ids.merchantSerial);
  };

  before(async () => {
    merchant = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        const path = request.url ?? '';
        received.push({ path, headers: request.headers, body, at: Date.now() });
        const failFirst = /\/fail-(\d+)$/.exec(path);
        const failing = path.endsWith('/always-fail') || (failFirst && receivedAt(path).length <= Number(failFirst[1]));
        if (failing) {
          response.writeHead(500, { 'content-type': 'application/json' }).end('{"code":"FAIL","message":"busy"}');
        } else {
          response.writeHead(path.startsWith('/pay/') ? 204 : 200).end();
        }
      });
    });
    await new Promise<void>((resolve) => merchant.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}`;
    const config = loadGatewayConfig({
      WECHATPAY_KEYS_DIR: keys,
      WECHATPAY_MCHID: MCHID,
      WECHATPAY_APPID: APPID,
      WECHATPAY_GATEWAY_PORT: '0',
      WECHATPAY_NOTIFY_TIME_SCALE: String(TIME_SCALE),
      WECHATPAY_REFUND_DELAY_MS: '200',
    });
    gateway = buildGateway(config, createLogger('gateway-test', 'silent'), { now: () => new Date(Date.now() + clockOffsetMs) });
    await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  });

  beforeEach(async () => {
    clockOffsetMs = 0;
    await sandbox('DELETE', '/sandbox/faults');
    await sandbox('POST', '/sandbox/notifications', { mode: 'normal' });
    await sandbox('POST', '/sandbox/signing', { mode: 'public_key' });
    await sandbox('POST', '/sandbox/refund-processing', { delayMs: 200 });
  });

  after(async () => {
    await gateway?.app.close();
    merchant?.close();
  });

  for (const mode of ['public_key', 'certificate'] as const) {
    describe(`signed with the ${mode === 'public_key' ? 'WeChat Pay public key' : 'platform certificate'}`, () => {
      it('Native order -> NOTPAY -> paid and notified -> SUCCESS -> refund PROCESSING -> SUCCESS and notified -> REFUND', async () => {
        await sandbox('POST', '/sandbox/signing', { mode });
        const client = sdk(mode);
        const outTradeNo = newNo();

        const placed = await native(client, outTradeNo);
        assert.equal(placed.status, 200);
        assert.match(placed.data.code_url, /^weixin:\/\/wxpay\/bizpayurl\?pr=[0-9A-Za-z]{10}$/);
        assert.equal(placed.headers['wechatpay-serial'], serialOf[mode]);
        assert.match(String(placed.headers['request-id']), /^[0-9A-F]+-0$/);
        assert.equal((await native(client, outTradeNo)).data.code_url, placed.data.code_url, 'the same request answers the same code_url');

        assert.deepEqual((await query(client, outTradeNo)).data, {
          amount: { payer_currency: 'CNY', total: 3000 },
          appid: APPID,
          mchid: MCHID,
          out_trade_no: outTradeNo,
          promotion_detail: [],
          scene_info: { device_id: '' },
          trade_state: 'NOTPAY',
          trade_state_desc: '订单未支付',
        });

        assert.equal((await pay(outTradeNo)).body.tradeState, 'SUCCESS');
        await waitFor(() => receivedAt(`/pay/${outTradeNo}`).length === 1);
        const notification = receivedAt(`/pay/${outTradeNo}`)[0]!;
        assert.equal(notification.headers['wechatpay-signature-type'], 'WECHATPAY2-SHA256-RSA2048');
        assert.match(String(notification.headers['content-type']), /^application\/json/);
        const { serial, event, resource } = opened(notification);
        assert.equal(serial, serialOf[mode]);
        assert.deepEqual(
          { ...event, id: '', create_time: '', resource: { ...event.resource, ciphertext: '', nonce: '' } },
          {
            id: '',
            create_time: '',
            resource_type: 'encrypt-resource',
            event_type: 'TRANSACTION.SUCCESS',
            summary: '支付成功',
            resource: { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext: '', associated_data: 'transaction', nonce: '' },
          },
        );
        assert.match(String(event.create_time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
        assert.deepEqual(
          [resource.out_trade_no, resource.trade_state, resource.trade_type, resource.appid, resource.mchid, resource.amount],
          [outTradeNo, 'SUCCESS', 'NATIVE', APPID, MCHID, { total: 3000, payer_total: 3000, currency: 'CNY', payer_currency: 'CNY' }],
        );

        const paid = (await query(client, outTradeNo)).data;
        assert.deepEqual(
          [paid.trade_state, paid.trade_state_desc, paid.trade_type, paid.transaction_id, paid.success_time, paid.amount],
          ['SUCCESS', '支付成功', 'NATIVE', resource.transaction_id, resource.success_time, resource.amount],
        );
        assert.match(paid.transaction_id, /^\d{28}$/);
        assert.deepEqual(paid.payer, resource.payer);

        const outRefundNo = newNo('R');
        const accepted = await refund(client, outTradeNo, outRefundNo, 1000, { notify_url: notifyUrl(`/refund/${outRefundNo}`), reason: 'test' });
        assert.deepEqual(
          [
            accepted.status,
            accepted.data.status,
            accepted.data.out_trade_no,
            accepted.data.transaction_id,
            accepted.data.amount.refund,
            accepted.data.amount.total,
          ],
          [200, 'PROCESSING', outTradeNo, paid.transaction_id, 1000, 3000],
        );
        assert.match(accepted.data.refund_id, /^\d{29}$/);
        assert.equal(accepted.data.success_time, undefined);
        assert.equal((await query(client, outTradeNo)).data.trade_state, 'REFUND', 'an order with a refund is REFUND');

        await waitFor(() => receivedAt(`/refund/${outRefundNo}`).length === 1);
        const settled = (await refundQuery(client, outRefundNo)).data;
        assert.deepEqual([settled.status, settled.refund_id], ['SUCCESS', accepted.data.refund_id]);
        assert.match(settled.success_time, /\+08:00$/);
        const refunded = opened(receivedAt(`/refund/${outRefundNo}`)[0]!);
        assert.deepEqual(
          [refunded.serial, refunded.event.event_type, refunded.event.summary, (refunded.event.resource as Json).original_type],
          [serialOf[mode], 'REFUND.SUCCESS', '退款成功', 'refund'],
        );
        assert.deepEqual(
          [refunded.resource.out_refund_no, refunded.resource.refund_id, refunded.resource.refund_status, refunded.resource.amount],
          [outRefundNo, accepted.data.refund_id, 'SUCCESS', { total: 3000, refund: 1000, payer_total: 3000, payer_refund: 1000 }],
        );

        assert.equal((await refund(client, outTradeNo, newNo('R'), 2000)).data.status, 'PROCESSING');
        assert.deepEqual(await refusalOf(refund(client, outTradeNo, newNo('R'), 1)), { status: 400, code: 'INVALID_REQUEST', message: '订单已全额退款' });
        assert.deepEqual(await refusalOf(close(client, outTradeNo)), { status: 400, code: 'ORDERPAID', message: '订单已支付' });
      });

      it('serves the platform certificates encrypted with the APIv3 key', async () => {
        await sandbox('POST', '/sandbox/signing', { mode });
        const { data, headers } = await sdk(mode).chain('v3/certificates').get();
        assert.equal(headers['wechatpay-serial'], serialOf[mode]);
        const [certificate] = data.data as { serial_no: string; effective_time: string; expire_time: string; encrypt_certificate: Record<string, string> }[];
        assert.equal(certificate!.serial_no, ids.platformSerial);
        assert.match(certificate!.expire_time, /\+08:00$/);
        const { algorithm, associated_data, ciphertext, nonce } = certificate!.encrypt_certificate;
        assert.deepEqual([algorithm, associated_data], ['AEAD_AES_256_GCM', 'certificate']);
        assert.equal(Aes.AesGcm.decrypt(ciphertext!, apiV3Key, nonce!, associated_data), key(KEY_FILES.platformCertificate));
      });
    });
  }

  describe('signing mode switch', () => {
    it("answers are signed by the mode's key: a client trusting only the other key refuses them, one trusting both takes them", async () => {
      await sandbox('POST', '/sandbox/signing', { mode: 'certificate' });
      assert.deepEqual((await sandbox('GET', '/sandbox/signing')).body, { mode: 'certificate', serial: ids.platformSerial });
      // The SDK throws the answer it could not verify, with the answer attached.
      const error = await sdk('public_key')
        .chain('v3/certificates')
        .get()
        .then(
          () => undefined,
          (thrown: unknown) => thrown as SdkError,
        );
      assert.deepEqual([error?.code, error?.response?.status], ['EV3_RES_HEADER_PLATFORM_SERIAL', 200]);
      const both = sdk('public_key', { certs: { ...verifiers.public_key, ...verifiers.certificate } });
      assert.equal((await both.chain('v3/certificates').get()).status, 200);
      await sandbox('POST', '/sandbox/signing', { mode: 'public_key' });
      assert.equal((await both.chain('v3/certificates').get()).headers['wechatpay-serial'], ids.publicKeyId);
      assert.equal((await sandbox('POST', '/sandbox/signing', { mode: 'rsa' })).status, 400);
    });
  });

  describe('request authentication', () => {
    it('a request signed with another key answers 401 SIGN_ERROR, unsigned', async () => {
      const forged = sdk('public_key', { privateKey: otherPrivateKey() });
      const error = await failureOrRefusal(
        forged.chain('v3/pay/transactions/out-trade-no/{out_trade_no}').get({ params: { mchid: MCHID }, out_trade_no: 'ANYORDER1' }),
      );
      assert.deepEqual([error.status, error.data], [401, { code: 'SIGN_ERROR', message: '签名错误' }]);
      assert.equal(error.headers['wechatpay-signature'], undefined, '401 answers carry no signature');
      assert.equal(error.headers['request-id'], undefined, 'the transaction APIs leave Request-ID out of their 401s');
    });

    it('refuses another serial_no, another mchid, a stale timestamp, a missing Authorization and a body that is not the one signed', async () => {
      assert.deepEqual(await refusalOf(sdk('public_key', { serial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1' }).chain('v3/certificates').get()), {
        status: 401,
        code: 'SIGN_ERROR',
        message: '商户证书序列号有误',
      });
      assert.equal((await refusalOf(sdk('public_key', { mchid: '1900000001' }).chain('v3/certificates').get())).status, 401);

      const headers = { accept: 'application/json', 'user-agent': 'test' };
      const stale = await rawCall('GET', '/v3/certificates', {
        ...headers,
        authorization: authorization('GET', '/v3/certificates', '', { timestamp: Formatter.timestamp() - 301 }),
      });
      assert.deepEqual(
        [stale.status, JSON.parse(stale.body)],
        [401, { code: 'SIGN_ERROR', message: 'Http头Authorization中的timestamp与发起请求的时间不得超过5分钟' }],
      );
      assert.ok(stale.headers['request-id'], 'the other APIs answer their 401s with a Request-ID');

      const missing = await rawCall('GET', `/v3/pay/transactions/out-trade-no/ANYORDER1?mchid=${MCHID}`, headers);
      assert.deepEqual([missing.status, JSON.parse(missing.body)], [401, { code: 'SIGN_ERROR', message: '签名信息错误，验签失败' }]);
      const missingElsewhere = await rawCall('GET', '/v3/certificates', headers);
      assert.equal(JSON.parse(missingElsewhere.body).message, 'Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》');

      const signedBody = JSON.stringify({ mchid: MCHID });
      const swapped = await rawCall(
        'POST',
        '/v3/pay/transactions/out-trade-no/ANYORDER1/close',
        {
          ...headers,
          'content-type': 'application/json',
          authorization: authorization('POST', '/v3/pay/transactions/out-trade-no/ANYORDER1/close', signedBody),
        },
        JSON.stringify({ mchid: MCHID, extra: 1 }),
      );
      assert.deepEqual([swapped.status, JSON.parse(swapped.body).code], [401, 'SIGN_ERROR']);
      const genuine = await rawCall(
        'POST',
        '/v3/pay/transactions/out-trade-no/ANYORDER1/close',
        {
          ...headers,
          'content-type': 'application/json',
          authorization: authorization('POST', '/v3/pay/transactions/out-trade-no/ANYORDER1/close', signedBody),
        },
        signedBody,
      );
      assert.equal(genuine.status, 204, 'the same request with the body signed goes through (an unknown order closes "successfully")');
    });

    it('the certificate and refund APIs want Accept and User-Agent before anything (400 INVALID_REQUEST)', async () => {
      const path = '/v3/refund/domestic/refunds/ANYREFUND';
      const answer = await rawCall('GET', path, { accept: 'application/json', authorization: authorization('GET', path, '') });
      assert.deepEqual([answer.status, JSON.parse(answer.body)], [400, { code: 'INVALID_REQUEST', message: 'Http头缺少Accept或User-Agent' }]);
    });

    it('unknown paths answer 404 and known ones under another method 405, both with no body', async () => {
      const unknown = await rawCall('GET', '/v3/pay/transactions/nowhere', {});
      const wrongMethod = await rawCall('GET', '/v3/pay/transactions/native', {});
      assert.deepEqual([unknown.status, unknown.body, wrongMethod.status, wrongMethod.body], [404, '', 405, '']);
    });
  });

  describe('orders', () => {
    it('refuses what WeChat refuses: another request under a used number, a paid or closed order, an unknown one', async () => {
      const client = sdk();
      const outTradeNo = newNo();
      await native(client, outTradeNo);
      assert.deepEqual(await refusalOf(native(client, outTradeNo, { amount: { total: 2999, currency: 'CNY' } })), {
        status: 403,
        code: 'OUT_TRADE_NO_USED',
        message: '商户订单号重复',
      });
      assert.deepEqual(await refusalOf(native(client, outTradeNo, { description: 'another description' })), {
        status: 403,
        code: 'OUT_TRADE_NO_USED',
        message: '商户订单号重复',
      });
      await pay(outTradeNo, 'none');
      assert.deepEqual(await refusalOf(native(client, outTradeNo)), { status: 400, code: 'ORDERPAID', message: '订单已支付' });

      const closed = newNo();
      await native(client, closed);
      assert.equal((await close(client, closed)).status, 204);
      assert.equal((await close(client, closed)).status, 204, 'closing again changes nothing');
      assert.deepEqual(await refusalOf(native(client, closed)), { status: 400, code: 'ORDER_CLOSED', message: '订单已关闭' });
      assert.deepEqual([(await query(client, closed)).data.trade_state, (await query(client, closed)).data.trade_state_desc], ['CLOSED', '订单已关闭']);
      assert.deepEqual((await pay(closed)).body, { code: 'ORDER_CLOSED', message: '订单已关闭' });

      assert.deepEqual(await refusalOf(query(client, newNo())), { status: 404, code: 'ORDER_NOT_EXIST', message: '订单不存在' });
      assert.equal((await close(client, newNo())).status, 204, 'WeChat answers 204 for an out_trade_no it does not know');
    });

    it('checks the request: PARAM_ERROR with the field, APPID_MCHID_NOT_MATCH, another mchid', async () => {
      const client = sdk();
      const missing = (await failureOrRefusal(native(client, newNo(), { description: undefined }))).data;
      assert.deepEqual([missing.code, (missing.detail as Json).field, (missing.detail as Json).location], ['PARAM_ERROR', '/description', 'body']);
      assert.equal((await refusalOf(native(client, 'short'))).code, 'PARAM_ERROR', 'out_trade_no takes 6 to 32 characters');
      assert.equal((await refusalOf(native(client, newNo(), { amount: { total: 0 } }))).code, 'PARAM_ERROR');
      assert.equal((await refusalOf(native(client, newNo(), { time_expire: '2026-12-01 10:00:00' }))).code, 'PARAM_ERROR');
      assert.deepEqual(await refusalOf(native(client, newNo(), { appid: 'wx0000000000000000' })), {
        status: 400,
        code: 'APPID_MCHID_NOT_MATCH',
        message: 'AppID和mch_id不匹配',
      });
      assert.equal((await refusalOf(native(client, newNo(), { mchid: '1900000001' }))).code, 'INVALID_REQUEST');
      assert.equal(
        (await refusalOf(client.chain('v3/pay/transactions/out-trade-no/{out_trade_no}').get({ out_trade_no: 'ANYORDER1' }))).code,
        'PARAM_ERROR',
        'mchid is required',
      );
    });

    it('time_expire is the last moment the buyer can pay, not a close: the order stays NOTPAY until closed', async () => {
      const client = sdk();
      const outTradeNo = newNo();
      const placed = await native(client, outTradeNo, { time_expire: toWechatTime(new Date(Date.now() + 120_000)) });
      const token = new URL(placed.data.code_url.replace('weixin://', 'http://')).searchParams.get('pr')!;
      clockOffsetMs = 121_000;
      assert.equal((await pay(outTradeNo)).body.code, 'ORDER_EXPIRED');
      const page = await fetch(`${gatewayUrl()}/cashier/${token}`);
      const html = await page.text();
      assert.match(html, /This order has expired/);
      assert.doesNotMatch(html, /id="pay"/);
      assert.equal((await query(client, outTradeNo)).data.trade_state, 'NOTPAY');
      assert.equal((await close(client, outTradeNo)).status, 204);
      assert.equal((await query(client, outTradeNo)).data.trade_state, 'CLOSED');
      assert.deepEqual(receivedAt(`/pay/${outTradeNo}`), []);

      const early = newNo();
      clockOffsetMs = 0;
      await native(client, early, { time_expire: toWechatTime(new Date(Date.now() + 5_000)) });
      const view = await ledger(early);
      assert.equal(
        Date.parse(view.timeExpire as string) - Date.parse(view.createdAt as string),
        60_000,
        'WeChat moves a time_expire under a minute to a minute',
      );
    });

    it("the cashier page stands for the buyer's app: it shows the order and its Pay button pays", async () => {
      const client = sdk();
      const outTradeNo = newNo();
      const token = (await native(client, outTradeNo)).data.code_url.split('pr=')[1];
      const page = await fetch(`${gatewayUrl()}/cashier/${token}`);
      const html = await page.text();
      assert.equal(page.status, 200);
      assert.match(html, /<strong id="status">NOTPAY<\/strong>/);
      assert.match(html, /¥ 30\.00/);
      assert.match(html, /id="pay"/);
      // As the page's form posts it: an empty urlencoded body.
      const paid = await fetch(`${gatewayUrl()}/cashier/${token}/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      });
      assert.match(await paid.text(), /Paid\. You can close this page\./);
      const { data } = await query(client, outTradeNo);
      assert.equal(data.trade_state, 'SUCCESS');
      assert.equal(
        (await client.chain('v3/pay/transactions/id/{transaction_id}').get({ params: { mchid: MCHID }, transaction_id: data.transaction_id })).data
          .out_trade_no,
        outTradeNo,
      );
      assert.equal((await fetch(`${gatewayUrl()}/cashier/nobody-knows`)).status, 404);
      await waitFor(() => receivedAt(`/pay/${outTradeNo}`).length === 1);
    });

    it('lists every order with its ledger', async () => {
      const outTradeNo = await paidOrder();
      const { orders } = (await sandbox('GET', '/sandbox/orders')).body as { orders: Json[] };
      const row = orders.find((order) => order.outTradeNo === outTradeNo)!;
      assert.deepEqual([row.tradeState, row.total, row.refunded, row.payable], ['SUCCESS', 3000, 0, false]);
      assert.match(row.cashierUrl as string, /\/cashier\/[0-9A-Za-z]{10}$/);
      assert.equal((await sandbox('GET', '/sandbox/orders/nobody-knows')).status, 404);
    });
  });

  describe('refunds', () => {
    it('refuses refunds of unpaid or unknown orders, beyond what is left, or with another total; repeats answer the first refund', async () => {
      const client = sdk();
      const unpaid = newNo();
      await native(client, unpaid);
      const notExists = { status: 404, code: 'RESOURCE_NOT_EXISTS', message: '订单不存在' };
      assert.deepEqual(await refusalOf(refund(client, unpaid, newNo('R'), 100)), notExists);
      assert.deepEqual(await refusalOf(refund(client, newNo(), newNo('R'), 100)), notExists);

      const outTradeNo = await paidOrder(client);
      assert.deepEqual(await refusalOf(refund(client, outTradeNo, newNo('R'), 3001)), {
        status: 400,
        code: 'INVALID_REQUEST',
        message: '申请退款金额超过订单可退金额',
      });
      assert.deepEqual(
        await refusalOf(
          client.chain('v3/refund/domestic/refunds').post<Json, Answer<RefundAnswer>>({
            out_trade_no: outTradeNo,
            out_refund_no: newNo('R'),
            amount: { refund: 100, total: 2000, currency: 'CNY' },
          }),
        ),
        { status: 400, code: 'INVALID_REQUEST', message: '您的请求参数与订单信息不一致' },
      );
      assert.equal(
        (
          await refusalOf(
            client.chain('v3/refund/domestic/refunds').post<Json, Answer<RefundAnswer>>({
              out_trade_no: outTradeNo,
              out_refund_no: newNo('R'),
              amount: { refund: 100, total: 3000 },
            }),
          )
        ).code,
        'PARAM_ERROR',
        'currency is required',
      );

      const outRefundNo = newNo('R');
      const first = (await refund(client, outTradeNo, outRefundNo, 1000)).data;
      const again = (await refund(client, outTradeNo, outRefundNo, 1000)).data;
      assert.equal(again.refund_id, first.refund_id);
      assert.equal((await refusalOf(refund(client, outTradeNo, outRefundNo, 500))).code, 'INVALID_REQUEST');
      assert.deepEqual(await refusalOf(refund(client, outTradeNo, newNo('R'), 2001)), {
        status: 400,
        code: 'INVALID_REQUEST',
        message: '申请退款金额超过订单可退金额',
      });
      assert.deepEqual(await refusalOf(refundQuery(client, newNo('R'))), { status: 404, code: 'RESOURCE_NOT_EXISTS', message: '退款单不存在' });
      assert.equal(
        (await refund(client, outTradeNo, newNo('R'), 2000, { out_trade_no: undefined, transaction_id: (await query(client, outTradeNo)).data.transaction_id }))
          .status,
        200,
        'by transaction_id',
      );
    });

    it('held PROCESSING by the sandbox, a refund ended CLOSED is notified and frees its amount', async () => {
      const client = sdk();
      assert.deepEqual((await sandbox('POST', '/sandbox/refund-processing', { delayMs: null })).body, { delayMs: null });
      const outTradeNo = await paidOrder(client);
      const outRefundNo = newNo('R');
      await refund(client, outTradeNo, outRefundNo, 3000, { notify_url: notifyUrl(`/refund/${outRefundNo}`) });
      await sleep(300);
      assert.equal((await refundQuery(client, outRefundNo)).data.status, 'PROCESSING');
      assert.equal((await sandbox('POST', `/sandbox/refunds/${outRefundNo}/settle`, { status: 'CLOSED' })).body.status, 'CLOSED');
      assert.deepEqual((await sandbox('POST', `/sandbox/refunds/${outRefundNo}/settle`, { status: 'SUCCESS' })).body.code, 'INVALID_REQUEST');
      await waitFor(() => receivedAt(`/refund/${outRefundNo}`).length === 1);
      const { event, resource } = opened(receivedAt(`/refund/${outRefundNo}`)[0]!);
      assert.deepEqual([event.event_type, resource.refund_status], ['REFUND.CLOSED', 'CLOSED']);
      assert.equal((await refundQuery(client, outRefundNo)).data.status, 'CLOSED');
      assert.equal((await refund(client, outTradeNo, newNo('R'), 3000)).data.status, 'PROCESSING', 'the closed refund left the whole amount to refund');
      assert.equal((await sandbox('GET', `/sandbox/refunds/${outRefundNo}`)).body.status, 'CLOSED');
    });
  });

  describe('the trade bill by China day', () => {
    // A day far from the real one: no other test pays on it.
    const DAY = '2030-12-01';
    const at = (iso: string) => (clockOffsetMs = Date.parse(iso) - Date.now());

    it("is served from 10:00 the next day, SHA1 over the bytes served, gzip, in WeChat's CSV", async () => {
      const client = sdk();
      await sandbox('POST', '/sandbox/refund-processing', { delayMs: null });
      at('2030-11-30T16:30:00Z'); // 00:30 on Dec 1 in China
      const outTradeNo = await paidOrder(client);
      const outRefundNo = newNo('R');
      await refund(client, outTradeNo, outRefundNo, 500);
      await sandbox('POST', `/sandbox/refunds/${outRefundNo}/settle`, { status: 'SUCCESS' });

      const params = { bill_date: DAY, bill_type: 'ALL', tar_type: 'GZIP' };
      assert.deepEqual(await refusalOf(tradebill(client, params)), { status: 400, code: 'STATEMENT_CREATING', message: '账单生成中' });
      at('2030-12-02T01:59:00Z'); // 09:59 in China
      assert.equal((await refusalOf(tradebill(client, params))).code, 'STATEMENT_CREATING');
      at('2030-12-02T02:30:00Z'); // 10:30 in China

      const { data } = await tradebill(client, params);
      assert.equal(data.hash_type, 'SHA1');
      assert.ok(data.download_url.startsWith(`${gatewayUrl()}/v3/billdownload/file?token=`));
      const file = Buffer.from((await download(client, data.download_url)).data as ArrayBuffer);
      assert.ok(Hash.equals(data.hash_value, Hash.sha1(file)), 'the hash is over the gzip served');
      const csv = gunzipSync(file);
      const text = csv.toString('utf8');
      assert.ok(text.startsWith('\ufeff交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,'));
      assert.ok(
        text.endsWith('\r\n') &&
          text
            .split('\r\n')
            .slice(1, -3)
            .every((line) => line.startsWith('`')),
      );

      const bill = Formatter.castCsvBill(csv) as { rows: Record<string, string>[]; summary: Record<string, string> };
      const payment = bill.rows.find((row) => row['商户订单号'] === outTradeNo && row['交易状态'] === 'SUCCESS')!;
      assert.deepEqual(
        [payment['交易时间'], payment['交易类型'], payment['应结订单金额'], payment['订单金额'], payment['手续费'], payment['费率'], payment['公众账号ID']],
        ['2030-12-01 00:30:00', 'NATIVE', '30.00', '30.00', '0.18000', '0.60%', APPID],
      );
      const refunded = bill.rows.find((row) => row['商户退款单号'] === outRefundNo)!;
      assert.deepEqual([refunded['交易状态'], refunded['退款金额'], refunded['退款状态'], refunded['应结订单金额']], ['REFUND', '5.00', 'SUCCESS', '0.00']);
      assert.deepEqual(bill.summary, {
        总交易单数: '2',
        应结订单总金额: '30.00',
        退款总金额: '5.00',
        充值券退款总金额: '0.00',
        手续费总金额: '0.18000',
        订单总金额: '30.00',
        申请退款总金额: '5.00',
      });

      const plain = (await tradebill(client, { bill_date: DAY, bill_type: 'SUCCESS' })).data;
      const plainFile = Buffer.from((await download(client, plain.download_url)).data as ArrayBuffer);
      assert.equal(Hash.sha1(plainFile), plain.hash_value, 'without tar_type the CSV itself, hashed as served');
      assert.deepEqual(
        (Formatter.castCsvBill(plainFile) as { rows: Json[] }).rows.map((row) => row['交易状态']),
        ['SUCCESS'],
      );
    });

    it('refuses a day after today, one more than three months back, a day without trades, and a bad bill_type', async () => {
      const client = sdk();
      at('2030-12-02T02:30:00Z');
      const invalid = { status: 400, code: 'INVALID_REQUEST', message: '参数错误，请检查bill_date，并重新调用' };
      assert.deepEqual(await refusalOf(tradebill(client, { bill_date: '2030-12-03' })), invalid);
      assert.deepEqual(await refusalOf(tradebill(client, { bill_date: '2030-08-01' })), invalid);
      assert.deepEqual(await refusalOf(tradebill(client, { bill_date: '2030-11-20' })), { status: 400, code: 'NO_STATEMENT_EXIST', message: '账单文件不存在' });
      assert.equal((await refusalOf(tradebill(client, { bill_date: DAY, bill_type: 'EVERYTHING' }))).code, 'PARAM_ERROR');
      const forged = await failureOrRefusal(download(client, `${gatewayUrl()}/v3/billdownload/file?token=forged`));
      assert.deepEqual([forged.status, JSON.parse(Buffer.from(forged.data as unknown as ArrayBuffer).toString()).code], [400, 'INVALID_REQUEST']);
    });

    it('a day runs from midnight to midnight China time, and tampering plants differences (OrderBook and Bills with their own clock)', () => {
      let now = new Date('2026-11-30T15:00:00Z');
      const book = new OrderBook(() => now);
      const bills = new Bills(book, { appid: APPID, mchid: MCHID });
      const payAt = (outTradeNo: string, iso: string) => {
        book.placeNative({
          appid: APPID,
          mchid: MCHID,
          description: 'd',
          outTradeNo,
          notifyUrl: 'http://127.0.0.1/n',
          total: 100,
          attach: undefined,
          timeExpire: undefined,
          fingerprint: outTradeNo,
        });
        now = new Date(iso);
        book.pay(outTradeNo);
      };
      payAt('BEFORE-MIDNIGHT', '2026-11-30T15:59:59Z'); // 23:59:59 on Nov 30 in China
      payAt('AFTER-MIDNIGHT', '2026-11-30T16:30:00Z'); // 00:30 on Dec 1 in China
      payAt('OTHER-DAY-1', '2026-11-30T17:00:00Z');
      const outTradeNos = (date: string) =>
        (Formatter.castCsvBill(bills.csv(date)) as { rows: Record<string, string>[] }).rows.map((row) => `${row['商户订单号']}:${row['订单金额']}`);
      assert.deepEqual(outTradeNos('2026-11-30'), ['BEFORE-MIDNIGHT:1.00']);
      assert.deepEqual(outTradeNos('2026-12-01'), ['AFTER-MIDNIGHT:1.00', 'OTHER-DAY-1:1.00']);
      bills.tamper('2026-12-01', { drop: ['OTHER-DAY-1'], add: [{ outTradeNo: 'NEVER-PLACED', amount: 250 }], amounts: { 'AFTER-MIDNIGHT': 99 } });
      assert.deepEqual(outTradeNos('2026-12-01'), ['AFTER-MIDNIGHT:0.99', 'NEVER-PLACED:2.50']);
    });
  });

  describe('notifications', () => {
    it("follows WeChat's retry schedule while the merchant fails, each attempt the same body freshly signed", async () => {
      const outTradeNo = newNo();
      const path = `/pay/${outTradeNo}/fail-5`;
      await native(sdk(), outTradeNo, { notify_url: notifyUrl(path) });
      await pay(outTradeNo);
      await waitFor(() => receivedAt(path).length === 6, 8_000);
      const attempts = receivedAt(path);
      const gaps = attempts.slice(1).map((attempt, i) => attempt.at - attempts[i]!.at);
      RETRY_DELAYS_MS.slice(0, 5).forEach((delay, i) =>
        assert.ok(gaps[i]! >= delay * TIME_SCALE - 5, `gap ${i}: ${gaps[i]} ms, expected ${delay * TIME_SCALE} ms`),
      );
      assert.equal(new Set(attempts.map((attempt) => attempt.body)).size, 1, 'the same notification every time');
      assert.equal(new Set(attempts.map((attempt) => attempt.headers['wechatpay-nonce'])).size, 6, 'signed afresh every time');
      attempts.forEach((attempt) => opened(attempt));
      const view = await ledger(outTradeNo);
      assert.deepEqual(view.notifications, [...Array(5).fill('HTTP 500: {"code":"FAIL","message":"busy"}'), 'HTTP 204']);
      await sleep(100);
      assert.equal(receivedAt(path).length, 6, 'no attempt after the acknowledgement');
    });

    it('the schedule is 15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m, 30m, 60m, 3h, 3h, 3h, 6h, 6h (24h4m), then WeChat gives up', async () => {
      assert.deepEqual(
        RETRY_DELAYS_MS.map((ms) => ms / 1000),
        [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10_800, 10_800, 10_800, 21_600, 21_600],
      );
      assert.equal(
        RETRY_DELAYS_MS.reduce((sum, ms) => sum + ms, 0),
        (24 * 60 + 4) * 60_000,
      );
      // A gateway whose whole day of retries takes about a tenth of a second.
      const quick = buildGateway(
        loadGatewayConfig({
          WECHATPAY_KEYS_DIR: keys,
          WECHATPAY_MCHID: MCHID,
          WECHATPAY_APPID: APPID,
          WECHATPAY_GATEWAY_PORT: '0',
          WECHATPAY_NOTIFY_TIME_SCALE: '0.000001',
        }),
        createLogger('gateway-test', 'silent'),
      );
      await quick.app.listen({ host: '127.0.0.1', port: 0 });
      try {
        const outTradeNo = newNo();
        const path = `/pay/${outTradeNo}/always-fail`;
        quick.orders.placeNative({
          appid: APPID,
          mchid: MCHID,
          description: 'd',
          outTradeNo,
          notifyUrl: notifyUrl(path),
          total: 1,
          attach: undefined,
          timeExpire: undefined,
          fingerprint: '',
        });
        const port = (quick.app.server.address() as AddressInfo).port;
        assert.equal((await fetch(`http://127.0.0.1:${port}/sandbox/orders/${outTradeNo}/pay`, { method: 'POST' })).status, 200);
        await waitFor(() => receivedAt(path).length === 16);
        await sleep(300);
        assert.equal(receivedAt(path).length, 16, 'the first attempt and fifteen retries, then nothing');
      } finally {
        await quick.app.close();
      }
    });

    it('a tampered notification does not verify, and its resource does not decrypt', async () => {
      const outTradeNo = await paidOrder(sdk(), 'normal');
      await waitFor(() => receivedAt(`/pay/${outTradeNo}`).length === 1);
      const genuine = receivedAt(`/pay/${outTradeNo}`)[0]!;
      const event = JSON.parse(genuine.body) as { resource: Record<string, string> };
      const bytes = Buffer.from(event.resource.ciphertext!, 'base64');
      bytes[5] = bytes[5]! ^ 0x01;
      const resource: Record<string, string> = { ...event.resource, ciphertext: bytes.toString('base64') };
      assert.throws(() => opened({ ...genuine, body: JSON.stringify({ ...event, resource }) }), /signature verifies/);
      const { nonce, associated_data } = event.resource;
      assert.throws(() => Aes.AesGcm.decrypt(resource.ciphertext!, apiV3Key, nonce!, associated_data), /authenticate/);
      assert.throws(
        () => Aes.AesGcm.decrypt(event.resource.ciphertext!, 'x'.repeat(32), nonce!, associated_data),
        /authenticate/,
        'nor with another APIv3 key',
      );
    });

    it('a payment may be notified twice (same id), late, or not at all', async () => {
      const twice = await paidOrder(sdk(), 'duplicate');
      await waitFor(() => receivedAt(`/pay/${twice}`).length === 2);
      assert.equal(receivedAt(`/pay/${twice}`)[0]!.body, receivedAt(`/pay/${twice}`)[1]!.body);

      const silent = await paidOrder(sdk(), 'none');
      const late = newNo();
      await native(sdk(), late);
      const started = Date.now();
      assert.equal((await sandbox('POST', `/sandbox/orders/${late}/pay`, { notify: 'delayed', delayMs: 400 })).status, 200);
      await waitFor(() => receivedAt(`/pay/${late}`).length === 1);
      assert.ok(receivedAt(`/pay/${late}`)[0]!.at - started >= 390);
      assert.deepEqual(receivedAt(`/pay/${silent}`), []);
      assert.equal((await sandbox('POST', `/sandbox/orders/${late}/pay`, { notify: 'normal', delayMs: 400 })).status, 400, 'delayMs only with delayed');
    });

    it('the switch drops the next notification entirely (no retry) or holds it back', async () => {
      assert.deepEqual((await sandbox('POST', '/sandbox/notifications', { mode: 'drop' })).body, { mode: 'drop', count: 1 });
      const lost = await paidOrder(sdk(), 'normal');
      const delivered = await paidOrder(sdk(), 'normal');
      await waitFor(() => receivedAt(`/pay/${delivered}`).length === 1);
      await sleep(200);
      assert.deepEqual(receivedAt(`/pay/${lost}`), []);
      const view = await ledger(lost);
      assert.deepEqual(view.notifications, ['dropped']);
      assert.notEqual(view.lastNotification, null, 'the notification the merchant missed is still shown');

      await sandbox('POST', '/sandbox/notifications', { mode: 'delay', delayMs: 400 });
      const started = Date.now();
      const held = await paidOrder(sdk(), 'normal');
      await waitFor(() => receivedAt(`/pay/${held}`).length === 1);
      assert.ok(receivedAt(`/pay/${held}`)[0]!.at - started >= 390);
      assert.deepEqual((await sandbox('GET', '/sandbox/notifications')).body, { mode: 'normal' });
      assert.equal((await sandbox('POST', '/sandbox/notifications', { mode: 'drop', delayMs: 1 })).status, 400);
    });
  });

  describe('faults', () => {
    it('error: a signed 500 SYSTEM_ERROR, nothing applied; the next call goes through', async () => {
      const client = sdk();
      const outTradeNo = await paidOrder(client);
      const outRefundNo = newNo('R');
      await fault({ api: 'refund', mode: 'error' });
      assert.deepEqual(await refusalOf(refund(client, outTradeNo, outRefundNo, 1000)), { status: 500, code: 'SYSTEM_ERROR', message: '系统错误' });
      assert.equal((await sandbox('GET', `/sandbox/refunds/${outRefundNo}`)).status, 404);
      assert.deepEqual((await sandbox('GET', '/sandbox/faults')).body, { faults: [] });
      assert.equal((await refund(client, outTradeNo, outRefundNo, 1000)).status, 200);
    });

    it('refuse: the status, code and message asked for, nothing applied', async () => {
      const client = sdk();
      const outTradeNo = await paidOrder(client);
      await fault({ api: 'refund', mode: 'refuse', status: 403, code: 'NOT_ENOUGH', message: '余额不足' });
      assert.deepEqual(await refusalOf(refund(client, outTradeNo, newNo('R'), 1000)), { status: 403, code: 'NOT_ENOUGH', message: '余额不足' });
      await fault({ api: 'native', mode: 'refuse', status: 429, code: 'FREQUENCY_LIMITED', message: '频率超限' });
      assert.equal((await refusalOf(native(client, newNo()))).status, 429);
      assert.equal((await ledger(outTradeNo)).refunded, 0);
    });

    it('timeout: no answer and nothing applied', async () => {
      const client = sdk();
      const outTradeNo = await paidOrder(client);
      const outRefundNo = newNo('R');
      await fault({ api: 'refund', mode: 'timeout', delayMs: 2_000 });
      assert.equal((await failureOf(refund(sdk('public_key', { timeout: 300 }), outTradeNo, outRefundNo, 1000))).code, 'ECONNABORTED');
      assert.equal((await sandbox('GET', `/sandbox/refunds/${outRefundNo}`)).status, 404);
    });

    it('lose-answer: the refund is made but the caller gets a network error; the refund query finds it', async () => {
      const client = sdk();
      const outTradeNo = await paidOrder(client);
      const outRefundNo = newNo('R');
      await fault({ api: 'refund', mode: 'lose-answer' });
      await failureOf(refund(client, outTradeNo, outRefundNo, 1000));
      const found = (await refundQuery(client, outRefundNo)).data;
      assert.equal(found.amount.refund, 1000);
      assert.equal((await refund(client, outTradeNo, outRefundNo, 1000)).data.refund_id, found.refund_id, 'the retry finds the refund made');
    });

    it('delay: waits delayMs, then applies and answers', async () => {
      const outTradeNo = newNo();
      await fault({ api: 'native', mode: 'delay', delayMs: 400 });
      const started = Date.now();
      assert.equal((await native(sdk(), outTradeNo)).status, 200);
      assert.ok(Date.now() - started >= 390);
      assert.equal((await ledger(outTradeNo)).tradeState, 'NOTPAY');
    });

    it('count: faults are used up call by call in the order queued, per API; DELETE clears them', async () => {
      const client = sdk();
      const outTradeNo = await paidOrder(client);
      await fault({ api: 'query', mode: 'error', count: 2 });
      await fault({ api: 'query', mode: 'refuse', code: 'TRADE_ERROR' });
      await fault({ api: 'close', mode: 'error' });
      const pending = async () => ((await sandbox('GET', '/sandbox/faults')).body.faults as Json[]).map((f) => `${f.api}:${f.mode}:${f.count}`);
      assert.deepEqual(await pending(), ['query:error:2', 'query:refuse:1', 'close:error:1']);
      assert.equal((await refusalOf(query(client, outTradeNo))).code, 'SYSTEM_ERROR');
      assert.equal((await refusalOf(query(client, outTradeNo))).code, 'SYSTEM_ERROR');
      assert.deepEqual(await refusalOf(query(client, outTradeNo)), { status: 400, code: 'TRADE_ERROR', message: 'refused (sandbox fault)' });
      assert.equal((await query(client, outTradeNo)).data.trade_state, 'SUCCESS');
      assert.deepEqual(await pending(), ['close:error:1']);
      assert.deepEqual(await sandbox('DELETE', '/sandbox/faults'), { status: 200, body: { faults: [] } });
      assert.equal((await refusalOf(close(client, outTradeNo))).code, 'ORDERPAID', 'the close reached the order');
    });

    it('only genuine merchant calls meet a fault: a forged one is refused and leaves it queued', async () => {
      await fault({ api: 'query', mode: 'error' });
      const forged = await failureOrRefusal(
        sdk('public_key', { privateKey: otherPrivateKey() })
          .chain('v3/pay/transactions/out-trade-no/{out_trade_no}')
          .get({
            params: { mchid: MCHID },
            out_trade_no: 'ANYORDER1',
          }),
      );
      assert.equal(forged.data.code, 'SIGN_ERROR');
      assert.equal(((await sandbox('GET', '/sandbox/faults')).body.faults as Json[]).length, 1);
    });

    it('refuses malformed faults (400)', async () => {
      for (const body of [
        { api: 'refund', mode: 'explode' },
        { api: 'micropay', mode: 'error' },
        { api: 'refund', mode: 'refuse' },
        { api: 'refund', mode: 'error', code: 'SYSTEM_ERROR' },
        { api: 'refund', mode: 'error', delayMs: 10 },
        { api: 'refund', mode: 'refuse', code: 'X', status: 200 },
        { api: 'refund', mode: 'delay', count: '2' },
        { api: 'refund', mode: 'delay', extra: true },
        { mode: 'error' },
      ]) {
        assert.equal((await sandbox('POST', '/sandbox/faults', body)).status, 400, JSON.stringify(body));
      }
      assert.deepEqual((await sandbox('GET', '/sandbox/faults')).body, { faults: [] });
    });
  });

  describe('keys', () => {
    it('generate-keys is idempotent and names every key as WeChat does', () => {
      const before = Object.fromEntries(readdirSync(keys).map((file) => [file, key(file)]));
      assert.deepEqual(ensureKeys(keys, { mchid: MCHID }), ids);
      assert.deepEqual(Object.fromEntries(readdirSync(keys).map((file) => [file, key(file)])), before);
      assert.equal(ids.mchid, MCHID);
      assert.match(ids.merchantSerial, /^[0-9A-F]{40}$/);
      assert.match(ids.platformSerial, /^[0-9A-F]{40}$/);
      assert.match(ids.publicKeyId, /^PUB_KEY_ID_\d{32}$/);
      assert.match(apiV3Key, /^[0-9A-Za-z]{32}$/);
      assert.deepEqual(JSON.parse(key(KEY_FILES.ids)), ids);
    });
  });

  describe('in the local stack (deploy/local/processes.conf)', () => {
    it('answers GET /readyz 200: the readiness system.sh waits for', async () => {
      const response = await fetch(`${gatewayUrl()}/readyz`);
      assert.equal(response.status, 200);
    });

    it("takes the public key id from the keys' ids.json unless WECHATPAY_PUBLIC_KEY_ID names one, without declaring it a default (.env.example)", () => {
      const env = { WECHATPAY_KEYS_DIR: keys };
      assert.equal(loadGatewayConfig(env).publicKeyId, ids.publicKeyId);
      assert.equal(loadGatewayConfig({ ...env, WECHATPAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_0123' }).publicKeyId, 'PUB_KEY_ID_0123');
      const { settings } = recordSettings(() => loadGatewayConfig(env));
      assert.equal(settings.find((setting) => setting.name === 'WECHATPAY_PUBLIC_KEY_ID')?.default, '');
    });
  });
});

/** A private key WeChat Pay never saw. */
function otherPrivateKey(): string {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
}

/** The whole answer of a refused call (status, headers and body). */
async function failureOrRefusal(call: Promise<unknown>): Promise<{ status: number; headers: Record<string, unknown>; data: Json }> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown as SdkError,
  );
  assert.ok(error?.response, 'expected a refusal');
  return { status: error.response.status, headers: error.response.headers, data: error.response.data };
}

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}
