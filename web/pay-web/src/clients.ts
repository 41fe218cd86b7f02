/** pay-web's one client: the pay service, found in ZooKeeper. */
import type { Logger } from '@shop/common/log';
import { createRpcClient, type RpcClient, type ZkRegistry } from '@shop/common/rpc';
import { payContract } from '@shop/contracts';

export type PayClient = RpcClient<typeof payContract.definition>;

export function connectPay(registry: ZkRegistry, logger: Logger): Promise<PayClient> {
  return createRpcClient(payContract, { application: 'pay-web', registry, logger });
}
