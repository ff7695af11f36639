// Masks a stream (SSE deltas, network packets) so that a secret split across chunks is still found.
// Text is released as soon as no detector could still match across it: the scanner says where the
// longest candidate still open at the end begins (a token run, an anchor whose match may grow, a
// partial literal), and everything before that is masked and emitted. The concatenated output
// equals masking the whole text at once.
import { foldedCode } from './plain-reading.js';
import type { CompiledRule, ScanResult } from './scanner.js';
import { isRunChar, MAX_PIECE } from './token-runs.js';

/**
 * A character of a token run as the scanner reads it: a full-width form of one too (plain-reading.ts,
 * one character for one). Without it a run typed in full-width was scanned again at every piece,
 * in time the square of its length. A scanner that does not fold them only holds such text longer.
 */
function continuesRun(code: number): boolean {
  return isRunChar(code) || (code > 0xff00 && isRunChar(foldedCode(code)));
}

/**
 * Characters of already-emitted text kept so lookbehinds, \b and the words looked for before a
 * bare token (token-shape.ts LOOK_BEHIND) see what precedes the buffer.
 */
const CONTEXT = 96;

export interface StreamMasker {
  /** Feeds a chunk; returns the masked text that is safe to emit now (possibly empty). */
  push(chunk: string): string;
  /** Flushes what is held back, masked. */
  end(): string;
}

export interface StreamScanner {
  readonly window: number;
  /** Where the text still open at the end begins (see Scanner.holdFrom). */
  holdFrom(text: string, from: number): number;
  scan(text: string, from: number, horizon: number, pending: CompiledRule | null): ScanResult;
  render(text: string, from: number, to: number, result: ScanResult): string;
}

export function createStreamMaskerFor(scanner: () => StreamScanner): StreamMasker {
  let context = '';
  let held = '';
  let pending: CompiledRule | null = null;
  let ended = false;
  /** Held characters that are one token run still open at the end (nothing can be decided in it). */
  let openRun = 0;

  const measureOpenRun = () => {
    openRun = 0;
    while (openRun < held.length && continuesRun(held.charCodeAt(held.length - 1 - openRun))) openRun++;
    if (openRun !== held.length) openRun = 0;
  };

  const step = (final: boolean): string => {
    const s = scanner();
    const text = context + held;
    const from = context.length;
    const horizon = final ? Number.POSITIVE_INFINITY : s.holdFrom(text, from);
    if (horizon <= from) {
      measureOpenRun();
      return '';
    }
    const result = s.scan(text, from, horizon, pending);
    const next = final ? text.length : result.next;
    const out = s.render(text, from, next, result);
    pending = final ? null : result.pending;
    context = text.slice(Math.max(0, next - CONTEXT), next);
    held = text.slice(next);
    measureOpenRun();
    return out;
  };

  return {
    push(chunk) {
      if (ended) throw new Error('stream masker: push after end');
      if (chunk.length === 0) return '';
      // Held text that is one open token run, continued by token characters, stays undecided:
      // skipping the scan keeps a run streamed in tiny pieces linear rather than quadratic.
      const samePiece = Math.floor((openRun + chunk.length) / MAX_PIECE) === Math.floor(openRun / MAX_PIECE);
      if (openRun > 0 && pending === null && samePiece && allRunChars(chunk)) {
        held += chunk;
        openRun += chunk.length;
        return '';
      }
      held += chunk;
      return step(false);
    },
    end() {
      if (ended) return '';
      ended = true;
      return step(true);
    },
  };
}

function allRunChars(chunk: string): boolean {
  for (let i = 0; i < chunk.length; i++) if (!continuesRun(chunk.charCodeAt(i))) return false;
  return true;
}
