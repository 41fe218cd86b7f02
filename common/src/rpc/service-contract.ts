/**
 * What the RPC layer needs to know about a gRPC service beyond its generated definition: its
 * full name, the identity its providers prove (mutual TLS), and per method the default deadline,
 * whether a call may be repeated on another provider, and which identities may call it. Every
 * mutating method of the shop is keyed by an order or request id and therefore safe to repeat;
 * the table says so explicitly, method by method.
 */
import type { MethodDefinition } from '@grpc/grpc-js';

/** A ts-proto `outputServices=grpc-js` service definition (unary methods only). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type UnaryServiceDefinition = Record<string, MethodDefinition<any, any>>;

export interface MethodPolicy {
  /** Default deadline of one call, all attempts included. */
  timeoutMs: number;
  /** True when repeating the call cannot apply its effect twice (read, or keyed by an id). */
  idempotent: boolean;
  /** The identities (application names proven by mutual TLS) the method admits; the rest are refused. */
  callers: readonly string[];
}

export interface ServiceContract<D extends UnaryServiceDefinition> {
  /** Full name, e.g. shop.goods.v1.GoodsService. */
  name: string;
  /** The identity a provider must prove: `goods` for shop.goods.v1.GoodsService. */
  owner: string;
  definition: D;
  policies: { [K in keyof D]: MethodPolicy };
}

/** The full service name from a method path ("/shop.goods.v1.GoodsService/GetGoods"). */
export function serviceNameOf(definition: UnaryServiceDefinition): string {
  const first = Object.values(definition)[0];
  if (!first) throw new Error('empty service definition');
  return first.path.split('/')[1]!;
}

/** Proto method names ("GetGoods") of a definition, as they appear in paths and Dubbo URLs. */
export function methodNamesOf(definition: UnaryServiceDefinition): string[] {
  return Object.values(definition).map((m) => m.path.split('/')[2]!);
}

/**
 * @param owner the identity of the service's providers; by default the proto package's second
 *   part (`goods` in shop.goods.v1), which is the application that hosts the service.
 */
export function defineContract<D extends UnaryServiceDefinition>(
  definition: D,
  policies: { [K in keyof D]: MethodPolicy },
  owner?: string,
): ServiceContract<D> {
  const name = serviceNameOf(definition);
  return { name, owner: owner ?? name.split('.')[1]!, definition, policies };
}
