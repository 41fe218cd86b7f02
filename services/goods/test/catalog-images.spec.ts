import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import sharp from 'sharp';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { SnowflakeGenerator } from '@shop/common/ids';
import { createCategory, createGoods, getGoods, listCategories, listGoods, updateGoods, type Goods } from '../src/domain/catalog';
import { getGoodsImage, putGoodsImage } from '../src/domain/images';
import { DiskImageStore } from '../src/images/disk-store';
import { S3ImageStore } from '../src/images/s3-store';
import { LARGE_SIDE, SMALL_SIDE, sharpResizer } from '../src/images/sharp-resizer';
import { GoodsStore } from '../src/store/goods-store';
import { goodsMigrations } from '../src/store/migrations';
import { freshDatabase } from '../../../common/test/support/infra';

const SCHEMA = 'shop_test_goods_catalog';

/** A picture as a camera or an editor would make it. */
const picture = (width: number, height: number, format: 'png' | 'jpeg' | 'webp' | 'gif' = 'png', colour = '#2a7') =>
  sharp({ create: { width, height, channels: 3, background: colour } })
    .toFormat(format)
    .toBuffer();

function ok<T>(value: T | DomainError): T {
  if (value instanceof DomainError) assert.fail(`${value.code}: ${value.message}`);
  return value;
}

describe('goods: categories, descriptions and pictures (real MySQL, disk and S3-compatible stores)', function () {
  this.timeout(60_000);
  const ids = new SnowflakeGenerator(903);
  let db: Sequelize;
  let store: GoodsStore;
  let directory: string;
  let images: DiskImageStore;

  const changeLog = (goodsId: string) =>
    db.query<{ request_id: string; reason: string; changes: string | object }>(
      'SELECT request_id, reason, changes FROM goods_change_log WHERE goods_id = ? ORDER BY created_at',
      { replacements: [goodsId], type: QueryTypes.SELECT },
    );

  before(async () => {
    db = await freshDatabase(SCHEMA, goodsMigrations);
    store = new GoodsStore(db);
    directory = await mkdtemp(path.join(tmpdir(), 'shop-images-'));
    images = new DiskImageStore(directory);
  });

  after(async () => {
    await db?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('creates a category once by name, counts its goods on sale, and lists by category', async () => {
    const desks = ok(await createCategory(store, ids, { name: '  Desks  ' }));
    assert.equal(desks.name, 'Desks');
    assert.deepEqual(ok(await createCategory(store, ids, { name: 'desks' })), desks, 'the same name (any case) is the same category');
    const lamps = ok(await createCategory(store, ids, { name: 'Lamps' }));
    const desk = ok(
      await createGoods(store, ids, { requestId: '', name: 'Oak desk', price: '199.00', stock: 3, categoryId: desks.categoryId, description: 'Solid oak.' }),
    );
    const offSale = ok(await createGoods(store, ids, { requestId: '', name: 'Pine desk', price: '99.00', stock: 3, categoryId: desks.categoryId }));
    ok(await updateGoods(store, { goodsId: offSale.goodsId, requestId: 'off-1', operatorId: '1', reason: 'discontinued', onSale: false, stockDelta: 0 }));
    ok(await createGoods(store, ids, { requestId: '', name: 'Loose pen', price: '1.00', stock: 3 }));

    assert.equal(desk.categoryName, 'Desks');
    assert.equal(desk.description, 'Solid oak.');
    const counts = Object.fromEntries((await listCategories(store)).map((c) => [c.name, c.goodsCount]));
    assert.deepEqual(counts, { Desks: 1, Lamps: 0 }, 'only goods on sale count');
    const shop = ok(await listGoods(store, 1, 20, '', { includeOffSale: false, sort: 'ID', categoryId: desks.categoryId }));
    assert.deepEqual(
      shop.items.map((g) => g.name),
      ['Oak desk'],
    );
    const admin = ok(await listGoods(store, 1, 20, '', { includeOffSale: true, sort: 'ID', categoryId: desks.categoryId }));
    assert.deepEqual(
      admin.items.map((g) => g.name),
      ['Oak desk', 'Pine desk'],
    );
    assert.equal(ok(await listGoods(store, 1, 20, '', { includeOffSale: true, sort: 'ID', categoryId: lamps.categoryId })).total, 0);
  });

  it('refuses an unknown category and an overlong description, changing nothing', async () => {
    const before = (await db.query('SELECT id FROM goods', { type: QueryTypes.SELECT })).length;
    const unknown = await createGoods(store, ids, { requestId: '', name: 'x', price: '1.00', stock: 1, categoryId: '123456789' });
    assert.ok(unknown instanceof DomainError && unknown.code === ErrorCode.INVALID_ARGUMENT);
    const long = await createGoods(store, ids, { requestId: '', name: 'x', price: '1.00', stock: 1, description: 'x'.repeat(2001) });
    assert.ok(long instanceof DomainError && long.code === ErrorCode.INVALID_ARGUMENT);
    assert.equal((await db.query('SELECT id FROM goods', { type: QueryTypes.SELECT })).length, before);
  });

  it('moves goods between categories and out of them, with the change logged', async () => {
    const a = ok(await createCategory(store, ids, { name: 'Chairs' }));
    const chair = ok(await createGoods(store, ids, { requestId: '', name: 'Stool', price: '20.00', stock: 1, categoryId: a.categoryId }));
    const moved = ok(
      await updateGoods(store, {
        goodsId: chair.goodsId,
        requestId: 'cat-1',
        operatorId: '7',
        reason: 'tidy',
        categoryId: '',
        description: 'Three legs.',
        stockDelta: 0,
      }),
    );
    assert.equal(moved.categoryId, '');
    assert.equal(moved.description, 'Three legs.');
    const [logged] = await changeLog(chair.goodsId);
    const changes = typeof logged!.changes === 'string' ? JSON.parse(logged!.changes) : logged!.changes;
    assert.deepEqual(changes, { categoryId: [a.categoryId, ''], description: ['', 'Three legs.'] });
  });

  it('stores a picture in two WebP sizes named by its content; a repeat changes nothing', async () => {
    const goods = ok(await createGoods(store, ids, { requestId: '', name: 'Lamp', price: '30.00', stock: 2 }));
    const upload = await picture(1600, 900, 'jpeg');
    const first = ok(await putGoodsImage(store, images, sharpResizer, { goodsId: goods.goodsId, operatorId: '7', content: upload }));
    assert.match(first.imageKey, /^[0-9a-f]{32}$/);
    const small = ok(await getGoodsImage(images, first.imageKey, 'small'));
    const large = ok(await getGoodsImage(images, first.imageKey, 'large'));
    assert.equal(small.contentType, 'image/webp');
    const smallMeta = await sharp(small.content).metadata();
    const largeMeta = await sharp(large.content).metadata();
    assert.deepEqual([smallMeta.format, smallMeta.width, smallMeta.height], ['webp', SMALL_SIDE, SMALL_SIDE], 'the list tile is a square');
    assert.deepEqual([largeMeta.width, largeMeta.height], [LARGE_SIDE, 540], 'the page picture keeps its proportions');

    const again = ok(await putGoodsImage(store, images, sharpResizer, { goodsId: goods.goodsId, operatorId: '7', content: upload }));
    assert.deepEqual(again, first);
    assert.equal((await changeLog(goods.goodsId)).length, 1, 'one change logged for two identical uploads');
    assert.deepEqual((await readdir(directory)).filter((name) => name.startsWith(first.imageKey)).sort(), [
      `${first.imageKey}-large.webp`,
      `${first.imageKey}-small.webp`,
    ]);

    const replaced = ok(
      await putGoodsImage(store, images, sharpResizer, { goodsId: goods.goodsId, operatorId: '7', content: await picture(400, 400, 'png', '#a33') }),
    );
    assert.notEqual(replaced.imageKey, first.imageKey);
    const [, second] = await changeLog(goods.goodsId);
    const changes = typeof second!.changes === 'string' ? JSON.parse(second!.changes) : second!.changes;
    assert.deepEqual(changes, { image: [first.imageKey, replaced.imageKey] });
    const small400 = await sharp(ok(await getGoodsImage(images, replaced.imageKey, 'large')).content).metadata();
    assert.equal(small400.width, 400, 'a small picture is not enlarged');
  });

  it('takes PNG, WebP and GIF too, and refuses what is not a picture, changing nothing', async () => {
    const goods: Goods = ok(await createGoods(store, ids, { requestId: '', name: 'Rug', price: '45.00', stock: 2 }));
    for (const format of ['png', 'webp', 'gif'] as const) {
      ok(await putGoodsImage(store, images, sharpResizer, { goodsId: goods.goodsId, operatorId: '7', content: await picture(50, 60, format, '#123') }));
    }
    const before = ok(await getGoods(store, goods.goodsId));
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    const truncated = (await picture(300, 300, 'jpeg')).subarray(0, 200);
    for (const [content, code] of [
      [Buffer.from('not a picture at all'), ErrorCode.INVALID_IMAGE],
      [svg, ErrorCode.INVALID_IMAGE],
      [truncated, ErrorCode.INVALID_IMAGE],
      [Buffer.alloc(0), ErrorCode.INVALID_IMAGE],
      [Buffer.alloc(5 * 1024 * 1024 + 1), ErrorCode.PAYLOAD_TOO_LARGE],
    ] as const) {
      const refused = await putGoodsImage(store, images, sharpResizer, { goodsId: goods.goodsId, operatorId: '7', content });
      assert.ok(refused instanceof DomainError, `refused: ${content.subarray(0, 20).toString()}`);
      assert.equal(refused.code, code);
    }
    assert.deepEqual(ok(await getGoods(store, goods.goodsId)), before);
    const missing = await putGoodsImage(store, images, sharpResizer, { goodsId: '123456789', operatorId: '7', content: await picture(10, 10) });
    assert.ok(missing instanceof DomainError && missing.code === ErrorCode.NOT_FOUND);
    const noSuch = await getGoodsImage(images, '0'.repeat(32), 'small');
    assert.ok(noSuch instanceof DomainError && noSuch.code === ErrorCode.NOT_FOUND);
    const badKey = await getGoodsImage(images, '../../etc/passwd', 'small');
    assert.ok(badKey instanceof DomainError && badKey.code === ErrorCode.NOT_FOUND);
  });

  it('keeps pictures in an S3-compatible bucket (s3rver, signed requests)', async () => {
    const { default: S3rver } = await import('s3rver');
    const bucketDirectory = await mkdtemp(path.join(tmpdir(), 'shop-s3-'));
    const server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: bucketDirectory,
      configureBuckets: [{ name: 'shop-images', configs: [] }],
    });
    const address = (await server.run()) as AddressInfo;
    try {
      const settings = {
        endpoint: `http://127.0.0.1:${address.port}`,
        bucket: 'shop-images',
        region: 'us-east-1',
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
        prefix: 'goods/',
        virtualHosted: false,
        timeoutMs: 5_000,
      };
      const bucket = new S3ImageStore(settings);
      const goods = ok(await createGoods(store, ids, { requestId: '', name: 'Vase', price: '12.00', stock: 2 }));
      const stored = ok(await putGoodsImage(store, bucket, sharpResizer, { goodsId: goods.goodsId, operatorId: '7', content: await picture(700, 700) }));
      const large = ok(await getGoodsImage(bucket, stored.imageKey, 'large'));
      assert.equal(large.contentType, 'image/webp');
      assert.equal((await sharp(large.content).metadata()).width, 700);
      assert.equal(await bucket.get('0'.repeat(32) + '-small.webp'), undefined, 'a missing key is undefined, not an error');
      // s3rver parses the V4 Authorization header but does not recompute the signature: it checks the key id.
      const stranger = new S3ImageStore({ ...settings, accessKeyId: 'NOBODY' });
      await assert.rejects(stranger.get(`${stored.imageKey}-large.webp`), /403/, 'an unknown key is refused');
    } finally {
      await server.close();
      await rm(bucketDirectory, { recursive: true, force: true });
    }
  });
});
