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

/** `USE db` statements of a string, by index: the session's database changes on their OK. */
export function usesOf(c: Classification): Map<number, string> | undefined {
  let uses: Map<number, string> | undefined;
  c.statements.forEach((s, i) => {
    if (s.kind !== 'USE') return;
    const m = /^use\s+(`(?:[^`]|``)+`|[^\s`]+)/i.exec(s.text);
    if (!m) return;
    uses ??= new Map();
    uses.set(i, m[1]!.startsWith('`') ? m[1]!.slice(1, -1).replaceAll('``', '`') : m[1]!);
  });
  return uses;
}
