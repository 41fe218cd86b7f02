import { defineConfig } from '@shop/common/config';
import { readServiceConfig, type ServiceConfig } from '@shop/common/service';
import type { SessionSettings } from './domain/sessions';

export interface UserConfig extends ServiceConfig {
  sessions: SessionSettings;
}

/** The user service's settings (USER_SCHEMA, USER_RPC_PORT, SESSION_REFRESH_TTL_SECONDS, ...), read and checked at start-up. */
export function loadUserConfig(source: NodeJS.ProcessEnv = process.env): UserConfig {
  return defineConfig(
    (env, fail) => ({
      ...readServiceConfig(env, fail, 'user'),
      // A refresh token unused this long ends with its session (30 days by default).
      sessions: { refreshTtlSeconds: env.int('SESSION_REFRESH_TTL_SECONDS', { default: 30 * 86_400, min: 300, max: 365 * 86_400 }) },
    }),
    source,
  );
}
