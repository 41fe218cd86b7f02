/**
 * Sandbox faults of the /v3 APIs (not WeChat Pay's; tests queue them through the control API),
 * so that every half-done state a merchant must survive can be produced on purpose:
 * - `error`: WeChat's signed 500 SYSTEM_ERROR; nothing applied (retrying is safe);
 * - `refuse`: a signed refusal with the HTTP status, code and message asked for (429
 *   FREQUENCY_LIMITED, 403 NOT_ENOUGH ...); nothing applied;
 * - `timeout`: nothing applied and no answer; the connection is dropped after `delayMs`;
 * - `lose-answer`: applied, then the connection is dropped: the merchant cannot know it was;
 * - `delay`: a slow answer: wait `delayMs`, then apply and answer.
 * Faults are kept in the order they were queued; each call of an API takes one use of the first
 * fault queued for that API. Only calls that passed authentication get here, so a forged
 * request never consumes a fault. wechatpay-axios-plugin (axios) does not retry by itself: one
 * fault is one failed call for its caller.
 */
import { DEFAULT_FAULT_DELAY_MS, FAULT_MODES, FaultQueue, type FaultMode } from '@shop/common/emulator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { send, type Answer } from './answer';
import { V3_APIS } from './v3-apis';
import { systemError, WechatError } from './wechat-error';

export { FAULT_MODES, type FaultMode } from '@shop/common/emulator';

/** The body of POST /sandbox/faults. */
export interface FaultRequest {
  api: string;
  mode: FaultMode;
  count?: number;
  delayMs?: number;
  status?: number;
  code?: string;
  message?: string;
}

/** A queued fault; `count` is how many calls it still affects. */
export interface Fault {
  api: string;
  mode: FaultMode;
  count: number;
  delayMs?: number;
  status?: number;
  code?: string;
  message?: string;
}

const DEFAULT_REFUSAL_STATUS = 400;
const DEFAULT_REFUSAL_MESSAGE = 'refused (sandbox fault)';

/** Validates POST /sandbox/faults: delayMs only where there is a wait, status/code/message only for refuse. */
export const faultRequestSchema = {
  type: 'object',
  required: ['api', 'mode'],
  additionalProperties: false,
  properties: {
    api: { type: 'string', enum: [...V3_APIS] },
    mode: { type: 'string', enum: [...FAULT_MODES] },
    count: { type: 'integer', minimum: 1, maximum: 10_000 },
    delayMs: { type: 'integer', minimum: 0, maximum: 600_000 },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    code: { type: 'string', pattern: '^[A-Z][A-Z_]{1,63}$' },
    message: { type: 'string', minLength: 1, maxLength: 256 },
  },
  // A property set to `false` is refused by name ("body/delayMs boolean schema is false").
  allOf: [
    {
      if: { properties: { mode: { const: 'refuse' } } },
      then: { required: ['code'] },
      else: { properties: { status: false, code: false, message: false } },
    },
    { if: { properties: { mode: { enum: ['timeout', 'delay'] } } }, else: { properties: { delayMs: false } } },
  ],
} as const;

/** How a call is answered when no fault stands in the way, or refused when one says so. */
export interface CallHandling {
  /** Applies the call; its answer (a signed refusal when the call is refused). */
  execute(): Answer;
  /** The signed answer refusing the call with this error, nothing applied. */
  refuse(error: WechatError): Answer;
}

/** The /v3 APIs' faults: the shared queue (@shop/common/emulator) with WeChat Pay's refusals. */
export class Faults {
  private readonly queue = new FaultQueue<Fault>((fault) => fault.api);

  add(request: FaultRequest): Fault {
    const delayMs = request.delayMs ?? DEFAULT_FAULT_DELAY_MS[request.mode];
    return this.queue.add({
      api: request.api,
      mode: request.mode,
      count: request.count ?? 1,
      ...(delayMs !== undefined && { delayMs }),
      ...(request.mode === 'refuse' && {
        status: request.status ?? DEFAULT_REFUSAL_STATUS,
        code: request.code!,
        message: request.message ?? DEFAULT_REFUSAL_MESSAGE,
      }),
    });
  }

  pending(): Fault[] {
    return this.queue.pending();
  }

  clear(): void {
    this.queue.clear();
  }

  /** Answers a merchant's call of `api`, or fails it as the next fault queued for it says. */
  serve(api: string, handling: CallHandling, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    return this.queue.serve(
      api,
      {
        execute: handling.execute,
        refuse: (fault) => handling.refuse(fault.mode === 'error' ? systemError() : new WechatError(fault.status!, fault.code!, fault.message!)),
        send,
      },
      request,
      reply,
    );
  }

  /** Drops the connections still held by `timeout` faults (the gateway is stopping). */
  stop(): void {
    this.queue.stop();
  }
}
