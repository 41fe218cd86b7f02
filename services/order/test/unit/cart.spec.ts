/** The cart's rules (src/domain/cart.ts) against in-memory ports. */
import assert from 'node:assert/strict';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { SnowflakeGenerator } from '@shop/common/ids';
import { MAX_LINES, MAX_QUANTITY } from '@shop/contracts';
import { checkedLines, mergeCart, putCartItem, removeCartItem, type CartView } from '../../src/domain/cart';
import { MemoryCarts } from './fakes/memory-repositories';
import { ShopWorld } from './fakes/shop-world';

const ids = new SnowflakeGenerator(11);
const userId = ids.next();
const apple = ids.next();
const pear = ids.next();
const retired = ids.next();

function setup() {
  const carts = new MemoryCarts();
  const world = new ShopWorld().addGoods(apple, '3.10', 5).addGoods(pear, '2.00', 5).addGoods(retired, '1.00', 5, false);
  return { carts, deps: { carts, catalogue: world.catalogue } };
}

const cart = (result: CartView | DomainError): CartView => {
  if (result instanceof DomainError) assert.fail(`${result.code}: ${result.message}`);
  return result;
};

describe('cart rules (unit)', () => {
  it("sums the checked lines only, at today's prices", async () => {
    const { deps } = setup();
    await putCartItem(deps, userId, { goodsId: apple, quantity: 3, checked: true });
    const view = cart(await putCartItem(deps, userId, { goodsId: pear, quantity: 1, checked: false }));
    assert.equal(view.checkedAmount, '9.30');
    assert.deepEqual(
      view.items.map((item) => [item.goodsId, item.quantity, item.price]),
      [
        [apple, 3, '3.10'],
        [pear, 1, '2.00'],
      ],
    );
  });

  it('refuses quantities outside 1..max, malformed ids and goods not on sale, changing nothing', async () => {
    const { deps, carts } = setup();
    for (const quantity of [0, -3, 2.5, MAX_QUANTITY + 1]) {
      const refused = await putCartItem(deps, userId, { goodsId: apple, quantity, checked: true });
      assert.ok(refused instanceof DomainError && refused.code === ErrorCode.INVALID_ARGUMENT, String(quantity));
    }
    assert.equal(((await putCartItem(deps, userId, { goodsId: 'x', quantity: 1, checked: true })) as DomainError).code, ErrorCode.INVALID_ARGUMENT);
    assert.equal(((await putCartItem(deps, userId, { goodsId: retired, quantity: 1, checked: true })) as DomainError).code, ErrorCode.NOT_FOUND);
    assert.deepEqual(await carts.items(userId), []);
  });

  it('merges a guest cart: quantities summed up to the maximum, goods off sale left out', async () => {
    const { deps } = setup();
    await putCartItem(deps, userId, { goodsId: apple, quantity: MAX_QUANTITY - 1, checked: false });
    const view = cart(
      await mergeCart(deps, userId, [
        { goodsId: apple, quantity: 5, checked: true },
        { goodsId: retired, quantity: 1, checked: true },
      ]),
    );
    assert.deepEqual(
      view.items.map((item) => [item.goodsId, item.quantity, item.checked]),
      [[apple, MAX_QUANTITY, true]],
    );
  });

  it('refuses a merge that would pass the line limit, whole', async () => {
    const { deps, carts } = setup();
    const world = new ShopWorld();
    const many = Array.from({ length: MAX_LINES + 1 }, () => ids.next());
    for (const goodsId of many) world.addGoods(goodsId, '1.00', 1);
    const wide = { ...deps, catalogue: world.catalogue };
    const line = (goodsId: string) => ({ goodsId, quantity: 1, checked: true });
    cart(await mergeCart(wide, userId, many.slice(0, MAX_LINES - 1).map(line)));
    const refused = await mergeCart(wide, userId, many.slice(MAX_LINES - 1).map(line));
    assert.ok(refused instanceof DomainError && refused.code === ErrorCode.INVALID_ARGUMENT);
    assert.equal((await carts.items(userId)).length, MAX_LINES - 1);
  });

  it('checkout takes the checked lines; none checked is CART_EMPTY', async () => {
    const { deps, carts } = setup();
    await putCartItem(deps, userId, { goodsId: pear, quantity: 2, checked: false });
    assert.equal(((await checkedLines(carts, userId)) as DomainError).code, ErrorCode.CART_EMPTY);
    await putCartItem(deps, userId, { goodsId: apple, quantity: 1, checked: true });
    assert.deepEqual(await checkedLines(carts, userId), [{ goodsId: apple, quantity: 1 }]);
    cart(await removeCartItem(deps, userId, apple));
    assert.equal(((await checkedLines(carts, userId)) as DomainError).code, ErrorCode.CART_EMPTY);
  });
});
