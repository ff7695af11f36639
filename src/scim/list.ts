// Listing (RFC 7644 §3.4.2): filter, 1-based startIndex and count pagination, and the
// attributes/excludedAttributes projection, over resources already rendered.
import type { JsonObject } from '../core/events.js';
import { parseFilter } from './filter.js';
import { matchesFilter } from './filter-match.js';
import { SCHEMA, scimInvalid } from './scim-schema.js';

export const DEFAULT_LIST_COUNT = 100;
export const MAX_LIST_COUNT = 1000;

function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^-?\d{1,9}$/.test(raw)) throw scimInvalid('invalidValue', `"${name}" must be an integer`);
  return Number(raw);
}

/** Top-level names from `attributes=a,b.c` (a sub-attribute keeps its whole attribute). */
function names(query: URLSearchParams, name: string): Set<string> | null {
  const raw = query.get(name);
  if (raw === null || raw.trim() === '') return null;
  return new Set(
    raw.split(',').map((n) => {
      const local = n.trim().slice(n.trim().lastIndexOf(':') + 1);
      return local.split('.')[0]!.toLowerCase();
    }),
  );
}

/** Applies attributes/excludedAttributes; id and schemas are always returned (returned: always). */
export function project(resource: JsonObject, query: URLSearchParams): JsonObject {
  const only = names(query, 'attributes');
  const except = names(query, 'excludedAttributes');
  if (only === null && except === null) return resource;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(resource)) {
    const lower = key.toLowerCase();
    const always = lower === 'id' || lower === 'schemas';
    if (!always && only !== null && !only.has(lower)) continue;
    if (!always && except?.has(lower)) continue;
    out[key] = value;
  }
  return out;
}

export function listResponse(all: readonly JsonObject[], query: URLSearchParams): JsonObject {
  const filterText = query.get('filter');
  const filter = filterText === null || filterText === '' ? null : parseFilter(filterText);
  const matching = filter === null ? all : all.filter((r) => matchesFilter(r, filter));
  const startIndex = Math.max(1, intParam(query, 'startIndex', 1));
  const count = Math.min(MAX_LIST_COUNT, Math.max(0, intParam(query, 'count', DEFAULT_LIST_COUNT)));
  const page = matching.slice(startIndex - 1, startIndex - 1 + count);
  return {
    schemas: [SCHEMA.listResponse],
    totalResults: matching.length,
    startIndex,
    itemsPerPage: page.length,
    Resources: page.map((r) => project(r, query)),
  };
}
