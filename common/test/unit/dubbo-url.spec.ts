import assert from 'node:assert/strict';
import { formatProviderUrl, parseProviderNode } from '../../src/rpc';

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
      'tri://127.0.0.1:20880/shop.goods.v1.GoodsService?anyhost=false&application=goods&interface=shop.goods.v1.GoodsService&methods=GetGoods,ListGoods&pid=4242&protocol=tri&side=provider&timestamp=1&weight=100',
    );
  });

  it('read back what they wrote, and ignore providers of another protocol or service', () => {
    const node = encodeURIComponent(formatProviderUrl(provider));
    assert.deepEqual(parseProviderNode(node, provider.service), provider);
    assert.equal(parseProviderNode(encodeURIComponent(formatProviderUrl(provider).replace('tri://', 'dubbo://')), provider.service), undefined);
    assert.equal(parseProviderNode(node, 'shop.user.v1.UserService'), undefined);
    assert.equal(parseProviderNode('%%%', provider.service), undefined);
  });
});
