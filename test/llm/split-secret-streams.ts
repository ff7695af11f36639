// Shared by the tests of a known secret cut across streamed deltas: the cuts an attacker's upstream
// makes, and what counts as the key reaching the client.
import assert from 'node:assert/strict';

/** The key cut in two at every offset, 0 to its length: `[k] ` and its first k characters, then the rest. */
export function everyCut(key: string): string[] {
  const pieces: string[] = [];
  for (let k = 0; k <= key.length; k++) pieces.push(`[${k}] ${key.slice(0, k)}`, `${key.slice(k)} `);
  return pieces;
}

/** A text one character (UTF-16 unit) a piece: every offset is a cut at once. */
export function perCharacter(text: string): string[] {
  return text.split('');
}

/** The key as JSON text spells it with a `\u` escape for every character (`\u0056\u0067…`). */
export function spelledWithEscapes(key: string): string {
  return key
    .split('')
    .map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .join('');
}

/**
 * How `text` still spells the key, or null: as written, JSON-escaped, or once a JSON reader has
 * read it (the text whole, or each `\u` escape in it).
 */
export function leaks(text: string, key: string): string | null {
  if (text.includes(key)) return 'raw';
  if (text.includes(JSON.stringify(key).slice(1, -1))) return 'JSON-escaped';
  const unescaped = text.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) =>
    String.fromCharCode(Number.parseInt(h, 16)),
  );
  if (unescaped.includes(key) || unescaped.includes(JSON.stringify(key).slice(1, -1))) return '\\u-escaped';
  try {
    if (JSON.stringify(JSON.parse(text)).includes(JSON.stringify(key).slice(1, -1)))
      return 'in the parsed JSON';
  } catch {
    // Not JSON: read as text above.
  }
  return null;
}

/** The client read the words the ledger recorded (a mask's label aside: the record's masker may name another rule). */
export function sameWords(client: string, recorded: string, what: string): void {
  const plain = (t: string) => t.replace(/\[MASKED:[^\]]*\]/g, '[MASKED]');
  assert.equal(plain(client), plain(recorded), `${what}: the client read what the ledger recorded`);
}
