/**
 * The catalogue as a shop shows it: an admin makes categories and puts goods with a description
 * and a picture in them; shoppers browse by category and get the picture resized, cached for a
 * year and revalidated by ETag. Bad uploads are refused with a stable code and change nothing.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import sharp from 'sharp';
import { withSystem } from './support/end-to-end';
import { BASE_URL, call, newCustomer, uniqueName } from './support/shop-api';
import type { SystemState } from './support/system-state';

const photo = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#c84' } })
    .jpeg()
    .toBuffer();

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON checked field by field, as shop-api's replies
async function upload(token: string, goodsId: string, body: Buffer | string, contentType: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${BASE_URL}/api/v1/admin/goods/${goodsId}/image`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body,
  });
  return { status: response.status, body: await response.json() };
}

/**
 * Announces an upload of `length` bytes and waits for the answer before sending any: the server
 * answers 413 from the declared length alone and closes the connection, which a client still
 * sending sees as a broken pipe (a browser shows the answer; fetch reports a failure).
 */
function announceUpload(token: string, goodsId: string, length: number): Promise<{ status: number; body: { code?: string } }> {
  return new Promise((resolve, reject) => {
    const put = request(`${BASE_URL}/api/v1/admin/goods/${goodsId}/image`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg', 'content-length': length },
    });
    put.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        put.destroy();
        resolve({ status: response.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) });
      });
    });
    put.on('error', reject);
    put.flushHeaders();
  });
}

describe('goods catalogue: categories, descriptions and pictures', function () {
  this.timeout(60_000);
  let admin: string;
  let customer: string;
  let state: SystemState;
  withSystem(
    (system) =>
      ({
        admin: { token: admin },
        state,
      } = system),
  );
  before(async () => {
    customer = (await newCustomer(admin)).token;
  });

  const newCategory = async (name = uniqueName('Cat ')) => {
    const created = await call('POST', '/api/v1/admin/categories', { token: admin, json: { name } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body as { categoryId: string; name: string; goodsCount: number };
  };

  it('lists goods by category with their description, and counts what is on sale', async () => {
    const category = await newCategory();
    assert.deepEqual((await call('POST', '/api/v1/admin/categories', { token: admin, json: { name: category.name.toUpperCase() } })).body, category);
    const create = (name: string) =>
      call('POST', '/api/v1/admin/goods', {
        token: admin,
        json: { name, price: '12.00', stock: 4, categoryId: category.categoryId, description: `${name}, hand made.` },
        headers: { 'idempotency-key': uniqueName('create-') },
      });
    const teapot = await create('Teapot');
    assert.equal(teapot.status, 201, JSON.stringify(teapot.body));
    assert.deepEqual(
      [teapot.body.categoryId, teapot.body.categoryName, teapot.body.description, teapot.body.image],
      [category.categoryId, category.name, 'Teapot, hand made.', null],
    );
    const cup = (await create('Cup')).body;
    const off = await call('PATCH', `/api/v1/admin/goods/${cup.goodsId}`, {
      token: admin,
      json: { onSale: false, reason: 'chipped' },
      headers: { 'idempotency-key': uniqueName('off-') },
    });
    assert.equal(off.status, 200);

    const shown = await call('GET', `/api/v1/goods?category=${category.categoryId}`);
    assert.deepEqual(
      shown.body.items.map((g: { name: string }) => g.name),
      ['Teapot'],
    );
    const admins = await call('GET', `/api/v1/admin/goods?category=${category.categoryId}`, { token: admin });
    assert.equal(admins.body.total, 2);
    const listed = (await call('GET', '/api/v1/categories')).body.items.find((c: { categoryId: string }) => c.categoryId === category.categoryId);
    assert.equal(listed.goodsCount, 1, 'the goods off sale do not count');
    assert.equal((await state.goodsRow(teapot.body.goodsId)).category_id, category.categoryId);

    const moved = await call('PATCH', `/api/v1/admin/goods/${teapot.body.goodsId}`, {
      token: admin,
      json: { categoryId: '', description: 'Now uncategorised.', reason: 'reorganised' },
      headers: { 'idempotency-key': uniqueName('move-') },
    });
    assert.deepEqual([moved.body.categoryId, moved.body.description], [null, 'Now uncategorised.']);
    assert.equal((await call('GET', `/api/v1/goods?category=${category.categoryId}`)).body.total, 0);
  });

  it('serves an uploaded picture in two sizes, cached for a year, 304 on a matching ETag; a missing one is not cached', async () => {
    const goods = await call('POST', '/api/v1/admin/goods', { token: admin, json: { name: uniqueName('Lamp '), price: '30.00', stock: 2 } });
    const goodsId = goods.body.goodsId as string;
    const stored = await upload(admin, goodsId, await photo(1200, 1600), 'image/jpeg');
    assert.equal(stored.status, 200, JSON.stringify(stored.body));
    assert.match(stored.body.image.small, /^\/images\/goods\/[0-9a-f]{32}-small\.webp$/);
    assert.equal((await call('GET', `/api/v1/goods/${goodsId}`)).body.image.large, stored.body.image.large);
    assert.equal((await state.goodsRow(goodsId)).image_key, stored.body.image.small.slice(14, 46));

    const large = await fetch(`${BASE_URL}${stored.body.image.large}`);
    assert.equal(large.status, 200);
    assert.equal(large.headers.get('content-type'), 'image/webp');
    assert.equal(large.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const meta = await sharp(Buffer.from(await large.arrayBuffer())).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 720, 960]);
    const again = await fetch(`${BASE_URL}${stored.body.image.large}`, { headers: { 'if-none-match': large.headers.get('etag')! } });
    assert.equal(again.status, 304);

    const missing = await fetch(`${BASE_URL}/images/goods/${'0'.repeat(32)}-small.webp`);
    assert.equal(missing.status, 404);
    // Not cached: the same name answers the picture once it is stored.
    assert.equal(missing.headers.get('cache-control'), null);
    assert.equal(missing.headers.get('etag'), null);
    const traversal = await fetch(`${BASE_URL}/images/goods/..%2F..%2Fetc%2Fpasswd`);
    assert.equal(traversal.status, 400);
  });

  it('refuses what is not a picture, too large, of another type or from a customer, changing nothing', async () => {
    const goods = await call('POST', '/api/v1/admin/goods', { token: admin, json: { name: uniqueName('Rug '), price: '45.00', stock: 2 } });
    const goodsId = goods.body.goodsId as string;
    const cases: [Buffer | string, string, number, string, string?][] = [
      [Buffer.from('plain text pretending'), 'image/png', 400, 'INVALID_IMAGE'],
      ['<svg xmlns="http://www.w3.org/2000/svg"/>', 'image/svg+xml', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [await photo(10, 10), 'image/jpeg', 403, 'FORBIDDEN', customer],
    ];
    for (const [body, type, status, code, token] of cases) {
      const refused = await upload(token ?? admin, goodsId, body, type);
      assert.deepEqual([refused.status, refused.body.code], [status, code], `${type}: ${JSON.stringify(refused.body)}`);
    }
    const tooLarge = await announceUpload(admin, goodsId, 5 * 1024 * 1024 + 10);
    assert.deepEqual([tooLarge.status, tooLarge.body.code], [413, 'PAYLOAD_TOO_LARGE']);
    assert.equal((await state.goodsRow(goodsId)).image_key, null);
    assert.deepEqual(await state.goodsChanges(goodsId), []);
    const empty = await fetch(`${BASE_URL}/api/v1/admin/goods/${goodsId}/image`, { method: 'PUT', headers: { authorization: `Bearer ${admin}` } });
    assert.deepEqual([empty.status, ((await empty.json()) as { code: string }).code], [400, 'INVALID_IMAGE'], 'no body at all');
    const unknown = await upload(admin, '123456789', await photo(10, 10), 'image/jpeg');
    assert.deepEqual([unknown.status, unknown.body.code], [404, 'NOT_FOUND']);
  });
});
