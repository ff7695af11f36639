// Evaluates a parsed SCIM filter against a resource as it is rendered (RFC 7644 §3.4.2.2): attribute
// names match case-insensitively, string comparisons ignore ASCII case except for the case-exact
// attributes (id, externalId, and a group's member values), and a multi-valued attribute matches
// when any of its values does.
import { type JsonObject, type JsonValue, subjectKey } from '../core/events.js';
import type { AttrPath, Filter, FilterValue } from './filter.js';

const CASE_EXACT = new Set(['id', 'externalid', 'value']);

function field(obj: JsonObject, name: string): JsonValue | undefined {
  for (const key of Object.keys(obj)) if (key.toLowerCase() === name) return obj[key];
  return undefined;
}

/** The values a path reaches: one per element of a multi-valued attribute; absent values left out. */
export function valuesAt(resource: JsonObject, path: AttrPath): JsonValue[] {
  const top = field(resource, path.attr);
  const items = Array.isArray(top) ? top : top === undefined || top === null ? [] : [top];
  if (path.sub === null) return items;
  return items.flatMap((item) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return [];
    const v = field(item, path.sub!);
    return v === undefined || v === null ? [] : [v];
  });
}

function compare(op: string, actual: JsonValue, expected: FilterValue, caseExact: boolean): boolean {
  if (expected === null) return op === 'eq' ? actual === null : op === 'ne' ? actual !== null : false;
  if (typeof expected === 'string' && typeof actual === 'string') {
    // ASCII case only, as Vigil compares subjects (core/events.ts, subjectKey): with Unicode
    // lower-casing `userName eq "kate@example.com"` would find a user spelled with the Kelvin sign,
    // and a provider looking Kate up before creating her would link her to that account.
    const a = caseExact ? actual : subjectKey(actual);
    const e = caseExact ? expected : subjectKey(expected);
    switch (op) {
      case 'eq':
        return a === e;
      case 'ne':
        return a !== e;
      case 'co':
        return a.includes(e);
      case 'sw':
        return a.startsWith(e);
      case 'ew':
        return a.endsWith(e);
      case 'gt':
        return a > e;
      case 'ge':
        return a >= e;
      case 'lt':
        return a < e;
      case 'le':
        return a <= e;
    }
  }
  if (typeof expected === 'number' && typeof actual === 'number') {
    switch (op) {
      case 'eq':
        return actual === expected;
      case 'ne':
        return actual !== expected;
      case 'gt':
        return actual > expected;
      case 'ge':
        return actual >= expected;
      case 'lt':
        return actual < expected;
      case 'le':
        return actual <= expected;
    }
  }
  if (typeof expected === 'boolean' && typeof actual === 'boolean') {
    if (op === 'eq') return actual === expected;
    if (op === 'ne') return actual !== expected;
  }
  return op === 'ne';
}

export function matchesFilter(resource: JsonObject, filter: Filter): boolean {
  switch (filter.op) {
    case 'and':
      return matchesFilter(resource, filter.left) && matchesFilter(resource, filter.right);
    case 'or':
      return matchesFilter(resource, filter.left) || matchesFilter(resource, filter.right);
    case 'not':
      return !matchesFilter(resource, filter.filter);
    case 'pr':
      return valuesAt(resource, filter.path).some((v) => v !== '' && !(Array.isArray(v) && v.length === 0));
    case 'has':
      return valuesAt(resource, filter.path).some(
        (item) =>
          typeof item === 'object' &&
          item !== null &&
          !Array.isArray(item) &&
          matchesFilter(item, filter.filter),
      );
    default: {
      const caseExact = CASE_EXACT.has(filter.path.sub ?? filter.path.attr);
      const values = valuesAt(resource, filter.path);
      if (filter.op === 'ne') return values.every((v) => compare('ne', v, filter.value, caseExact));
      return values.some((v) => compare(filter.op, v, filter.value, caseExact));
    }
  }
}
