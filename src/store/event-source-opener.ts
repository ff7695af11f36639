// How a worker thread opens its own reader of the configured store's log (core/ports.ts
// EventSourceOpener). Where the log is all there is to read (SQLite or PostgreSQL with every payload
// inline) the worker loads that backend's log reader alone; with payloads in object storage it
// opens the store as a second reader (openStore's `reader` mode) with its object store behind it.
import { join } from 'node:path';
import type { EventSourceOpener, OpenedEventSource } from '../core/ports.js';
import { openStore, type StoreConfig } from './index.js';
import { postgresLogReader } from './postgres/postgres-log-reader.js';
import { sqliteLogReader } from './sqlite/sqlite-log-reader.js';
import { SQLITE_FILE } from './sqlite/sqlite-store-bundle.js';

interface StoreReaderData {
  readonly store: StoreConfig;
  readonly dataDir: string;
  readonly baseDir: string;
}

export function eventSourceOpener(config: StoreConfig, dataDir: string, baseDir: string): EventSourceOpener {
  const { store, durability, append_in_worker, payloads } = config;
  if (!payloads && store.type === 'sqlite') return sqliteLogReader(join(dataDir, SQLITE_FILE));
  if (!payloads && store.type === 'postgres') return postgresLogReader(store.url, baseDir, store.schema);
  // Only the store's part of the configuration: it crosses to the worker by structured cloning.
  const data: StoreReaderData = {
    store: { store, durability, append_in_worker, payloads },
    dataDir,
    baseDir,
  };
  return { module: import.meta.url, data };
}

/** The whole store opened as a second reader: for payloads kept in object storage. */
export async function openEventSource(data: unknown): Promise<OpenedEventSource> {
  const { store, dataDir, baseDir } = data as StoreReaderData;
  const bundle = await openStore(store, dataDir, baseDir, { reader: true });
  return { source: bundle.eventSource, close: () => bundle.close() };
}
