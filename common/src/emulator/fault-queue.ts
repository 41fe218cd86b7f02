/**
 * The sandbox faults of a local payment gateway (not the real gateway's: tests queue them through
 * the emulator's control API), so that every half-done state a merchant must survive can be
 * produced on purpose. Shared by the Alipay and WeChat Pay emulators, which say what their
 * faults are called and how a refusal is signed:
 * - `error`: the gateway's signed system error; nothing applied (retrying is safe);
 * - `refuse`: a signed refusal with the code asked for; nothing applied;
 * - `timeout`: nothing applied and no answer; the connection is dropped after `delayMs`;
 * - `lose-answer`: applied, then the connection is dropped: the merchant cannot know it was;
 * - `delay`: a slow answer: wait `delayMs`, then apply and answer.
 * Faults are kept in the order they were queued; each call takes one use of the first fault
 * queued for its target (a method, an API). Only calls that passed the gateway's authentication
 * get here, so a forged request never consumes a fault.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const FAULT_MODES = ['error', 'refuse', 'timeout', 'lose-answer', 'delay'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

/** How long `timeout` holds a connection and `delay` waits, unless the fault says. */
export const DEFAULT_FAULT_DELAY_MS: Partial<Record<FaultMode, number>> = { timeout: 30_000, delay: 5_000 };

/** What every queued fault has; `count` is how many calls it still affects. */
export interface QueuedFault {
  mode: FaultMode;
  count: number;
  delayMs?: number;
}

/** How a call is played: applied and answered, refused as the fault says, and sent. */
export interface FaultPlay<F, A> {
  /** Applies the call; its answer. */
  execute(): A;
  /** The answer refusing the call as the fault (`error` or `refuse`) says, nothing applied. */
  refuse(fault: F): A;
  send(reply: FastifyReply, answer: A): FastifyReply;
}

export class FaultQueue<F extends QueuedFault> {
  private readonly queue: F[] = [];
  /** Connections held open by `timeout` faults, dropped at once when the gateway stops. */
  private readonly held = new Map<Socket, NodeJS.Timeout>();

  constructor(private readonly targetOf: (fault: F) => string) {}

  add(fault: F): F {
    this.queue.push(fault);
    return { ...fault };
  }

  pending(): F[] {
    return this.queue.map((fault) => ({ ...fault }));
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** One use of the first fault queued for `target`, if any. */
  take(target: string): F | undefined {
    const index = this.queue.findIndex((fault) => this.targetOf(fault) === target);
    if (index < 0) return undefined;
    const fault = this.queue[index]!;
    fault.count -= 1;
    if (fault.count === 0) this.queue.splice(index, 1);
    return { ...fault };
  }

  /**
   * Answers a merchant's call of `target`, or fails it as the next fault queued for it says
   * (undefined: the connection is left without an answer).
   */
  async serve<A>(target: string, play: FaultPlay<F, A>, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const fault = this.take(target);
    switch (fault?.mode) {
      case undefined:
        return play.send(reply, play.execute());
      case 'error':
      case 'refuse':
        return play.send(reply, play.refuse(fault));
      case 'timeout':
        this.hold(request, reply, fault.delayMs!);
        return undefined;
      case 'lose-answer':
        play.execute();
        reply.hijack();
        request.raw.socket.destroy();
        return undefined;
      case 'delay':
        await sleep(fault.delayMs!);
        return play.send(reply, play.execute());
    }
  }

  /** Drops the connections still held by `timeout` faults (the gateway is stopping). */
  stop(): void {
    for (const [socket, timer] of this.held) {
      clearTimeout(timer);
      socket.destroy();
    }
    this.held.clear();
  }

  /** Never answers: the connection stays silent for `delayMs`, then is dropped. */
  private hold(request: FastifyRequest, reply: FastifyReply, delayMs: number): void {
    reply.hijack();
    const socket = request.raw.socket;
    const timer = setTimeout(() => {
      this.held.delete(socket);
      socket.destroy();
    }, delayMs);
    this.held.set(socket, timer);
    // The caller may give up first (its own timeout): nothing left to drop then.
    socket.once('close', () => {
      clearTimeout(timer);
      this.held.delete(socket);
    });
  }
}
