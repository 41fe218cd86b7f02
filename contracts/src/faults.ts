/**
 * Fault injection for the end-to-end tests: a request may carry `x-shop-fault` (HTTP header at
 * the front doors, gRPC metadata between services) naming a fault to inject. Only processes
 * started with FAULT_INJECTION on (never in production) honour it.
 */
import { Metadata, type CallOptions } from '@shop/common/rpc';

export const FAULT_HEADER = 'x-shop-fault';

export const Faults = {
  /** The placement fails just before its confirm step (after every reservation succeeded). */
  FAIL_BEFORE_CONFIRM: 'fail-before-confirm',
  /** The placement stops just before its confirm step and never goes on (to be SIGKILLed). */
  HANG_BEFORE_CONFIRM: 'hang-before-confirm',
  /** A refund stops right after Alipay gave the money back, before anything is recorded (to be SIGKILLed). */
  REFUND_HANG_AFTER_ALIPAY: 'refund-hang-after-alipay',
  /** A refund stops after its balance step (to be SIGKILLed). */
  REFUND_HANG_AFTER_BALANCE: 'refund-hang-after-balance',
} as const;

export type Fault = (typeof Faults)[keyof typeof Faults];

export function isFault(value: unknown): value is Fault {
  return Object.values(Faults).includes(value as Fault);
}

/**
 * At a front door: the call options that forward the request's fault header to the service, or
 * undefined when fault injection is off or the header names no fault.
 */
export function faultCallOptions(headers: Record<string, unknown>, faultInjection: boolean): CallOptions | undefined {
  const fault = headers[FAULT_HEADER];
  if (!faultInjection || !isFault(fault)) return undefined;
  const metadata = new Metadata();
  metadata.set(FAULT_HEADER, fault);
  return { metadata };
}
