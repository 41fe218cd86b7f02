/**
 * rocketmq-client-nodejs 1.0.8 creates its gRPC clients without channel options, so grpc-js's
 * default reconnect backoff applies: after an outage the waits between connection attempts grow
 * to 120 s, and calls made meanwhile fail at once with UNAVAILABLE. Measured: the RocketMQ stack
 * restarted under running services, the order service refused placements ("nothing was
 * charged") for 51 s after the proxy was back. The client looks `MessagingServiceClient` up on
 * the generated module each time it builds a client, so replacing it here, before any client is
 * built, bounds the backoff to a few seconds without forking the library.
 */
import type { ChannelCredentials, ChannelOptions } from '@grpc/grpc-js';
import { FAST_RECONNECT } from '../net/grpc-backoff';

type ClientConstructor = new (address: string, credentials: ChannelCredentials, options?: ChannelOptions) => object;

let installed = false;

export function boundMqReconnectBackoff(): void {
  if (installed) return;
  installed = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const generated = require('rocketmq-client-nodejs/proto/apache/rocketmq/v2/service_grpc_pb') as { MessagingServiceClient: ClientConstructor };
  const Original = generated.MessagingServiceClient;
  generated.MessagingServiceClient = class extends Original {
    constructor(address: string, credentials: ChannelCredentials, options?: ChannelOptions) {
      super(address, credentials, { ...FAST_RECONNECT, ...options });
    }
  };
}
