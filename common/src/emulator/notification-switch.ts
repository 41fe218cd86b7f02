/**
 * The sandbox switch that spoils the next notifications a local payment gateway sends (not the
 * real gateway's; set through the emulator's control API): `drop` loses a notification entirely
 * (no attempt, no retry: what a merchant sees when the notifications never arrive), `delay` holds
 * back its first attempt. Shared by the Alipay and WeChat Pay emulators.
 */

export type NotificationSwitchMode = 'normal' | 'drop' | 'delay';

/** The body of POST /sandbox/notifications, and the answer of GET. */
export interface NotificationSwitchState {
  mode: NotificationSwitchMode;
  /** How many notifications it still affects (absent when normal). */
  count?: number;
  /** How long the first attempt waits (delay only). */
  delayMs?: number;
}

/** What the switch does to one notification. */
export type NotificationFault = { drop: true } | { drop: false; delayMs: number };

export const DEFAULT_NOTIFICATION_DELAY_MS = 5_000;

/** Validates POST /sandbox/notifications: normal takes nothing else, drop no delay. */
export const notificationSwitchSchema = {
  type: 'object',
  required: ['mode'],
  additionalProperties: false,
  properties: {
    mode: { type: 'string', enum: ['normal', 'drop', 'delay'] },
    count: { type: 'integer', minimum: 1, maximum: 10_000 },
    delayMs: { type: 'integer', minimum: 0, maximum: 600_000 },
  },
  // A property set to `false` is refused by name ("body/delayMs boolean schema is false").
  allOf: [
    { if: { properties: { mode: { const: 'normal' } } }, then: { properties: { count: false, delayMs: false } } },
    { if: { properties: { mode: { const: 'drop' } } }, then: { properties: { delayMs: false } } },
  ],
} as const;

export class NotificationSwitch {
  private state: Required<NotificationSwitchState> | undefined;

  set(request: NotificationSwitchState): NotificationSwitchState {
    this.state =
      request.mode === 'normal'
        ? undefined
        : { mode: request.mode, count: request.count ?? 1, delayMs: request.mode === 'delay' ? (request.delayMs ?? DEFAULT_NOTIFICATION_DELAY_MS) : 0 };
    return this.current();
  }

  current(): NotificationSwitchState {
    if (!this.state) return { mode: 'normal' };
    const { mode, count, delayMs } = this.state;
    return mode === 'delay' ? { mode, count, delayMs } : { mode, count };
  }

  /** What the switch does to the notification about to be sent (one use of it), if anything. */
  take(): NotificationFault | undefined {
    const state = this.state;
    if (!state) return undefined;
    state.count -= 1;
    if (state.count === 0) this.state = undefined;
    return state.mode === 'drop' ? { drop: true } : { drop: false, delayMs: state.delayMs };
  }
}
