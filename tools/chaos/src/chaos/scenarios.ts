/**
 * The mixed load: what customers and the admin do with the shop, each step through the public
 * API with the retries a real client makes. Every scenario reads what it needs from the API
 * (the customer's orders by status), so nothing here has to guess what the system did.
 */
import type { Answer, Client } from './client';
import type { ChaosConfig } from './config';
import type { Customer, Fixture } from './fixtures';
import type { Random } from './random';

export const SCENARIO_WEIGHTS = {
  place: 45,
  checkout: 6,
  pay: 20,
  switchChannel: 3,
  cancel: 3,
  cancelRacingPay: 3,
  refund: 12,
  ship: 7,
  receipt: 3,
  afterSales: 5,
} as const;

export type Scenario = keyof typeof SCENARIO_WEIGHTS;

/** The payment channels, each scenario paying through one picked at random. */
const CHANNELS = ['ALIPAY_QR', 'WECHAT_NATIVE'] as const;
type Channel = (typeof CHANNELS)[number];

/** Counts of outcomes per operation, for the report. */
export class Outcomes {
  readonly counts = new Map<string, Map<string, number>>();
  /** Placements that took their reservations (a 201 answering a CANCELLED order was refused). */
  ordersPlaced = 0;

  countPlaced(answer: Answer): void {
    if (answer.status === 201 && answer.body?.status !== 'CANCELLED') this.ordersPlaced++;
  }

  add(operation: string, outcome: string): void {
    const byOutcome = this.counts.get(operation) ?? new Map<string, number>();
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
    this.counts.set(operation, byOutcome);
  }

  /** "201", "409 INSUFFICIENT_STOCK", "5xx", "no answer". */
  of(answer: Answer): string {
    if (answer.status === 0) return 'no answer';
    if (answer.status >= 500) return `${answer.status} ${answer.body?.code ?? ''}`.trim();
    if (answer.status >= 400) return `${answer.status} ${answer.body?.code ?? ''}`.trim();
    return `${answer.status}${answer.body?.status ? ` ${answer.body.status}` : ''}`;
  }
}

export interface LoadContext {
  client: Client;
  config: ChaosConfig;
  fixture: Fixture;
  outcomes: Outcomes;
}

interface OrderSummary {
  orderId: string;
  status: string;
  payAmount: string;
  balancePaid: string;
  items: { goodsId: string; quantity: number }[];
}

const key = (random: Random, prefix: string) => `${prefix}-${random.int(0, 2 ** 31).toString(36)}${random.int(0, 2 ** 31).toString(36)}`;

export class Scenarios {
  constructor(private readonly ctx: LoadContext) {}

  private orderWeb(path: string): string {
    return `${this.ctx.config.orderWeb}/api/v1${path}`;
  }

  private payWeb(path: string): string {
    return `${this.ctx.config.payWeb}/api/v1${path}`;
  }

  private record(operation: string, answer: Answer): Answer {
    this.ctx.outcomes.add(operation, this.ctx.outcomes.of(answer));
    return answer;
  }

  /** The customer's most recent orders in a status. */
  private async ordersIn(customer: Customer, status: string): Promise<OrderSummary[]> {
    const answer = await this.ctx.client.call('GET', this.orderWeb(`/orders?status=${status}&size=10`), { token: customer.token });
    return answer.status === 200 ? (answer.body.items as OrderSummary[]) : [];
  }

  async run(scenario: Scenario, customer: Customer, random: Random): Promise<void> {
    await this[scenario](customer, random);
  }

  private lines(random: Random): { goodsId: string; quantity: number }[] {
    const { goods } = this.ctx.fixture;
    const hot = goods.find((g) => g.hot)!;
    const ordinary = goods.filter((g) => !g.hot);
    const count = random.int(1, 3);
    const chosen = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      // One line in ten asks for the hot SKU: enough to sell its 40 units out again and again,
      // few enough that most placements go through and the later steps have orders to work on.
      const item = random.chance(0.1) ? hot : random.pick(ordinary);
      chosen.set(item.goodsId, random.int(1, 3));
    }
    return [...chosen].map(([goodsId, quantity]) => ({ goodsId, quantity }));
  }

  /** Payment extras: a coupon of hers now and then (perhaps spent already), and some balance. */
  private extras(customer: Customer, random: Random): Record<string, string> {
    const extras: Record<string, string> = {};
    if (customer.couponIds.length > 0 && random.chance(0.3)) extras.couponId = random.pick(customer.couponIds);
    if (customer.initialBalance !== '0.00' && random.chance(0.6)) extras.balance = `${random.int(1, 40)}.${random.pick(['00', '50'])}`;
    return extras;
  }

  private async place(customer: Customer, random: Random): Promise<void> {
    const body = { items: this.lines(random), ...this.extras(customer, random), address: '1 Chaos Street', consignee: 'Chaos' };
    const answer = this.record(
      'place order',
      await this.ctx.client.call('POST', this.orderWeb('/orders'), { token: customer.token, json: body, headers: { 'idempotency-key': key(random, 'o') } }),
    );
    this.ctx.outcomes.countPlaced(answer);
  }

  private async checkout(customer: Customer, random: Random): Promise<void> {
    for (const line of this.lines(random)) {
      await this.ctx.client.call('PUT', this.orderWeb(`/cart/items/${line.goodsId}`), { token: customer.token, json: { quantity: line.quantity } });
    }
    const body = { fromCart: true, ...this.extras(customer, random), address: '2 Chaos Street', consignee: 'Chaos' };
    const answer = this.record(
      'cart checkout',
      await this.ctx.client.call('POST', this.orderWeb('/orders'), { token: customer.token, json: body, headers: { 'idempotency-key': key(random, 'c') } }),
    );
    this.ctx.outcomes.countPlaced(answer);
  }

  private async createPayment(customer: Customer, orderId: string, channel: Channel): Promise<string | undefined> {
    const answer = this.record(
      `create payment (${channel})`,
      await this.ctx.client.call('POST', this.payWeb('/payments'), { token: customer.token, json: { orderId, channel } }),
    );
    return answer.status === 201 && answer.body.status === 'UNPAID' && answer.body.channel === channel ? (answer.body.paymentId as string) : undefined;
  }

  /** The buyer at the channel's cashier: pays with a notification that arrives, twice, never, or late. */
  private async buyerPays(paymentId: string, channel: Channel, random: Random): Promise<void> {
    const notify = random.weighted({ normal: 60, duplicate: 15, none: 15, delayed: 10 });
    const url =
      channel === 'ALIPAY_QR'
        ? `${this.ctx.config.gateway}/sandbox/trades/${paymentId}/pay`
        : `${this.ctx.config.wechatGateway}/sandbox/orders/${paymentId}/pay`;
    const answer = await this.ctx.client.call('POST', url, { json: { notify, ...(notify === 'delayed' && { delayMs: random.int(1_000, 15_000) }) } });
    this.ctx.outcomes.add(`buyer pays ${channel} (notify ${notify})`, this.ctx.outcomes.of(answer));
  }

  private async pay(customer: Customer, random: Random): Promise<void> {
    const [order] = await this.ordersIn(customer, 'CONFIRMED');
    if (!order) return;
    const channel = random.pick(CHANNELS);
    const paymentId = await this.createPayment(customer, order.orderId, channel);
    // Some buyers never pay: their order's deadline cancels it.
    if (paymentId && random.chance(0.9)) await this.buyerPays(paymentId, channel, random);
  }

  /**
   * A buyer who opens a payment through one channel, then pays through the other; now and then
   * she also pays the first QR code still on her screen (before or after the switch): the money
   * of one of them must come back.
   */
  private async switchChannel(customer: Customer, random: Random): Promise<void> {
    const [order] = await this.ordersIn(customer, 'CONFIRMED');
    if (!order) return;
    const [first, second] = random.chance(0.5) ? CHANNELS : ([...CHANNELS].reverse() as Channel[]);
    const firstId = await this.createPayment(customer, order.orderId, first!);
    if (!firstId) return;
    const paysFirst = random.weighted({ never: 70, before: 15, after: 15 });
    if (paysFirst === 'before') await this.buyerPays(firstId, first!, random);
    const secondId = await this.createPayment(customer, order.orderId, second!);
    if (paysFirst === 'after') await this.buyerPays(firstId, first!, random);
    if (secondId && random.chance(0.9)) await this.buyerPays(secondId, second!, random);
  }

  private async cancel(customer: Customer, random: Random): Promise<void> {
    const orders = await this.ordersIn(customer, 'CONFIRMED');
    if (orders.length === 0) return;
    this.record(
      'cancel',
      await this.ctx.client.call('POST', this.orderWeb(`/orders/${random.pick(orders).orderId}/cancel`), { token: customer.token, json: { reason: 'chaos' } }),
    );
  }

  private async cancelRacingPay(customer: Customer, random: Random): Promise<void> {
    const [order] = await this.ordersIn(customer, 'CONFIRMED');
    if (!order) return;
    const channel = random.pick(CHANNELS);
    const paymentId = await this.createPayment(customer, order.orderId, channel);
    if (!paymentId) return;
    const cancelling = this.ctx.client.call('POST', this.orderWeb(`/orders/${order.orderId}/cancel`), {
      token: customer.token,
      json: { reason: 'chaos race' },
    });
    await Promise.all([this.buyerPays(paymentId, channel, random), cancelling.then((answer) => this.record('cancel racing a payment', answer))]);
  }

  private async refund(customer: Customer, random: Random): Promise<void> {
    const orders = await this.ordersIn(customer, 'PAID');
    if (orders.length === 0) return;
    const order = random.pick(orders);
    const full = random.chance(0.5);
    const total = Math.round((Number(order.payAmount) + Number(order.balancePaid)) * 100);
    const body: Record<string, unknown> = { reason: 'chaos refund' };
    if (!full && total > 1) body.amount = (random.int(1, Math.max(1, Math.floor(total / 2))) / 100).toFixed(2);
    if (!full && random.chance(0.5) && order.items.length > 0) body.items = [{ goodsId: order.items[0]!.goodsId, quantity: 1 }];
    const headers = { 'idempotency-key': key(random, 'r') };
    const send = () => this.ctx.client.call('POST', this.payWeb(`/orders/${order.orderId}/refund`), { token: customer.token, json: body, headers });
    const shape = random.weighted({ once: 50, repeated: 30, concurrent: 20 });
    const label = `${full ? 'full' : 'partial'} refund (${shape})`;
    if (shape === 'concurrent') for (const answer of await Promise.all([send(), send(), send()])) this.record(label, answer);
    else {
      this.record(label, await send());
      if (shape === 'repeated') this.record(label, await send());
    }
  }

  private async ship(customer: Customer, random: Random): Promise<void> {
    const orders = await this.ordersIn(customer, 'PAID');
    if (orders.length === 0) return;
    this.record(
      'ship (admin)',
      await this.ctx.client.call('POST', this.orderWeb(`/admin/orders/${random.pick(orders).orderId}/ship`), { token: this.ctx.fixture.admin.token }),
    );
  }

  private async receipt(customer: Customer, random: Random): Promise<void> {
    const orders = await this.ordersIn(customer, 'SHIPPED');
    if (orders.length === 0) return;
    this.record(
      'confirm receipt',
      await this.ctx.client.call('POST', this.orderWeb(`/orders/${random.pick(orders).orderId}/receipt`), { token: customer.token }),
    );
  }

  private async afterSales(customer: Customer, random: Random): Promise<void> {
    const orders = [...(await this.ordersIn(customer, 'SHIPPED')), ...(await this.ordersIn(customer, 'COMPLETED'))];
    if (orders.length === 0) return;
    const order = random.pick(orders);
    const body: Record<string, string> = { reason: 'chaos after-sales' };
    if (random.chance(0.4)) body.amount = '1.00';
    const opened = this.record(
      'after-sales request',
      await this.ctx.client.call('POST', this.orderWeb(`/orders/${order.orderId}/after-sales`), {
        token: customer.token,
        json: body,
        headers: { 'idempotency-key': key(random, 'a') },
      }),
    );
    if (opened.status !== 201) return;
    const decision = random.chance(0.7) ? 'approve' : 'reject';
    this.record(
      `after-sales ${decision} (admin)`,
      await this.ctx.client.call('POST', this.orderWeb(`/admin/after-sales/${opened.body.afterSalesId}/${decision}`), {
        token: this.ctx.fixture.admin.token,
        json: { note: 'chaos' },
      }),
    );
  }
}
