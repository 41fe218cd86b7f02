/**
 * The WeChat Pay API v3 endpoints (v3-apis.ts) as wechatpay-axios-plugin and WeChat's other SDKs
 * call them. Every call is authenticated first (authenticate.ts; unsigned 401 SIGN_ERROR when it
 * fails), then meets the sandbox faults queued for its API (faults.ts), then is applied and
 * answered signed (answer.ts). A path WeChat does not have answers 404 with no body, a known
 * path under another method 405, as WeChat was seen to.
 */
import { X509Certificate } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { send, signedAnswer, signedRefusal, unsignedRefusal, type Answer } from './answer';
import { authenticate, isTransactionPath, type MerchantIdentity } from './authenticate';
import type { Bills } from './bills';
import { toWechatTime } from './china-time';
import type { GatewayConfig } from './config';
import type { Faults } from './faults';
import { codeUrl, type OrderBook } from './orders';
import type { RefundDesk } from './refund-desk';
import { billQuery, jsonBody, nativeOrderInput, refundInput, requireOwnMchid } from './requests';
import { newRequestId, type Signer } from './signer';
import { existsUnderAnotherMethod, V3_ROUTES, type V3Api } from './v3-apis';
import { refundView, transactionView } from './views';
import { aesGcmEncrypt } from './wechat-crypto';
import { paramError, WechatError } from './wechat-error';

export interface V3Deps {
  config: GatewayConfig;
  merchant: MerchantIdentity;
  signer: Signer;
  orders: OrderBook;
  bills: Bills;
  refundDesk: RefundDesk;
  faults: Faults;
  /** The download_url of a prepared bill. */
  downloadUrl(token: string): string;
}

/** A call that passed authentication: its route's parameters, query and exact body. */
interface Call {
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: string;
}

function handlers(deps: V3Deps): Record<V3Api, (call: Call) => Answer> {
  const { config, signer, orders, bills, refundDesk } = deps;
  const ok = (payload?: unknown) => signedAnswer(signer, payload === undefined ? 204 : 200, payload);
  return {
    native: ({ body }) => {
      const order = orders.placeNative(nativeOrderInput(config, jsonBody(body)));
      return ok({ code_url: codeUrl(order.token) });
    },
    query: ({ params, query }) => {
      requireOwnMchid(config, query.mchid, 'query');
      return ok(transactionView(orders.get(params.outTradeNo!)));
    },
    'query-by-id': ({ params, query }) => {
      requireOwnMchid(config, query.mchid, 'query');
      return ok(transactionView(orders.getByTransactionId(params.transactionId!)));
    },
    close: ({ params, body }) => {
      requireOwnMchid(config, jsonBody(body).mchid, 'body');
      orders.close(params.outTradeNo!);
      return ok();
    },
    refund: ({ body }) => {
      const input = refundInput(jsonBody(body));
      const isNew = !orders.findRefund(input.outRefundNo);
      const refund = orders.refund(input);
      if (isNew) refundDesk.accepted(refund);
      return ok(refundView(refund, orders.get(refund.outTradeNo)));
    },
    'refund-query': ({ params }) => {
      const refund = orders.getRefund(params.outRefundNo!);
      return ok(refundView(refund, orders.get(refund.outTradeNo)));
    },
    tradebill: ({ query }) => {
      const { date, type, gzip } = billQuery(query);
      const { hashValue, token } = bills.apply(date, type, gzip);
      return ok({ hash_type: 'SHA1', hash_value: hashValue, download_url: deps.downloadUrl(token) });
    },
    // The file itself is not signed (WeChat's SDKs skip its verification): the hash of tradebill vouches for it.
    billdownload: ({ query }) => {
      if (!query.token) throw paramError('token', query.token, 'token is required', 'query');
      return { status: 200, headers: { 'Content-Type': 'application/octet-stream', 'Request-ID': newRequestId() }, body: bills.download(query.token) };
    },
    certificates: () => {
      const certificate = new X509Certificate(config.platformCertificate);
      const { ciphertext, nonce } = aesGcmEncrypt(config.platformCertificate, config.apiV3Key, 'certificate');
      return ok({
        data: [
          {
            serial_no: config.platformSerial,
            effective_time: toWechatTime(new Date(certificate.validFrom)),
            expire_time: toWechatTime(new Date(certificate.validTo)),
            encrypt_certificate: { algorithm: 'AEAD_AES_256_GCM', nonce, associated_data: 'certificate', ciphertext },
          },
        ],
      });
    },
  };
}

export function registerV3Api(app: FastifyInstance, deps: V3Deps): void {
  const apply = handlers(deps);
  for (const route of V3_ROUTES) {
    app.route({
      method: route.method,
      url: route.url,
      handler: async (request: FastifyRequest, reply) => {
        // JSON bodies of /v3 arrive as text (app.ts): the signature covers their exact bytes.
        const body = typeof request.body === 'string' ? request.body : '';
        const refusal = authenticate(deps.merchant, { method: request.method, url: request.url, headers: request.headers, body });
        if (refusal) return send(reply, unsignedRefusal(refusal, !(refusal.status === 401 && isTransactionPath(request.url))));
        const call: Call = { params: request.params as Record<string, string>, query: request.query as Record<string, string | undefined>, body };
        return deps.faults.serve(
          route.api,
          {
            execute: () => {
              try {
                return apply[route.api](call);
              } catch (error) {
                if (error instanceof WechatError) return signedRefusal(deps.signer, error);
                throw error;
              }
            },
            refuse: (error) => signedRefusal(deps.signer, error),
          },
          request,
          reply,
        );
      },
    });
  }
  app.all('/v3/*', async (request, reply) => reply.status(existsUnderAnotherMethod(request.url.split('?')[0]!) ? 405 : 404).send());
}
