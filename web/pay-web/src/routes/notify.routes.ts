/** The channels' asynchronous notifications (Alipay, WeChat Pay): no token, the pay service verifies them. */
import { documented } from '@shop/common/http';
import type { FastifyInstance } from 'fastify';
import type { PayClient } from '../clients';

export function notifyRoutes(app: FastifyInstance, payments: PayClient): void {
  // From Alipay: a form, answered with the bare text it expects. Anything unverifiable: "failure".
  app.post<{ Body: unknown }>(
    '/api/v1/notify/alipay',
    {
      schema: documented('alipay', "Alipay's asynchronous notification (trade_status_sync)", {
        description:
          'A signed application/x-www-form-urlencoded form from Alipay. Answers the bare text `success` once applied (or already applied), `failure` for anything unverifiable; Alipay retries until `success`.',
        consumes: ['application/x-www-form-urlencoded'],
      }),
    },
    async (request, reply) => {
      const body = request.body;
      const valid = typeof body === 'object' && body !== null && !Array.isArray(body) && Object.values(body).every((value) => typeof value === 'string');
      const answer = valid ? (await payments.handleAlipayNotify({ fields: body as Record<string, string> })).reply : 'failure';
      return reply.type('text/plain').send(answer);
    },
  );

  // From WeChat Pay: JSON signed over its exact bytes, so the body is kept as the text received.
  // 204 once applied (or a repeat); anything unverifiable 400 with {code: "FAIL"}: WeChat retries.
  void app.register(async (scope) => {
    // In this scope only: every body as text (JSON included), never parsed before it is verified.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: NOTIFY_BODY_LIMIT }, (_request, body, done) => done(null, body));
    scope.post<{ Body: unknown }>(
      '/api/v1/notify/wechatpay',
      {
        schema: documented('wechatpay', "WeChat Pay's notification of a payment (TRANSACTION.SUCCESS) or a refund (REFUND.*)", {
          description:
            'JSON signed by WeChat Pay (Wechatpay-Signature over Wechatpay-Timestamp, -Nonce and the exact body; Wechatpay-Serial names the key), its resource encrypted with the APIv3 key. Answers 204 once applied (or already applied), 400 `{"code":"FAIL"}` for anything unverifiable, upon which WeChat Pay tries again on its schedule.',
          consumes: ['application/json'],
          status: 204,
          response: { type: 'null', description: 'applied, or applied before: WeChat Pay stops notifying it' },
        }),
      },
      async (request, reply) => {
        const headers = Object.fromEntries(
          Object.entries(request.headers).flatMap(([name, value]) => (name.startsWith('wechatpay-') && typeof value === 'string' ? [[name, value]] : [])),
        );
        const body = typeof request.body === 'string' ? request.body : '';
        const { accepted } = await payments.handleWechatPayNotify({ headers, body });
        if (accepted) return reply.status(204).send();
        return reply.status(400).send({ code: 'FAIL', message: 'notification not accepted' });
      },
    );
  });
}

/** WeChat Pay's notifications are a few hundred bytes; anything far larger is not one. */
const NOTIFY_BODY_LIMIT = 64 * 1024;
