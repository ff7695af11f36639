// Statement text as the proxy reads it: the bytes of a command as a string, and the databases
// `USE` statements of a string switch to (applied when the server confirms them).
import { TextDecoder } from 'node:util';
import type { Classification } from './sql-classifier.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Statement text as a string. Character sets whose bytes could hide an ASCII quote or backslash
 * are refused at the handshake and pinned after it, so text that is not UTF-8 (latin1) is read byte
 * for byte: every byte that matters to the lexer is ASCII.
 */
export function decodeText(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** How a statement changes the session's database once the server answers it with OK. */
export type DatabaseChange = { readonly use: string } | { readonly dropped: string };

const USE = /^use\s+(`(?:[^`]|``)+`|[^\s`]+)/i;
/** A dropped database that was the session's leaves it with none (DATABASE() is then NULL). */
const DROP_DATABASE = /^drop\s+(?:database|schema)\s+(?:if\s+exists\s+)?(`(?:[^`]|``)+`|[^\s`;]+)/i;

/** `USE db` and `DROP DATABASE db` statements of a string, by index. */
export function databaseChangesOf(c: Classification): Map<number, DatabaseChange> | undefined {
  const changes = new Map<number, DatabaseChange>();
  c.statements.forEach((s, i) => {
    const use = s.kind === 'USE' ? USE.exec(s.text) : null;
    const drop = s.kind === 'DROP' ? DROP_DATABASE.exec(s.text) : null;
    if (use) changes.set(i, { use: identifier(use[1]!) });
    else if (drop) changes.set(i, { dropped: identifier(drop[1]!) });
  });
  return changes.size > 0 ? changes : undefined;
}

function identifier(word: string): string {
  return word.startsWith('`') ? word.slice(1, -1).replaceAll('``', '`') : word;
}
