/** The cashier page a QR code points to: the trade, its QR content, and a Pay button. */
import type { Trade } from './trades';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function cashierPage(trade: Trade, qrCode: string, message = ''): string {
  const payable = trade.status === 'WAIT_BUYER_PAY';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Alipay sandbox cashier</title>
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
.amount{font-size:2rem;font-weight:600}.box{border:1px solid #ddd;border-radius:8px;padding:1.5rem}
button{font-size:1.1rem;padding:.6rem 2rem;background:#1677ff;color:#fff;border:0;border-radius:6px;cursor:pointer}
code{word-break:break-all}</style></head>
<body><div class="box">
<p>Alipay sandbox cashier (local emulator)</p>
<p id="subject">${escape(trade.subject)}</p>
<p class="amount" id="amount">¥ ${escape(trade.totalAmount)}</p>
<p>Trade <code id="out-trade-no">${escape(trade.outTradeNo)}</code>: <strong id="status">${trade.status}</strong></p>
<p>QR code content: <code>${escape(qrCode)}</code></p>
${message ? `<p id="message">${escape(message)}</p>` : ''}
${payable ? `<form method="post" action="/cashier/${encodeURIComponent(trade.outTradeNo)}/pay"><button id="pay" type="submit">Pay</button></form>` : ''}
</div></body></html>`;
}
