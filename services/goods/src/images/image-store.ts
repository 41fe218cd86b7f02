/** The image store the configuration names. */
import type { GoodsConfig } from '../config';
import type { ImageStore } from '../domain/ports';
import { DiskImageStore } from './disk-store';
import { S3ImageStore } from './s3-store';

export function openImageStore(settings: GoodsConfig['images']): ImageStore {
  return settings.kind === 'disk' ? new DiskImageStore(settings.directory) : new S3ImageStore(settings);
}
