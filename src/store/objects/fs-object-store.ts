// Objects as files under one folder (the embedded default, inside the data directory). A write is
// atomic and durable before it resolves: a temporary file is written and fsynced, renamed over the
// final name, and the folder fsynced so the rename survives a power loss. A reader therefore sees
// either no object or all of it, never a torn one.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { VigilError } from '../../core/errors.js';
import type { ObjectStore } from '../../core/ports.js';
import { isObjectKey } from './object-key.js';

export class FsObjectStore implements ObjectStore {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const file = this.#fileOf(key);
    const folder = dirname(file);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const temp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    await syncFolder(folder);
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      return await readFile(this.#fileOf(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      return (await stat(this.#fileOf(key))).isFile();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  async close(): Promise<void> {}

  #fileOf(key: string): string {
    // Keys come back from a database column nobody hashed: only our own shape may name a file.
    if (!isObjectKey(key)) throw new VigilError('record_failed', 'not an object key this gateway writes');
    return join(this.#root, key);
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
