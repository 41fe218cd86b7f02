/**
 * The bounded reconnect backoff of the RocketMQ client (common/src/mq/grpc-reconnect.ts): a
 * client built the way rocketmq-client-nodejs builds it, whose proxy was down for 20 s, reaches
 * the proxy within a few seconds of its return. grpc-js's default backoff would wait until its
 * next attempt, 4 to 8 s later at that point (up to 120 s after longer outages).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Metadata, Server, ServerCredentials, status } from '@grpc/grpc-js';
import { Endpoints } from 'rocketmq-client-nodejs';
import { RpcClient } from 'rocketmq-client-nodejs/dist/client/RpcClient';
import { QueryRouteRequest } from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/service_pb';
import '../src/mq';
import { sleep } from './support/infra';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The gRPC status a route query gets: UNAVAILABLE while nothing listens, UNIMPLEMENTED from our bare server. */
async function queryStatus(client: RpcClient): Promise<number> {
  try {
    await client.queryRoute(new QueryRouteRequest(), new Metadata(), 1_000);
    return status.OK;
  } catch (error) {
    return (error as { code: number }).code;
  }
}

describe('RocketMQ client reconnect backoff', function () {
  this.timeout(60_000);

  it('reaches a proxy that was down for 20 s within 3 s of its return', async () => {
    const port = await freePort();
    const client = new RpcClient(new Endpoints(`127.0.0.1:${port}`), false);
    const server = new Server();
    try {
      // Down: the client fails fast and backs off.
      const outageEnds = Date.now() + 20_000;
      while (Date.now() < outageEnds) {
        assert.equal(await queryStatus(client), status.UNAVAILABLE);
        await sleep(500);
      }
      // Back: a gRPC server on the port (no services: a connected call answers UNIMPLEMENTED).
      await new Promise<void>((resolve, reject) =>
        server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())),
      );
      const back = Date.now();
      let code = await queryStatus(client);
      while (code === status.UNAVAILABLE && Date.now() - back < 15_000) {
        await sleep(100);
        code = await queryStatus(client);
      }
      const reconnectMs = Date.now() - back;
      assert.equal(code, status.UNIMPLEMENTED, 'the client never reached the server');
      assert.ok(reconnectMs < 3_000, `reconnected after ${reconnectMs} ms`);
    } finally {
      client.close();
      server.forceShutdown();
    }
  });
});
