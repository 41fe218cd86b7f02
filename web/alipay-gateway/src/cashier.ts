/**
 * The cashier a QR code points to, as the buyer's Alipay app shows it: opening it scans the QR
 * code (the trade then exists at Alipay), and its Pay button pays. A QR code opened at or after
 * its expiry is dead: the page says so and offers no Pay button.
 */
import { escapeHtml, serveCashierStyle } from '@shop/common/emulator';
import { AppError, ErrorCode } from '@shop/common/errors';
import type { FastifyInstance } from 'fastify';
import type { Buyer } from './buyer';
import { BusinessError, ledgerStatus, QR_CODE_EXPIRED, type Trade, type TradeBook } from './trades';

export interface CashierDeps {
  trades: TradeBook;
  buyer: Buyer;
  qrCode(outTradeNo: string): string;
}

export function cashierPage(trade: Trade, qrCode: string, message = ''): string {
  const payable = trade.scannedAt !== undefined && trade.status === 'WAIT_BUYER_PAY';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Alipay sandbox cashier</title>
<link rel="stylesheet" href="/assets/cashier.css"></head>
<body><div class="box">
<p>Alipay sandbox cashier (local emulator)</p>
<p id="subject">${escapeHtml(trade.subject)}</p>
<p class="amount" id="amount">¥ ${escapeHtml(trade.totalAmount)}</p>
<p>Trade <code id="out-trade-no">${escapeHtml(trade.outTradeNo)}</code>: <strong id="status">${ledgerStatus(trade)}</strong></p>
<p>QR code content: <code>${escapeHtml(qrCode)}</code></p>
${message ? `<p id="message">${escapeHtml(message)}</p>` : ''}
${payable ? `<form method="post" action="/cashier/${encodeURIComponent(trade.outTradeNo)}/pay"><button id="pay" type="submit">Pay</button></form>` : ''}
</div></body></html>`;
}

/** What the buyer is told when the app refuses: a dead QR code, or Alipay's sub_code. */
function refusalMessage(error: BusinessError): string {
  return error.subCode === QR_CODE_EXPIRED ? 'This QR code has expired: ask the merchant for a new one.' : `Payment refused: ${error.subCode}`;
}

export function registerCashier(app: FastifyInstance, { trades, buyer, qrCode }: CashierDeps): void {
  /** Runs the buyer's action on a known trade and shows the page with its outcome. */
  const page = (outTradeNo: string, action: () => unknown, success: string) => {
    const trade = trades.find(outTradeNo);
    if (!trade) throw new AppError(ErrorCode.NOT_FOUND, 'no such trade');
    let message = success;
    try {
      action();
    } catch (error) {
      if (!(error instanceof BusinessError)) throw error;
      message = refusalMessage(error);
    }
    return cashierPage(trade, qrCode(outTradeNo), message);
  };

  serveCashierStyle(app, '#1677ff');

  app.get<{ Params: { outTradeNo: string } }>('/cashier/:outTradeNo', async (request, reply) => {
    const { outTradeNo } = request.params;
    return reply.type('text/html; charset=utf-8').send(page(outTradeNo, () => buyer.scan(outTradeNo), ''));
  });

  app.post<{ Params: { outTradeNo: string } }>('/cashier/:outTradeNo/pay', async (request, reply) => {
    const { outTradeNo } = request.params;
    return reply.type('text/html; charset=utf-8').send(page(outTradeNo, () => buyer.pay(outTradeNo), 'Paid. You can close this page.'));
  });
}
