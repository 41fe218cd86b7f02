/**
 * Sandbox faults of the OpenAPI (not Alipay's; tests queue them through the control API), so
 * that every half-done state a merchant must survive can be produced on purpose:
 * - `error`: Alipay's signed ACQ.SYSTEM_ERROR; nothing applied (retrying is safe);
 * - `refuse`: a signed business refusal with the sub_code asked for; nothing applied;
 * - `timeout`: nothing applied and no answer; the connection is dropped after `delayMs`;
 * - `lose-answer`: applied, then the connection is dropped: the merchant cannot know it was;
 * - `delay`: a slow answer: wait `delayMs`, then apply and answer.
 * Faults are kept in the order they were queued; each call of a method takes one use of the
 * first fault queued for that method. Only calls that passed the signature and app id checks
 * get here, so a forged request never consumes a fault.
 *
 * alipay-sdk's HTTP client (urllib) silently sends a request again, once, when its connection is
 * reset: a dropped connection (timeout, lose-answer) reaches the SDK's caller only when that
 * second try is dropped too (count 2), as it would with the real Alipay.
 */
import { DEFAULT_FAULT_DELAY_MS, FAULT_MODES, FaultQueue, type FaultMode } from '@shop/common/emulator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OPENAPI_METHODS } from './openapi';
import { BusinessError } from './trades';

export { FAULT_MODES, type FaultMode } from '@shop/common/emulator';

/** The body of POST /sandbox/faults. */
export interface FaultRequest {
  method: string;
  mode: FaultMode;
  count?: number;
  delayMs?: number;
  subCode?: string;
  subMsg?: string;
}

/** A queued fault; `count` is how many calls it still affects. */
export interface Fault {
  method: string;
  mode: FaultMode;
  count: number;
  delayMs?: number;
  subCode?: string;
  subMsg?: string;
}

const SYSTEM_ERROR = { subCode: 'ACQ.SYSTEM_ERROR', subMsg: '系统错误' };
const DEFAULT_REFUSAL_MESSAGE = 'refused (sandbox fault)';

/** Validates POST /sandbox/faults: delayMs only where there is a wait, subCode/subMsg only for refuse. */
export const faultRequestSchema = {
  type: 'object',
  required: ['method', 'mode'],
  additionalProperties: false,
  properties: {
    method: { type: 'string', enum: [...OPENAPI_METHODS] },
    mode: { type: 'string', enum: [...FAULT_MODES] },
    count: { type: 'integer', minimum: 1, maximum: 10_000 },
    delayMs: { type: 'integer', minimum: 0, maximum: 600_000 },
    subCode: { type: 'string', minLength: 1, maxLength: 64 },
    subMsg: { type: 'string', minLength: 1, maxLength: 256 },
  },
  // A property set to `false` is refused by name ("body/delayMs boolean schema is false").
  allOf: [
    { if: { properties: { mode: { const: 'refuse' } } }, then: { required: ['subCode'] }, else: { properties: { subCode: false, subMsg: false } } },
    { if: { properties: { mode: { enum: ['timeout', 'delay'] } } }, else: { properties: { delayMs: false } } },
  ],
} as const;

/** The sub_code and sub_msg a fault answers with (none for the modes that answer nothing or normally). */
function refusalOf(request: FaultRequest): { subCode?: string; subMsg?: string } {
  if (request.mode === 'error') return SYSTEM_ERROR;
  if (request.mode === 'refuse') return { subCode: request.subCode!, subMsg: request.subMsg ?? DEFAULT_REFUSAL_MESSAGE };
  return {};
}

/** How a call is answered when no fault stands in the way, or refused when one says so. */
export interface CallHandling {
  /** Applies the call; its signed answer. */
  execute(): string;
  /** The signed answer refusing the call with this error, nothing applied. */
  refuse(error: BusinessError): string;
}

/** The OpenAPI's faults: the shared queue (@shop/common/emulator) with Alipay's refusals. */
export class Faults {
  private readonly queue = new FaultQueue<Fault>((fault) => fault.method);

  add(request: FaultRequest): Fault {
    const delayMs = request.delayMs ?? DEFAULT_FAULT_DELAY_MS[request.mode];
    return this.queue.add({
      method: request.method,
      mode: request.mode,
      count: request.count ?? 1,
      ...(delayMs !== undefined && { delayMs }),
      ...refusalOf(request),
    });
  }

  pending(): Fault[] {
    return this.queue.pending();
  }

  clear(): void {
    this.queue.clear();
  }

  /** Answers a merchant's call of `method`, or fails it as the next fault queued for it says. */
  serve(method: string, handling: CallHandling, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    return this.queue.serve(
      method,
      {
        execute: handling.execute,
        refuse: (fault) => handling.refuse(new BusinessError(fault.subCode!, fault.subMsg!)),
        send: (reply, body) => reply.type('application/json;charset=utf-8').send(body),
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
