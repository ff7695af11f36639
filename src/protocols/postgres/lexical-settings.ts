// The server settings that change how SQL text is read. Vigil judges a statement by parsing its
// text; if the server read the same bytes differently (another client encoding, backslashes as
// escapes in ordinary strings) a guardrail could pass one statement while the server ran another.
// Vigil's parser follows one reading only: client text in UTF-8 and standard_conforming_strings
// on. So those settings are pinned: refused at startup, refused in SET and set_config(), and a
// server report of any other value ends the session (fail closed).
import { VigilError } from '../../core/errors.js';

import type { SettingChange } from './sql-classifier.js';

/**
 * Changes that apply to other sessions: checked when those sessions log in (and reported if a
 * reload brings them here). A function's SET clause is not among them: the server applies it
 * before it reads the function's body (a LANGUAGE sql body given as a string is parsed at each
 * call), so `SET standard_conforming_strings = off` would make it run a body Vigil read otherwise.
 */
const NOT_THIS_SESSION = new Set(['role', 'database', 'system']);

/**
 * Client encodings in which the bytes on the wire are UTF-8 as Vigil decodes them. SQL_ASCII
 * means "no conversion": the server validates the bytes in its own encoding, and a UTF-8 database
 * reads them exactly as Vigil does. Anything else (GBK, SJIS, BIG5 ...) can hide a quote inside a
 * multibyte character.
 */
const UTF8_READABLE_ENCODINGS = new Set(['utf8', 'unicode', 'sqlascii']);

/** PostgreSQL compares encoding names ignoring case and every non-alphanumeric character. */
function encodingKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** PostgreSQL's parse_bool: true for an unambiguous prefix of true/yes, for on and 1. */
export function pgBoolIsTrue(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v.length === 0) return false;
  if ('true'.startsWith(v) || 'yes'.startsWith(v)) return true;
  return v === 'on' || v === '1';
}

type Check = (value: string) => boolean;

const PINNED: Readonly<Record<string, { readonly ok: Check; readonly reads: string }>> = {
  client_encoding: {
    ok: (v) => UTF8_READABLE_ENCODINGS.has(encodingKey(v)),
    reads: 'UTF8',
  },
  standard_conforming_strings: { ok: pgBoolIsTrue, reads: 'on' },
};

function pinnedError(name: string, value: string | null, where: string): VigilError {
  const pin = PINNED[name]!;
  const shown = value === null ? 'a value computed at run time' : JSON.stringify(value.slice(0, 40));
  return new VigilError(
    'setting_pinned',
    `${where} sets ${name} to ${shown}; Vigil reads SQL with ${name} = ${pin.reads} only, so this connection keeps it`,
    { details: { setting: name } },
  );
}

/** The startup parameters a client sent: a pinned setting must have a value Vigil reads as the server does. */
export function checkStartupParams(params: Readonly<Record<string, string>>): VigilError | null {
  for (const [name, value] of Object.entries(params)) {
    const pin = PINNED[name.toLowerCase()];
    if (pin && !pin.ok(value)) return pinnedError(name.toLowerCase(), value, 'the startup packet');
  }
  return null;
}

/** A ParameterStatus the server reported (at login, or after a statement changed it). */
export function checkReportedSetting(name: string, value: string): VigilError | null {
  const key = name.toLowerCase();
  const pin = PINNED[key];
  if (!pin || pin.ok(value)) return null;
  return pinnedError(key, value, 'the server');
}

/** The settings a statement would change. `*` (RESET ALL) returns to the checked session defaults. */
export function checkSettingChanges(changes: readonly SettingChange[]): VigilError | null {
  for (const change of changes) {
    if (NOT_THIS_SESSION.has(change.scope)) continue;
    const key = change.name.toLowerCase();
    const pin = PINNED[key];
    if (change.dynamic) {
      // A pinned setting with a computed value, or a name computed at run time (which could be
      // any setting, pinned ones included), cannot be judged before it runs.
      const nameKnown = /^[a-z_][a-z0-9_$]*(\.[a-z_][a-z0-9_$]*)?$/.test(key);
      if (pin || !nameKnown) return pinnedError(pin ? key : 'client_encoding', null, 'the statement');
      continue;
    }
    if (!pin || change.value === null) continue;
    if (!pin.ok(change.value)) return pinnedError(key, change.value, 'the statement');
  }
  return null;
}

/**
 * Whether a text reads the same under every value of the settings that change how text is read:
 * with no backslash, standard_conforming_strings (and backslash_quote) change nothing, and bytes
 * below 0x80 are the same ASCII characters in every client encoding PostgreSQL accepts, with no
 * lead byte before them to swallow one. Such a text needs no confirmed setting to be judged.
 */
export function readsAlikeUnderAnySetting(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80 || c === 0x5c) return false;
  }
  return true;
}
