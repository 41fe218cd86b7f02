/**
 * Where the storefront's and the console's scripts call pay-web, as their
 * Content-Security-Policy must name it (connect-src): PAY_WEB_URL's origin, or, when it is unset,
 * what the pages take by default (storefront/app.js, admin/admin.js): the page's own host on
 * port 7002.
 */
import type { FastifyRequest } from 'fastify';

/** The pages' default pay-web port, on their own host. */
const DEFAULT_PAY_WEB_PORT = 7002;
/**
 * A host name or IPv4 address, as a CSP source may hold it. Anything else in the Host header
 * (CSP has no form for an IPv6 literal; a `;` would start another directive) names no source:
 * such a page calls only its own origin.
 */
const CSP_HOST = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/;

/** The connect-src sources of a request's pages, for `createHttpApp({ connectSources })`. */
export function payWebSources(payWebUrl: string): (request: FastifyRequest) => string[] {
  if (payWebUrl) {
    // A relative PAY_WEB_URL is the page's own origin ('self' already).
    const fixed = URL.canParse(payWebUrl) ? [new URL(payWebUrl).origin] : [];
    return () => fixed;
  }
  // No scheme: the page's own (and https for an http page, as CSP upgrades), like the page's default.
  return (request) => (CSP_HOST.test(request.hostname) ? [`${request.hostname}:${DEFAULT_PAY_WEB_PORT}`] : []);
}
