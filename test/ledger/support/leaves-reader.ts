// A reader of a log of given leaf hashes, opened the way a worker opens a store's reader
// (EventSourceOpener): it refuses to be read on the main thread, so a proof built there fails.
import { isMainThread } from 'node:worker_threads';
import { VigilError } from '../../../src/core/errors.js';
import type { EventSource, OpenedEventSource, RawEventRow } from '../../../src/core/ports.js';

export interface LeavesReaderData {
  readonly hashes: readonly string[];
}

export function leavesSource(data: LeavesReaderData): EventSource {
  return {
    async readEvents(fromIndex: number, limit: number) {
      return data.hashes
        .slice(fromIndex, fromIndex + limit)
        .map((hash, i) => ({ index: fromIndex + i, hash }) as unknown as RawEventRow);
    },
    count: async () => data.hashes.length,
    sessionRecords: async () => [],
    purgeRecords: async () => [],
  } as unknown as EventSource;
}

export async function openEventSource(data: unknown): Promise<OpenedEventSource> {
  if (isMainThread) throw new VigilError('internal', 'the log was read on the main thread');
  return { source: leavesSource(data as LeavesReaderData), close: async () => undefined };
}
