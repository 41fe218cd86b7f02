/**
 * `npm run seed` (node web/order-web/dist/seed.js): the first admin and, in development, some
 * demo goods, through the running services (so every rule applies). Idempotent: an existing
 * admin is left as it is, goods are created under fixed request ids. The admin is
 * ADMIN_USERNAME / ADMIN_PASSWORD; the local default admin/admin123 is refused outside
 * development. SEED_DEMO_GOODS (default: on in development only) adds the demo catalogue.
 */
import { defineConfig, readInfraConfig } from '@shop/common/config';
import { AppError, ErrorCode } from '@shop/common/errors';
import { createLogger } from '@shop/common/log';
import { createRpcClient, ZkRegistry } from '@shop/common/rpc';
import { goodsContract, userContract } from '@shop/contracts';
import { user } from '@shop/proto';

const DEFAULT_PASSWORD = 'admin123';

const config = defineConfig((env, fail) => {
  const infra = readInfraConfig(env);
  const adminUsername = env.string('ADMIN_USERNAME', { default: 'admin' });
  const adminPassword = env.string('ADMIN_PASSWORD', { default: infra.env === 'development' ? DEFAULT_PASSWORD : undefined });
  if (infra.env !== 'development' && adminPassword === DEFAULT_PASSWORD) fail('ADMIN_PASSWORD must not be the local default outside development');
  const demoGoods = env.bool('SEED_DEMO_GOODS', { default: infra.env === 'development' });
  return { infra, adminUsername, adminPassword, demoGoods };
});

const DEMO_GOODS = [
  { name: 'Mechanical keyboard', price: '89.00', stock: 200 },
  { name: 'Wireless mouse', price: '24.90', stock: 500 },
  { name: 'USB-C cable', price: '9.90', stock: 1000 },
  { name: '27" monitor', price: '219.00', stock: 50 },
  { name: 'Laptop stand', price: '39.50', stock: 120 },
  { name: 'Noise-cancelling headphones', price: '159.00', stock: 80 },
];

async function main(): Promise<void> {
  const logger = createLogger('seed', process.env.LOG_LEVEL ?? 'warn');
  const registry = await ZkRegistry.connect({ ...config.infra.zookeeper, logger });
  const options = { application: 'seed', registry, logger };
  const users = await createRpcClient(userContract, options);
  const goods = await createRpcClient(goodsContract, options);
  try {
    try {
      await users.register({ username: config.adminUsername, password: config.adminPassword, role: user.Role.ROLE_ADMIN });
      console.log(`[seed] admin "${config.adminUsername}" created`);
    } catch (error) {
      if (!(error instanceof AppError && error.code === ErrorCode.ALREADY_EXISTS)) throw error;
      console.log(`[seed] admin "${config.adminUsername}" exists; left as it is`);
    }
    if (config.demoGoods) {
      for (const [index, item] of DEMO_GOODS.entries())
        await goods.createGoods({ requestId: `seed-goods-${index + 1}`, categoryId: '', description: '', ...item });
      console.log(`[seed] ${DEMO_GOODS.length} demo goods present`);
    }
  } finally {
    await users.$close();
    await goods.$close();
    registry.close();
  }
}

main().catch((error: unknown) => {
  console.error('[seed] failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
