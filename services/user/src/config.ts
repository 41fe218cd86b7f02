import { defineConfig } from '@shop/common/config';
import { readServiceConfig, type ServiceConfig } from '@shop/common/service';

/** The user service's settings (USER_SCHEMA, USER_RPC_PORT, ...), read and checked at start-up. */
export function loadUserConfig(source: NodeJS.ProcessEnv = process.env): ServiceConfig {
  return defineConfig((env) => readServiceConfig(env, 'user'), source);
}
