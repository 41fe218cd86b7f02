import { defineConfig, readInfraConfig } from '@shop/common/config';

/** The local default admin password; refused outside development. */
const DEFAULT_PASSWORD = 'admin123';

/** The seed's settings (seed.ts): the infrastructure, the first admin, whether to add the demo catalogue. */
export function loadSeedConfig(source: NodeJS.ProcessEnv = process.env) {
  return defineConfig((env, fail) => {
    const infra = readInfraConfig(env, fail);
    const adminUsername = env.string('ADMIN_USERNAME', { default: 'admin' });
    const adminPassword = env.string('ADMIN_PASSWORD', { default: infra.env === 'development' ? DEFAULT_PASSWORD : undefined });
    if (infra.env !== 'development' && adminPassword === DEFAULT_PASSWORD) fail('ADMIN_PASSWORD must not be the local default outside development');
    const demoGoods = env.bool('SEED_DEMO_GOODS', { default: infra.env === 'development' });
    return { infra, adminUsername, adminPassword, demoGoods };
  }, source);
}
