/**
 * Mutual TLS between the shop's processes: every process proves who it is with a certificate
 * of the shop's CA whose CN (and only DNS name) is its identity, an application name such as
 * `order` or `pay-web`.
 *
 * - A server refuses a connection without a certificate of the CA (plain gRPC included), and
 *   then each method admits only the identities its contract lists as callers (rpc-server.ts).
 * - A client checks that the provider it reached holds the certificate of the service's owner
 *   (`goods` for GoodsService): a provider registered in ZooKeeper by anyone else fails the
 *   handshake and is passed over like an unreachable one.
 *
 * One transport per process, made at start-up from the configuration (files read once; a
 * rotation is a rolling restart, see docs/security.md).
 */
import { readFileSync } from 'node:fs';
import { credentials, ServerCredentials, type ChannelCredentials, type ChannelOptions, type ServerUnaryCall } from '@grpc/grpc-js';
import { ConfigError } from '../config';
import type { RpcTlsConfig } from '../config';
import { FAST_RECONNECT } from '../net/grpc-backoff';

const CHANNEL_OPTIONS: ChannelOptions = {
  // A provider restarted in place (same address) is called again within about 2 s.
  ...FAST_RECONNECT,
  'grpc.keepalive_time_ms': 30_000,
  'grpc.enable_retries': 0,
};

export class RpcTransport {
  private constructor(
    /** This process's identity; undefined without TLS. */
    readonly identity: string | undefined,
    private readonly tls: { ca: Buffer; cert: Buffer; key: Buffer; channel: ChannelCredentials } | undefined,
  ) {}

  /** Plain gRPC: no identities, no caller rules (development with RPC_TLS=off only). */
  static plaintext(): RpcTransport {
    return new RpcTransport(undefined, undefined);
  }

  /** The transport of a process whose identity is `identity`, with the certificates the configuration names. */
  static fromConfig(config: RpcTlsConfig, identity: string): RpcTransport {
    if (config.mode === 'off') return RpcTransport.plaintext();
    const files = { ca: config.caFile, cert: config.certFile(identity), key: config.keyFile(identity) };
    const read = (file: string) => {
      try {
        return readFileSync(file);
      } catch {
        throw new ConfigError([
          `${file} cannot be read: the mutual TLS certificates of '${identity}' are missing (locally \`npm run infra:up\` makes them; see docs/security.md)`,
        ]);
      }
    };
    const [ca, cert, key] = [read(files.ca), read(files.cert), read(files.key)];
    return new RpcTransport(identity, { ca, cert, key, channel: credentials.createSsl(ca, key, cert) });
  }

  get secure(): boolean {
    return this.tls !== undefined;
  }

  serverCredentials(): ServerCredentials {
    if (!this.tls) return ServerCredentials.createInsecure();
    // true: a client without a certificate of the CA does not get past the handshake.
    return ServerCredentials.createSsl(this.tls.ca, [{ private_key: this.tls.key, cert_chain: this.tls.cert }], true);
  }

  /** Credentials and options of a channel to a provider that must prove to be `owner`. */
  channelTo(owner: string): { credentials: ChannelCredentials; options: ChannelOptions } {
    if (!this.tls) return { credentials: credentials.createInsecure(), options: CHANNEL_OPTIONS };
    // The provider is reached by address but must present the owner's name: TLS checks the
    // certificate's DNS name against this override instead of the IP address.
    return { credentials: this.tls.channel, options: { ...CHANNEL_OPTIONS, 'grpc.ssl_target_name_override': owner, 'grpc.default_authority': owner } };
  }
}

/** The identity the caller proved in the handshake (its certificate's CN), if any. */
export function provenCaller(call: ServerUnaryCall<unknown, unknown>): string | undefined {
  const subject = call.getAuthContext()?.sslPeerCertificate?.subject;
  const commonName = subject?.CN;
  return typeof commonName === 'string' && commonName !== '' ? commonName : undefined;
}
