/** pay-web's clients, found in ZooKeeper: the pay service, and the user service for the users' standing (bans). */
import type { Logger } from '@shop/common/log';
import { createRpcClient, type RpcClient, type RpcTransport, type ZkRegistry } from '@shop/common/rpc';
import { payContract, userContract } from '@shop/contracts';

export type PayClient = RpcClient<typeof payContract.definition>;
export type UserClient = RpcClient<typeof userContract.definition>;

export interface Connection {
  registry: ZkRegistry;
  logger: Logger;
  transport: RpcTransport;
}

export function connectPay(connection: Connection): Promise<PayClient> {
  return createRpcClient(payContract, { application: 'pay-web', ...connection });
}

export function connectUser(connection: Connection): Promise<UserClient> {
  return createRpcClient(userContract, { application: 'pay-web', ...connection });
}
