/** The contract of the RPC layer's own test service (proto/shop/testing), for its tests and benchmarks. */
import { testing } from '@shop/proto';
import { defineContract } from '../../src/rpc';

/** Callers: the RPC layer's tests and benchmarks, which run as the operator's tools (`ops`). */
export const echoContract = defineContract(
  testing.EchoServiceService,
  {
    echo: { timeoutMs: 2_000, idempotent: true, callers: ['ops'] },
    record: { timeoutMs: 2_000, idempotent: false, callers: ['ops'] },
  },
  'echo',
);
