// Objects as files under one folder (the embedded default, inside the data directory). A write is
// atomic and durable before it resolves: a temporary file is written and fsynced, renamed over the
// final name, and the folder fsynced so the rename survives a power loss. A reader therefore sees
// either no object or all of it, never a torn one.
// Only files this store wrote are read or written through: a symbolic link planted in the folder is
// neither followed to read (it could name the gateway's own key or secrets) nor written through
// (object-bounds.ts).
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { VigilError } from '../../core/errors.js';
import type { ObjectStore } from '../../core/ports.js';
import { MAX_OBJECT_BYTES, objectRefused } from './object-bounds.js';
import { isObjectKey } from './object-key.js';

/** O_NOFOLLOW: a symlink is not read through; O_NONBLOCK: a FIFO planted there cannot hold the open. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export class FsObjectStore implements ObjectStore {
  readonly #root: string;
  readonly #maxBytes: number;

  constructor(root: string, maxObjectBytes = MAX_OBJECT_BYTES) {
    this.#root = root;
    this.#maxBytes = maxObjectBytes;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const file = this.#fileOf(key);
    const folder = dirname(file);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    // The two folders under the root are ours: one swapped for a link would carry payloads elsewhere.
    for (const own of [dirname(folder), folder]) {
      if (!(await lstat(own)).isDirectory())
        throw new VigilError('record_failed', `the object folder ${own} is not a plain folder (a link?)`);
    }
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
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.#fileOf(key), READ_FLAGS);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      if (code === 'ELOOP') throw objectRefused(key, 'a symbolic link');
      throw err;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw objectRefused(key, 'not a regular file');
      if (info.size > this.#maxBytes) throw objectRefused(key, `${info.size} bytes, more than any payload`);
      // Objects are replaced by rename, never changed in place: the size read is the object's.
      const bytes = Buffer.alloc(info.size);
      let filled = 0;
      while (filled < bytes.length) {
        const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return bytes.subarray(0, filled);
    } finally {
      await handle.close();
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      return (await lstat(this.#fileOf(key))).isFile();
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
