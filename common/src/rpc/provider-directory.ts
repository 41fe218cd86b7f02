/**
 * The providers of one service, as ZooKeeper lists them, each with its own channel.
 * Updated by the registry's watch; when ZooKeeper is unreachable no update comes, so the last
 * known providers stay in use. Each channel requires the provider to prove the service owner's
 * identity (mutual TLS): one registered by anyone else never completes a handshake, stays in
 * TRANSIENT_FAILURE and is passed over like a provider that is down.
 */
import { Client, connectivityState } from '@grpc/grpc-js';
import type { Logger } from '../log';
import { govern, orderRules, parseOverrideNode, type Governed, type OverrideRule } from './dubbo-override';
import { parseProviderNode, type ProviderUrl } from './dubbo-url';
import type { Candidate } from './load-balancer';
import type { RpcTransport } from './rpc-tls';

export interface Provider extends Candidate {
  url: ProviderUrl;
  client: Client;
  /** What the governance rules make of it (its weight is copied to `weight` for the balancers). */
  governed: Governed;
}

/** Who is asking: override rules may be for one consumer application or host. */
export interface ConsumerIdentity {
  application: string;
  host: string;
}

export class ProviderDirectory {
  private readonly providers = new Map<string, Provider>();
  /** The providers as an array, rebuilt on change only: the hot path allocates nothing. */
  private snapshot: Provider[] = [];
  /** The enabled providers: what calls choose from. */
  private callable: Provider[] = [];
  /** Dubbo override rules from the configurators folder, in the order they apply. */
  private rules: OverrideRule[] = [];

  constructor(
    private readonly service: string,
    /** The identity the service's providers must prove. */
    private readonly owner: string,
    private readonly transport: RpcTransport,
    private readonly logger: Logger,
    private readonly consumer: ConsumerIdentity,
  ) {}

  /** Replaces the provider list with the children of the providers folder. */
  update(children: string[]): void {
    const next = new Map<string, ProviderUrl>();
    for (const child of children) {
      const url = parseProviderNode(child, this.service);
      if (url) next.set(`${url.host}:${url.port}`, url);
    }
    for (const [id, provider] of this.providers) {
      if (next.has(id)) continue;
      this.providers.delete(id);
      // Calls already on this channel complete; new ones go elsewhere.
      provider.client.close();
      this.logger.info({ service: this.service, provider: id }, 'provider gone');
    }
    for (const [id, url] of next) {
      const existing = this.providers.get(id);
      if (existing) {
        existing.url = url;
        continue;
      }
      const channel = this.transport.channelTo(this.owner);
      const client = new Client(id, channel.credentials, channel.options);
      this.providers.set(id, { id, url, client, weight: url.weight, active: 0, governed: { weight: url.weight, disabled: false, methodTimeoutsMs: {} } });
      this.logger.info({ service: this.service, provider: id }, 'provider added');
    }
    this.regovern();
  }

  /** Replaces the governance rules with the children of the configurators folder. */
  updateRules(children: string[]): void {
    const rules = children.map((child) => parseOverrideNode(child, this.service)).filter((rule) => rule !== undefined);
    this.rules = orderRules(rules);
    this.logger.info({ service: this.service, rules: rules.length, ignored: children.length - rules.length }, 'governance rules updated');
    this.regovern();
  }

  /** Every provider known, disabled ones included (diagnostics, tests). */
  list(): readonly Provider[] {
    return this.snapshot;
  }

  /**
   * Providers a call may use, excluding those it already tried. Providers whose channel is in
   * TRANSIENT_FAILURE (connection refused: killed, not yet expired in ZooKeeper) are used only
   * when nothing else is left.
   */
  candidates(exclude: ReadonlySet<string>): readonly Provider[] {
    const usable = exclude.size === 0 ? this.callable : this.callable.filter((p) => !exclude.has(p.id));
    if (!usable.some(isFailing)) return usable;
    const healthy = usable.filter((p) => !isFailing(p));
    return healthy.length > 0 ? healthy : usable;
  }

  close(): void {
    for (const provider of this.providers.values()) provider.client.close();
    this.providers.clear();
    this.snapshot = [];
    this.callable = [];
  }

  /** Applies the rules to every provider and rebuilds the arrays calls read. */
  private regovern(): void {
    for (const provider of this.providers.values()) {
      provider.governed = govern(provider.url, this.consumer, this.rules);
      provider.weight = provider.governed.weight;
    }
    this.snapshot = [...this.providers.values()];
    this.callable = this.snapshot.filter((p) => !p.governed.disabled);
  }
}

function isFailing(provider: Provider): boolean {
  return provider.client.getChannel().getConnectivityState(false) === connectivityState.TRANSIENT_FAILURE;
}
