// Appends JSON lines to a file; a batch is acknowledged once written and fsynced. Rotation is left
// to logrotate (or any tool that moves the file away): the file is reopened on `reopen()` (SIGHUP)
// and also whenever the path no longer names the file we hold open, checked before every batch.

import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type SiemRecord, type SiemSink, SinkError } from './sink.js';

export class FileSink implements SiemSink {
  readonly #path: string;
  #file: FileHandle | null = null;
  #inode = -1;
  #reopen = false;

  constructor(path: string) {
    this.#path = path;
  }

  /** Asks for the file to be reopened before the next batch (after logrotate moved it). */
  reopen(): void {
    this.#reopen = true;
  }

  async deliver(batch: readonly SiemRecord[]): Promise<void> {
    try {
      const file = await this.#current();
      await file.appendFile(batch.map((r) => `${r.line}\n`).join(''));
      await file.sync();
    } catch (err) {
      // The handle may be the broken part: start from the path again next time.
      await this.close();
      throw new SinkError(`file write failed: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }

  async #current(): Promise<FileHandle> {
    if (this.#file && !this.#reopen && (await this.#pathInode()) === this.#inode) return this.#file;
    await this.close();
    this.#reopen = false;
    await mkdir(dirname(this.#path), { recursive: true });
    const file = await open(this.#path, 'a', 0o600);
    this.#inode = (await file.stat()).ino;
    this.#file = file;
    return file;
  }

  async #pathInode(): Promise<number> {
    try {
      return (await stat(this.#path)).ino;
    } catch {
      return -1;
    }
  }

  async close(): Promise<void> {
    const file = this.#file;
    this.#file = null;
    this.#inode = -1;
    await file?.close().catch(() => undefined);
  }
}
