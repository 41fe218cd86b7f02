/**
 * The fuzz run's world: the users and goods it owns (the scope of the state digest) and the
 * pools of real ids the generated requests pick from, refreshed from each new baseline so that
 * requests aim at orders in the states they need.
 */
import { rowObject, type Scope, type Snapshot } from './digest';
import { Pools, type PoolName } from './pools';

const POOL_PARTS: { pool: PoolName; part: string; owner: string; state: (row: Record<string, unknown>) => string }[] = [
  { pool: 'order', part: 'order.order', owner: 'user_id', state: (row) => String(row.status) },
  { pool: 'coupon', part: 'coupon.coupon', owner: 'user_id', state: (row) => (String(row.used) === '1' ? 'USED' : 'UNUSED') },
  { pool: 'afterSales', part: 'order.after_sales', owner: 'user_id', state: (row) => String(row.status) },
  { pool: 'payment', part: 'pay.trade_pay', owner: 'user_id', state: (row) => String(row.status) },
];

export class World {
  pools = new Pools();
  private balances = new Map<string, number>();
  readonly users = new Set<string>();
  readonly goods = new Set<string>();

  scope(): Scope {
    return { users: [...this.users], goods: [...this.goods] };
  }

  /** Rebuilds the pools from a snapshot of the scope. */
  refresh(snapshot: Snapshot): void {
    const pools = new Pools();
    for (const id of this.users) pools.set('user', { id, owner: id, state: '' });
    for (const id of this.goods) pools.set('goods', { id, owner: '', state: '' });
    for (const { pool, part, owner, state } of POOL_PARTS) {
      for (const [id, value] of snapshot.get(part) ?? []) {
        const row = rowObject(part, value);
        pools.set(pool, { id, owner: String(row[owner]), state: state(row) });
      }
    }
    this.pools = pools;
    this.balances = new Map([...(snapshot.get('user.user') ?? [])].map(([id, value]) => [id, Number(rowObject('user.user', value).balance)]));
  }

  /** The user's balance in the last snapshot (yuan; NaN when unknown). */
  balance(userId: string): number {
    return this.balances.get(userId) ?? Number.NaN;
  }

  /** How many entries of a pool are in a state (for one owner, or anyone's). */
  count(pool: PoolName, state: string, owner?: string): number {
    return this.pools.all(pool).filter((entry) => entry.state === state && (owner === undefined || entry.owner === owner)).length;
  }
}
