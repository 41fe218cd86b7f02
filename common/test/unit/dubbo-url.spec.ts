import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProviderUrl, parseProviderNode } from '../../src/rpc';
import { SHOP_RELEASE } from '../../src/rpc/dubbo-url';

describe('Dubbo provider URLs', () => {
  const provider = {
    host: '127.0.0.1',
    port: 20880,
    service: 'shop.goods.v1.GoodsService',
    application: 'goods',
    methods: ['GetGoods', 'ListGoods'],
    weight: 100,
    timestamp: 1,
    pid: 4242,
  };

  it('carry what Dubbo tooling shows, in sorted order, the pid included', () => {
    assert.equal(
      formatProviderUrl(provider),
      'tri://127.0.0.1:20880/shop.goods.v1.GoodsService?anyhost=false&application=goods&dubbo=2.0.2&interface=shop.goods.v1.GoodsService&methods=GetGoods,ListGoods&pid=4242&prefer.serialization=protobuf&protocol=tri&release=shop-0.1.0&serialization=protobuf&side=provider&timestamp=1&weight=100',
    );
  });

  it("carry the admin listener as metrics.port (Dubbo's name) when there is one, and read it back", () => {
    const withMetrics = { ...provider, metricsPort: 9464 };
    const url = formatProviderUrl(withMetrics);
    assert.match(url, /&methods=GetGoods,ListGoods&metrics\.port=9464&pid=4242&/);
    assert.equal(new URL(url).searchParams.get('metrics.port'), '9464', 'a valid URL query for Dubbo tooling');
    assert.deepEqual(parseProviderNode(encodeURIComponent(url), provider.service), withMetrics);
    for (const bad of ['0', '70000', 'x', '']) {
      const node = encodeURIComponent(url.replace('metrics.port=9464', `metrics.port=${bad}`));
      assert.equal(parseProviderNode(node, provider.service)?.metricsPort, undefined, `metrics.port=${bad} is ignored`);
    }
  });

  it('name the release of @shop/common, which they come from', () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string };
    assert.equal(SHOP_RELEASE, `shop-${version}`);
  });

  it('read back what they wrote, and ignore providers of another protocol or service', () => {
    const node = encodeURIComponent(formatProviderUrl(provider));
    assert.deepEqual(parseProviderNode(node, provider.service), provider);
    assert.equal(parseProviderNode(encodeURIComponent(formatProviderUrl(provider).replace('tri://', 'dubbo://')), provider.service), undefined);
    assert.equal(parseProviderNode(node, 'shop.user.v1.UserService'), undefined);
    assert.equal(parseProviderNode('%%%', provider.service), undefined);
  });
});
