/**
 * The security headers of every answer of a front door: the storefront and the admin console
 * pages, their scripts and styles, the API's JSON, the API reference. Set by one onRequest hook
 * (so that errors and 404s carry them too) rather than by @fastify/helmet: four fixed headers and
 * one per-request source list do not need a dependency. What each header stops is in
 * docs/security.md.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface SecurityHeadersOptions {
  /**
   * Origins the pages may call besides their own (CSP connect-src), for this request: the
   * storefront and the console call pay-web. None when absent.
   */
  connectSources?: (request: FastifyRequest) => string[];
}

/**
 * The Content-Security-Policy. Scripts and styles from the page's own origin only: no
 * 'unsafe-inline', so an injected <script>, onclick= or javascript: URL does not run, and no
 * 'unsafe-eval'. Images from the origin, `data:` (pay-web's QR code is an SVG data: URL, and the
 * pages' empty favicon) and `blob:` (the console's preview of a picture before its upload).
 * Nothing may frame the pages, no plugin runs, and <base> and forms cannot point elsewhere.
 */
export function contentSecurityPolicy(connectSources: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    ["connect-src 'self'", ...connectSources].join(' '),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const FIXED_HEADERS = {
  // A response is taken as the type it declares: an uploaded picture or a JSON answer is never run as a script or style.
  'x-content-type-options': 'nosniff',
  // No address of the shop (an order's page, a search) reaches another site through Referer.
  'referrer-policy': 'no-referrer',
  // frame-ancestors for the browsers that predate it: no page of the shop inside another site's frame.
  'x-frame-options': 'DENY',
};

export function registerSecurityHeaders(app: FastifyInstance, options: SecurityHeadersOptions = {}): void {
  const { connectSources } = options;
  const fixedPolicy = contentSecurityPolicy();
  app.addHook('onRequest', (request, reply, done) => {
    void reply.headers(FIXED_HEADERS).header('content-security-policy', connectSources ? contentSecurityPolicy(connectSources(request)) : fixedPolicy);
    done();
  });
}
