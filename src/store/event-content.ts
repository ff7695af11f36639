// Store.readSessionContent, the parts every backend shares: checking a selection, leaving payload
// members out (the reference the SQL backends must agree with), and turning rows into EventContent.
// Each event of a 10,000-call session parsed whole, with its hashes and identity, was the largest
// cost of a cold reasoning tree (bench/RESULTS.md, "The cold tree on the server").
import { VigilError } from '../core/errors.js';
import type { EventContent, EventType, Identity, JsonObject } from '../core/events.js';
import { isJsonObject } from '../core/json-read.js';
import type { EventSelection } from '../core/ports.js';

const PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** The omitted paths per type, checked: only plain keys, so a backend may put them in its own path syntax. */
export function omittedPaths(selection: EventSelection): Map<EventType, string[]> {
  const out = new Map<EventType, string[]>();
  for (const [type, paths] of Object.entries(selection.omit ?? {}) as [EventType, readonly string[]][]) {
    for (const path of paths) {
      if (!PATH.test(path))
        throw new VigilError('usage', `not a payload path to omit: ${JSON.stringify(path)}`);
    }
    if (paths.length > 0 && selection.types.includes(type)) out.set(type, [...paths]);
  }
  return out;
}

/** Removes the paths from a payload the caller owns (just parsed); a path that is not there is ignored. */
export function omitFromPayload(payload: JsonObject, paths: readonly string[]): JsonObject {
  for (const path of paths) {
    const keys = path.split('.');
    let at: JsonObject | null = payload;
    for (let i = 0; at && i < keys.length - 1; i++) {
      const next: JsonObject[string] | undefined = at[keys[i]!];
      at = isJsonObject(next) ? next : null;
    }
    if (at) delete at[keys.at(-1)!];
  }
  return payload;
}

/** A row of a content read, in this column order in every backend. */
export type ContentTuple = [
  sessionId: string,
  seq: number | string,
  type: string,
  time: string,
  identity: string,
  payload: string | null,
  payloadObject: string | null,
  payloadHash: string | null,
];

/** `session_id, seq, type, time, identity, <payload>, payload_object, <its hash>`, after SELECT. */
export function contentColumns(payload: string): string {
  return `session_id, seq, type, time, identity, ${payload}, payload_object,
          CASE WHEN payload_object IS NOT NULL THEN payload_hash END`;
}

/**
 * Rows to EventContent. `omitted` is applied here when the backend has not already done it in SQL.
 * An identity is parsed once per read: a session's events almost all carry the same one.
 */
export function contentOfRows(
  rows: Iterable<ContentTuple>,
  integer: (value: unknown, column: string) => number,
  omitted: ReadonlyMap<EventType, readonly string[]> | null,
): EventContent[] {
  const identities = new Map<string, Identity>();
  const out: EventContent[] = [];
  for (const t of rows) {
    let identity = identities.get(t[4]);
    if (!identity) {
      identity = JSON.parse(t[4]) as Identity;
      identities.set(t[4], identity);
    }
    const type = t[2] as EventType;
    let payload = t[5] === null ? null : (JSON.parse(t[5]) as JsonObject);
    const paths = omitted?.get(type);
    if (payload && paths) payload = omitFromPayload(payload, paths);
    out.push({
      sessionId: t[0],
      seq: integer(t[1], 'events.seq'),
      type,
      time: t[3],
      identity,
      payload,
      // As readSession: only where a row names an object, with what its text must hash to.
      ...(t[6] ? { payloadObject: t[6], payloadHash: t[7] ?? '' } : {}),
    });
  }
  return out;
}
