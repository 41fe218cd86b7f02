/** pay-web's clients, found in ZooKeeper: the pay service, and the user service for the users' standing (bans). */
import type { Logger } from '@shop/common/log';
import { createRpcClient, type RpcClient, type ZkRegistry } from '@shop/common/rpc';
import { payContract, userContract } from '@shop/contracts';

export type PayClient = RpcClient<typeof payContract.definition>;
export type UserClient = RpcClient<typeof userContract.definition>;

export function connectPay(registry: ZkRegistry, logger: Logger): Promise<PayClient> {
  return createRpcClient(payContract, { application: 'pay-web', registry, logger });
}

export function connectUser(registry: ZkRegistry, logger: Logger): Promise<UserClient> {
  return createRpcClient(userContract, { application: 'pay-web', registry, logger });
}
