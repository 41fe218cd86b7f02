/**
 * Pictures in a directory (the default): enough for one machine, or several instances sharing a
 * volume. Written to a temporary name and renamed, so a reader never sees half a picture.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageStore } from '../domain/ports';

const TYPES: Record<string, string> = { '.webp': 'image/webp', '.png': 'image/png', '.jpg': 'image/jpeg', '.gif': 'image/gif' };

export class DiskImageStore implements ImageStore {
  constructor(private readonly directory: string) {}

  async put(name: string, content: Buffer): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const temporary = path.join(this.directory, `.${name}.${randomUUID()}.tmp`);
    await writeFile(temporary, content);
    await rename(temporary, this.pathOf(name));
  }

  async get(name: string): Promise<{ content: Buffer; contentType: string } | undefined> {
    try {
      return { content: await readFile(this.pathOf(name)), contentType: TYPES[path.extname(name)] ?? 'application/octet-stream' };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private pathOf(name: string): string {
    // Names come from the domain (hex key and size), never from a request; refuse anything else.
    if (!/^[0-9a-z.-]+$/.test(name) || name.startsWith('.')) throw new Error(`invalid picture name ${name}`);
    return path.join(this.directory, name);
  }
}
