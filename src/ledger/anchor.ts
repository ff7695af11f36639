// The anchor: every checkpoint is also appended, as one canonical JSON line, to a file outside the
// database (opened O_APPEND and fsynced), so whoever can rewrite the database cannot rewrite the
// checkpoints unseen. Verification cross-checks the two.
import { existsSync, readFileSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { SignedCheckpoint } from '../core/ports.js';
import { decodeCheckpoint, encodeCheckpointLine } from './checkpoint.js';

export const DEFAULT_ANCHOR_FILE = 'anchor.jsonl';

/** The anchor file's path: the configured one (relative to the data directory) or the default. */
export function anchorPath(dataDir: string, configured?: string): string {
  if (!configured) return join(dataDir, DEFAULT_ANCHOR_FILE);
  return isAbsolute(configured) ? configured : resolve(dataDir, configured);
}

export class AnchorFile {
  readonly #handle: FileHandle;

  private constructor(handle: FileHandle) {
    this.#handle = handle;
  }

  static async open(path: string): Promise<AnchorFile> {
    // 'a': O_APPEND | O_CREAT, so every write lands at the end whatever else holds the file.
    return new AnchorFile(await open(path, 'a', 0o644));
  }

  /** Appends one line and waits until it is on disk. */
  async append(cp: SignedCheckpoint): Promise<void> {
    await this.#handle.write(`${encodeCheckpointLine(cp)}\n`);
    await this.#handle.sync();
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}

/** The anchor's text, or null when there is no anchor file. */
export function readAnchorText(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

export interface ParsedAnchor {
  readonly checkpoints: readonly SignedCheckpoint[];
  /** The first line that is not a well-formed checkpoint (1-based), and why. */
  readonly bad?: { readonly line: number; readonly kind: 'anchor_mismatch' | 'anchor_truncated' };
}

/**
 * Splits the anchor into checkpoints. A last line without its newline is a cut (truncated) file;
 * any other line that is not a canonical checkpoint line was edited.
 */
export function parseAnchor(text: string): ParsedAnchor {
  const checkpoints: SignedCheckpoint[] = [];
  if (text === '') return { checkpoints };
  const lines = text.split('\n');
  const complete = lines.pop() === '';
  if (!complete) return { checkpoints: parseLines(lines, checkpoints), ...badOr(lines, checkpoints, true) };
  return { checkpoints: parseLines(lines, checkpoints), ...badOr(lines, checkpoints, false) };
}

function parseLines(lines: readonly string[], out: SignedCheckpoint[]): SignedCheckpoint[] {
  for (const line of lines) {
    const cp = decodeLine(line);
    if (!cp) break;
    out.push(cp);
  }
  return out;
}

function badOr(
  lines: readonly string[],
  parsed: readonly SignedCheckpoint[],
  cut: boolean,
): Pick<ParsedAnchor, 'bad'> {
  if (parsed.length < lines.length) return { bad: { line: parsed.length + 1, kind: 'anchor_mismatch' } };
  if (cut) return { bad: { line: lines.length + 1, kind: 'anchor_truncated' } };
  return {};
}

function decodeLine(line: string): SignedCheckpoint | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  const cp = decodeCheckpoint(value);
  // Only the exact canonical spelling: any other byte is an edit even if it parses the same.
  return cp && encodeCheckpointLine(cp) === line ? cp : null;
}
