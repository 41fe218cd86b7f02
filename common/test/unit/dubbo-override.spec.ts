import assert from 'node:assert/strict';
import { govern, governedTimeoutMs, orderRules, parseOverrideNode, type OverrideRule } from '../../src/rpc/dubbo-override';

const SERVICE = 'shop.goods.v1.GoodsService';
const node = (url: string) => encodeURIComponent(url);
const rule = (url: string): OverrideRule => {
  const parsed = parseOverrideNode(node(url), SERVICE);
  assert.ok(parsed, `${url} is a rule`);
  return parsed;
};
const consumer = { application: 'order', host: '10.0.0.9' };
const providerA = { host: '10.0.0.7', port: 50051, weight: 100 };
const providerB = { host: '10.0.0.8', port: 50051, weight: 100 };
const apply = (provider: typeof providerA, ...urls: string[]) => govern(provider, consumer, orderRules(urls.map(rule)));

describe('Dubbo override rules (configurators)', () => {
  it('reads what Dubbo Admin writes: weight, disabled, timeout, method timeouts', () => {
    const parsed = rule(
      `override://10.0.0.7:50051/${SERVICE}?category=configurators&dynamic=false&enabled=true&weight=200&disabled=true&timeout=500&reduceStock.timeout=900`,
    );
    assert.deepEqual(parsed, {
      host: '10.0.0.7',
      port: 50051,
      application: undefined,
      priority: 0,
      weight: 200,
      disabled: true,
      timeoutMs: 500,
      methodTimeoutsMs: { reduceStock: 900 },
    });
  });

  it('ignores rules switched off, for another service, scheme, group or version, and garbage', () => {
    for (const url of [
      `override://0.0.0.0/${SERVICE}?enabled=false&weight=0`,
      `override://0.0.0.0/shop.user.v1.UserService?weight=0`,
      `route://0.0.0.0/${SERVICE}?rule=host%3D1.2.3.4`,
      `override://0.0.0.0/${SERVICE}?group=gray&weight=0`,
      `override://0.0.0.0/${SERVICE}?version=2.0.0&weight=0`,
    ]) {
      assert.equal(parseOverrideNode(node(url), SERVICE), undefined, url);
    }
    assert.equal(parseOverrideNode('%%%', SERVICE), undefined);
    assert.equal(parseOverrideNode(node(`override://0.0.0.0/${SERVICE}?group=*&weight=5`), SERVICE)?.weight, 5, 'group=* is every group');
  });

  it('ignores values that are not numbers instead of applying them', () => {
    const parsed = rule(`override://0.0.0.0/${SERVICE}?weight=heavy&timeout=-5&getGoods.timeout=soon`);
    assert.equal(parsed.weight, undefined);
    assert.equal(parsed.timeoutMs, undefined);
    assert.deepEqual(parsed.methodTimeoutsMs, {});
  });

  it('applies a rule for 0.0.0.0 to every provider and a host:port rule to that provider only', () => {
    const everyone = `override://0.0.0.0/${SERVICE}?timeout=300`;
    const onlyA = `override://10.0.0.7:50051/${SERVICE}?weight=0&disabled=true`;
    assert.deepEqual(apply(providerA, everyone, onlyA), { weight: 0, disabled: true, timeoutMs: 300, methodTimeoutsMs: {} });
    assert.deepEqual(apply(providerB, everyone, onlyA), { weight: 100, disabled: false, timeoutMs: 300, methodTimeoutsMs: {} });
    assert.equal(apply({ ...providerA, port: 50052 }, onlyA).disabled, false, 'another port on the same host is another provider');
  });

  it("applies a rule without a port to the consumers on that host (Dubbo's consumer-side rule)", () => {
    assert.equal(apply(providerA, `override://10.0.0.9/${SERVICE}?timeout=250`).timeoutMs, 250, 'this consumer');
    assert.equal(apply(providerA, `override://10.0.0.1/${SERVICE}?timeout=250`).timeoutMs, undefined, 'another consumer');
  });

  it('applies a rule for one application to that consumer application only', () => {
    assert.equal(apply(providerA, `override://0.0.0.0/${SERVICE}?application=order&weight=7`).weight, 7);
    assert.equal(apply(providerA, `override://0.0.0.0/${SERVICE}?application=pay&weight=7`).weight, 100);
    assert.equal(apply(providerA, `override://0.0.0.0/${SERVICE}?application=*&weight=7`).weight, 7);
  });

  it('lets a provider-specific rule win over a rule for every host whatever the listing order, then the higher priority', () => {
    const specific = `override://10.0.0.7:50051/${SERVICE}?weight=300`;
    const general = `override://0.0.0.0/${SERVICE}?weight=50`;
    assert.equal(apply(providerA, specific, general).weight, 300);
    assert.equal(apply(providerA, general, specific).weight, 300);
    const low = `override://0.0.0.0/${SERVICE}?weight=10&priority=1`;
    const high = `override://0.0.0.0/${SERVICE}?weight=20&priority=5`;
    assert.equal(apply(providerA, high, low).weight, 20);
    assert.equal(
      apply(providerA, `override://10.0.0.7:50051/${SERVICE}?disabled=true`, `override://10.0.0.7:50051/${SERVICE}?disabled=false&priority=1`).disabled,
      false,
    );
  });

  it("gives a method its own timeout first, then the service's, whatever the case of the method's first letter", () => {
    const governed = apply(providerA, `override://0.0.0.0/${SERVICE}?timeout=400&ReduceStock.timeout=900`);
    assert.equal(governedTimeoutMs(governed, 'ReduceStock'), 900);
    assert.equal(governedTimeoutMs(governed, 'reduceStock'), 900);
    assert.equal(governedTimeoutMs(governed, 'GetGoods'), 400);
    assert.equal(governedTimeoutMs(apply(providerA), 'GetGoods'), undefined, 'no rule: the contract decides');
  });
});
