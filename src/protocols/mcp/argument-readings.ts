// Other readings of a tool call's arguments, for policy: a file tool resolves `a/../b`, `./b` and
// `a//b` before it opens anything, so a rule written against the path it means
// (`"path":"secrets/`) must hold `notes/../secrets/key` too. Each string that looks like a file path
// is read with its dot segments and doubled slashes resolved, and once more with backslashes as
// separators (a server on Windows). Deny, review and alert patterns match any reading; allow
// patterns only the arguments as sent (docs/policy.md). URLs other than file: are left alone: their
// `//` is not a doubled slash, and an HTTP connection judges its own paths.
import { posix } from 'node:path';
import type { JsonValue } from '../../core/events.js';

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** A path-like string read as a file tool resolves it, or null when that changes nothing. */
function resolvedPath(s: string, backslashes: boolean): string | null {
  const text = backslashes ? s.replace(/\\/g, '/') : s;
  if (!text.includes('/')) return null;
  let prefix = '';
  let path = text;
  if (SCHEME.test(text)) {
    if (!/^file:\/\//i.test(text)) return null;
    prefix = text.slice(0, 7);
    path = text.slice(7);
    if (path === '') return null;
  }
  const resolved = prefix + posix.normalize(path);
  return resolved === s ? null : resolved;
}

function readingOf(value: JsonValue, backslashes: boolean): { value: JsonValue; changed: boolean } {
  if (typeof value === 'string') {
    const r = resolvedPath(value, backslashes);
    return r === null ? { value, changed: false } : { value: r, changed: true };
  }
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = readingOf(v, backslashes);
      changed ||= r.changed;
      return r.value;
    });
    return { value: changed ? out : value, changed };
  }
  if (value !== null && typeof value === 'object') {
    let changed = false;
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) {
      const r = readingOf(v, backslashes);
      changed ||= r.changed;
      out[k] = r.value;
    }
    return { value: changed ? out : value, changed };
  }
  return { value, changed: false };
}

/** The arguments as file tools may resolve them: zero, one or two other readings. */
export function argumentReadings(args: JsonValue): JsonValue[] {
  const out: JsonValue[] = [];
  for (const backslashes of [false, true]) {
    const r = readingOf(args, backslashes);
    if (r.changed) out.push(r.value);
  }
  return out;
}
