/** How the control API's buyer pays: what becomes of the payment's notification. */
import { DEFAULT_NOTIFICATION_DELAY_MS } from './notification-switch';

/**
 * How the payment's notification goes: `none` never sends it, `duplicate` sends it twice (the
 * same notification, as the gateways may), `delayed` holds back its first attempt by `delayMs`.
 */
export type NotifyMode = 'normal' | 'none' | 'duplicate' | 'delayed';

export interface PayOptions {
  notify?: NotifyMode;
  delayMs?: number;
}

/** The body of the control API's pay route: optional (null when absent); delayMs only with a delayed notification. */
export const payBodySchema = {
  type: 'object',
  nullable: true,
  additionalProperties: false,
  properties: {
    notify: { type: 'string', enum: ['normal', 'none', 'duplicate', 'delayed'] },
    delayMs: { type: 'integer', minimum: 0, maximum: 600_000 },
  },
  if: { required: ['delayMs'] },
  then: { required: ['notify'], properties: { notify: { const: 'delayed' } } },
} as const;

/** How many notifications to send for a payment (0, 1 or 2) and the wait before the first one. */
export function notificationsOf({ notify = 'normal', delayMs }: PayOptions): { count: number; firstAttemptDelayMs: number } {
  return {
    count: notify === 'none' ? 0 : notify === 'duplicate' ? 2 : 1,
    firstAttemptDelayMs: notify === 'delayed' ? (delayMs ?? DEFAULT_NOTIFICATION_DELAY_MS) : 0,
  };
}
