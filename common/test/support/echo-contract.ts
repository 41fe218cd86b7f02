/** The contract of the RPC layer's own test service (proto/shop/testing), for its tests and benchmarks. */
import { testing } from '@shop/proto';
import { defineContract } from '../../src/rpc';

export const echoContract = defineContract(testing.EchoServiceService, {
  echo: { timeoutMs: 2_000, idempotent: true },
  record: { timeoutMs: 2_000, idempotent: false },
});
