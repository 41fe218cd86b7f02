/**
 * Snowflake worker ids leased in ZooKeeper, so that instances of a service never share one
 * (two instances with one worker id can issue the same id in the same millisecond).
 *
 * An instance claims the ephemeral node /shop/workers/<application>/<id>, trying ids from a
 * preferred one upwards; the node lives as long as its session. If the session expires and
 * another instance takes the id meanwhile, the holder is told and must stop (the service exits
 * and its supervisor starts it again with a new lease).
 */
import type { ZkRegistry } from '../rpc';

export const WORKERS_ROOT = '/shop/workers';
const WORKER_IDS = 1024;

export async function leaseWorkerId(registry: ZkRegistry, application: string, preferred: number, onLost: () => void): Promise<number> {
  for (let i = 0; i < WORKER_IDS; i++) {
    const id = (preferred + i) % WORKER_IDS;
    if (await registry.claim(`${WORKERS_ROOT}/${application}/${id}`, onLost)) return id;
  }
  throw new Error(`all ${WORKER_IDS} worker ids of ${application} are taken`);
}
