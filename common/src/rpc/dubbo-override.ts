/**
 * Dubbo governance rules, as Dubbo Admin (or zkCli) writes them under
 * /dubbo/<pkg.Service>/configurators: one `override://` URL per child, which the consumers apply
 * to the provider URLs they know, as Dubbo's own RegistryDirectory does.
 *
 *   override://0.0.0.0/shop.goods.v1.GoodsService?category=configurators&dynamic=false&enabled=true&timeout=500
 *       every provider of the service: calls to it get a 500 ms deadline
 *   override://10.0.0.7:50051/shop.goods.v1.GoodsService?category=configurators&enabled=true&weight=200
 *       that provider only: twice the default share of calls (disabled=true: no call at all)
 *   override://10.0.0.9/shop.goods.v1.GoodsService?...&timeout=500
 *       no port: the consumers on host 10.0.0.9 (Dubbo's consumer-side rule)
 *
 * Understood: `weight`, `disabled`, `timeout` and `<method>.timeout` (milliseconds),
 * `application` (the consumer application the rule is for; absent or `*` for every one),
 * `enabled=false` (the rule is kept but not applied) and `priority` (among rules of the same
 * reach). A rule is withdrawn by removing its node. Rules for a `group` or `version` match
 * nothing here (the shop's services have neither). Anything else a rule sets is ignored.
 */
import { DUBBO_ROOT } from './dubbo-url';

export const ANY_HOST = '0.0.0.0';

export function configuratorsPath(service: string): string {
  return `${DUBBO_ROOT}/${service}/configurators`;
}

export function routersPath(service: string): string {
  return `${DUBBO_ROOT}/${service}/routers`;
}

export interface OverrideRule {
  /** ANY_HOST for every provider; else a provider's host (with `port`) or a consumer's (port 0). */
  host: string;
  port: number;
  /** The consumer application the rule is for; undefined for every consumer. */
  application: string | undefined;
  priority: number;
  weight?: number;
  disabled?: boolean;
  timeoutMs?: number;
  /** `<method>.timeout`, by method name with its first letter lower-cased (Dubbo Java names it so). */
  methodTimeoutsMs: Record<string, number>;
}

/** What the rules make of one provider, for one consumer. */
export interface Governed {
  weight: number;
  disabled: boolean;
  timeoutMs?: number;
  methodTimeoutsMs: Record<string, number>;
}

/**
 * Parses a configurators/ child. Undefined for what is not a rule for this service that applies
 * here: another scheme or service, `enabled=false`, a group or version, a malformed URL.
 */
export function parseOverrideNode(node: string, service: string): OverrideRule | undefined {
  let url: URL;
  try {
    url = new URL(decodeURIComponent(node));
  } catch {
    return undefined;
  }
  const params = url.searchParams;
  const target = params.get('interface') ?? url.pathname.replace(/^\//, '');
  if (url.protocol !== 'override:' || target !== service) return undefined;
  if (params.get('enabled') === 'false') return undefined;
  if (['group', 'version'].some((key) => !['', '*', null].includes(params.get(key)))) return undefined;
  const application = params.get('application');
  const anyHost = url.hostname === ANY_HOST || params.get('anyhost') === 'true';
  const rule: OverrideRule = {
    host: anyHost ? ANY_HOST : url.hostname,
    port: anyHost ? 0 : Number(url.port || 0),
    application: application === null || application === '' || application === '*' ? undefined : application,
    priority: finiteNumber(params.get('priority')) ?? 0,
    methodTimeoutsMs: {},
  };
  const weight = finiteNumber(params.get('weight'));
  if (weight !== undefined && weight >= 0) rule.weight = weight;
  if (params.has('disabled')) rule.disabled = params.get('disabled') === 'true';
  const timeout = finiteNumber(params.get('timeout'));
  if (timeout !== undefined && timeout > 0) rule.timeoutMs = timeout;
  for (const [key, value] of params) {
    const method = /^(.+)\.timeout$/.exec(key)?.[1];
    const ms = finiteNumber(value);
    if (method && ms !== undefined && ms > 0) rule.methodTimeoutsMs[lowerFirst(method)] = ms;
  }
  return rule;
}

/**
 * The rules in the order Dubbo applies them, later ones winning: rules for every host before
 * host-specific ones, then by priority.
 */
export function orderRules(rules: readonly OverrideRule[]): OverrideRule[] {
  return rules
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => specificity(a.rule) - specificity(b.rule) || a.rule.priority - b.rule.priority || a.index - b.index)
    .map(({ rule }) => rule);
}

/** Applies the ordered rules to a provider at `host:port` as seen by `consumer`. */
export function govern(
  provider: { host: string; port: number; weight: number },
  consumer: { application: string; host: string },
  orderedRules: readonly OverrideRule[],
): Governed {
  const governed: Governed = { weight: provider.weight, disabled: false, methodTimeoutsMs: {} };
  for (const rule of orderedRules) {
    if (rule.application !== undefined && rule.application !== consumer.application) continue;
    const reaches = rule.host === ANY_HOST || (rule.port !== 0 ? rule.host === provider.host && rule.port === provider.port : rule.host === consumer.host);
    if (!reaches) continue;
    if (rule.weight !== undefined) governed.weight = rule.weight;
    if (rule.disabled !== undefined) governed.disabled = rule.disabled;
    if (rule.timeoutMs !== undefined) governed.timeoutMs = rule.timeoutMs;
    Object.assign(governed.methodTimeoutsMs, rule.methodTimeoutsMs);
  }
  return governed;
}

/** The deadline a rule set gives a method, if any: the method's own first, then the service's. */
export function governedTimeoutMs(governed: Governed, method: string): number | undefined {
  return governed.methodTimeoutsMs[lowerFirst(method)] ?? governed.timeoutMs;
}

function specificity(rule: OverrideRule): number {
  return rule.host === ANY_HOST ? 0 : 1;
}

function finiteNumber(text: string | null): number | undefined {
  if (text === null || text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
