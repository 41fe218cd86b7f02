/**
 * Carries accepted refunds to their end, as WeChat Pay's refund processing does: a refund is
 * PROCESSING when accepted and SUCCESS once the money reached the buyer (for the buyer's balance,
 * seconds to minutes at WeChat; WECHATPAY_REFUND_DELAY_MS here), then WeChat notifies the
 * refund's notify_url (REFUND.SUCCESS). The sandbox may hold refunds PROCESSING (delay null) and
 * end them itself, also as CLOSED or ABNORMAL (REFUND.CLOSED, REFUND.ABNORMAL).
 */
import type { Logger } from '@shop/common/log';
import type { Notifier } from './notifier';
import type { OrderBook, Refund, RefundStatus } from './orders';
import { refundResource } from './views';

const SUMMARIES: Record<Exclude<RefundStatus, 'PROCESSING'>, string> = { SUCCESS: '退款成功', CLOSED: '退款关闭', ABNORMAL: '退款异常' };

export class RefundDesk {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly orders: OrderBook,
    private readonly notifier: Notifier,
    private readonly logger: Logger,
    /** How long a refund stays PROCESSING before it succeeds by itself; null: until the sandbox ends it. */
    public delayMs: number | null,
  ) {}

  /** A refund was just accepted: it will succeed after the delay (unless the sandbox ends it first). */
  accepted(refund: Refund): void {
    if (this.delayMs === null) return;
    const timer = setTimeout(() => {
      this.timers.delete(refund.outRefundNo);
      if (this.orders.findRefund(refund.outRefundNo)?.status === 'PROCESSING') this.settle(refund.outRefundNo, 'SUCCESS');
    }, this.delayMs);
    this.timers.set(refund.outRefundNo, timer);
  }

  /** Ends a PROCESSING refund and notifies its notify_url, if it had one. */
  settle(outRefundNo: string, status: Exclude<RefundStatus, 'PROCESSING'>): Refund {
    const refund = this.orders.settleRefund(outRefundNo, status);
    clearTimeout(this.timers.get(outRefundNo));
    this.timers.delete(outRefundNo);
    this.logger.info({ outRefundNo, status }, 'refund ended');
    if (refund.notifyUrl) {
      const order = this.orders.get(refund.outTradeNo);
      this.notifier.notify(
        { key: outRefundNo, eventType: `REFUND.${status}`, summary: SUMMARIES[status], originalType: 'refund', resource: refundResource(refund, order) },
        refund.notifyUrl,
      );
    }
    return refund;
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
