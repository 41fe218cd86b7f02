/**
 * `npm run seed` (node web/order-web/dist/seed.js): the first admin and, in development, some
 * demo goods, through the running services (so every rule applies). Idempotent: an existing
 * admin is left as it is, goods are created under fixed request ids. The admin is
 * ADMIN_USERNAME / ADMIN_PASSWORD; the local default admin/admin123 is refused outside
 * development. SEED_DEMO_GOODS (default: on in development only) adds the demo catalogue:
 * categories, goods with descriptions and pictures (demo-catalogue.ts), created under fixed
 * request ids, put in their category and given their picture again when its file is missing
 * (no-ops once done).
 */
import { checkRequested, exitAfterStartupCheck } from '@shop/common/config';
import { AppError, ErrorCode } from '@shop/common/errors';
import { createLogger } from '@shop/common/log';
import { createRpcClient, RpcTransport, ZkRegistry } from '@shop/common/rpc';
import { goodsContract, userContract } from '@shop/contracts';
import { goods as goodsProto, user } from '@shop/proto';
import { DEMO_CATALOGUE, drawDemoPicture } from './demo-catalogue';
import { loadSeedConfig } from './seed-config';

// --check: the configuration and the `ops` certificate, nothing connected (common/src/config/startup-check.ts).
if (checkRequested()) exitAfterStartupCheck('seed', () => RpcTransport.fromConfig(loadSeedConfig().infra.rpcTls, 'ops'));
const config = loadSeedConfig();

async function main(): Promise<void> {
  const logger = createLogger('seed', process.env.LOG_LEVEL ?? 'warn');
  const registry = await ZkRegistry.connect({ ...config.infra.zookeeper, logger });
  // The seed is an operator's tool: it calls the services with the `ops` certificate.
  const options = { application: 'seed', registry, logger, transport: RpcTransport.fromConfig(config.infra.rpcTls, 'ops') };
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
    // A row may name a picture whose file is not there: another checkout (its own var/images)
    // seeded the shared MySQL. The same picture is drawn and stored again under the same name.
    const pictureStored = async (imageKey: string) => {
      try {
        await goods.getGoodsImage({ imageKey, size: goodsProto.ImageSize.SMALL });
        return true;
      } catch (error) {
        if (error instanceof AppError && error.code === ErrorCode.NOT_FOUND) return false;
        throw error;
      }
    };
    if (config.demoGoods) {
      const { userId: operatorId } = await users.authenticate({ username: config.adminUsername, password: config.adminPassword });
      let count = 0;
      let pictures = 0;
      for (const category of DEMO_CATALOGUE) {
        const { categoryId } = await goods.createCategory({ name: category.name });
        for (const item of category.goods) {
          count += 1;
          // The first six were created before categories existed: same request ids, so no duplicates.
          const created = await goods.createGoods({
            requestId: `seed-goods-${count}`,
            name: item.name,
            price: item.price,
            stock: item.stock,
            categoryId,
            description: item.description,
          });
          if (created.categoryId !== categoryId || created.description !== item.description) {
            await goods.updateGoods({
              goodsId: created.goodsId,
              requestId: `seed-catalogue-${count}`,
              operatorId,
              reason: 'demo catalogue',
              categoryId,
              description: item.description,
              stockDelta: 0,
            });
          }
          if (!created.imageKey || !(await pictureStored(created.imageKey))) {
            await goods.putGoodsImage({ goodsId: created.goodsId, operatorId, content: await drawDemoPicture(item.motif, category.colours) });
            pictures += 1;
          }
        }
      }
      const stored = pictures ? ` (${pictures} pictures drawn and stored now)` : '';
      console.log(`[seed] demo catalogue present: ${DEMO_CATALOGUE.length} categories, ${count} goods with pictures${stored}`);
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
