/**
 * An EchoService provider in its own process, driven by its parent over IPC:
 *   parent <- {type: 'ready', port, sessionId, sessionPassword}
 *   parent -> {type: 'shutdown'}   graceful stop, then exit
 *   parent -> {type: 'session'}    parent <- {type: 'session', sessionId, sessionPassword}
 * Settings from the environment: ZK_CONNECT, ZK_SESSION_TIMEOUT_MS, ZK_DIGEST, PROVIDER_WEIGHT, and
 * BENCH_TRACING=on (bench:rpc pricing tracing: spans to the configured exporter).
 */
import { echoContract } from './echo-contract';
import { loadInfraConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { RpcServer, ZkRegistry } from '../../src/rpc';
import { startTracing } from '../../src/trace';
import { transportAs } from './infra';

async function main(): Promise<void> {
  const logger = createLogger('echo-provider', process.env.LOG_LEVEL ?? 'silent');
  if (process.env.BENCH_TRACING === 'on') startTracing('echo-provider', loadInfraConfig().tracing, { instrument: false });
  const registry = await ZkRegistry.connect({
    ...loadInfraConfig().zookeeper,
    sessionTimeoutMs: Number(process.env.ZK_SESSION_TIMEOUT_MS ?? 4_000),
    logger,
  });
  const server = new RpcServer({
    application: 'echo-provider',
    registry,
    logger,
    transport: transportAs('echo'),
    advertisedHost: '127.0.0.1',
    bindHost: '127.0.0.1',
    port: Number(process.env.PROVIDER_PORT ?? 0),
    weight: Number(process.env.PROVIDER_WEIGHT ?? 100),
  });
  const answer = async (request: { message: string; delayMs: number }) => {
    if (request.delayMs > 0) await new Promise((r) => setTimeout(r, request.delayMs));
    return { message: request.message, provider: server.address };
  };
  server.addService(echoContract, { echo: answer, record: answer });
  await server.start();
  const session = () => ({ sessionId: registry.currentSession.sessionId, sessionPassword: registry.currentSession.sessionPassword });
  const reply = (message: object) => process.connected && process.send?.(message);
  reply({ type: 'ready', port: server.port, ...session() });
  process.on('message', (message: { type: string }) => {
    if (message.type === 'session') reply({ type: 'session', ...session() });
    if (message.type === 'shutdown') {
      void server.shutdown().then(() => {
        registry.close();
        process.exit(0);
      });
    }
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
