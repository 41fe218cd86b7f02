/**
 * node-zookeeper-client 1.1.3 sends a session's credentials (addAuthInfo) again on every new
 * connection, but queues them behind the requests made while it was disconnected. ZooKeeper
 * keeps credentials per connection, not per session: those requests then reach the server
 * before the credentials and a create under /dubbo fails with NO_AUTH, only because it was made
 * while the client was reconnecting (a ZooKeeper restart, a dropped connection).
 *
 * The patch moves the requests waiting to be sent behind what the library queues when a
 * connection opens (the credentials, then the watches to restore), keeping their order.
 * Installed once per process, before any client is built.
 */

interface ConnectionManagerInternals {
  packetQueue: { shift(): object | undefined; push(packet: object): void };
  onSocketConnected(): void;
}

let installed = false;

export function sendCredentialsFirst(): void {
  if (installed) return;
  installed = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ConnectionManager = require('node-zookeeper-client/lib/ConnectionManager.js') as { prototype: ConnectionManagerInternals };
  const proto = ConnectionManager.prototype;
  const { onSocketConnected } = proto;

  proto.onSocketConnected = function (this: ConnectionManagerInternals) {
    const waiting: object[] = [];
    for (let packet = this.packetQueue.shift(); packet !== undefined; packet = this.packetQueue.shift()) waiting.push(packet);
    // Writes the connect request, queues the credentials and the watches to set again.
    onSocketConnected.call(this);
    // Nothing is sent until the connection is established: pushing here only orders the queue.
    for (const packet of waiting) this.packetQueue.push(packet);
  };
}
