/** Turns the x-shop-fault metadata of a PlaceOrder call into the placement's test hook. */
import { AppError, ErrorCode } from '@shop/common/errors';
import type { Logger } from '@shop/common/log';
import type { CallContext } from '@shop/common/rpc';
import { FAULT_HEADER, Faults } from '@shop/contracts';
import type { BeforeConfirm } from '../domain/placement';

export function faultHook(enabled: boolean, context: CallContext, logger: Logger): BeforeConfirm | undefined {
  if (!enabled) return undefined;
  const fault = context.metadata.get(FAULT_HEADER)[0];
  if (fault === Faults.FAIL_BEFORE_CONFIRM) {
    return async () => {
      throw new AppError(ErrorCode.UNAVAILABLE, 'injected failure before the confirm step');
    };
  }
  if (fault === Faults.HANG_BEFORE_CONFIRM) {
    return async (orderId) => {
      logger.warn({ orderId }, 'injected fault: placement stops before the confirm step');
      await new Promise<never>(() => undefined);
    };
  }
  return undefined;
}
