// A reader of the PostgreSQL store's log alone, for a worker thread (core/ports.ts
// EventSourceOpener): one connection of its own, the log read as StoreBundle.eventSource reads it.
// No migration: the store is already open (and migrated) on the thread that asks for readers. The
// URL stays a secret reference until the worker resolves it, as the store itself does.
import type { EventSourceOpener, OpenedEventSource } from '../../core/ports.js';
import { resolveDatabaseUrl } from './database-url.js';
import { createPool } from './pg-pool.js';
import { postgresEventSource } from './postgres-event-source.js';

interface PostgresReaderData {
  /** The store's `url` setting: a secret reference. */
  readonly url: string;
  /** Where a `file:` reference is relative to. */
  readonly baseDir: string;
  readonly schema: string;
}

export function postgresLogReader(url: string, baseDir: string, schema: string): EventSourceOpener {
  return { module: import.meta.url, data: { url, baseDir, schema } satisfies PostgresReaderData };
}

export async function openEventSource(data: unknown): Promise<OpenedEventSource> {
  const { url, baseDir, schema } = data as PostgresReaderData;
  // One query at a time per worker: one connection.
  const pool = createPool({ url: resolveDatabaseUrl(url, baseDir), max: 1, schema }, () => undefined);
  const source = postgresEventSource(pool);
  try {
    // Fails here, where the worker's start can fail, rather than at its first range.
    await source.count();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return { source, close: () => pool.end() };
}
