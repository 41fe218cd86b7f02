/** What the local gateways' cashier pages (the buyer's wallet app) share: their style and HTML escaping. */
import type { FastifyInstance } from 'fastify';

/** Text made safe inside HTML (element content and quoted attributes). */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Serves the page's style at /assets/cashier.css, in the wallet's colour: the gateways answer
 * with the shop's Content-Security-Policy (createHttpApp), which refuses inline styles.
 */
export function serveCashierStyle(app: FastifyInstance, accent: string): void {
  const style = `body{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
.amount{font-size:2rem;font-weight:600}.box{border:1px solid #ddd;border-radius:8px;padding:1.5rem}
button{font-size:1.1rem;padding:.6rem 2rem;background:${accent};color:#fff;border:0;border-radius:6px;cursor:pointer}
code{word-break:break-all}`;
  app.get('/assets/cashier.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(style));
}
