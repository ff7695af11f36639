// Large payloads kept in object storage, once, above the backends: a StoreBundle wrapped so that
// every backend persists and returns the object reference the same way (docs/object-storage.md).
//
// Write-ahead: a payload larger than `offloadAbove` is written to the object store, durably, before
// the batch holding its event is handed to the backend; a failed object write fails the append
// (record_failed), so the action is refused and no row points at an object that is not there. The
// row keeps payload_hash, prev_hash and hash unchanged, its payload NULL, and the object's key.
//
// Reading: the Store's reads (replay, console, export, rerun, tracing) return the real payload,
// fetched and checked against payload_hash; an object that is missing or does not match reads as no
// payload (null, the reference kept to say why), never as altered content. The EventSource (verify,
// checkpoints, SIEM, bundles) hands over an object's text only when it matches too: until 5 December
// it handed over whatever the object held, so a replaced object reached SIEM sinks and export
// bundles as the event's payload (and a link to a file of the gateway's, that file). An object that
// does not match is handed over as the text `null`, which no payload hashes to, so verification
// still names the event as altered (payload_mismatch); a missing one as no text, so verification
// names it missing (payload_object_missing). A payload read in place carries no reference: through
// the ports the wrapper is invisible (the conformance suite runs through it unchanged).

import { canonicalJson } from '../core/canonical-json.js';
import { VigilError } from '../core/errors.js';
import type { JsonObject, RecordedEvent, StoredEvent } from '../core/events.js';
import type {
  AccessStore,
  ApprovalStore,
  ChangeFeed,
  EventSource,
  ModuleStateStore,
  ObjectStore,
  RawEventRow,
  ReplicaLeases,
  SessionPage,
  Store,
  StoreBundle,
} from '../core/ports.js';
import { sha256Hex } from '../ledger/chain.js';
import { omitFromPayload, omittedPaths } from './event-content.js';
import { isObjectRefused } from './objects/object-bounds.js';
import { isObjectKey, objectKeyFor } from './objects/object-key.js';
import { orderedAppends } from './ordered-appends.js';

/** Objects fetched at once while reading a batch of rows. */
const FETCH_CONCURRENCY = 8;

/**
 * The EventSource's text for an object that is there but is not the payload: JSON, so readers that
 * parse a payload text do not fail on it, and never an object's canonical text, so no payload hash
 * matches it and verification reports the event as altered.
 */
const ALTERED_TEXT = 'null';

export class OffloadingStoreBundle implements StoreBundle {
  readonly ledger: Store;
  readonly access: AccessStore;
  readonly approvals: ApprovalStore;
  readonly eventSource: EventSource;
  readonly replicas: ReplicaLeases;
  readonly changes: ChangeFeed;
  readonly moduleState: ModuleStateStore;
  readonly #objects: ObjectStore;

  constructor(
    /** The backend's own bundle (tests reach its tables through it). */
    readonly inner: StoreBundle,
    objects: ObjectStore,
    offloadAbove: number,
  ) {
    this.#objects = objects;
    this.ledger = offloadingStore(inner.ledger, objects, offloadAbove);
    this.access = inner.access;
    this.approvals = inner.approvals;
    this.eventSource = offloadingEventSource(inner.eventSource, objects);
    this.replicas = inner.replicas;
    this.changes = inner.changes;
    this.moduleState = inner.moduleState;
  }

  async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      await this.#objects.close();
    }
  }
}

function offloadingStore(inner: Store, objects: ObjectStore, offloadAbove: number): Store {
  // The recorder remembered the text it hashed: this is that text, not a second encoding.
  const large = (event: RecordedEvent) => largerThan(canonicalJson(event.payload), offloadAbove);
  const offload = async (event: RecordedEvent): Promise<RecordedEvent> => {
    if (!large(event)) return event;
    const text = canonicalJson(event.payload);
    const key = objectKeyFor(event.payloadHash);
    try {
      await objects.put(key, Buffer.from(text, 'utf8'));
    } catch (err) {
      throw new VigilError('record_failed', 'could not write a payload to object storage', { cause: err });
    }
    return { ...event, payloadObject: key };
  };
  /** The event with its object's payload in place, and the bytes fetched for it (0 when none). */
  const withPayload = async (event: StoredEvent): Promise<[StoredEvent, number]> => {
    if (event.payload !== null || !event.payloadObject) return [event, 0];
    const read = await checkedObjectText(objects, event.payloadObject, event.payloadHash);
    if (typeof read === 'string') return [event, 0];
    // In place, the payload reads as an inline one: the reference stays only where it explains a null.
    const { payloadObject: _, ...inline } = event;
    return [{ ...inline, payload: JSON.parse(read.text) as JsonObject }, read.bytes];
  };
  const withPayloads = (events: StoredEvent[]) =>
    mapLimited(events, async (event) => (await withPayload(event))[0]);
  // The backend cut the page by its inline payloads' bytes; objects are fetched for that page only,
  // a few at a time, and the page ends early once the objects fetched reach the bound as well.
  const pageWithPayloads = async (page: SessionPage, maxBytes?: number): Promise<SessionPage> => {
    if (maxBytes === undefined) return { ...page, events: await withPayloads(page.events) };
    const events: StoredEvent[] = [];
    let fetched = 0;
    for (let i = 0; i < page.events.length; i += FETCH_CONCURRENCY) {
      const chunk = page.events.slice(i, i + FETCH_CONCURRENCY);
      for (const [event, bytes] of await Promise.all(chunk.map(withPayload))) {
        events.push(event);
        fetched += bytes;
        if (fetched >= maxBytes && events.length < page.events.length) {
          return { events, nextAfterSeq: event.seq };
        }
      }
    }
    return { events, nextAfterSeq: page.nextAfterSeq };
  };
  return {
    // Every object of a batch is durable before any of its rows is written. Most batches hold no
    // large payload and go through as they came; batches reach the backend in order either way.
    ...orderedAppends(
      inner,
      (events) => events.some(large),
      (events) => mapLimited(events, offload),
    ),
    ledgerSize: () => inner.ledgerSize(),
    sessionHead: (id) => inner.sessionHead(id),
    readSession: async (id) => withPayloads(await inner.readSession(id)),
    readSessionPage: async (id, request) =>
      pageWithPayloads(await inner.readSessionPage(id, request), request.maxPayloadBytes),
    readEvents: async (from, limit) => withPayloads(await inner.readEvents(from, limit)),
    // The backend cut the inline payloads; an object's text is fetched, checked and cut the same way.
    readSessionContent: async (id, selection) => {
      const omitted = omittedPaths(selection);
      return mapLimited(await inner.readSessionContent(id, selection), async (event) => {
        if (event.payload !== null || !event.payloadObject) return event;
        const { payloadHash, ...rest } = event;
        const read = await checkedObjectText(objects, event.payloadObject, payloadHash ?? '');
        if (typeof read === 'string') return rest;
        const { payloadObject: _, ...inline } = rest;
        const payload = JSON.parse(read.text) as JsonObject;
        const paths = omitted.get(event.type);
        return { ...inline, payload: paths ? omitFromPayload(payload, paths) : payload };
      });
    },
    getSession: (id) => inner.getSession(id),
    listSessions: (filter) => inner.listSessions(filter),
    openSessions: () => inner.openSessions(),
    // The backend clears the reference with the payload; the object stays (docs/object-storage.md).
    purgePayloads: (before, recordIntent) => inner.purgePayloads(before, recordIntent),
    appendCheckpoint: (cp) => inner.appendCheckpoint(cp),
    listCheckpoints: () => inner.listCheckpoints(),
    latestCheckpoint: () => inner.latestCheckpoint(),
  };
}

function offloadingEventSource(inner: EventSource, objects: ObjectStore): EventSource {
  const withTexts = (rows: readonly RawEventRow[]) =>
    mapLimited(rows, async (row) => {
      if (row.payload !== null || !row.payloadObject) return row;
      const read = await checkedObjectText(objects, row.payloadObject, row.payloadHash);
      if (read === 'missing') return row;
      return { ...row, payload: read === 'altered' ? ALTERED_TEXT : read.text, payloadObject: null };
    });
  return {
    readEvents: async (from, limit, options) => {
      const rows = await inner.readEvents(from, limit);
      return options?.payloads === false ? rows : withTexts(rows);
    },
    purgeRecords: async () => withTexts(await inner.purgeRecords()),
    count: () => inner.count(),
    sessionRecords: () => inner.sessionRecords(),
  };
}

/**
 * The object's text when it hashes to the event's payload hash; `missing` when there is none (or the
 * key is not one we write); `altered` when it is there but is not the payload: other bytes, or
 * something no payload can be (a link, a device, too large; the object store refuses to read it).
 */
async function checkedObjectText(
  objects: ObjectStore,
  key: string,
  payloadHash: string,
): Promise<{ readonly text: string; readonly bytes: number } | 'missing' | 'altered'> {
  if (!isObjectKey(key)) return 'missing';
  let bytes: Uint8Array | null;
  try {
    bytes = await objects.get(key);
  } catch (err) {
    if (isObjectRefused(err)) return 'altered';
    throw err;
  }
  if (bytes === null) return 'missing';
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Hashed as bytes: bytes that are not UTF-8 would decode with replacements, and must not match.
  return sha256Hex(buffer) === payloadHash
    ? { text: buffer.toString('utf8'), bytes: buffer.byteLength }
    : 'altered';
}

/** Whether `text` is more than `limit` bytes in UTF-8, counting bytes only when it could matter. */
function largerThan(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return Buffer.byteLength(text, 'utf8') > limit;
}

/** `fn` over `items` in order, at most FETCH_CONCURRENCY at a time; the input when nothing changes. */
async function mapLimited<T>(items: readonly T[], fn: (item: T) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, items.length) }, worker));
  return out;
}
