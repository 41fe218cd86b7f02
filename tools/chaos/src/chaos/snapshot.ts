/**
 * Everything the invariants look at, read at one moment: the run's rows in every service's
 * schema, and the payment gateways' own ledgers (the money's truth), Alipay's and WeChat Pay's.
 */
import mysql from 'mysql2/promise';
import { loadInfraConfig, TEST_SCHEMAS as S } from '@shop/common/config';
import type { Client } from './client';
import type { ChaosConfig } from './config';
import type { Fixture } from './fixtures';

export interface OrderRow {
  id: string;
  user_id: string;
  status: string;
  coupon_id: string | null;
  balance_paid: string;
  pay_amount: string;
  pay_deadline: Date | null;
  /** The payment the order took (null until paid). */
  payment_id: string | null;
}

export interface HoldRow {
  refund_id: string;
  order_id: string;
  status: string;
  amount: string;
  alipay_amount: string;
  balance_amount: string;
  points: string;
  restock: string;
  release_coupon: number;
}

/** A trade of either gateway, in one shape (yuan). */
export interface Trade {
  outTradeNo: string;
  status: string;
  totalAmount: string;
  refundedAmount: string;
  paidAt: string | null;
}

/** A WeChat Pay order as its gateway's sandbox lists it (fen). */
interface WechatOrder {
  outTradeNo: string;
  tradeState: string;
  total: number;
  refunded: number;
  successTime: string | null;
}

const yuan = (fen: number) => (fen / 100).toFixed(2);

export interface Snapshot {
  takenAt: number;
  orders: OrderRow[];
  items: { order_id: string; goods_id: string; quantity: number }[];
  holds: HoldRow[];
  goods: { id: string; stock: number }[];
  users: { id: string; balance: string; points: string }[];
  coupons: { id: string; user_id: string; used: number; order_id: string | null }[];
  payments: { id: string; order_id: string; channel: string; status: string; amount: string; refunded_amount: string }[];
  refunds: { id: string; order_id: string; kind: string; status: string; last_error: string | null }[];
  unsentOutbox: { schema: string; id: string; tag: string }[];
  /** pay.succeeded announcements (outbox rows) per payment id. */
  paymentAnnouncements: Map<string, number>;
  /** (consumer group, tag, key) rows of every service's consume log for the run's keys. */
  consumed: Set<string>;
  /** Both gateways' trades by out_trade_no (a payment id: unique across channels). */
  trades: Map<string, Trade>;
}

export const consumedKey = (group: string, tag: string, key: string) => `${group}|${tag}|${key}`;

/** Reads the snapshot over one connection (schemas qualified by name). */
export class SnapshotReader {
  private constructor(private readonly connection: mysql.Connection) {}

  static async open(): Promise<SnapshotReader> {
    const { host, port, user, password } = loadInfraConfig().mysql;
    return new SnapshotReader(
      await mysql.createConnection({ host, port, user, password, supportBigNumbers: true, bigNumberStrings: true, decimalNumbers: false, timezone: 'Z' }),
    );
  }

  async close(): Promise<void> {
    await this.connection.end();
  }

  private async rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const [rows] = await this.connection.query(sql, params);
    return rows as T[];
  }

  async read(fixture: Fixture, client: Client, config: ChaosConfig): Promise<Snapshot> {
    const userIds = fixture.customers.map((customer) => customer.userId);
    const orders = await this.rows<OrderRow>(
      `SELECT id, user_id, status, coupon_id, balance_paid, pay_amount, pay_deadline, payment_id FROM ${S.order}.\`order\` WHERE user_id IN (?)`,
      [userIds],
    );
    const orderIds = orders.length ? orders.map((order) => order.id) : ['0'];
    const payments = await this.rows<Snapshot['payments'][number]>(
      `SELECT id, order_id, channel, status, amount, refunded_amount FROM ${S.pay}.trade_pay WHERE order_id IN (?)`,
      [orderIds],
    );
    const paymentIds = payments.length ? payments.map((payment) => payment.id) : ['0'];
    const keys = [...orderIds, ...paymentIds];
    const consumed = new Set<string>();
    for (const schema of Object.values(S)) {
      for (const row of await this.rows<{ consumer_group: string; tag: string; message_key: string }>(
        `SELECT consumer_group, tag, message_key FROM ${schema}.mq_consumer_log WHERE message_key IN (?)`,
        [keys],
      )) {
        consumed.add(consumedKey(row.consumer_group, row.tag, row.message_key));
      }
    }
    const announcements = new Map<string, number>();
    for (const row of await this.rows<{ payment_id: string }>(
      `SELECT JSON_UNQUOTE(JSON_EXTRACT(body, '$.paymentId')) AS payment_id FROM ${S.pay}.mq_producer_log WHERE tag = 'pay.succeeded' AND JSON_UNQUOTE(JSON_EXTRACT(body, '$.paymentId')) IN (?)`,
      [paymentIds],
    )) {
      announcements.set(row.payment_id, (announcements.get(row.payment_id) ?? 0) + 1);
    }
    const unsent = [
      ...(await this.rows<{ id: string; tag: string }>(`SELECT id, tag FROM ${S.order}.mq_producer_log WHERE sent_at IS NULL`)).map((row) => ({
        schema: S.order,
        ...row,
      })),
      ...(await this.rows<{ id: string; tag: string }>(`SELECT id, tag FROM ${S.pay}.mq_producer_log WHERE sent_at IS NULL`)).map((row) => ({
        schema: S.pay,
        ...row,
      })),
    ];
    const ledger = await client.once('GET', `${config.gateway}/sandbox/trades`, { route: 'chaos control' });
    if (ledger.status !== 200) throw new Error(`the Alipay gateway's ledger: HTTP ${ledger.status}`);
    const wechatLedger = await client.once('GET', `${config.wechatGateway}/sandbox/orders`, { route: 'chaos control' });
    if (wechatLedger.status !== 200) throw new Error(`the WeChat Pay gateway's ledger: HTTP ${wechatLedger.status}`);
    const wechatTrades = (wechatLedger.body.orders as WechatOrder[]).map((order): Trade => ({
      outTradeNo: order.outTradeNo,
      status: order.tradeState,
      totalAmount: yuan(order.total),
      refundedAmount: yuan(order.refunded),
      paidAt: order.successTime,
    }));
    return {
      takenAt: Date.now(),
      orders,
      items: await this.rows(`SELECT order_id, goods_id, quantity FROM ${S.order}.order_item WHERE order_id IN (?)`, [orderIds]),
      holds: await this.rows(
        `SELECT refund_id, order_id, status, amount, alipay_amount, balance_amount, points, restock, release_coupon FROM ${S.order}.order_refund WHERE order_id IN (?)`,
        [orderIds],
      ),
      goods: await this.rows(`SELECT id, stock FROM ${S.goods}.goods WHERE id IN (?)`, [fixture.goods.map((goods) => goods.goodsId)]),
      users: await this.rows(`SELECT id, balance, points FROM ${S.user}.user WHERE id IN (?)`, [userIds]),
      coupons: await this.rows(`SELECT id, user_id, used, order_id FROM ${S.coupon}.coupon WHERE user_id IN (?)`, [userIds]),
      payments,
      refunds: await this.rows(`SELECT id, order_id, kind, status, last_error FROM ${S.pay}.refund WHERE order_id IN (?)`, [orderIds]),
      unsentOutbox: unsent,
      paymentAnnouncements: announcements,
      consumed,
      trades: new Map([...(ledger.body.trades as Trade[]), ...wechatTrades].map((trade) => [trade.outTradeNo, trade])),
    };
  }
}
