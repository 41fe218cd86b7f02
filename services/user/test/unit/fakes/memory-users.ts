/**
 * An in-memory implementation of the user domain's port (src/domain/ports.ts), for unit tests:
 * the same contracts as the SQL store (unique usernames, log rows unique per (user, type, ref),
 * conditional balance takes, points never below zero) and the same reservation ledger (a row
 * per order, TAKEN or RELEASED), with a transaction that is rolled back when its work throws.
 */
import type { ReservationSteps } from '@shop/common/db';
import type { DomainError } from '@shop/common/errors';
import { formatCents, parseCents } from '@shop/common/money';
import type { MoneyType, PointsType, Tx, UserRepository, UserRow } from '../../../src/domain/ports';

interface LogRow<Type> {
  id: string;
  user_id: string;
  order_id: string | null;
  type: Type;
  ref: string;
  amount: string;
}

interface UserState {
  users: Map<string, UserRow>;
  money: LogRow<MoneyType>[];
  points: LogRow<PointsType>[];
  ledger: Map<string, 'TAKEN' | 'RELEASED'>;
}

const copy = (state: UserState): UserState => ({
  users: new Map([...state.users].map(([id, row]) => [id, { ...row }])),
  money: [...state.money],
  points: [...state.points],
  ledger: new Map(state.ledger),
});

/** A transaction handle: the fake ignores it, as the domain only hands it back. */
const TX = {} as Tx;

class Refused extends Error {
  constructor(readonly refusal: DomainError) {
    super(refusal.message);
  }
}

export class MemoryUsers implements UserRepository {
  private state: UserState = { users: new Map(), money: [], points: [], ledger: new Map() };

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
  seed(row: { id: string; balance?: string; points?: string }): void {
    this.state.users.set(row.id, {
      id: row.id,
      username: `u${row.id}`,
      password_hash: '',
      role: 'CUSTOMER',
      balance: row.balance ?? '0.00',
      points: row.points ?? '0',
    });
  }

  /** The money log rows of the order, for assertions. */
  moneyLog(orderId: string): readonly LogRow<MoneyType>[] {
    return this.state.money.filter((row) => row.order_id === orderId);
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
    this.state.users.set(row.id, { id: row.id, username: row.username, password_hash: row.passwordHash, role: row.role, balance: '0.00', points: '0' });
    return true;
  }

  async findUser(id: string): Promise<UserRow | undefined> {
    const row = this.state.users.get(id);
    return row && { ...row };
  }

  async findByUsername(username: string): Promise<UserRow | undefined> {
    const row = [...this.state.users.values()].find((user) => user.username === username);
    return row && { ...row };
  }

  async recordMoney(_tx: Tx, row: { id: string; userId: string; orderId: string | null; type: MoneyType; ref: string; amount: string }): Promise<boolean> {
    return record(this.state.money, { id: row.id, user_id: row.userId, order_id: row.orderId, type: row.type, ref: row.ref, amount: row.amount });
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
