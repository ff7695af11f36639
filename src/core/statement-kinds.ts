// The kinds a parsed statement counts as for policy. A statement is its own kind, and also SET when
// it changes a setting of this session or transaction without being a SET statement: PostgreSQL's
// `SELECT set_config('search_path', 'billing', false)` does what `SET search_path = billing` does,
// yet read as a SELECT, so `deny_statements: [SET]`, an `allow_by_group` list without SET and a
// policy rule on `statement_kinds: [SET]` all let it by until 6 December. Transaction control with
// options (`BEGIN READ WRITE`) and `DISCARD ALL` keep their own kinds: their rules name them.

import type { JsonValue } from './events.js';
import { isJsonObject } from './json-read.js';

/** Kinds whose setting changes are their own business, not a SET's. */
const OWN_SETTINGS = new Set(['SET', 'TRANSACTION', 'DISCARD']);

/** Whether the statement changes a session's or transaction's setting though it is not a SET. */
export function setsWithoutSet(statement: {
  readonly kind: string;
  readonly settings?: readonly JsonValue[];
}): boolean {
  if (OWN_SETTINGS.has(statement.kind.toUpperCase())) return false;
  return (statement.settings ?? []).some(
    (s) => isJsonObject(s) && (s.scope === 'session' || s.scope === 'transaction'),
  );
}

/** The statement's kind, and SET where it sets a setting by other means. */
export function policyKindsOf(statement: {
  readonly kind: string;
  readonly settings?: readonly JsonValue[];
}): string[] {
  const kind = statement.kind.toUpperCase();
  return setsWithoutSet(statement) ? [kind, 'SET'] : [kind];
}
