/**
 * An in-memory implementation of the user domain's port (src/domain/ports.ts), for unit tests:
 * the same contracts as the SQL store (unique usernames, log rows unique per (user, type, ref),
 * conditional balance takes, points never below zero, address creations unique per (user,
 * request id)) and the same reservation ledger (a row per order, TAKEN or RELEASED), with a
 * transaction that is rolled back when its work throws. Row locks are not modelled: the
 * concurrency of the address book and adjustments is the integration spec's (user.spec.ts).
 */
import type { ReservationSteps } from '@shop/common/db';
import type { DomainError } from '@shop/common/errors';
import { formatCents, parseCents } from '@shop/common/money';
import type { AddressFields, AddressRow, AdjustmentRow, MoneyMovement, MoneyType, PointsType, Tx, UserRepository, UserRow } from '../../../src/domain/ports';

interface LogRow<Type> {
  id: string;
  user_id: string;
  order_id: string | null;
  type: Type;
  ref: string;
  amount: string;
  operator_id?: string | null;
  reason?: string | null;
  balance_after?: string | null;
  created_at?: Date;
}

interface StoredAddress extends AddressRow {
  create_request_id: string | null;
}

interface BanLogRow {
  user_id: string;
  banned: boolean;
  operator_id: string;
  reason: string | null;
}

interface UserState {
  users: Map<string, UserRow>;
  money: LogRow<MoneyType>[];
  points: LogRow<PointsType>[];
  ledger: Map<string, 'TAKEN' | 'RELEASED'>;
  addresses: StoredAddress[];
  bans: BanLogRow[];
}

const copy = (state: UserState): UserState => ({
  users: new Map([...state.users].map(([id, row]) => [id, { ...row }])),
  money: [...state.money],
  points: [...state.points],
  ledger: new Map(state.ledger),
  addresses: state.addresses.map((row) => ({ ...row })),
  bans: [...state.bans],
});

const byIdDescending = (a: { id: string }, b: { id: string }) => (BigInt(b.id) > BigInt(a.id) ? 1 : BigInt(b.id) < BigInt(a.id) ? -1 : 0);

/** A transaction handle: the fake ignores it, as the domain only hands it back. */
const TX = {} as Tx;

class Refused extends Error {
  constructor(readonly refusal: DomainError) {
    super(refusal.message);
  }
}

export class MemoryUsers implements UserRepository {
  private state: UserState = { users: new Map(), money: [], points: [], ledger: new Map(), addresses: [], bans: [] };

  readonly releases = {
    reserveOnce: <Taken>(orderId: string, steps: ReservationSteps<Taken>): Promise<Taken | DomainError> =>
      this.transaction(async (tx): Promise<Taken | DomainError> => {
        const status = this.state.ledger.get(orderId);
        if (status === 'RELEASED') return steps.released();
        if (status === 'TAKEN') return steps.repeat(tx);
        this.state.ledger.set(orderId, 'TAKEN');
        return steps.take(tx, (refusal) => {
          throw new Refused(refusal);
        });
      }).catch((error: unknown) => {
        if (error instanceof Refused) return error.refusal;
        throw error;
      }),
    releaseOnce: async <Released>(_tx: Tx, orderId: string, giveBack: () => Promise<Released>, repeated: Released): Promise<Released> => {
      if (this.state.ledger.get(orderId) === 'RELEASED') return repeated;
      this.state.ledger.set(orderId, 'RELEASED');
      return giveBack();
    },
  };

  /** A user with this balance and these points, as a test starts. */
  seed(row: { id: string; balance?: string; points?: string; role?: 'CUSTOMER' | 'ADMIN'; username?: string }): void {
    this.state.users.set(row.id, {
      id: row.id,
      username: row.username ?? `u${row.id}`,
      password_hash: '',
      role: row.role ?? 'CUSTOMER',
      balance: row.balance ?? '0.00',
      points: row.points ?? '0',
      banned_at: null,
      ban_reason: null,
      created_at: new Date(),
    });
  }

  /** The money log rows of the order, for assertions. */
  moneyLog(orderId: string): readonly LogRow<MoneyType>[] {
    return this.state.money.filter((row) => row.order_id === orderId);
  }

  /** The user's money log rows, oldest first, for assertions. */
  moneyLogOfUser(userId: string): readonly LogRow<MoneyType>[] {
    return this.state.money.filter((row) => row.user_id === userId);
  }

  /** The ban log of the user, oldest first, for assertions. */
  banLog(userId: string): readonly BanLogRow[] {
    return this.state.bans.filter((row) => row.user_id === userId);
  }

  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const before = copy(this.state);
    try {
      return await work(TX);
    } catch (error) {
      this.state = before;
      throw error;
    }
  }

  async insertUser(row: { id: string; username: string; passwordHash: string; role: string }): Promise<boolean> {
    if ([...this.state.users.values()].some((user) => user.username === row.username)) return false;
    this.state.users.set(row.id, {
      id: row.id,
      username: row.username,
      password_hash: row.passwordHash,
      role: row.role,
      balance: '0.00',
      points: '0',
      banned_at: null,
      ban_reason: null,
      created_at: new Date(),
    });
    return true;
  }

  async lockUser(_tx: Tx, id: string): Promise<UserRow | undefined> {
    return this.findUser(id);
  }

  async listUsers(offset: number, limit: number, query: string): Promise<{ rows: UserRow[]; total: number }> {
    const matching = [...this.state.users.values()].filter((user) => user.username.includes(query)).sort(byIdDescending);
    return { rows: matching.slice(offset, offset + limit).map((row) => ({ ...row })), total: matching.length };
  }

  async findAdminMovement(_tx: Tx, userId: string, types: readonly MoneyType[], ref: string): Promise<AdjustmentRow | undefined> {
    const row = this.state.money.find((other) => other.user_id === userId && types.includes(other.type) && other.ref === ref);
    return row && adjustmentOf(row);
  }

  async listAdminMovements(userId: string, limit: number): Promise<AdjustmentRow[]> {
    return this.state.money
      .filter((row) => row.user_id === userId && ['RECHARGE', 'ADJUST_ADD', 'ADJUST_TAKE'].includes(row.type))
      .sort(byIdDescending)
      .slice(0, limit)
      .map(adjustmentOf);
  }

  async setBan(_tx: Tx, row: { logId: string; userId: string; operatorId: string; banned: boolean; reason: string }): Promise<void> {
    const user = this.state.users.get(row.userId)!;
    user.banned_at = row.banned ? new Date() : null;
    user.ban_reason = row.banned ? row.reason : null;
    this.state.bans.push({ user_id: row.userId, banned: row.banned, operator_id: row.operatorId, reason: row.reason || null });
  }

  async listAddresses(userId: string): Promise<AddressRow[]> {
    return this.state.addresses
      .filter((row) => row.user_id === userId)
      .sort((a, b) => b.is_default - a.is_default || byIdDescending(a, b))
      .map(addressOf);
  }

  async findAddress(userId: string, addressId: string): Promise<AddressRow | undefined> {
    const row = this.state.addresses.find((other) => other.user_id === userId && other.id === addressId);
    return row && addressOf(row);
  }

  async findAddressByRequest(_tx: Tx, userId: string, requestId: string): Promise<AddressRow | undefined> {
    const row = this.state.addresses.find((other) => other.user_id === userId && other.create_request_id === requestId);
    return row && addressOf(row);
  }

  async insertAddress(_tx: Tx, row: AddressFields & { id: string; userId: string; isDefault: boolean; requestId: string | null }): Promise<void> {
    if (row.requestId && this.state.addresses.some((other) => other.user_id === row.userId && other.create_request_id === row.requestId)) {
      throw new Error('duplicate key uq_create_request');
    }
    this.state.addresses.push({
      id: row.id,
      user_id: row.userId,
      recipient: row.recipient,
      phone: row.phone,
      region: row.region,
      line: row.line,
      is_default: row.isDefault ? 1 : 0,
      create_request_id: row.requestId,
    });
  }

  async updateAddress(_tx: Tx, userId: string, addressId: string, fields: AddressFields): Promise<void> {
    const row = this.state.addresses.find((other) => other.user_id === userId && other.id === addressId);
    if (row) Object.assign(row, fields);
  }

  async setDefaultAddress(_tx: Tx, userId: string, addressId: string | null): Promise<void> {
    for (const row of this.state.addresses) if (row.user_id === userId) row.is_default = row.id === addressId ? 1 : 0;
  }

  async deleteAddress(_tx: Tx, userId: string, addressId: string): Promise<boolean> {
    const before = this.state.addresses.length;
    this.state.addresses = this.state.addresses.filter((row) => !(row.user_id === userId && row.id === addressId));
    return this.state.addresses.length < before;
  }

  async findUser(id: string): Promise<UserRow | undefined> {
    const row = this.state.users.get(id);
    return row && { ...row };
  }

  async findByUsername(username: string): Promise<UserRow | undefined> {
    const row = [...this.state.users.values()].find((user) => user.username === username);
    return row && { ...row };
  }

  async recordMoney(_tx: Tx, row: MoneyMovement): Promise<boolean> {
    return record(this.state.money, {
      id: row.id,
      user_id: row.userId,
      order_id: row.orderId,
      type: row.type,
      ref: row.ref,
      amount: row.amount,
      operator_id: row.operatorId ?? null,
      reason: row.reason ?? null,
      balance_after: row.balanceAfter ?? null,
      created_at: new Date(),
    });
  }

  async moneyOfOrder(_tx: Tx, orderId: string, type: MoneyType): Promise<{ user_id: string; amount: string }[]> {
    return this.state.money.filter((row) => row.order_id === orderId && row.type === type).map(({ user_id, amount }) => ({ user_id, amount }));
  }

  async takeBalance(_tx: Tx, userId: string, amount: string): Promise<boolean> {
    const user = this.state.users.get(userId);
    if (!user || parseCents(user.balance)! < parseCents(amount)!) return false;
    user.balance = formatCents(parseCents(user.balance)! - parseCents(amount)!);
    return true;
  }

  /** As the SQL store does it in two trips: everything or nothing, 'opened before' for an order the ledger knows. */
  async takeBalanceAtOnce(movement: MoneyMovement & { orderId: string }): Promise<{ taken: true; balance: string } | { taken: false } | 'opened before'> {
    if (
      this.state.ledger.has(movement.orderId) ||
      this.state.money.some((row) => row.user_id === movement.userId && row.type === movement.type && row.ref === movement.ref)
    )
      return 'opened before';
    return this.transaction(async (tx) => {
      if (!(await this.takeBalance(tx, movement.userId, movement.amount))) return { taken: false };
      this.state.ledger.set(movement.orderId, 'TAKEN');
      await this.recordMoney(tx, movement);
      return { taken: true, balance: this.state.users.get(movement.userId)!.balance };
    });
  }

  async addBalance(_tx: Tx, userId: string, amount: string): Promise<boolean> {
    const user = this.state.users.get(userId);
    if (!user) return false;
    user.balance = formatCents(parseCents(user.balance)! + parseCents(amount)!);
    return true;
  }

  async recordPoints(_tx: Tx, row: { id: string; userId: string; orderId: string; type: PointsType; ref: string; points: string }): Promise<boolean> {
    return record(this.state.points, { id: row.id, user_id: row.userId, order_id: row.orderId, type: row.type, ref: row.ref, amount: row.points });
  }

  async addPoints(_tx: Tx, userId: string, points: string): Promise<boolean> {
    const user = this.state.users.get(userId);
    if (!user) return false;
    user.points = (BigInt(user.points) + BigInt(points)).toString();
    return true;
  }

  async pointsOfOrder(_tx: Tx, orderId: string): Promise<{ added: bigint | undefined; deducted: bigint }> {
    const rows = this.state.points.filter((row) => row.order_id === orderId);
    const sum = (type: PointsType) => rows.filter((row) => row.type === type).reduce((total, row) => total + BigInt(row.amount), 0n);
    return { added: rows.some((row) => row.type === 'ADD') ? sum('ADD') : undefined, deducted: sum('DEDUCT') };
  }

  async takePoints(_tx: Tx, userId: string, points: string): Promise<void> {
    const user = this.state.users.get(userId);
    if (!user) return;
    const left = BigInt(user.points) - BigInt(points);
    user.points = (left > 0n ? left : 0n).toString();
  }
}

/** Appends the log row unless its (user, type, ref) is there already (the unique key of the SQL logs). */
function record<Type>(log: LogRow<Type>[], row: LogRow<Type>): boolean {
  if (log.some((other) => other.user_id === row.user_id && other.type === row.type && other.ref === row.ref)) return false;
  log.push(row);
  return true;
}

const adjustmentOf = (row: LogRow<MoneyType>): AdjustmentRow => ({
  type: row.type,
  amount: row.amount,
  reason: row.reason ?? null,
  operator_id: row.operator_id ?? null,
  balance_after: row.balance_after ?? null,
  created_at: row.created_at ?? new Date(),
});

const addressOf = (row: StoredAddress): AddressRow => ({
  id: row.id,
  user_id: row.user_id,
  recipient: row.recipient,
  phone: row.phone,
  region: row.region,
  line: row.line,
  is_default: row.is_default,
});
