/**
 * The shop's payment channels and the rules that open them to a new payment:
 *   switched off   not in PAY_CHANNELS (its payments made before are still settled and refunded)
 *   amount limit   above the channel's PAY_MAX_AMOUNT_<CHANNEL>
 *   down           its gateway failed a moment ago (no answer, a system error): closed to new
 *                  payments for PAY_CHANNEL_DOWN_SECONDS, so that customers are sent to another
 *                  channel instead of a QR code that cannot be made
 * Down is this process's own view (like a circuit breaker in a Dubbo consumer): every instance
 * learns it from its own calls, and it expires by itself.
 */
import type { Logger } from '@shop/common/log';
import { parseCents } from '@shop/common/money';
import type { ChannelName, ChannelOption, PaymentChannel, PaymentChannels } from '../domain/ports';

export interface ChannelRules {
  /** The channels open to new payments, in order of preference. */
  enabled: ChannelName[];
  /** The largest amount (decimal yuan) a channel takes; absent: no limit. */
  maxAmount: Partial<Record<ChannelName, string>>;
  downForMs: number;
}

export class ChannelRegistry implements PaymentChannels {
  private readonly channels: Map<ChannelName, PaymentChannel>;
  private readonly down = new Map<ChannelName, { until: number; why: string }>();

  constructor(
    channels: PaymentChannel[],
    private readonly rules: ChannelRules,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.channels = new Map(channels.map((channel) => [channel.name, channel]));
  }

  names(): ChannelName[] {
    return [...this.channels.keys()];
  }

  has(name: ChannelName): boolean {
    return this.channels.has(name);
  }

  of(name: ChannelName): PaymentChannel {
    const channel = this.channels.get(name);
    if (!channel) throw new Error(`no payment channel ${name}`);
    return channel;
  }

  optionsFor(amount: string): ChannelOption[] {
    const cents = parseCents(amount) ?? 0n;
    const enabled = this.rules.enabled.filter((name) => this.channels.has(name));
    const off = [...this.channels.keys()].filter((name) => !enabled.includes(name));
    return [...enabled, ...off].map((name) => {
      const reason = this.closedBecause(name, cents);
      return { channel: name, available: reason === '', reason };
    });
  }

  markDown(name: ChannelName, why: string): void {
    if (!this.down.has(name) || this.down.get(name)!.until < this.now())
      this.logger.warn({ channel: name, why, forMs: this.rules.downForMs }, 'payment channel marked down; new payments go to the others');
    this.down.set(name, { until: this.now() + this.rules.downForMs, why });
  }

  /** Why the channel cannot take a new payment of `cents` now; '' when it can. */
  private closedBecause(name: ChannelName, cents: bigint): string {
    const title = this.of(name).title;
    if (!this.rules.enabled.includes(name)) return `${title} is switched off`;
    const max = this.rules.maxAmount[name];
    if (max !== undefined && cents > parseCents(max)!) return `${title} takes at most ${max} per payment`;
    const down = this.down.get(name);
    if (down && down.until > this.now()) return `${title} is not answering; try again in a moment`;
    return '';
  }
}
