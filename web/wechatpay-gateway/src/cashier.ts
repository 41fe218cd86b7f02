/**
 * The cashier a Native QR code leads to, standing for the buyer's WeChat app (a code_url is a
 * weixin:// link only the app opens): it shows the order and, while the buyer can still pay it,
 * a Pay button. Opening it changes nothing (the order exists at WeChat Pay since it was placed);
 * paying is followed by the TRANSACTION.SUCCESS notification. Unknown token: 404.
 */
import { escapeHtml, serveCashierStyle } from '@shop/common/emulator';
import { AppError, ErrorCode } from '@shop/common/errors';
import { formatCents } from '@shop/common/money';
import type { FastifyInstance } from 'fastify';
import type { Buyer } from './buyer';
import { codeUrl, ORDER_EXPIRED, type Order, type OrderBook } from './orders';
import { WechatError } from './wechat-error';

export interface CashierDeps {
  orders: OrderBook;
  buyer: Buyer;
}

export function cashierPage(order: Order, payable: boolean, message = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>WeChat Pay sandbox cashier</title>
<link rel="stylesheet" href="/assets/cashier.css"></head>
<body><div class="box">
<p>WeChat Pay sandbox cashier (local emulator)</p>
<p id="description">${escapeHtml(order.description)}</p>
<p class="amount" id="amount">¥ ${formatCents(BigInt(order.total))}</p>
<p>Order <code id="out-trade-no">${escapeHtml(order.outTradeNo)}</code>: <strong id="status">${order.state}</strong></p>
<p>QR code content: <code>${escapeHtml(codeUrl(order.token))}</code></p>
${message ? `<p id="message">${escapeHtml(message)}</p>` : ''}
${payable ? `<form method="post" action="/cashier/${encodeURIComponent(order.token)}/pay"><button id="pay" type="submit">Pay</button></form>` : ''}
</div></body></html>`;
}

/** What the buyer's app says when it refuses. */
function refusalMessage(error: WechatError): string {
  return error.code === ORDER_EXPIRED ? 'This order has expired: ask the merchant for a new one.' : `Payment refused: ${error.code}`;
}

export function registerCashier(app: FastifyInstance, { orders, buyer }: CashierDeps): void {
  /** Runs the buyer's action on a known order and shows the page with its outcome. */
  const page = (token: string, action: (order: Order) => unknown, success: string) => {
    const order = orders.findByToken(token);
    if (!order) throw new AppError(ErrorCode.NOT_FOUND, 'no such order');
    let message = success;
    try {
      action(order);
    } catch (error) {
      if (!(error instanceof WechatError)) throw error;
      message = refusalMessage(error);
    }
    if (!message && order.state === 'NOTPAY' && !orders.payable(order)) message = refusalMessage(new WechatError(400, ORDER_EXPIRED, ''));
    return cashierPage(order, orders.payable(order), message);
  };

  serveCashierStyle(app, '#07c160');

  app.get<{ Params: { token: string } }>('/cashier/:token', async (request, reply) =>
    reply.type('text/html; charset=utf-8').send(page(request.params.token, () => undefined, '')),
  );

  app.post<{ Params: { token: string } }>('/cashier/:token/pay', async (request, reply) =>
    reply.type('text/html; charset=utf-8').send(page(request.params.token, (order) => buyer.pay(order.outTradeNo), 'Paid. You can close this page.')),
  );
}
