// How a worker thread opens its own reader of the configured store's log (core/ports.ts
// EventSourceOpener): this module's URL and the store's configuration as plain data. The worker
// imports this module and calls openEventSource with that data; it gets the store opened as a second
// reader (openStore's `reader` mode: SQLite read-only, a small PostgreSQL pool), with object
// storage behind it when the configuration keeps payloads there.
import type { EventSourceOpener, OpenedEventSource } from '../core/ports.js';
import { openStore, type StoreConfig } from './index.js';

interface OpenerData {
  readonly store: StoreConfig;
  readonly dataDir: string;
  readonly baseDir: string;
}

export function eventSourceOpener(config: StoreConfig, dataDir: string, baseDir: string): EventSourceOpener {
  const { store, durability, append_in_worker, payloads } = config;
  // Only the store's part of the configuration: it crosses to the worker by structured cloning.
  const data: OpenerData = { store: { store, durability, append_in_worker, payloads }, dataDir, baseDir };
  return { module: import.meta.url, data };
}

export async function openEventSource(data: unknown): Promise<OpenedEventSource> {
  const { store, dataDir, baseDir } = data as OpenerData;
  const bundle = await openStore(store, dataDir, baseDir, { reader: true });
  return { source: bundle.eventSource, close: () => bundle.close() };
}
