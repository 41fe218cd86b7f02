/**
 * The bounded reconnect backoff (common/src/net/grpc-backoff.ts) of the RocketMQ client
 * (common/src/mq/grpc-reconnect.ts) and of the RPC channels to providers (rpc-tls.ts): a client
 * built the way rocketmq-client-nodejs builds it, and a channel built with the RPC transport's
 * options, whose server was down for 20 s, reach it within a few seconds of its return.
 * grpc-js's default backoff would wait until its next attempt, 4 to 8 s later at that point (up
 * to 120 s after longer outages).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Client, Metadata, Server, ServerCredentials, status } from '@grpc/grpc-js';
import { Endpoints } from 'rocketmq-client-nodejs';
import { RpcClient } from 'rocketmq-client-nodejs/dist/client/RpcClient';
import { QueryRouteRequest } from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/service_pb';
import '../src/mq';
import { RpcTransport } from '../src/rpc';
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

/** The same for a provider's channel: any method, UNIMPLEMENTED once connected. */
function callStatus(client: Client): Promise<number> {
  const bytes = (value: Buffer) => value;
  return new Promise((resolve) =>
    client.makeUnaryRequest('/shop.test.v1.Nothing/Call', bytes, bytes, Buffer.alloc(0), { deadline: Date.now() + 1_000 }, (error) =>
      resolve(error ? error.code : status.OK),
    ),
  );
}

describe('gRPC reconnect backoff: the RocketMQ client and the RPC channels', function () {
  this.timeout(60_000);

  it('reaches a proxy, or a provider, that was down for 20 s within 3 s of its return', async () => {
    const port = await freePort();
    const mq = new RpcClient(new Endpoints(`127.0.0.1:${port}`), false);
    const channel = RpcTransport.plaintext().channelTo('goods');
    // Within 20 s grpc-js's default backoff is sometimes lucky (its attempts are jittered): the
    // bound itself is what must hold.
    assert.ok((channel.options['grpc.max_reconnect_backoff_ms'] ?? Infinity) <= 2_000, 'the RPC channels bound their reconnect backoff');
    const rpc = new Client(`127.0.0.1:${port}`, channel.credentials, channel.options);
    const clients: [string, () => Promise<number>][] = [
      ['the RocketMQ client', () => queryStatus(mq)],
      ['the RPC channel', () => callStatus(rpc)],
    ];
    const server = new Server();
    try {
      // Down: the clients fail fast and back off.
      const outageEnds = Date.now() + 20_000;
      while (Date.now() < outageEnds) {
        for (const [, check] of clients) assert.equal(await check(), status.UNAVAILABLE);
        await sleep(500);
      }
      // Back: a gRPC server on the port (no services: a connected call answers UNIMPLEMENTED).
      await new Promise<void>((resolve, reject) =>
        server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())),
      );
      const back = Date.now();
      await Promise.all(
        clients.map(async ([name, check]) => {
          let code = await check();
          while (code === status.UNAVAILABLE && Date.now() - back < 15_000) {
            await sleep(100);
            code = await check();
          }
          const reconnectMs = Date.now() - back;
          assert.equal(code, status.UNIMPLEMENTED, `${name} never reached the server`);
          assert.ok(reconnectMs < 3_000, `${name} reconnected after ${reconnectMs} ms`);
        }),
      );
    } finally {
      mq.close();
      rpc.close();
      server.forceShutdown();
    }
  });
});
