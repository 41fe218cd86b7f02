import { format } from 'node:util';
import type { Endpoints, ILogger } from 'rocketmq-client-nodejs';
import type { TelemetryCommand } from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/service_pb';
import type { Logger } from '../log';
import { boundMqReconnectBackoff } from './grpc-reconnect';

// Before any RocketMQ client exists: every client of this process gets the bounded backoff.
boundMqReconnectBackoff();

/** Where the RocketMQ proxy is, and how long to wait for a client to start. */
export interface MqConnection {
  endpoints: string;
  namespace: string;
  startupTimeoutMs: number;
  logger: Logger;
}

/** The part of the client's BaseClient that `startWithin` drives. */
interface StartableClient {
  startup(): Promise<void>;
  shutdown(): Promise<void>;
  isRunning(): boolean;
  getEndpoints(): Endpoints;
  settingsCommand(): TelemetryCommand;
  telemetry(endpoints: Endpoints, command: TelemetryCommand): void;
}

const SETTINGS_NUDGE_MS = 1_000;

/** The topics of every client this process started: the health check asks the proxy for one's route. */
const startedTopics = new Set<string>();

export function topicsInUse(): string[] {
  return [...startedTopics];
}

/**
 * Starts a RocketMQ client within a deadline.
 *
 * Two upstream problems are handled here (rocketmq-client-nodejs 1.0.8, BaseClient.startup):
 * - `startup()` waits forever when the proxy does not answer: it is bounded, and a half-started
 *   client is shut down so the process can exit or retry cleanly;
 * - startup waits for the proxy's first settings command, but only starts listening for it after
 *   the route fetch; when the settings arrive first (a fast local proxy) the wait never ends.
 *   While startup is pending we re-send our settings every second, as the client's own 5-minute
 *   sync does; the proxy answers with a settings command, which releases the wait.
 */
export async function startWithin(client: StartableClient, timeoutMs: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs} ms (is the RocketMQ proxy up?)`)), timeoutMs);
  });
  const nudge = setInterval(() => {
    if (!client.isRunning()) client.telemetry(client.getEndpoints(), client.settingsCommand());
  }, SETTINGS_NUDGE_MS);
  try {
    await Promise.race([client.startup(), timeout]);
    // The client's own list (producers' topics, consumers' subscriptions): protected in its types.
    for (const topic of (client as unknown as { topics?: Set<string> }).topics ?? []) startedTopics.add(topic);
  } catch (error) {
    void shutdownWithin(client, 5_000).catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
    clearInterval(nudge);
  }
}

/** Shutdown that cannot hang a process on its way out. */
export async function shutdownWithin(client: { shutdown(): Promise<void> }, timeoutMs = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.shutdown(),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Routes the client's printf-style logs into pino (instead of ~/logs/rocketmq/*.log). */
export function clientLogger(logger: Logger): ILogger {
  const child = logger.child({ component: 'rocketmq-client' });
  // The client logs every receive and send at debug/info: format only what will be written.
  const at =
    (level: 'trace' | 'debug' | 'warn' | 'error') =>
    (message: string, ...args: unknown[]) => {
      if (child.isLevelEnabled(level)) child[level](format(message, ...args));
    };
  return { info: at('debug'), warn: at('warn'), error: at('error'), debug: at('trace') };
}
