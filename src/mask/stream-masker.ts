// Masks a stream (SSE deltas, network packets) so that a secret split across chunks is still found.
// Text is released as soon as no detector could still match across it: the scanner says where the
// longest candidate still open at the end begins (a token run, an anchor whose match may grow, a
// partial literal), and everything before that is masked and emitted. The concatenated output
// equals masking the whole text at once.
import { isInvisibleRun, mayBeInvisible } from './invisible-characters.js';
import { foldedCode } from './plain-reading.js';
import type { CompiledRule, ScanResult } from './scanner.js';
import { HeldText } from './stream-held-text.js';
import { isRunChar, MAX_PIECE } from './token-runs.js';

/**
 * A character of a token run as the scanner reads it: a full-width form of one too (plain-reading.ts,
 * one character for one), and an invisible character, which the reading sets aside (a superset of
 * them: a visible one only holds text longer). Without them a run typed in full-width, or with a
 * zero-width space after each letter, was scanned again at every piece, in time the square of its
 * length. A scanner that does not fold them only holds such text longer.
 */
function continuesRun(code: number): boolean {
  return isRunChar(code) || (code > 0xff00 && isRunChar(foldedCode(code))) || mayBeInvisible(code);
}

/**
 * Characters of already-emitted text kept so lookbehinds, \b and the words looked for before a
 * bare token (token-shape.ts LOOK_BEHIND) see what precedes the buffer: visible ones, as the scan
 * reads them. Until 7 December they were the raw characters, and 96 zero-width spaces after
 * `my api key is:` hid the words, so a 20-character token that whole-text masking found was
 * streamed in clear.
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
  /** Whether the scan reads text with invisible characters set aside (plain-reading.ts). */
  readonly readsInvisible: boolean;
  render(text: string, from: number, to: number, result: ScanResult): string;
}

export function createStreamMaskerFor(scanner: () => StreamScanner): StreamMasker {
  /** Emitted text kept for the scan's lookbehinds, as the scanner reads it. */
  let context = '';
  let held: HeldText | null = null;
  let pending: CompiledRule | null = null;
  let ended = false;
  /** Held characters that are one token run still open at the end (nothing can be decided in it). */
  let openRun = 0;

  const measureOpenRun = (raw: string) => {
    openRun = 0;
    while (openRun < raw.length && continuesRun(raw.charCodeAt(raw.length - 1 - openRun))) openRun++;
    if (openRun !== raw.length) openRun = 0;
  };

  const step = (h: HeldText, final: boolean): string => {
    const s = scanner();
    // The scan reads the visible text; findings and the offset released map back to the raw text.
    const text = context + h.visible;
    const from = context.length;
    const horizon = final ? Number.POSITIVE_INFINITY : s.holdFrom(text, from);
    if (horizon <= from) {
      measureOpenRun(h.raw);
      return '';
    }
    const result = s.scan(text, from, horizon, pending);
    const next = final ? text.length : result.next;
    const same = h.visible.length === h.raw.length;
    const mapped: ScanResult = same
      ? result
      : {
          findings: result.findings.map((f) => ({
            ...f,
            start: from + h.rawOf(f.start - from),
            end: from + h.rawEndOf(f.end - from),
          })),
          next: from + h.rawOf(next - from),
          pending: result.pending,
        };
    const out = s.render(same ? text : context + h.raw, from, same ? next : mapped.next, mapped);
    pending = final ? null : result.pending;
    context = text.slice(Math.max(0, next - CONTEXT), next);
    h.release(next - from);
    measureOpenRun(h.raw);
    return out;
  };

  return {
    push(chunk) {
      if (ended) throw new Error('stream masker: push after end');
      if (chunk.length === 0) return '';
      const s = scanner();
      held ??= new HeldText(s.readsInvisible);
      // Held text that is one open token run, continued by token characters, stays undecided:
      // skipping the scan keeps a run streamed in tiny pieces linear rather than quadratic.
      const samePiece = Math.floor((openRun + chunk.length) / MAX_PIECE) === Math.floor(openRun / MAX_PIECE);
      if (openRun > 0 && pending === null && samePiece && allRunChars(chunk)) {
        held.append(chunk);
        openRun += chunk.length;
        return '';
      }
      // Invisible characters change nothing the scan reads. After held text they cannot release
      // it, so scanning again would redo the same work; with nothing held or pending they would
      // all be released, the context unchanged (a stream of them one at a time cost a scan each).
      if (s.readsInvisible && isInvisibleRun(chunk)) {
        if (held.raw.length > 0) {
          held.append(chunk);
          return '';
        }
        if (pending === null) return chunk;
      }
      held.append(chunk);
      return step(held, false);
    },
    end() {
      if (ended) return '';
      ended = true;
      return held === null ? '' : step(held, true);
    },
  };
}

function allRunChars(chunk: string): boolean {
  for (let i = 0; i < chunk.length; i++) if (!continuesRun(chunk.charCodeAt(i))) return false;
  return true;
}
