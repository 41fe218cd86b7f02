/** The ImageResizer of the goods service, with sharp (libvips): small and large WebP of a picture. */
import sharp from 'sharp';
import type { ImageResizer } from '../domain/ports';

/** The formats an admin may upload; anything else (SVG, TIFF, HEIF, ...) is refused. */
const ACCEPTED = new Set(['jpeg', 'png', 'webp', 'gif']);
/** A decompression bomb guard: a 5 MiB PNG can claim a billion pixels. */
const MAX_PIXELS = 40_000_000;

export const SMALL_SIDE = 320;
export const LARGE_SIDE = 960;

export const sharpResizer: ImageResizer = {
  async resize(content) {
    try {
      const source = sharp(content, { limitInputPixels: MAX_PIXELS, failOn: 'error' });
      const { format } = await source.metadata();
      if (!format || !ACCEPTED.has(format)) return undefined;
      // rotate() applies the EXIF orientation of phone photos; sharp drops the metadata after.
      const upright = source.rotate();
      const [small, large] = await Promise.all([
        // Lists show square tiles: cover them, cut what sticks out around the centre.
        upright.clone().resize(SMALL_SIDE, SMALL_SIDE, { fit: 'cover' }).webp({ quality: 80 }).toBuffer(),
        upright.clone().resize(LARGE_SIDE, LARGE_SIDE, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 82 }).toBuffer(),
      ]);
      return { small, large, contentType: 'image/webp' };
    } catch {
      // Damaged or truncated data, or over the pixel limit.
      return undefined;
    }
  },
};
