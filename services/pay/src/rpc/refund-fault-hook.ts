/** Turns the x-shop-fault metadata of a RequestRefund call into the refund runner's test hook. */
import type { Logger } from '@shop/common/log';
import type { CallContext } from '@shop/common/rpc';
import { FAULT_HEADER, Faults } from '@shop/contracts';
import type { StepHook } from '../domain/refund-runner';

const STOPS: Record<string, string> = { [Faults.REFUND_HANG_AFTER_ALIPAY]: 'alipay', [Faults.REFUND_HANG_AFTER_BALANCE]: 'balance' };

export function refundFaultHook(enabled: boolean, context: CallContext, logger: Logger): StepHook | undefined {
  const stopAfter = enabled ? STOPS[String(context.metadata.get(FAULT_HEADER)[0] ?? '')] : undefined;
  if (!stopAfter) return undefined;
  return async (step, refundId) => {
    if (step !== stopAfter) return;
    logger.warn({ refundId, step }, 'injected fault: the refund stops after this step');
    await new Promise<never>(() => undefined);
  };
}
