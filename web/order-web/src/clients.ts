import type { Logger } from '@shop/common/log';
import { createRpcClient, type RpcClient, type RpcTransport, type ZkRegistry } from '@shop/common/rpc';
import { couponContract, goodsContract, orderContract, userContract } from '@shop/contracts';

/** The services order-web calls, discovered through ZooKeeper. */
export interface Services {
  goods: RpcClient<typeof goodsContract.definition>;
  coupon: RpcClient<typeof couponContract.definition>;
  user: RpcClient<typeof userContract.definition>;
  order: RpcClient<typeof orderContract.definition>;
}

export async function connectServices(connection: { registry: ZkRegistry; logger: Logger; transport: RpcTransport }): Promise<Services> {
  const options = { application: 'order-web', ...connection };
  return {
    goods: await createRpcClient(goodsContract, options),
    coupon: await createRpcClient(couponContract, options),
    user: await createRpcClient(userContract, options),
    order: await createRpcClient(orderContract, options),
  };
}

/** The services with no provider in the registry: order-web cannot serve what needs them. */
export function missingProviders(services: Services): string[] {
  return Object.entries(services)
    .filter(([, client]) => client.$providers().length === 0)
    .map(([name]) => `no provider of the ${name} service`);
}

export async function closeServices(services: Services): Promise<void> {
  await Promise.all(Object.values(services).map((client: { $close(): Promise<void> }) => client.$close()));
}
