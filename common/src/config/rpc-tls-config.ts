/**
 * Where a process finds the certificates of the services' mutual TLS (common/src/rpc/rpc-tls.ts).
 *
 * - `RPC_TLS_CA`, `RPC_TLS_CERT`, `RPC_TLS_KEY`: explicit files, as a platform mounts them (a
 *   Kubernetes secret made by cert-manager holds ca.crt, tls.crt and tls.key).
 * - otherwise `RPC_TLS_DIR`: a directory with ca.crt and <identity>.crt/.key per identity, the
 *   layout deploy/local/lib/pki.sh writes (default var/pki outside production).
 * - `RPC_TLS=off`: plain gRPC, without identities or caller rules. Development only: production
 *   refuses it, since anyone reaching a port could then call RefundBalance.
 */
import path from 'node:path';
import type { EnvReader } from './env-reader';

export type RpcTlsConfig =
  | { mode: 'off' }
  | {
      mode: 'mutual';
      caFile: string;
      /** The files of one identity: explicit ones, or <dir>/<identity>.crt and .key. */
      certFile(identity: string): string;
      keyFile(identity: string): string;
    };

export function readRpcTlsConfig(env: EnvReader, fail: (problem: string) => void, production: boolean): RpcTlsConfig {
  const mode = env.string('RPC_TLS', { default: 'mutual', oneOf: ['mutual', 'off'] });
  if (mode === 'off') {
    if (production) fail('RPC_TLS=off is refused when NODE_ENV=production: the services must authenticate their callers');
    return { mode: 'off' };
  }
  const cert = env.string('RPC_TLS_CERT', { default: '' });
  const key = env.string('RPC_TLS_KEY', { default: '' });
  if (cert || key) {
    if (!cert || !key) fail('RPC_TLS_CERT and RPC_TLS_KEY go together');
    const caFile = path.resolve(env.string('RPC_TLS_CA'));
    return { mode: 'mutual', caFile, certFile: () => path.resolve(cert), keyFile: () => path.resolve(key) };
  }
  const varDir = env.string('SHOP_VAR_DIR', { default: 'var' });
  const dirSetting = env.string('RPC_TLS_DIR', { default: '' });
  if (production && !dirSetting) fail('RPC_TLS_CA, RPC_TLS_CERT and RPC_TLS_KEY (or RPC_TLS_DIR) are required when NODE_ENV=production');
  const dir = path.resolve(dirSetting || path.join(varDir, 'pki'));
  return {
    mode: 'mutual',
    caFile: path.resolve(env.string('RPC_TLS_CA', { default: path.join(dir, 'ca.crt') })),
    certFile: (identity) => path.join(dir, `${identity}.crt`),
    keyFile: (identity) => path.join(dir, `${identity}.key`),
  };
}
