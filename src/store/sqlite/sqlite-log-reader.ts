// A reader of the SQLite store's log alone, for a worker thread (core/ports.ts EventSourceOpener):
// the database file opened read-only and the log read as StoreBundle.eventSource reads it. Opening
// the whole store in each worker (every port, every backend's code) cost about 0.35 s of CPU per
// thread before its first row; this module loads in a few milliseconds.
import Database from 'better-sqlite3';
import type { EventSourceOpener, OpenedEventSource } from '../../core/ports.js';
import { sqliteEventSource } from './sqlite-event-source.js';

interface SqliteReaderData {
  readonly path: string;
}

export function sqliteLogReader(path: string): EventSourceOpener {
  return { module: import.meta.url, data: { path } satisfies SqliteReaderData };
}

export async function openEventSource(data: unknown): Promise<OpenedEventSource> {
  const { path } = data as SqliteReaderData;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  // As the store's own readers: a writer's checkpoint may hold the file a moment.
  db.pragma('busy_timeout = 5000');
  return {
    source: sqliteEventSource(db),
    close: async () => void db.close(),
  };
}
