/**
 * The cashier a QR code points to, as the buyer's Alipay app shows it: opening it scans the QR
 * code (the trade then exists at Alipay), and its Pay button pays. A QR code opened at or after
 * its expiry is dead: the page says so and offers no Pay button.
 */
import { AppError, ErrorCode } from '@shop/common/errors';
import type { FastifyInstance } from 'fastify';
import type { Buyer } from './buyer';
import { BusinessError, ledgerStatus, QR_CODE_EXPIRED, type Trade, type TradeBook } from './trades';

export interface CashierDeps {
  trades: TradeBook;
  buyer: Buyer;
  qrCode(outTradeNo: string): string;
}

/**
 * The page's style, served as a file: the gateway answers with the shop's Content-Security-Policy
 * (createHttpApp), which refuses inline styles.
 */
const CASHIER_STYLE = `body{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
.amount{font-size:2rem;font-weight:600}.box{border:1px solid #ddd;border-radius:8px;padding:1.5rem}
button{font-size:1.1rem;padding:.6rem 2rem;background:#1677ff;color:#fff;border:0;border-radius:6px;cursor:pointer}
code{word-break:break-all}`;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function cashierPage(trade: Trade, qrCode: string, message = ''): string {
  const payable = trade.scannedAt !== undefined && trade.status === 'WAIT_BUYER_PAY';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Alipay sandbox cashier</title>
<link rel="stylesheet" href="/assets/cashier.css"></head>
<body><div class="box">
<p>Alipay sandbox cashier (local emulator)</p>
<p id="subject">${escape(trade.subject)}</p>
<p class="amount" id="amount">¥ ${escape(trade.totalAmount)}</p>
<p>Trade <code id="out-trade-no">${escape(trade.outTradeNo)}</code>: <strong id="status">${ledgerStatus(trade)}</strong></p>
<p>QR code content: <code>${escape(qrCode)}</code></p>
${message ? `<p id="message">${escape(message)}</p>` : ''}
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

  app.get('/assets/cashier.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(CASHIER_STYLE));

  app.get<{ Params: { outTradeNo: string } }>('/cashier/:outTradeNo', async (request, reply) => {
    const { outTradeNo } = request.params;
    return reply.type('text/html; charset=utf-8').send(page(outTradeNo, () => buyer.scan(outTradeNo), ''));
  });

  app.post<{ Params: { outTradeNo: string } }>('/cashier/:outTradeNo/pay', async (request, reply) => {
    const { outTradeNo } = request.params;
    return reply.type('text/html; charset=utf-8').send(page(outTradeNo, () => buyer.pay(outTradeNo), 'Paid. You can close this page.'));
  });
}
