/**
 * Goods pictures: an admin uploads one; it is checked, resized to the two sizes the pages use and
 * stored under a name derived from its content, then the goods point at it. The pictures are
 * written before the row, so a crash in between leaves at most an unused picture, never a goods
 * pointing at nothing; a repeat of the same upload writes the same names and changes nothing.
 */
import { createHash } from 'node:crypto';
import { DomainError, ErrorCode, refusable, refuse } from '@shop/common/errors';
import { isSnowflakeId } from '@shop/common/ids';
import { toGoods, type Goods } from './catalog';
import type { GoodsRepository, ImageResizer, ImageStore } from './ports';

/** What an upload may weigh: a phone's photo, not a RAW file. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

export type ImageSize = 'small' | 'large';

const IMAGE_KEY = /^[0-9a-f]{32}$/;

/** The store's name of one size of a picture. */
export const imageName = (imageKey: string, size: ImageSize): string => `${imageKey}-${size}.webp`;

export interface ImageUpload {
  goodsId: string;
  operatorId: string;
  content: Buffer;
}

export async function putGoodsImage(store: GoodsRepository, images: ImageStore, resizer: ImageResizer, upload: ImageUpload): Promise<Goods | DomainError> {
  if (!isSnowflakeId(upload.goodsId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid goods id');
  if (upload.content.length === 0) return new DomainError(ErrorCode.INVALID_IMAGE, 'the picture is empty');
  if (upload.content.length > MAX_IMAGE_BYTES)
    return new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, `a picture may weigh at most ${MAX_IMAGE_BYTES / 1024 / 1024} MiB`);
  if (!(await store.findGoods(upload.goodsId))) return new DomainError(ErrorCode.NOT_FOUND, `goods ${upload.goodsId} not found`);
  const sizes = await resizer.resize(upload.content);
  if (!sizes) return new DomainError(ErrorCode.INVALID_IMAGE, 'the file is not a JPEG, PNG, WebP or GIF picture, or it is damaged');
  const imageKey = createHash('sha256').update(upload.content).digest('hex').slice(0, 32);
  await images.put(imageName(imageKey, 'small'), sizes.small, sizes.contentType);
  await images.put(imageName(imageKey, 'large'), sizes.large, sizes.contentType);
  const refused = await refusable(
    store.transaction(async (tx) => {
      const row = await store.lockGoods(tx, upload.goodsId);
      if (!row) return refuse(ErrorCode.NOT_FOUND, `goods ${upload.goodsId} not found`);
      if (row.image_key === imageKey) return;
      const change = {
        goodsId: upload.goodsId,
        requestId: `image:${imageKey}`,
        operator: `admin:${upload.operatorId}`,
        reason: 'picture changed',
        changes: { image: [row.image_key, imageKey] },
      };
      // Putting back an earlier picture is a change too, but its log row exists: keep the first.
      await store.recordChange(tx, change);
      await store.setImage(tx, upload.goodsId, imageKey);
    }),
  );
  if (refused instanceof DomainError) return refused;
  return toGoods((await store.findGoods(upload.goodsId))!);
}

export async function getGoodsImage(images: ImageStore, imageKey: string, size: ImageSize): Promise<{ content: Buffer; contentType: string } | DomainError> {
  if (!IMAGE_KEY.test(imageKey)) return new DomainError(ErrorCode.NOT_FOUND, 'no such picture');
  return (await images.get(imageName(imageKey, size))) ?? new DomainError(ErrorCode.NOT_FOUND, 'no such picture');
}
